import { MultiSelect, SimpleGrid } from '@mantine/core';
import { CONTINENT_OPTIONS, COUNTRY_OPTIONS } from '../../lib/geo';
import type { RecordDraft } from '../../lib/rrset';
import { type Errors, firstErrorUnder } from './form';

const GEO_LISTS = [
  { list: 'countries', label: 'Countries', description: 'Clients in these countries get this record', data: COUNTRY_OPTIONS },
  { list: 'continents', label: 'Continents', description: 'Used when no country matches', data: CONTINENT_OPTIONS },
] as const;

/** Which clients get a record under geo balancing: countries, then continents. */
export function RecordGeo({
  rec,
  index,
  errors,
  set,
}: {
  rec: RecordDraft;
  index: number;
  errors: Errors;
  set: (patch: Partial<RecordDraft>) => void;
}) {
  const p = `resource_records[${index}].meta`;
  // The list's own error, else the first of one of its entries.
  const listError = (list: string) => errors[`${p}.${list}`] ?? firstErrorUnder(errors, `${p}.${list}[`);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      {GEO_LISTS.map((g) => (
        <MultiSelect
          key={g.list}
          label={g.label}
          description={g.description}
          data={g.data}
          value={rec[g.list]}
          onChange={(v) => set({ [g.list]: v })}
          searchable
          clearable
          error={listError(g.list)}
          comboboxProps={{ withinPortal: true }}
        />
      ))}
    </SimpleGrid>
  );
}
