import { Checkbox, Group, NativeSelect, Stack, TextInput } from '@mantine/core';
import { PREVIEW_PLACES } from '@vigil/contract';
import { needs, type PickerDraft } from '../../lib/pickers';
import type { RecordDraft } from '../../lib/rrset';
import type { Errors } from './form';
import { NumberField } from './NumberField';
import { RecordGeo } from './RecordGeo';

/** A list field's error: the list's own, else its first bad entry's, saying which entry. */
function listError(errors: Errors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const hit = Object.entries(errors).find(([k]) => k.startsWith(`${path}[`));
  if (!hit) return undefined;
  const n = Number(/\[(\d+)\]/.exec(hit[0].slice(path.length))?.[1] ?? 0);
  return `entry ${n + 1}: ${hit[1]}`;
}

/** The record meta the record set's pickers read: only the fields of the pickers it has. */
export function RecordPickerMeta({
  pickers,
  rec,
  index,
  errors,
  set,
}: {
  pickers: readonly PickerDraft[];
  rec: RecordDraft;
  index: number;
  errors: Errors;
  set: (patch: Partial<RecordDraft>) => void;
}) {
  const p = `resource_records[${index}].meta`;
  const place = PREVIEW_PLACES.find((x) => String(x.latlong[0]) === rec.lat.trim() && String(x.latlong[1]) === rec.lon.trim());
  return (
    <Stack gap="sm">
      {needs(pickers, 'geo') && <RecordGeo rec={rec} index={index} errors={errors} set={set} />}
      {needs(pickers, 'ip') && (
        <TextInput
          label="Client networks"
          description="Addresses or networks (192.0.2.0/24, 2001:db8::/32), separated by commas or spaces: clients there get this record"
          value={rec.ip}
          onChange={(e) => set({ ip: e.currentTarget.value })}
          error={listError(errors, `${p}.ip`)}
          autoComplete="off"
        />
      )}
      {needs(pickers, 'asn') && (
        <TextInput
          label="AS numbers"
          description="Autonomous systems (64496, 13335), separated by commas or spaces: their clients get this record"
          value={rec.asn}
          onChange={(e) => set({ asn: e.currentTarget.value })}
          error={listError(errors, `${p}.asn`)}
          autoComplete="off"
        />
      )}
      {needs(pickers, 'latlong') && (
        <Group align="flex-start" gap="md">
          <NumberField
            label="Latitude"
            description="−90 to 90"
            value={rec.lat}
            onChange={(v) => set({ lat: v })}
            error={errors[`${p}.latlong[0]`] ?? errors[`${p}.latlong`]}
            w={160}
          />
          <NumberField
            label="Longitude"
            description="−180 to 180"
            value={rec.lon}
            onChange={(v) => set({ lon: v })}
            error={errors[`${p}.latlong[1]`]}
            w={160}
          />
          <NativeSelect
            label="Or a place"
            description="Sets both"
            w={200}
            value={place?.id ?? ''}
            onChange={(e) => {
              const chosen = PREVIEW_PLACES.find((x) => x.id === e.currentTarget.value);
              if (chosen) set({ lat: String(chosen.latlong[0]), lon: String(chosen.latlong[1]) });
            }}
            data={[{ value: '', label: '—' }, ...PREVIEW_PLACES.map((x) => ({ value: x.id, label: x.name }))]}
          />
        </Group>
      )}
      {needs(pickers, 'weight') && (
        <NumberField
          label="Weight"
          description="0–65535; higher is picked more often"
          value={rec.weight}
          onChange={(v) => set({ weight: v })}
          error={errors[`${p}.weight`]}
          w={220}
        />
      )}
      {needs(pickers, 'default') && (
        <Checkbox
          label="Default record: serves clients that match no record"
          checked={rec.isDefault}
          onChange={(e) => set({ isDefault: e.currentTarget.checked })}
          error={errors[`${p}.default`]}
        />
      )}
    </Stack>
  );
}
