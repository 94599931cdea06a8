import { Card, Group, NativeSelect, Text, TextInput, Title } from '@mantine/core';
import { RECORD_TYPES, TTL_LIMITS, TYPE_HINTS, type RecordType } from '../../lib/rrset';
import type { SectionProps } from './form';
import { NumberField } from './NumberField';

/** Name and type (only when creating: they name the record set) and the TTL. */
export function BasicsSection({
  d,
  errors,
  set,
  create,
  name,
  onTypeChange,
}: SectionProps & { create: boolean; name: string; onTypeChange: (type: RecordType) => void }) {
  return (
    <Card withBorder component="section" aria-labelledby="basics-title">
      <Title order={2} size="h4" id="basics-title" mb="sm">
        {create ? 'Name and type' : 'Time to live'}
      </Title>
      <Group align="flex-start" gap="sm" wrap="wrap">
        {create ? (
          <>
            <TextInput
              label="Name"
              description={
                <>
                  Full name: <span className="mono">{name}</span> (@ for the zone apex)
                </>
              }
              value={d.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
              error={errors.name}
              placeholder="www"
              style={{ flex: '1 1 100%' }}
              autoComplete="off"
              spellCheck={false}
            />
            <NativeSelect
              label="Type"
              description="Fixed once created"
              data={[...RECORD_TYPES]}
              value={d.type}
              onChange={(e) => onTypeChange(e.currentTarget.value as RecordType)}
              error={errors.type}
              w={160}
            />
          </>
        ) : errors.name || errors.type ? (
          <Text c="red" size="sm" role="alert">
            {errors.name ?? errors.type}
          </Text>
        ) : null}
        <NumberField
          label="TTL (seconds)"
          value={d.ttl}
          onChange={(v) => set({ ttl: v })}
          error={errors.ttl}
          description={`${TTL_LIMITS.min}–${TTL_LIMITS.max}, default ${TTL_LIMITS.default}`}
          w={200}
        />
      </Group>
      <Text size="sm" c="dimmed" mt="xs">
        {TYPE_HINTS[d.type]}
      </Text>
    </Card>
  );
}
