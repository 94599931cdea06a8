import { ActionIcon, Button, Card, Checkbox, Fieldset, Group, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react';
import { addablePickers, newPicker, type PickerDraft, pickerInfo } from '../../lib/pickers';
import { type SectionProps } from './form';
import { NumberField } from './NumberField';

/**
 * How answers are picked: the record set's pickers, in order (none: every healthy record, round
 * robin). Each can be added, moved, given a limit and strict where it applies, and removed.
 */
export function BalancingSection({ d, errors, set }: SectionProps) {
  const pickers = d.pickers;
  const setPickers = (next: PickerDraft[]) => set({ pickers: next });
  const change = (key: string, patch: Partial<PickerDraft>) => setPickers(pickers.map((p) => (p.key === key ? { ...p, ...patch } : p)));
  const move = (i: number, by: number) => {
    const next = [...pickers];
    const [p] = next.splice(i, 1);
    next.splice(i + by, 0, p!);
    setPickers(next);
  };
  const addable = addablePickers(pickers);
  const listError = errors.pickers;
  return (
    <Card withBorder component="section" aria-labelledby="balancing-title">
      <Title order={2} size="h4" id="balancing-title" mb={4}>
        Balancing
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Pickers run in this order, each narrowing or ordering what the one before left.
        {pickers.length === 0 && ' None: every healthy record answers, in rotating order (round robin).'}
      </Text>
      <Stack gap="sm">
        {listError && (
          <Text c="red" size="sm" role="alert">
            {listError}
          </Text>
        )}
        {pickers.map((p, i) => {
          const info = pickerInfo(p.type);
          const at = `pickers[${i}]`;
          const legend = `${i + 1}. ${info.label}`;
          const error = errors[at] ?? errors[`${at}.type`] ?? errors[`${at}.strict`];
          return (
            <Fieldset key={p.key} legend={legend} aria-label={`Picker ${info.label}`} variant="filled" data-testid={`picker-${p.type}`}>
              <Stack gap="xs">
                <Text size="sm" c="dimmed">
                  {info.description}
                </Text>
                {error && (
                  <Text c="red" size="sm" role="alert">
                    {error}
                  </Text>
                )}
                <Group align="flex-end" justify="space-between" gap="md">
                  <Group align="flex-start" gap="lg">
                    <NumberField
                      label={p.type === 'first_n' ? 'Number of records (N)' : 'At most this many records (optional)'}
                      description="1–100"
                      value={p.limit}
                      onChange={(v) => change(p.key, { limit: v })}
                      error={errors[`${at}.limit`]}
                      w={260}
                      required={p.type === 'first_n'}
                    />
                    {info.strict && (
                      <Checkbox
                        mt={28}
                        label="Strict: answer nothing when no record matches the client"
                        checked={p.strict}
                        onChange={(e) => change(p.key, { strict: e.currentTarget.checked })}
                      />
                    )}
                    {info.rtt && (
                      <Stack gap={2} mt={28}>
                        <Checkbox
                          label="By measured speed: fastest first from the probe site nearest the client (needs the health check)"
                          checked={p.rtt}
                          onChange={(e) => change(p.key, { rtt: e.currentTarget.checked })}
                          aria-invalid={errors[`${at}.rtt`] ? true : undefined}
                          aria-describedby={`${p.key}-rtt-help`}
                        />
                        <Text size="xs" c={errors[`${at}.rtt`] ? 'red' : 'dimmed'} id={`${p.key}-rtt-help`} ml={32}>
                          {errors[`${at}.rtt`] ?? 'Where the probes have measured nothing yet, nearest first'}
                        </Text>
                      </Stack>
                    )}
                  </Group>
                  <Group gap={4}>
                    <ActionIcon variant="default" aria-label={`Move ${info.label} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                      <IconArrowUp size={16} aria-hidden />
                    </ActionIcon>
                    <ActionIcon
                      variant="default"
                      aria-label={`Move ${info.label} down`}
                      disabled={i === pickers.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      <IconArrowDown size={16} aria-hidden />
                    </ActionIcon>
                    <Button
                      variant="subtle"
                      color="red"
                      size="xs"
                      leftSection={<IconTrash size={14} aria-hidden />}
                      aria-label={`Remove ${info.label}`}
                      onClick={() => setPickers(pickers.filter((x) => x.key !== p.key))}
                    >
                      Remove
                    </Button>
                  </Group>
                </Group>
              </Stack>
            </Fieldset>
          );
        })}
        {addable.length > 0 && (
          <NativeSelect
            label="Add a picker"
            w={320}
            value=""
            onChange={(e) => {
              const type = e.currentTarget.value;
              if (type) setPickers([...pickers, newPicker(type)]);
            }}
            data={[{ value: '', label: 'Choose…' }, ...addable.map((t) => ({ value: t, label: pickerInfo(t).label }))]}
          />
        )}
      </Stack>
    </Card>
  );
}
