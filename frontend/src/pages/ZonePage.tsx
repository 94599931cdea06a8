import { ActionIcon, Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconActivityHeartbeat, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useZoneHealth } from '../api/health';
import type { Rrset, RrsetHealthSummary } from '../api/types';
import { RRSET_PAGE_SIZE, useDeleteRrset, useRrsets, useZone } from '../api/zones';
import { useConfirmDeleteZone } from '../components/DeleteZone';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { balancingText, contentText, failoverOf, failoverTarget } from '../lib/display';
import { errorMessage } from '../lib/errors';
import { formatTtl } from '../lib/format';
import { relativeName } from '../lib/rrset';
import { usePageTitle } from '../lib/usePageTitle';

/** The live state of a failover record set's addresses, from the zone's health read-out (nothing until it has loaded). */
function FailoverState({ health }: { health: RrsetHealthSummary | undefined }) {
  if (!health) return null;
  if (!health.failover) {
    return (
      <Text size="xs" c="dimmed">
        not applied
      </Text>
    );
  }
  const { available: up, unavailable: down, unknown } = health.counts;
  return (
    <Group gap={4} mt={4} data-testid="failover-state" aria-label={`${up} available, ${down} unavailable, ${unknown} unknown`}>
      {up > 0 && (
        <Badge size="sm" color="green" variant="filled">
          {up} up
        </Badge>
      )}
      {down > 0 && (
        <Badge size="sm" color="red" variant="filled">
          {down} down
        </Badge>
      )}
      {unknown > 0 && (
        <Badge size="sm" color="gray" variant="light">
          {unknown} unknown
        </Badge>
      )}
    </Group>
  );
}

export function ZonePage() {
  const { zone = '' } = useParams();
  usePageTitle(zone);
  const [page, setPage] = useState(1);
  const zoneQ = useZone(zone);
  const rrsets = useRrsets(zone, page);
  // One request for the failover state of every row, and none while no row shown has failover.
  const health = useZoneHealth(zone, rrsets.data?.rrsets.some((r) => failoverOf(r)) ?? false);
  const healthOf = (r: Rrset) => health.data?.rrsets.find((h) => h.name === r.name && h.type === r.type);
  const navigate = useNavigate();
  const removeRrset = useDeleteRrset(zone);
  const confirmDeleteZone = useConfirmDeleteZone(() => navigate('/zones'));

  if (zoneQ.isError) return <QueryError error={zoneQ.error} what="zone" />;
  if (zoneQ.isPending) return <Loader aria-label="Loading zone" />;
  const z = zoneQ.data;

  const confirmDeleteRrset = (r: Rrset) =>
    modals.openConfirmModal({
      title: `Delete ${r.name} ${r.type}?`,
      children: <Text size="sm">Its {r.resource_records.length} records stop being served at once. This cannot be undone.</Text>,
      labels: { confirm: 'Delete record set', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        removeRrset.mutate(
          { name: r.name, type: r.type },
          {
            onSuccess: () => notifications.show({ message: `${r.name} ${r.type} is deleted.` }),
            onError: (e) => notifications.show({ color: 'red', title: 'The record set was not deleted', message: errorMessage(e) }),
          },
        ),
    });

  return (
    <>
      <PageHeader
        title={
          <span className="mono" style={{ fontSize: 'inherit' }}>
            {z.name}
          </span>
        }
        crumbs={[{ label: 'Zones', to: '/zones' }]}
        actions={
          <>
            <Button component={Link} to={`/zones/${zone}/new`} leftSection={<IconPlus size={16} aria-hidden />}>
              Add record set
            </Button>
            <Button variant="default" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => confirmDeleteZone(z)}>
              Delete zone
            </Button>
          </>
        }
      >
        <Group gap="lg" c="dimmed">
          <Text size="sm">
            Serial <span className="mono">{z.serial}</span>
          </Text>
          <Text size="sm">
            Primary <span className="mono">{z.primary_server}</span>
          </Text>
          <Text size="sm">
            Contact <span className="mono">{z.contact}</span>
          </Text>
          {!z.enabled && <Badge color="gray">disabled</Badge>}
        </Group>
      </PageHeader>

      {rrsets.isError ? (
        <QueryError error={rrsets.error} what="record set list" retry={() => void rrsets.refetch()} />
      ) : rrsets.isPending ? (
        <Loader aria-label="Loading record sets" />
      ) : rrsets.data.rrsets.length === 0 ? (
        <Alert color="gray">No record sets yet.</Alert>
      ) : (
        <Stack gap={0}>
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover verticalSpacing="sm" aria-label="Record sets">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Type</Table.Th>
                  <Table.Th scope="col">TTL</Table.Th>
                  <Table.Th scope="col">Values</Table.Th>
                  <Table.Th scope="col">Balancing</Table.Th>
                  <Table.Th scope="col">Failover</Table.Th>
                  <Table.Th scope="col">
                    <span className="visually-hidden-text">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rrsets.data.rrsets.map((r) => {
                  const f = failoverOf(r);
                  const editUrl = `/zones/${zone}/${r.name}/${r.type}`;
                  const isApexNs = r.name === z.name && r.type === 'NS';
                  return (
                    <Table.Tr key={r.id} data-testid={`rrset-${r.name}-${r.type}`}>
                      <Table.Td>
                        <Anchor component={Link} to={editUrl} className="mono" fw={600} title={r.name}>
                          {relativeName(r.name, z.name)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Text size="sm" fw={700} className="mono">
                          {r.type}
                        </Text>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTtl(r.ttl)}</Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          {r.resource_records.map((rec, i) => (
                            <Text key={i} size="sm" className={`mono ${rec.enabled ? '' : 'record-disabled'}`}>
                              {contentText(r.type, rec.content)}
                              {!rec.enabled && <span className="visually-hidden-text"> (disabled)</span>}
                            </Text>
                          ))}
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{balancingText(r)}</Text>
                      </Table.Td>
                      <Table.Td>
                        {f ? (
                          <>
                            <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                              {failoverTarget(f)}
                            </Text>
                            <Text size="xs" c="dimmed">
                              every {f.frequency} s
                            </Text>
                            <FailoverState health={healthOf(r)} />
                          </>
                        ) : (
                          <Text size="sm" c="dimmed">
                            off
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          {f && (
                            <Tooltip label="Live health">
                              <ActionIcon
                                component={Link}
                                to={`${editUrl}/health`}
                                variant="subtle"
                                color="teal"
                                aria-label={`Health of ${r.name} ${r.type}`}
                              >
                                <IconActivityHeartbeat size={18} aria-hidden />
                              </ActionIcon>
                            </Tooltip>
                          )}
                          <Tooltip label="Edit">
                            <ActionIcon component={Link} to={editUrl} variant="subtle" aria-label={`Edit ${r.name} ${r.type}`}>
                              <IconPencil size={18} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                          {!isApexNs && (
                            <Tooltip label="Delete">
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                aria-label={`Delete ${r.name} ${r.type}`}
                                onClick={() => confirmDeleteRrset(r)}
                              >
                                <IconTrash size={18} aria-hidden />
                              </ActionIcon>
                            </Tooltip>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            page={page}
            total={rrsets.data.total_amount}
            pageSize={RRSET_PAGE_SIZE}
            onChange={setPage}
            noun={['record set', 'record sets']}
          />
        </Stack>
      )}
    </>
  );
}
