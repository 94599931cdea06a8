import { Group, Pagination, Text } from '@mantine/core';

/** Page links under a list, with the count; hidden when everything fits on one page. */
export function Pager({
  page,
  total,
  pageSize,
  onChange,
  noun,
}: {
  page: number;
  total: number;
  pageSize: number;
  onChange: (p: number) => void;
  /** What is counted: [singular, plural]. */
  noun: [string, string];
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" mt="sm" gap="xs">
      <Text size="sm" c="dimmed" aria-live="polite">
        {total} {total === 1 ? noun[0] : noun[1]}
      </Text>
      {pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={onChange}
          size="sm"
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
        />
      )}
    </Group>
  );
}
