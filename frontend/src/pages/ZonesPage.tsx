import { ActionIcon, Alert, Anchor, Badge, Button, Card, Group, Loader, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, PAGE_SIZE } from '../api/client';
import { useCreateZone, useZones } from '../api/zones';
import { useConfirmDeleteZone } from '../components/DeleteZone';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { errorMessage, fieldErrors } from '../lib/errors';
import { formatDate } from '../lib/format';
import { usePageTitle } from '../lib/usePageTitle';

function CreateZone() {
  const [name, setName] = useState('');
  const navigate = useNavigate();
  const create = useCreateZone({
    onSuccess: async (zone) => {
      notifications.show({ color: 'green', message: `Zone ${zone.name} is hosted.` });
      setName('');
      await navigate(`/zones/${zone.name}`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim());
  };
  const error =
    errors.name ??
    (create.error && !(create.error instanceof ApiError && create.error.details.length) ? errorMessage(create.error) : undefined);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="add-zone-title">
      <form onSubmit={submit} noValidate>
        <Text id="add-zone-title" fw={600} mb="xs">
          Add a zone
        </Text>
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label="Zone name"
            placeholder="example.com"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={error}
            required
            style={{ flex: '1 1 240px' }}
            autoComplete="off"
          />
          <Button type="submit" leftSection={<IconPlus size={16} aria-hidden />} loading={create.isPending} mt={{ base: 0, xs: 25 }}>
            Add zone
          </Button>
        </Group>
      </form>
    </Card>
  );
}

export function ZonesPage() {
  usePageTitle('Zones');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [page, setPage] = useState(1);
  const zones = useZones(debounced, page);
  const confirmDelete = useConfirmDeleteZone();

  return (
    <>
      <PageHeader title="Zones" />
      <Stack gap="md">
        <CreateZone />
        <TextInput
          label="Search zones"
          placeholder="Part of a zone name"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          rightSection={zones.isFetching ? <Loader size="xs" aria-label="Searching" /> : null}
          maw={420}
          type="search"
        />
        {zones.isError ? (
          <QueryError error={zones.error} what="zone list" retry={() => void zones.refetch()} />
        ) : zones.isPending ? (
          <Loader aria-label="Loading zones" />
        ) : zones.data.zones.length === 0 ? (
          <Alert color="gray" variant="light">
            {debounced ? `No zone matches “${debounced}”.` : 'No zones yet. Add your first zone above.'}
          </Alert>
        ) : (
          <>
            <Table.ScrollContainer minWidth={560}>
              <Table striped highlightOnHover verticalSpacing="sm" aria-label="Zones">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Record sets</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col" visibleFrom="sm">
                      Serial
                    </Table.Th>
                    <Table.Th scope="col" visibleFrom="sm">
                      Created
                    </Table.Th>
                    <Table.Th scope="col">
                      <span className="visually-hidden-text">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {zones.data.zones.map((z) => (
                    <Table.Tr key={z.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/zones/${z.name}`} fw={600} className="mono">
                          {z.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{z.rrsets_amount.total}</Table.Td>
                      <Table.Td>
                        {z.enabled ? (
                          <Badge color="green" variant="light">
                            enabled
                          </Badge>
                        ) : (
                          <Badge color="gray">disabled</Badge>
                        )}
                      </Table.Td>
                      <Table.Td visibleFrom="sm" className="mono">
                        {z.serial}
                      </Table.Td>
                      <Table.Td visibleFrom="sm">{formatDate(z.created_at)}</Table.Td>
                      <Table.Td>
                        <Tooltip label={`Delete ${z.name}`}>
                          <ActionIcon variant="subtle" color="red" aria-label={`Delete zone ${z.name}`} onClick={() => confirmDelete(z)}>
                            <IconTrash size={18} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
        {zones.data && (
          <Pager page={page} total={zones.data.total_amount} pageSize={PAGE_SIZE} onChange={setPage} noun={['zone', 'zones']} />
        )}
      </Stack>
    </>
  );
}
