import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Drawer,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconBell, IconList, IconPencil, IconRefresh, IconSend, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useMe } from '../api/auth';
import { ApiError } from '../api/client';
import {
  DELIVERY_PAGE_SIZE,
  useChannels,
  useCreateChannel,
  useDeleteChannel,
  useDeliveries,
  useTestChannel,
  useUpdateChannel,
} from '../api/notifications';
import type { Channel, ChannelTestResult, ChannelType, ChannelWithSecret, NotifyEvent } from '../api/types';
import { useZones } from '../api/zones';
import { PageHeader } from '../components/PageHeader';
import { SecretOnce } from '../components/SecretOnce';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { errorMessage, fieldErrors } from '../lib/errors';
import { formatDate } from '../lib/format';
import {
  changeBody,
  channelBody,
  channelTarget,
  type ChannelDraft,
  draftErrors,
  editDraft,
  EVENTS,
  eventsText,
  filterText,
  newChannelDraft,
  secretTarget,
  targetInput,
  typeLabel,
  typeOptions,
} from '../lib/notifications';
import { usePageTitle } from '../lib/usePageTitle';

const VERIFY_SNIPPET = `// Node.js: rawBody is the request body exactly as received
const { t, v1 } = Object.fromEntries(header.split(',').map((p) => p.split('=')));
const expected = createHmac('sha256', secret).update(\`\${t}.\${rawBody}\`).digest('hex');
const valid = timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(expected, 'hex'))
  && Math.abs(Date.now() / 1000 - Number(t)) < 300;`;

/** A webhook's signing secret, once, after creation or rotation, and how receivers check it. */
function NewSecret({ channel, onDone }: { channel: ChannelWithSecret & { secret: string }; onDone: () => void }) {
  return (
    <SecretOnce
      title={`Signing secret of “${channel.name}”: copy it now`}
      secret={channel.secret}
      secretLabel="Signing secret"
      testId="new-secret"
      secretTestId="webhook-secret"
      onDone={onDone}
      warning={
        <Text size="sm">
          This is the only time the secret is shown. Store it where your receiver reads it; if it is lost, rotate it (the old one stops
          working).
        </Text>
      }
    >
      <Text size="sm">
        Every request carries <Code>X-Vigil-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</Code>, where <Code>v1</Code> is the
        HMAC-SHA256 with this secret of <Code>&lt;t&gt;.&lt;request body&gt;</Code>. Compute it over the raw body, compare in constant time
        and refuse an old <Code>t</Code>:
      </Text>
      <Code block>{VERIFY_SNIPPET}</Code>
    </SecretOnce>
  );
}

interface ChannelFormProps {
  draft: ChannelDraft;
  onChange: (patch: Partial<ChannelDraft>) => void;
  /** The create or update error: field errors go on the fields, anything else above them. */
  error: Error | null;
  pending: boolean;
  onSubmit: () => void;
  submitLabel: string;
  /** The heading inside the form (the edit form's is its dialog's title). */
  title?: { id: string; text: string };
  /** Editing this channel: its type stays, and a secret destination left empty keeps the current one. */
  editing?: Channel;
  /** False when the server has no SMTP: e-mail cannot be picked. */
  emailAvailable?: boolean;
}

/** The channel form, for adding a channel and for editing one. */
function ChannelForm({
  draft,
  onChange: set,
  error,
  pending,
  onSubmit,
  submitLabel,
  title,
  editing,
  emailAvailable = true,
}: ChannelFormProps) {
  const zones = useZones('', 1);
  const errors = draftErrors(fieldErrors(error), draft);
  const target = targetInput(draft.type);
  const keepSecret = editing !== undefined && secretTarget(editing.type);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  const TargetField = draft.type === 'email' ? Textarea : TextInput;

  return (
    <form onSubmit={submit} noValidate>
      {title && (
        <Text fw={600} id={title.id} mb="xs">
          {title.text}
        </Text>
      )}
      {error && !(error instanceof ApiError && error.details.length) && (
        <Text c="red" size="sm" role="alert" mb="xs">
          {errorMessage(error)}
        </Text>
      )}
      <Stack gap="sm">
        <Group align="flex-start" gap="sm" wrap="wrap">
          <Select
            label="Type"
            data={typeOptions(emailAvailable)}
            value={draft.type}
            onChange={(v) => v && set({ type: v as ChannelType, target: '' })}
            allowDeselect={false}
            disabled={editing !== undefined}
            error={errors.type}
            w={180}
          />
          <TextInput
            label="Channel name"
            placeholder="On-call"
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.name}
            required
            style={{ flex: '1 1 220px' }}
            autoComplete="off"
          />
        </Group>
        {!emailAvailable && !editing && (
          <Text size="sm" c="dimmed" data-testid="no-smtp">
            E-mail is not offered: this server has no SMTP set up; the operator sets SMTP_HOST.
          </Text>
        )}
        <TargetField
          label={target.label}
          description={keepSecret ? `Now ${editing.hint ?? 'set'}; leave empty to keep the current one.` : target.description}
          placeholder={keepSecret ? undefined : target.placeholder}
          value={draft.target}
          onChange={(e) => set({ target: e.currentTarget.value })}
          error={errors.target}
          required={!keepSecret}
          autoComplete="off"
          {...(draft.type === 'email' ? { autosize: true, minRows: 1 } : {})}
        />
        <Checkbox.Group
          label="Events"
          description="What this channel is told of"
          value={draft.events}
          onChange={(v) => set({ events: v as NotifyEvent[] })}
          error={errors.events}
        >
          <Group gap="md" mt={6}>
            {EVENTS.map((ev) => (
              <Checkbox key={ev.value} value={ev.value} label={ev.label} />
            ))}
          </Group>
        </Checkbox.Group>
        <TagsInput
          label="Only these zones (optional)"
          description="Empty: every zone of the account"
          placeholder={draft.zones.length ? undefined : 'example.com'}
          data={zones.data?.zones.map((z) => z.name) ?? []}
          value={draft.zones}
          onChange={(v) => set({ zones: v })}
          error={errors.zones}
          clearable
        />
        <Group justify="space-between" align="center">
          <Switch label="Enabled" checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
          <Button type="submit" leftSection={<IconBell size={16} aria-hidden />} loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function AddChannel({ onCreated, emailAvailable }: { onCreated: (c: ChannelWithSecret) => void; emailAvailable: boolean }) {
  const [draft, setDraft] = useState<ChannelDraft>(newChannelDraft);
  const create = useCreateChannel({
    onSuccess: (c) => {
      onCreated(c);
      setDraft(newChannelDraft(draft.type));
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="new-channel-title">
      <ChannelForm
        draft={draft}
        onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
        error={create.error}
        pending={create.isPending}
        onSubmit={() => create.mutate(channelBody(draft))}
        submitLabel="Add channel"
        title={{ id: 'new-channel-title', text: 'Add a channel' }}
        emailAvailable={emailAvailable}
      />
    </Card>
  );
}

/** The edit form of a channel, prefilled; it sends only what changed. */
function EditChannel({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const [draft, setDraft] = useState<ChannelDraft>(() => editDraft(channel));
  const update = useUpdateChannel();
  const save = () => {
    const change = changeBody(channel, draft);
    if (Object.keys(change).length === 0) return onDone();
    update.mutate(
      { id: channel.id, change },
      {
        onSuccess: () => {
          notifications.show({ message: `Channel “${draft.name.trim()}” is saved.` });
          onDone();
        },
      },
    );
  };
  return (
    <ChannelForm
      draft={draft}
      onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
      error={update.error}
      pending={update.isPending}
      onSubmit={save}
      submitLabel="Save changes"
      editing={channel}
    />
  );
}

const DELIVERY_COLOR = { sent: 'green', retrying: 'yellow', failed: 'red' } as const;

function DeliveryLog({ channel }: { channel: Channel }) {
  const [page, setPage] = useState(1);
  const log = useDeliveries(channel.id, page);
  if (log.isError) return <QueryError error={log.error} what="delivery log" retry={() => void log.refetch()} />;
  if (log.isPending) return <Loader aria-label="Loading the delivery log" />;
  if (log.data.deliveries.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        Nothing was sent yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={560}>
        <Table striped verticalSpacing="xs" aria-label={`Deliveries of ${channel.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Message</Table.Th>
              <Table.Th scope="col">Attempt</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Error or next retry</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {log.data.deliveries.map((d) => (
              <Table.Tr key={d.id} data-testid="delivery">
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(d.at)}</Table.Td>
                <Table.Td>{d.summary}</Table.Td>
                <Table.Td>{d.attempt}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={DELIVERY_COLOR[d.status]}>
                    {d.status}
                  </Badge>
                  {d.latency_ms !== null && (
                    <Text span size="xs" c="dimmed" ml={6}>
                      {d.latency_ms} ms
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {d.error ?? '—'}
                  {d.next_retry_at && (
                    <Text size="xs" c="dimmed">
                      next try {formatDate(d.next_retry_at)}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group>
        <Pager page={page} total={log.data.total_amount} pageSize={DELIVERY_PAGE_SIZE} onChange={setPage} noun={['attempt', 'attempts']} />
      </Group>
    </Stack>
  );
}

function TestResult({ result }: { result: ChannelTestResult | Error }) {
  if (result instanceof Error) {
    return (
      <Text size="sm" c="red" role="status">
        Test not sent: {errorMessage(result)}
      </Text>
    );
  }
  return result.status === 'sent' ? (
    <Text size="sm" c="green.9" role="status">
      Test sent ({result.latency_ms} ms)
    </Text>
  ) : (
    <Text size="sm" c="red" role="status">
      Test failed: {result.error}
    </Text>
  );
}

function ChannelRow({
  channel: c,
  onSecret,
  onLog,
  onEdit,
}: {
  channel: Channel;
  onSecret: (c: ChannelWithSecret) => void;
  onLog: (c: Channel) => void;
  onEdit: (c: Channel) => void;
}) {
  const test = useTestChannel();
  const update = useUpdateChannel();
  const remove = useDeleteChannel();
  const [result, setResult] = useState<ChannelTestResult | Error | null>(null);
  const failed = (what: string) => (e: Error) => notifications.show({ color: 'red', title: what, message: errorMessage(e) });
  const sendTest = () => {
    setResult(null);
    test.mutate(c.id, { onSuccess: setResult, onError: setResult });
  };
  const toggle = (enabled: boolean) =>
    update.mutate({ id: c.id, change: { enabled } }, { onError: failed(`“${c.name}” was not ${enabled ? 'enabled' : 'disabled'}`) });
  const confirmRotate = () =>
    modals.openConfirmModal({
      title: `Rotate the signing secret of “${c.name}”?`,
      children: <Text size="sm">Requests are signed with a new secret from now on; receivers checking the old one refuse them.</Text>,
      labels: { confirm: 'Rotate secret', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        update.mutate(
          { id: c.id, change: { rotate_secret: true } },
          { onSuccess: onSecret, onError: failed('The secret was not rotated') },
        ),
    });
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete channel “${c.name}”?`,
      children: <Text size="sm">Alerts stop going to this channel and its delivery log is gone. This cannot be undone.</Text>,
      labels: { confirm: 'Delete channel', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(c.id, {
          onSuccess: () => notifications.show({ message: `Channel “${c.name}” is deleted.` }),
          onError: failed('The channel was not deleted'),
        }),
    });

  return (
    <Table.Tr data-testid={`channel-${c.name}`}>
      <Table.Td>
        <Text fw={600} size="sm">
          {c.name}
        </Text>
        <Text size="xs" c="dimmed">
          {typeLabel(c.type)}
        </Text>
      </Table.Td>
      <Table.Td className="mono" style={{ overflowWrap: 'anywhere', maxWidth: 280 }}>
        {channelTarget(c)}
      </Table.Td>
      <Table.Td>{eventsText(c.events)}</Table.Td>
      <Table.Td>{filterText(c)}</Table.Td>
      <Table.Td>
        {c.status === 'failing' ? (
          <Stack gap={2}>
            <Tooltip label={`Failing since ${formatDate(c.failing_since)}`}>
              <Badge color="red">failing</Badge>
            </Tooltip>
            {c.last_error && (
              <Text size="xs" c="red.8" style={{ overflowWrap: 'anywhere' }}>
                {c.last_error}
              </Text>
            )}
          </Stack>
        ) : (
          <Badge color="green" variant="light">
            ok
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`Channel ${c.name} enabled`}
          checked={c.enabled}
          disabled={update.isPending}
          onChange={(e) => toggle(e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Group gap={4} wrap="nowrap">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconSend size={14} aria-hidden />}
              loading={test.isPending}
              onClick={sendTest}
              aria-label={`Send test to ${c.name}`}
            >
              Send test
            </Button>
            <Tooltip label="Edit">
              <ActionIcon variant="subtle" aria-label={`Edit channel ${c.name}`} onClick={() => onEdit(c)}>
                <IconPencil size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Delivery log">
              <ActionIcon variant="subtle" aria-label={`Delivery log of ${c.name}`} onClick={() => onLog(c)}>
                <IconList size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {c.type === 'webhook' && (
              <Tooltip label="Rotate signing secret">
                <ActionIcon variant="subtle" aria-label={`Rotate the signing secret of ${c.name}`} onClick={confirmRotate}>
                  <IconRefresh size={18} aria-hidden />
                </ActionIcon>
              </Tooltip>
            )}
            <Tooltip label="Delete">
              <ActionIcon variant="subtle" color="red" aria-label={`Delete channel ${c.name}`} onClick={confirmDelete}>
                <IconTrash size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
          </Group>
          {result && <TestResult result={result} />}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

export function NotificationsPage() {
  usePageTitle('Notifications');
  const me = useMe().data;
  const account = me?.accounts.find((a) => a.id === me.current_account_id) ?? me?.accounts[0];
  const owner = account?.role === 'owner';
  const channels = useChannels(owner);
  const [secret, setSecret] = useState<(ChannelWithSecret & { secret: string }) | null>(null);
  const [logOf, setLogOf] = useState<Channel | null>(null);
  const [editOf, setEditOf] = useState<Channel | null>(null);
  const showSecret = (c: ChannelWithSecret) => setSecret(c.secret ? { ...c, secret: c.secret } : null);
  // The drawer follows the list, so that a test's new status shows there too.
  const logChannel = logOf && (channels.data?.channels.find((c) => c.id === logOf.id) ?? logOf);

  return (
    <>
      <PageHeader title="Notifications">
        <Text size="sm" c="dimmed">
          Where health alerts go: an address going down or coming back, and a record set whose every address is down.
        </Text>
      </PageHeader>
      {!owner ? (
        <Alert color="gray" role="alert" title="Only owners manage notifications">
          Ask an owner of {account?.name ?? 'this account'} to add you as owner, or to set up the channels.
        </Alert>
      ) : (
        <Stack gap="lg">
          {secret && <NewSecret channel={secret} onDone={() => setSecret(null)} />}
          <AddChannel onCreated={showSecret} emailAvailable={channels.data?.email_available ?? true} />
          {channels.isError ? (
            <QueryError error={channels.error} what="channel list" />
          ) : channels.isPending ? (
            <Loader aria-label="Loading channels" />
          ) : channels.data.channels.length === 0 ? (
            <Text c="dimmed" size="sm">
              No channels yet: alerts go nowhere.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={960}>
              <Table verticalSpacing="sm" aria-label="Notification channels">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Channel</Table.Th>
                    <Table.Th scope="col">Sends to</Table.Th>
                    <Table.Th scope="col">Events</Table.Th>
                    <Table.Th scope="col">Zones</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Enabled</Table.Th>
                    <Table.Th scope="col">
                      <span className="visually-hidden-text">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {channels.data.channels.map((c) => (
                    <ChannelRow key={c.id} channel={c} onSecret={showSecret} onLog={setLogOf} onEdit={setEditOf} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
      <Modal opened={editOf !== null} onClose={() => setEditOf(null)} size="lg" title={editOf ? `Edit channel “${editOf.name}”` : ''}>
        {editOf && <EditChannel key={editOf.id} channel={editOf} onDone={() => setEditOf(null)} />}
      </Modal>
      <Drawer
        opened={logChannel !== null}
        onClose={() => setLogOf(null)}
        position="right"
        size="xl"
        title={logChannel ? `Delivery log of “${logChannel.name}”` : ''}
      >
        {logChannel && (
          <Stack gap="sm">
            {logChannel.status === 'failing' && (
              <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={`Failing since ${formatDate(logChannel.failing_since)}`}>
                {logChannel.last_error}
              </Alert>
            )}
            <DeliveryLog channel={logChannel} />
          </Stack>
        )}
      </Drawer>
    </>
  );
}
