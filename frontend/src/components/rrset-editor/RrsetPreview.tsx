import { Badge, Button, Card, Group, Loader, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { PREVIEW_PLACES } from '@vigil/contract';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { usePreview } from '../../api/preview';
import { errorMessage } from '../../lib/errors';

const OTHER = 'address';

/**
 * "From Paris this answers …": what the DNS server answers the saved record set now (its pickers
 * and the health of its addresses) for a client at a place or address. The api asks the DNS
 * server itself, with that address as the EDNS Client Subnet; nothing here recomputes the pickers.
 */
export function RrsetPreview({ zone, name, type }: { zone: string; name: string; type: string }) {
  const [choice, setChoice] = useState('');
  const [typed, setTyped] = useState('');
  const [asked, setAsked] = useState('');
  const client = choice === OTHER ? asked : choice;
  const q = usePreview(zone, name, type, client);
  const place = PREVIEW_PLACES.find((p) => p.id === client);
  const where = place ? place.name : client;
  const fieldError = q.error instanceof ApiError && q.error.status === 400 ? q.error.field('client') : undefined;
  const answers = q.data?.answers ?? [];

  const ask = (ev: FormEvent) => {
    ev.preventDefault();
    if (typed.trim() === asked) void q.refetch();
    else setAsked(typed.trim());
  };

  return (
    <Card withBorder component="section" aria-labelledby="preview-title">
      <Title order={2} size="h4" id="preview-title" mb={4}>
        Preview
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        What the DNS server answers now for a client in a place, with the health of each address: it is asked, as a resolver would ask for
        that client. It answers the saved record set: save changes first.
      </Text>
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <NativeSelect
            label="From"
            w={240}
            value={choice}
            onChange={(e) => setChoice(e.currentTarget.value)}
            data={[
              { value: '', label: 'Choose a place…' },
              ...PREVIEW_PLACES.map((p) => ({ value: p.id, label: p.name })),
              { value: OTHER, label: 'Another client address…' },
            ]}
          />
          {choice === OTHER && (
            <form onSubmit={ask} noValidate>
              <Group align="flex-end" gap="sm">
                <TextInput
                  label="Client address"
                  placeholder="203.0.113.7 or 2001:db8::7"
                  value={typed}
                  onChange={(e) => setTyped(e.currentTarget.value)}
                  error={fieldError}
                  w={260}
                  autoComplete="off"
                />
                <Button type="submit" variant="light">
                  Ask
                </Button>
              </Group>
            </form>
          )}
          {client !== '' && (
            <Button
              variant="subtle"
              leftSection={<IconRefresh size={16} aria-hidden />}
              onClick={() => void q.refetch()}
              loading={q.isFetching}
            >
              Ask again
            </Button>
          )}
        </Group>
        {client !== '' && q.isPending && <Loader size="sm" aria-label="Asking the DNS server" />}
        {q.isError && !fieldError && (
          <Text c="red" size="sm" role="alert">
            {errorMessage(q.error)}
          </Text>
        )}
        {q.data && (
          <div data-testid="preview-answer" aria-live="polite">
            <Text size="sm">
              From {where} ({q.data.client.address}) this answers{' '}
              {q.data.rcode !== 'NOERROR' ? (
                <Badge color="red" variant="light">
                  {q.data.rcode}
                </Badge>
              ) : answers.length === 0 ? (
                'nothing'
              ) : (
                answers.map((a, i) => (
                  <span key={`${a.type}-${a.data}-${i}`}>
                    {i > 0 && ', '}
                    <Text span ff="monospace" fw={600} data-testid="preview-address">
                      {a.data}
                    </Text>
                    {a.type === 'CNAME' && ' (CNAME)'}
                  </span>
                ))
              )}
            </Text>
            <Text size="xs" c="dimmed">
              Asked {q.data.server}
              {q.data.scope_prefix ? `; the answer depends on where the client is (scope /${q.data.scope_prefix})` : ''}
            </Text>
          </div>
        )}
      </Stack>
    </Card>
  );
}
