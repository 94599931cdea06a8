import { ActionIcon, Badge, Button, Card, Code, Group, Loader, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconKey, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useCreateToken, useRevokeToken, useTokens } from '../api/account';
import { ApiError } from '../api/client';
import type { CreatedToken, Token } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { SecretOnce } from '../components/SecretOnce';
import { QueryError } from '../components/QueryError';
import { errorMessage, fieldErrors } from '../lib/errors';
import { formatDate } from '../lib/format';
import { usePageTitle } from '../lib/usePageTitle';

function NewSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <SecretOnce
      title={`Token “${token.name}” is created: copy its secret now`}
      secret={token.token}
      secretLabel="Token secret"
      testId="new-token"
      secretTestId="token-secret"
      onDone={onDone}
      warning={
        <Text size="sm">
          This is the only time the secret is shown. Store it in your secret manager; if it is lost, revoke the token and create another.
        </Text>
      }
    >
      <Text size="sm">
        Send it as <Code>Authorization: APIKey {token.prefix}…</Code>
      </Text>
    </SecretOnce>
  );
}

export function TokensPage() {
  usePageTitle('API tokens');
  const tokens = useTokens();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const create = useCreateToken({
    onSuccess: (t) => {
      setCreated(t);
      setName('');
      setExpires('');
    },
  });
  const revoke = useRevokeToken();
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    create.mutate({ name: name.trim(), ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}) });
  };
  const confirmRevoke = (t: Token) =>
    modals.openConfirmModal({
      title: `Revoke token “${t.name}”?`,
      children: <Text size="sm">Requests with this token are refused from now on. This cannot be undone.</Text>,
      labels: { confirm: 'Revoke token', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        revoke.mutate(t.id, {
          onSuccess: () => notifications.show({ message: `Token “${t.name}” is revoked.` }),
          onError: (e) => notifications.show({ color: 'red', title: 'The token was not revoked', message: errorMessage(e) }),
        }),
    });

  return (
    <>
      <PageHeader title="API tokens">
        <Text size="sm" c="dimmed">
          Tokens let scripts and integrations use the API (<Code>Authorization: APIKey &lt;token&gt;</Code>) for zones, record sets and
          feature requests.
        </Text>
      </PageHeader>
      <Stack gap="lg">
        {created && <NewSecret token={created} onDone={() => setCreated(null)} />}
        <Card withBorder component="section" aria-labelledby="new-token-title">
          <form onSubmit={submit} noValidate>
            <Text fw={600} id="new-token-title" mb="xs">
              Create a token
            </Text>
            {create.error && !(create.error instanceof ApiError && create.error.details.length) && (
              <Text c="red" size="sm" role="alert" mb="xs">
                {errorMessage(create.error)}
              </Text>
            )}
            <Group align="flex-start" gap="sm" wrap="wrap">
              <TextInput
                label="Token name"
                placeholder="deploy"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={errors.name}
                required
                style={{ flex: '1 1 220px' }}
                autoComplete="off"
              />
              <TextInput
                label="Expires on (optional)"
                type="date"
                value={expires}
                onChange={(e) => setExpires(e.currentTarget.value)}
                error={errors.expires_at}
                w={220}
              />
              <Button type="submit" leftSection={<IconKey size={16} aria-hidden />} loading={create.isPending} mt={{ base: 0, xs: 25 }}>
                Create token
              </Button>
            </Group>
          </form>
        </Card>
        {tokens.isError ? (
          <QueryError error={tokens.error} what="token list" />
        ) : tokens.isPending ? (
          <Loader aria-label="Loading tokens" />
        ) : tokens.data.tokens.length === 0 ? (
          <Text c="dimmed" size="sm">
            No tokens yet.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table striped verticalSpacing="sm" aria-label="API tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Prefix</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">
                    <span className="visually-hidden-text">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.tokens.map((t) => (
                  <Table.Tr key={t.id} data-testid={`token-${t.name}`}>
                    <Table.Td fw={600}>{t.name}</Table.Td>
                    <Table.Td className="mono">{t.prefix}…</Table.Td>
                    <Table.Td>{formatDate(t.created_at)}</Table.Td>
                    <Table.Td>{t.last_used_at ? formatDate(t.last_used_at) : 'never'}</Table.Td>
                    <Table.Td>{t.expires_at ? formatDate(t.expires_at) : 'never'}</Table.Td>
                    <Table.Td>
                      {t.revoked_at ? (
                        <Tooltip label={`Revoked ${formatDate(t.revoked_at)}`}>
                          <Badge color="gray">revoked</Badge>
                        </Tooltip>
                      ) : (
                        <Tooltip label="Revoke">
                          <ActionIcon variant="subtle" color="red" aria-label={`Revoke token ${t.name}`} onClick={() => confirmRevoke(t)}>
                            <IconTrash size={18} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </>
  );
}
