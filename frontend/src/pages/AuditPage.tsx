import { Badge, Code, Group, Loader, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useAuditLog } from '../api/account';
import { PAGE_SIZE } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { formatDate } from '../lib/format';
import { usePageTitle } from '../lib/usePageTitle';

const ACTION_COLOR: Record<string, string> = {
  create: 'green',
  update: 'blue',
  delete: 'red',
  revoke: 'red',
  grant: 'violet',
  request: 'yellow',
};

export function AuditPage() {
  usePageTitle('Audit log');
  const [page, setPage] = useState(1);
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action.trim(), 300);
  const audit = useAuditLog(page, debounced);
  return (
    <>
      <PageHeader title="Audit log">
        <Text size="sm" c="dimmed">
          Every change of zones, record sets, tokens, members and features, newest first.
        </Text>
      </PageHeader>
      <Stack gap="md">
        <TextInput
          label="Action"
          description="Exact action, e.g. rrset.update or zone.create"
          value={action}
          onChange={(e) => {
            setAction(e.currentTarget.value);
            setPage(1);
          }}
          maw={320}
          autoComplete="off"
        />
        {audit.isError ? (
          <QueryError error={audit.error} what="audit log" />
        ) : audit.isPending ? (
          <Loader aria-label="Loading the audit log" />
        ) : audit.data.events.length === 0 ? (
          <Text c="dimmed" size="sm">
            No entries.
          </Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={720}>
              <Table striped verticalSpacing="sm" aria-label="Audit log entries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">When</Table.Th>
                    <Table.Th scope="col">Who</Table.Th>
                    <Table.Th scope="col">Action</Table.Th>
                    <Table.Th scope="col">Target</Table.Th>
                    <Table.Th scope="col">Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {audit.data.events.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(e.created_at)}</Table.Td>
                      <Table.Td className="mono">{e.actor}</Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          color={ACTION_COLOR[e.action.split('.')[1] ?? ''] ?? 'gray'}
                          style={{ textTransform: 'none' }}
                        >
                          {e.action}
                        </Badge>
                      </Table.Td>
                      <Table.Td className="mono">{e.target}</Table.Td>
                      <Table.Td>
                        {Object.keys(e.details).length === 0 ? (
                          '—'
                        ) : (
                          <details>
                            <summary>
                              <Text span size="sm">
                                Show
                              </Text>
                            </summary>
                            <Code block mt={4} style={{ maxWidth: 520, maxHeight: 320, overflow: 'auto' }}>
                              {JSON.stringify(e.details, null, 2)}
                            </Code>
                          </details>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group>
              <Pager page={page} total={audit.data.total_amount} pageSize={PAGE_SIZE} onChange={setPage} noun={['entry', 'entries']} />
            </Group>
          </>
        )}
      </Stack>
    </>
  );
}
