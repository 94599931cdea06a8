import { Alert, Badge, Button, Card, Group, Loader, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconLock, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import {
  useAdminAccounts,
  useAdminAccountsById,
  useDecideRequest,
  useForgetSite,
  usePendingRequests,
  useSetFailover,
  useSites,
} from '../api/admin';
import { useMe } from '../api/auth';
import { PAGE_SIZE } from '../api/client';
import type { AdminAccount, AdminSite } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { SiteStateBadge } from '../components/SiteStateBadge';
import { errorMessage } from '../lib/errors';
import { formatAgo, formatDate } from '../lib/format';
import { usePageTitle } from '../lib/usePageTitle';

function PendingRequests() {
  const requests = usePendingRequests();
  const accountById = useAdminAccountsById([...new Set(requests.data?.requests.map((r) => r.account_id) ?? [])]);
  const decide = useDecideRequest({
    onSuccess: (r) => notifications.show({ color: r.status === 'granted' ? 'green' : 'gray', message: `Request ${r.status}.` }),
    onError: (e) => notifications.show({ color: 'red', title: 'The request was not decided', message: errorMessage(e) }),
  });

  const confirmReject = (id: string, account: string) =>
    modals.openConfirmModal({
      title: `Reject the failover request of ${account}?`,
      children: <Text size="sm">The customer sees the request as rejected and may ask again.</Text>,
      labels: { confirm: 'Reject request', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => decide.mutate({ id, status: 'rejected' }),
    });

  return (
    <section aria-labelledby="pending-title">
      <Group gap="xs" mb="sm">
        <Title order={2} size="h3" id="pending-title">
          Pending feature requests
        </Title>
        {requests.data && <Badge color={requests.data.total_amount ? 'yellow' : 'gray'}>{requests.data.total_amount}</Badge>}
      </Group>
      {requests.isError ? (
        <QueryError error={requests.error} what="request list" />
      ) : requests.isPending ? (
        <Loader aria-label="Loading requests" />
      ) : requests.data.requests.length === 0 ? (
        <Text size="sm" c="dimmed">
          No pending requests.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={680}>
          <Table striped verticalSpacing="sm" aria-labelledby="pending-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Feature</Table.Th>
                <Table.Th scope="col">Message</Table.Th>
                <Table.Th scope="col">Requested</Table.Th>
                <Table.Th scope="col">Decision</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {requests.data.requests.map((r) => {
                const a = accountById.get(r.account_id);
                const label = a ? a.name : r.account_id;
                return (
                  <Table.Tr key={r.id} data-testid={`request-${a?.name ?? r.account_id}`}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {label}
                      </Text>
                      {a && a.owners.length > 0 && (
                        <Text size="xs" c="dimmed">
                          {a.owners.join(', ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{r.feature}</Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                        {r.message || '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDate(r.created_at)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          color="green"
                          onClick={() => decide.mutate({ id: r.id, status: 'granted' })}
                          aria-label={`Grant ${r.feature} to ${label}`}
                          loading={decide.isPending && decide.variables?.id === r.id && decide.variables.status === 'granted'}
                        >
                          Grant
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => confirmReject(r.id, label)}
                          aria-label={`Reject ${r.feature} request of ${label}`}
                        >
                          Reject
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

function Accounts() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [page, setPage] = useState(1);
  const accounts = useAdminAccounts(debounced, page);
  const setFeature = useSetFailover({
    onSuccess: (a) => notifications.show({ message: `Failover is ${a.features.failover ? 'granted to' : 'revoked from'} ${a.name}.` }),
    onError: (e) => notifications.show({ color: 'red', title: 'The feature was not changed', message: errorMessage(e) }),
  });
  const toggle = (a: AdminAccount, failover: boolean) => {
    if (failover) {
      setFeature.mutate({ account: a, failover });
      return;
    }
    modals.openConfirmModal({
      title: `Revoke failover from ${a.name}?`,
      children: (
        <Text size="sm">
          Health checks of this account stop, and its DNS answers include every address again, healthy or not. Its failover settings are
          kept but not applied.
        </Text>
      ),
      labels: { confirm: 'Revoke failover', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => setFeature.mutate({ account: a, failover }),
    });
  };

  return (
    <section aria-labelledby="accounts-title">
      <Title order={2} size="h3" id="accounts-title" mb="sm">
        Accounts
      </Title>
      <TextInput
        label="Search accounts"
        description="Part of the account name or of a user's e-mail"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value);
          setPage(1);
        }}
        maw={420}
        mb="sm"
        type="search"
      />
      {accounts.isError ? (
        <QueryError error={accounts.error} what="account list" />
      ) : accounts.isPending ? (
        <Loader aria-label="Loading accounts" />
      ) : accounts.data.accounts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No account matches.
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={680}>
            <Table striped verticalSpacing="sm" aria-labelledby="accounts-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Account</Table.Th>
                  <Table.Th scope="col">Owners</Table.Th>
                  <Table.Th scope="col">Zones</Table.Th>
                  <Table.Th scope="col">Requests</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Failover</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {accounts.data.accounts.map((a) => (
                  <Table.Tr key={a.id} data-testid={`account-${a.name}`}>
                    <Table.Td fw={600}>{a.name}</Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {a.owners.join(', ') || '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{a.zones_amount}</Table.Td>
                    <Table.Td>{a.pending_requests ? <Badge color="yellow">{a.pending_requests} pending</Badge> : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(a.created_at)}</Table.Td>
                    <Table.Td>
                      <Switch
                        checked={a.features.failover}
                        onChange={(e) => toggle(a, e.currentTarget.checked)}
                        label={a.features.failover ? 'on' : 'off'}
                        aria-label={`Failover for ${a.name}`}
                        disabled={setFeature.isPending && setFeature.variables?.account.id === a.id}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} total={accounts.data.total_amount} pageSize={PAGE_SIZE} onChange={setPage} noun={['account', 'accounts']} />
        </>
      )}
    </section>
  );
}

/** Probe sites by their heartbeats; a decommissioned (stale) one can be forgotten. */
function Sites() {
  const sites = useSites();
  const forget = useForgetSite({
    onSuccess: (r) =>
      notifications.show({
        message: `Site ${r.name} forgotten: ${r.checks_removed} ${r.checks_removed === 1 ? 'check' : 'checks'} removed.`,
      }),
    onError: (e, name) => notifications.show({ color: 'red', title: `Site ${name} was not forgotten`, message: errorMessage(e) }),
  });
  const confirmForget = (s: AdminSite) =>
    modals.openConfirmModal({
      title: `Forget site ${s.name}?`,
      children: (
        <Text size="sm">
          Its {s.checks} scheduled {s.checks === 1 ? 'check is' : 'checks are'} removed, and its last results leave the customers&apos;
          health pages. If its probe starts again, the site reappears and gets every check back.
        </Text>
      ),
      labels: { confirm: 'Forget site', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => forget.mutate(s.name),
    });

  return (
    <section aria-labelledby="sites-title">
      <Title order={2} size="h3" id="sites-title" mb={4}>
        Sites
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Probe locations by their heartbeats.
        {sites.data &&
          ` A site without one for ${sites.data.stale_after_seconds} s is stale and gets no new checks; after ${sites.data.gone_after_seconds / 3600} hours it is gone.`}
      </Text>
      {sites.isError ? (
        <QueryError error={sites.error} what="site list" />
      ) : sites.isPending ? (
        <Loader aria-label="Loading sites" />
      ) : sites.data.sites.length === 0 ? (
        <Text size="sm" c="dimmed">
          No probe has announced itself yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped verticalSpacing="sm" aria-labelledby="sites-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Site</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Last heartbeat</Table.Th>
                <Table.Th scope="col">Checks</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sites.data.sites.map((s) => (
                <Table.Tr key={s.name} data-testid={`site-${s.name}`}>
                  <Table.Td className="mono" fw={600}>
                    {s.name}
                  </Table.Td>
                  <Table.Td>
                    <SiteStateBadge state={s.state} />
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDate(s.last_heartbeat)}{' '}
                    <Text span size="xs" c="dimmed">
                      ({formatAgo(s.last_heartbeat)})
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.checks}</Table.Td>
                  <Table.Td>
                    {/* A reporting site would announce itself again at once, so only silent ones are offered. */}
                    {s.state === 'reporting' ? (
                      '—'
                    ) : (
                      <Button
                        size="xs"
                        variant="default"
                        color="red"
                        onClick={() => confirmForget(s)}
                        aria-label={`Forget site ${s.name}`}
                        loading={forget.isPending && forget.variables === s.name}
                      >
                        Forget
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

export function SupportPage() {
  usePageTitle('Support console');
  const me = useMe();
  if (!me.data?.user.is_support) {
    return (
      <Stack gap="sm" role="alert">
        <Title order={1}>Not allowed</Title>
        <Alert color="red" icon={<IconLock aria-hidden />}>
          The support console is for Vigil support staff only.
        </Alert>
      </Stack>
    );
  }
  return (
    <>
      <PageHeader title="Support console">
        <Text size="sm" c="dimmed">
          Grant beta features to accounts that asked for them, or grant and revoke them directly; see which probe sites report.
        </Text>
      </PageHeader>
      <Stack gap="xl">
        <Card withBorder>
          <PendingRequests />
        </Card>
        <Accounts />
        <Card withBorder>
          <Sites />
        </Card>
      </Stack>
    </>
  );
}
