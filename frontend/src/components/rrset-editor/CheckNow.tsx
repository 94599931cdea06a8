import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useCheckNow, useLastCheckNow } from '../../api/check-now';
import type { CheckNowLocation, CheckNowRun } from '../../api/types';
import { errorMessage } from '../../lib/errors';

function ResultBadge({ ok }: { ok: boolean | null }) {
  if (ok === null)
    return (
      <Badge color="gray" variant="light" size="sm">
        no verdict
      </Badge>
    );
  return (
    <Badge color={ok ? 'green' : 'red'} variant="light" size="sm">
      {ok ? 'ok' : 'failed'}
    </Badge>
  );
}

/** One row per location and address; a location that did not answer is one row saying so. */
function rows(l: CheckNowLocation) {
  if (l.status === 'no_answer') {
    return (
      <Table.Tr key={l.location} data-testid={`check-now-${l.location}`}>
        <Table.Td className="mono">{l.location}</Table.Td>
        <Table.Td>—</Table.Td>
        <Table.Td>
          <Badge color="orange" variant="light" size="sm">
            no answer
          </Badge>
        </Table.Td>
        <Table.Td>—</Table.Td>
        <Table.Td>{l.error}</Table.Td>
      </Table.Tr>
    );
  }
  return l.results.map((r) => (
    <Table.Tr key={`${l.location} ${r.address}`} data-testid={`check-now-${l.location}`}>
      <Table.Td className="mono">{l.location}</Table.Td>
      <Table.Td className="mono">{r.address}</Table.Td>
      <Table.Td>
        <ResultBadge ok={r.ok} />
      </Table.Td>
      <Table.Td>{r.latency_ms === null ? '—' : `${Math.round(r.latency_ms)} ms`}</Table.Td>
      <Table.Td>
        {r.error ?? ''}
        {r.warning && (
          <Text size="xs" c="orange">
            {r.warning}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  ));
}

function summary(run: CheckNowRun): string {
  const answered = run.locations.filter((l) => l.status === 'answered');
  const results = answered.flatMap((l) => l.results);
  const failed = results.filter((r) => r.ok !== true).length;
  const silent = run.locations.length - answered.length;
  return (
    `Checked from ${answered.length} of ${run.locations.length} location${run.locations.length === 1 ? '' : 's'}: ` +
    (failed === 0 ? 'every check passed' : `${failed} of ${results.length} checks did not pass`) +
    (silent > 0 ? `; ${silent} location${silent === 1 ? '' : 's'} did not answer within ${run.timeout + 2} s` : '') +
    '.'
  );
}

/**
 * "Check now": runs the saved check once from every probe location and shows each location's
 * result per address. The form also starts it right after saving a record set with a check.
 */
export function CheckNow({ zone, name, type }: { zone: string; name: string; type: string }) {
  const run = useCheckNow(zone);
  const last = useLastCheckNow(zone, name, type);
  const pending = last?.status === 'pending';
  const status = pending
    ? 'Checking from every probe location…'
    : last?.status === 'error'
      ? `The check did not run: ${errorMessage(last.error)}`
      : last?.data
        ? summary(last.data)
        : '';

  return (
    <Stack gap="xs" component="section" aria-labelledby="check-now-title" data-testid="check-now">
      <Group justify="space-between">
        <Title order={3} size="h5" id="check-now-title">
          Check now
        </Title>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlayerPlay size={14} aria-hidden />}
          loading={pending}
          onClick={() => run.mutate({ name, type })}
        >
          Check now
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Runs the saved check once from every probe location at once. It does not change the addresses’ health.
      </Text>
      <Text size="sm" role="status" aria-live="polite" c={last?.status === 'error' ? 'red' : undefined} data-testid="check-now-status">
        {status}
      </Text>
      {last?.data && !pending && (
        <Table.ScrollContainer minWidth={500}>
          <Table verticalSpacing={4} fz="sm" aria-labelledby="check-now-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Location</Table.Th>
                <Table.Th scope="col">Address</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
                <Table.Th scope="col">Time</Table.Th>
                <Table.Th scope="col">Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{last.data.locations.flatMap(rows)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
