import { ActionIcon, Button, Group, Stack, TextInput, Textarea } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { CONTENT_FIELDS, type RecordDraft, type RecordType } from '../../lib/rrset';
import type { Errors } from './form';

/** A record's content: the strings of a TXT record, or the fields of its type (address, priority, target...). */
export function RecordContent({
  type,
  rec,
  index,
  errors,
  onChange,
}: {
  type: RecordType;
  rec: RecordDraft;
  index: number;
  errors: Errors;
  onChange: (fields: string[]) => void;
}) {
  const p = `resource_records[${index}]`;
  const setField = (i: number, v: string) => onChange(rec.fields.map((f, j) => (j === i ? v : f)));
  if (type !== 'TXT') {
    return (
      <Group align="flex-start" gap="sm" wrap="wrap">
        {CONTENT_FIELDS[type].map((f, i) => (
          <TextInput
            key={i}
            label={f.label}
            placeholder={f.placeholder}
            value={rec.fields[i] ?? ''}
            onChange={(e) => setField(i, e.currentTarget.value)}
            error={errors[`${p}.content[${i}]`]}
            inputMode={f.numeric ? 'numeric' : undefined}
            w={f.width}
            style={f.width ? undefined : { flex: '1 1 200px' }}
            autoComplete="off"
            spellCheck={false}
            required
          />
        ))}
      </Group>
    );
  }
  return (
    <Stack gap="xs">
      {rec.fields.map((v, i) => (
        <Group key={i} align="flex-end" gap="xs" wrap="nowrap">
          <Textarea
            label={rec.fields.length > 1 ? `Text ${i + 1}` : 'Text'}
            value={v}
            onChange={(e) => setField(i, e.currentTarget.value)}
            error={errors[`${p}.content[${i}]`]}
            autosize
            minRows={1}
            style={{ flex: 1 }}
            classNames={{ input: 'mono' }}
          />
          {rec.fields.length > 1 && (
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove text ${i + 1} of record ${index + 1}`}
              onClick={() => onChange(rec.fields.filter((_, j) => j !== i))}
              mb={4}
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          )}
        </Group>
      ))}
      <Button
        variant="subtle"
        size="xs"
        leftSection={<IconPlus size={14} aria-hidden />}
        onClick={() => onChange([...rec.fields, ''])}
        style={{ alignSelf: 'flex-start' }}
      >
        Add a string
      </Button>
    </Stack>
  );
}
