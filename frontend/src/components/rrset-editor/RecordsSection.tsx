import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { Dispatch, SetStateAction } from 'react';
import { addRecordRefusal, emptyRecord, MAX_RECORDS, type RrsetDraft } from '../../lib/rrset';
import type { Errors } from './form';
import { RecordEditor } from './RecordEditor';

/**
 * The records of the set: each one's editor, and adding one where the API would take it (a CNAME
 * record set holds one record, or candidate targets with failover or pickers), otherwise the
 * API's reason beside the disabled button.
 */
export function RecordsSection({
  d,
  errors,
  setD,
  withFailover,
}: {
  d: RrsetDraft;
  errors: Errors;
  setD: Dispatch<SetStateAction<RrsetDraft>>;
  withFailover: boolean;
}) {
  const refusal = addRecordRefusal(d, withFailover);
  // Once a save has shown the same reason above the records, it is not repeated here.
  const showRefusal = refusal !== null && refusal !== errors.resource_records;
  return (
    <Card withBorder component="section" aria-labelledby="records-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="records-title">
          Records
        </Title>
        <Text size="sm" c="dimmed">
          {d.records.length} of at most {MAX_RECORDS}
        </Text>
      </Group>
      <Stack gap="sm">
        {errors.resource_records && (
          <Text c="red" size="sm" role="alert">
            {errors.resource_records}
          </Text>
        )}
        {d.records.map((rec, i) => (
          <RecordEditor
            key={rec.key}
            d={d}
            rec={rec}
            index={i}
            errors={errors}
            canRemove={d.records.length > 1}
            onChange={(r) => setD((prev) => ({ ...prev, records: prev.records.map((x) => (x.key === r.key ? r : x)) }))}
            onRemove={() => setD((prev) => ({ ...prev, records: prev.records.filter((x) => x.key !== rec.key) }))}
          />
        ))}
        <Group gap="sm">
          <Button
            variant="light"
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setD((prev) => ({ ...prev, records: [...prev.records, emptyRecord(prev.type)] }))}
            disabled={refusal !== null}
            aria-describedby={showRefusal ? 'add-record-refusal' : undefined}
          >
            Add record
          </Button>
          {showRefusal && (
            <Text size="sm" c="dimmed" id="add-record-refusal" data-testid="add-record-refusal">
              {refusal}
            </Text>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
