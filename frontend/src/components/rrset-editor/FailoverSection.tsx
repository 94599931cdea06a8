import { Alert, Badge, Button, Card, Group, Loader, Stack, Switch, Text, Title } from '@mantine/core';
import { IconActivityHeartbeat } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { failoverSubject } from '../../lib/rrset';
import { FailoverBeta } from '../FailoverBeta';
import { FailoverFields } from './FailoverFields';
import type { SectionProps } from './form';

/**
 * Failover (beta): the check's switch and settings when the account has the feature; otherwise
 * what the feature is and how to ask for it, and a warning when saving would drop settings.
 */
export function FailoverSection({
  d,
  errors,
  set,
  featureOn,
  featurePending,
  hadFailover,
  healthUrl,
  checkNow,
}: SectionProps & {
  featureOn: boolean;
  featurePending: boolean;
  hadFailover: boolean;
  healthUrl: string;
  /** The saved check's "Check now" (a saved record set with a check), below the settings. */
  checkNow?: ReactNode;
}) {
  return (
    <Card withBorder component="section" aria-labelledby="failover-title" data-testid="failover-section">
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={2} size="h4" id="failover-title">
            Failover
          </Title>
          <Badge color="violet" variant="light">
            beta
          </Badge>
        </Group>
        {hadFailover && featureOn && (
          <Button
            component={Link}
            to={healthUrl}
            variant="light"
            color="teal"
            size="xs"
            leftSection={<IconActivityHeartbeat size={14} aria-hidden />}
          >
            Live health
          </Button>
        )}
      </Group>
      {errors['meta.failover'] && (
        <Text c="red" size="sm" role="alert" mb="xs">
          {errors['meta.failover']}
        </Text>
      )}
      {featurePending ? (
        <Loader size="sm" aria-label="Loading account features" />
      ) : featureOn ? (
        <Stack gap="sm">
          <Switch
            label={
              d.type === 'CNAME'
                ? 'Check the health of each target and answer with the first one that is up'
                : 'Check the health of each address and leave out the ones that are down'
            }
            checked={d.failover.enabled}
            onChange={(e) => set({ failover: { ...d.failover, enabled: e.currentTarget.checked } })}
          />
          {d.failover.enabled && (
            <FailoverFields
              f={d.failover}
              subject={failoverSubject(d.type).one}
              errors={errors}
              onChange={(failover) => set({ failover })}
            />
          )}
          {checkNow}
        </Stack>
      ) : (
        <Stack gap="sm">
          {hadFailover && (
            <Alert color="orange" variant="light">
              This record set has failover settings, but the feature is not enabled for this account, so they are not applied. Saving this
              record set removes them.
            </Alert>
          )}
          <FailoverBeta />
        </Stack>
      )}
    </Card>
  );
}
