import { Card, Checkbox, Group, Radio, Stack, Title } from '@mantine/core';
import { pickerIndex, type Balancing } from '../../lib/rrset';
import { firstErrorUnder, type SectionProps } from './form';
import { NumberField } from './NumberField';

/** How answers are picked (the record set's pickers): round robin, geo, weighted, first N. */
export function BalancingSection({ d, errors, set }: SectionProps) {
  const limitIndex = pickerIndex(d, 'first_n');
  const limitError = limitIndex >= 0 ? (errors[`pickers[${limitIndex}].limit`] ?? errors[`pickers[${limitIndex}]`]) : undefined;
  const pickerError = firstErrorUnder(errors, 'pickers', (k) => k.endsWith('.limit'));
  return (
    <Card withBorder component="section" aria-labelledby="balancing-title">
      <Title order={2} size="h4" id="balancing-title" mb="sm">
        Balancing
      </Title>
      <Radio.Group
        value={d.balancing}
        onChange={(v) => set({ balancing: v as Balancing })}
        label="How answers are picked"
        error={pickerError}
      >
        <Stack gap="xs" mt="xs">
          <Radio value="round_robin" label="Round robin" description="Every enabled record, in rotating order" />
          <Radio value="geo" label="Geo" description="By the client's country, then continent; default records for the rest" />
          <Radio value="weighted" label="Weighted" description="Shuffled by each record's weight" />
          <Radio value="first_n" label="First N" description="Only the first N records of the answer" />
        </Stack>
      </Radio.Group>
      <Group mt="sm" align="flex-start" gap="lg">
        {d.balancing === 'geo' && (
          <Checkbox
            label="Strict: answer nothing when no record matches the client"
            checked={d.geoStrict}
            onChange={(e) => set({ geoStrict: e.currentTarget.checked })}
            mt={4}
          />
        )}
        {(d.balancing === 'first_n' || d.balancing === 'geo' || d.balancing === 'weighted') && (
          <NumberField
            label={d.balancing === 'first_n' ? 'Number of records (N)' : 'At most this many records (optional)'}
            value={d.limit}
            onChange={(v) => set({ limit: v })}
            error={limitError}
            description="1–100"
            w={260}
            required={d.balancing === 'first_n'}
          />
        )}
      </Group>
    </Card>
  );
}
