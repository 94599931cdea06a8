import { ActionIcon, Button, Group, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { CONTENT_FIELDS, type RecordDraft, type RecordType } from '../../lib/rrset';
import type { Errors } from './form';

/**
 * A record's content: the strings of a TXT record, or the fields of its type (address, priority,
 * target...), and for SVCB and HTTPS one key=value field per SvcParam after priority and target.
 */
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
  const remove = (i: number) => onChange(rec.fields.filter((_, j) => j !== i));
  const add = () => onChange([...rec.fields, '']);
  const svcb = type === 'SVCB' || type === 'HTTPS';
  if (type !== 'TXT') {
    const fixed = CONTENT_FIELDS[type].length;
    const fields = (
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
    if (!svcb) return fields;
    return (
      <Stack gap="xs">
        {fields}
        {rec.fields.slice(fixed).map((v, j) => {
          const i = fixed + j;
          return (
            <Group key={i} align="flex-end" gap="xs" wrap="nowrap">
              <TextInput
                label={`Parameter ${j + 1}`}
                placeholder="alpn=h3,h2"
                value={v}
                onChange={(e) => setField(i, e.currentTarget.value)}
                error={errors[`${p}.content[${i}]`]}
                style={{ flex: 1 }}
                classNames={{ input: 'mono' }}
                autoComplete="off"
                spellCheck={false}
              />
              <RemoveButton label={`Remove parameter ${j + 1} of record ${index + 1}`} onClick={() => remove(i)} />
            </Group>
          );
        })}
        <Text size="xs" c="dimmed">
          Parameters as key=value: alpn=h3,h2 · port=8443 · ipv4hint=192.0.2.1,192.0.2.2 · ipv6hint=2001:db8::1 · ech=(base64) ·
          mandatory=alpn · no-default-alpn · key667=value. None with priority 0.
        </Text>
        <AddButton label="Add a parameter" onClick={add} />
      </Stack>
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
          {rec.fields.length > 1 && <RemoveButton label={`Remove text ${i + 1} of record ${index + 1}`} onClick={() => remove(i)} />}
        </Group>
      ))}
      <AddButton label="Add a string" onClick={add} />
    </Stack>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <ActionIcon variant="subtle" color="red" aria-label={label} onClick={onClick} mb={4}>
      <IconTrash size={16} aria-hidden />
    </ActionIcon>
  );
}

function AddButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button
      variant="subtle"
      size="xs"
      leftSection={<IconPlus size={14} aria-hidden />}
      onClick={onClick}
      style={{ alignSelf: 'flex-start' }}
    >
      {label}
    </Button>
  );
}
