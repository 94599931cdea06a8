import { Button, Fieldset, Group, Stack, Switch, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { failoverApplies, type RecordDraft, type RrsetDraft } from '../../lib/rrset';
import type { Errors } from './form';
import { RecordContent } from './RecordContent';
import { RecordPickerMeta } from './RecordPickerMeta';

/** One record of the set: its content, what the pickers need of it (geo, networks, place, weight…), enabled. */
export function RecordEditor({
  d,
  rec,
  index,
  errors,
  onChange,
  onRemove,
  canRemove,
}: {
  d: RrsetDraft;
  rec: RecordDraft;
  index: number;
  errors: Errors;
  onChange: (r: RecordDraft) => void;
  onRemove: () => void;
  canRemove: boolean;
}) {
  const p = `resource_records[${index}]`;
  const set = (patch: Partial<RecordDraft>) => onChange({ ...rec, ...patch });
  const recordError = errors[`${p}.content`] ?? errors[p];
  const legend = `Record ${index + 1}`;
  return (
    <Fieldset legend={legend} variant="filled" aria-label={legend} data-testid={`record-${index}`}>
      <Stack gap="sm">
        <RecordContent type={d.type} rec={rec} index={index} errors={errors} onChange={(fields) => set({ fields })} />
        {recordError && (
          <Text size="sm" c="red" role="alert">
            {recordError}
          </Text>
        )}
        <RecordPickerMeta pickers={d.pickers} rec={rec} index={index} errors={errors} set={set} />
        <Group justify="space-between">
          <Group>
            <Switch label="Enabled" checked={rec.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
            {failoverApplies(d.type) && d.failover.enabled && (
              <Switch
                label="Backup"
                description="Served only when every other record is down"
                checked={rec.backup}
                onChange={(e) => set({ backup: e.currentTarget.checked })}
              />
            )}
          </Group>
          {canRemove && (
            <Button
              variant="subtle"
              color="red"
              size="xs"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={onRemove}
              aria-label={`Remove record ${index + 1}`}
            >
              Remove
            </Button>
          )}
        </Group>
      </Stack>
    </Fieldset>
  );
}
