import { Alert, Badge, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { FAILOVER_TYPES } from '@vigil/contract';
import { IconCircleCheck } from '@tabler/icons-react';
import { useAccount, useFeatureRequests } from '../api/account';
import { FailoverBeta } from '../components/FailoverBeta';
import { PageHeader } from '../components/PageHeader';
import { QueryError } from '../components/QueryError';
import { formatDate } from '../lib/format';
import { usePageTitle } from '../lib/usePageTitle';

const STATUS_COLOR = { pending: 'yellow', granted: 'green', rejected: 'red' } as const;

export function AccountPage() {
  usePageTitle('Beta features');
  const account = useAccount();
  const requests = useFeatureRequests();
  if (account.isError) return <QueryError error={account.error} what="account" />;
  if (account.isPending) return <Loader aria-label="Loading account" />;
  const a = account.data;
  return (
    <>
      <PageHeader title="Beta features">
        <Text c="dimmed" size="sm">
          Account {a.name} · your role: {a.role ?? '—'}
        </Text>
      </PageHeader>
      <Stack gap="lg">
        <Card withBorder component="section" aria-labelledby="failover-title">
          <Stack gap="sm">
            <Group gap="sm">
              <Title order={2} size="h4" id="failover-title">
                Failover
              </Title>
              {a.features.failover ? (
                <Badge color="green" leftSection={<IconCircleCheck size={12} aria-hidden />}>
                  enabled
                </Badge>
              ) : (
                <Badge color="gray">not enabled</Badge>
              )}
            </Group>
            {a.features.failover ? (
              <Alert color="green" variant="light">
                Failover is enabled for this account. Turn it on in the Failover section of any {FAILOVER_TYPES.slice(0, -1).join(', ')} or{' '}
                {FAILOVER_TYPES.at(-1)} record set.
              </Alert>
            ) : (
              <FailoverBeta />
            )}
          </Stack>
        </Card>
        <section aria-labelledby="requests-title">
          <Title order={2} size="h4" id="requests-title" mb="xs">
            Your requests
          </Title>
          {requests.data && requests.data.requests.length > 0 ? (
            <Table.ScrollContainer minWidth={480}>
              <Table aria-labelledby="requests-title">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Feature</Table.Th>
                    <Table.Th scope="col">State</Table.Th>
                    <Table.Th scope="col">Requested</Table.Th>
                    <Table.Th scope="col">Decided</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {requests.data.requests.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{r.feature}</Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOR[r.status]}>{r.status}</Badge>
                      </Table.Td>
                      <Table.Td>{formatDate(r.created_at)}</Table.Td>
                      <Table.Td>{formatDate(r.decided_at)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : (
            <Text size="sm" c="dimmed">
              No requests yet.
            </Text>
          )}
        </section>
      </Stack>
    </>
  );
}
