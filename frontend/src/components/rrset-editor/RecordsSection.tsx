import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { Dispatch, SetStateAction } from 'react';
import { emptyRecord, type RrsetDraft } from '../../lib/rrset';
import type { Errors } from './form';
import { RecordEditor } from './RecordEditor';

const MAX_RECORDS = 100;

/** The records of the set: each one's editor, and adding one (a CNAME has one at most). */
export function RecordsSection({ d, errors, setD }: { d: RrsetDraft; errors: Errors; setD: Dispatch<SetStateAction<RrsetDraft>> }) {
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
        <Button
          variant="light"
          leftSection={<IconPlus size={16} aria-hidden />}
          onClick={() => setD((prev) => ({ ...prev, records: [...prev.records, emptyRecord(prev.type)] }))}
          disabled={d.records.length >= MAX_RECORDS || (d.type === 'CNAME' && d.records.length >= 1)}
          style={{ alignSelf: 'flex-start' }}
        >
          Add record
        </Button>
      </Stack>
    </Card>
  );
}
