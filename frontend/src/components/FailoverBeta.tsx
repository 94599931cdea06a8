import { Alert, Badge, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFlask } from '@tabler/icons-react';
import { useState } from 'react';
import { useFeatureRequests, useRequestFeature } from '../api/account';
import { errorMessage, fieldErrors } from '../lib/errors';
import { formatDate } from '../lib/format';

/**
 * Shown where failover settings would be when the account lacks the beta feature: what it is,
 * and a way to ask support for it, with the request's state until support decides.
 */
export function FailoverBeta() {
  const requests = useFeatureRequests();
  const request = useRequestFeature();
  const [message, setMessage] = useState('');
  const latest = requests.data?.requests.find((r) => r.feature === 'failover');
  const errors = fieldErrors(request.error);

  return (
    <Alert color="violet" variant="light" icon={<IconFlask aria-hidden />} title="Failover is in beta" data-testid="failover-beta">
      <Stack gap="sm">
        <Text size="sm">
          With failover, probes in several locations check each address of this record set (each target of a CNAME), and the DNS servers
          leave out the ones that are down until they recover. It is a beta feature: support enables it per account on request.
        </Text>
        {requests.isPending ? null : latest?.status === 'pending' ? (
          <Group gap="xs">
            <Text size="sm">Access requested on {formatDate(latest.created_at)}:</Text>
            <Badge color="yellow" variant="filled" data-testid="feature-request-state">
              pending
            </Badge>
            <Text size="sm" c="dimmed">
              Support will decide on it soon.
            </Text>
          </Group>
        ) : (
          <Stack gap="xs" align="flex-start">
            {latest?.status === 'rejected' && (
              <Group gap="xs">
                <Text size="sm">Your request of {formatDate(latest.created_at)} was</Text>
                <Badge color="red" variant="filled" data-testid="feature-request-state">
                  rejected
                </Badge>
                <Text size="sm">on {formatDate(latest.decided_at)}. You may ask again.</Text>
              </Group>
            )}
            <Textarea
              label="Message to support (optional)"
              placeholder="What you plan to use failover for"
              value={message}
              onChange={(e) => setMessage(e.currentTarget.value)}
              error={errors.message}
              autosize
              minRows={2}
              w="100%"
              maw={520}
            />
            {request.error && !errors.message && (
              <Text size="sm" c="red" role="alert">
                {errorMessage(request.error)}
              </Text>
            )}
            <Button
              color="violet"
              loading={request.isPending}
              onClick={() =>
                request.mutate(message.trim(), {
                  onSuccess: () =>
                    notifications.show({ color: 'violet', message: 'Access to failover requested. Support will decide on it.' }),
                })
              }
            >
              Request access
            </Button>
          </Stack>
        )}
      </Stack>
    </Alert>
  );
}
