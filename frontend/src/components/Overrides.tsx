import { Alert, Badge, Button, Card, Checkbox, Group, Modal, Radio, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { OVERRIDE_LIMITS, type OverrideAction } from '@vigil/contract';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useCreateOverride, useDeleteOverride } from '../api/overrides';
import type { RrsetOverride } from '../api/types';
import { errorMessage, fieldErrors } from '../lib/errors';
import { capitalized } from '../lib/format';
import {
  ACTION_LABEL,
  addressOverrides,
  changeText,
  describeOverride,
  formatLocal,
  formatUtc,
  GUARD_REASONS,
  newOverrideDraft,
  type OverrideDraft,
  type OverrideField,
  overrideBody,
  parseLocalInput,
} from '../lib/overrides';

/** The record set the overrides are of. */
export interface RrsetRef {
  zone: string;
  name: string;
  type: string;
}

/** What the form is open for: one action on one address. */
export interface OverrideTarget {
  address: string;
  action: OverrideAction;
}

const STATE_COLOR = { drained: 'orange', 'forced up': 'blue', 'in maintenance': 'grape' } as const;

/** A moment in UTC (what the API and recurrences use) and in the reader's own zone. */
function When({ iso }: { iso: string }) {
  return (
    <span>
      <time dateTime={iso}>{formatUtc(iso)}</time>{' '}
      <Text span size="xs" c="dimmed">
        (local {formatLocal(iso)})
      </Text>
    </span>
  );
}

export const isGuardRefusal = (e: unknown): e is ApiError =>
  e instanceof ApiError && e.status === 409 && GUARD_REASONS.includes(String(e.body.reason));

/** The guard's 409: its message, and the choice to do it anyway (resent with force). */
export function GuardRefusal({
  error,
  onForce,
  onCancel,
  pending,
}: {
  error: ApiError;
  onForce: () => void;
  onCancel: () => void;
  pending: boolean;
}) {
  return (
    <Alert color="orange" title="Refused: nothing would be served" role="alert" data-testid="override-conflict">
      <Stack gap="xs">
        <Text size="sm">{error.message}</Text>
        <Group gap="xs">
          <Button size="xs" color="orange" onClick={onForce} loading={pending}>
            Do it anyway
          </Button>
          <Button size="xs" variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** On an address's card: what its overrides do now, until when, its next change, and the actions. */
export function AddressOverrides({
  address,
  overrides,
  canChange,
  onAction,
}: {
  address: string;
  overrides: readonly RrsetOverride[];
  canChange: boolean;
  onAction: (t: OverrideTarget) => void;
}) {
  const { now, next } = addressOverrides(address, overrides);
  return (
    <Stack gap={6} mt="sm" data-testid="address-overrides">
      {now.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="override-state">
          No override: health decides.
        </Text>
      ) : (
        now.map((s) => (
          <Group gap={6} key={s.label} data-testid="override-state">
            <Badge color={STATE_COLOR[s.label]} variant="light" size="sm">
              {s.label}
            </Badge>
            <Text size="xs">
              {s.until ? (
                <>
                  until <When iso={s.until} />
                </>
              ) : (
                'until undone'
              )}
            </Text>
          </Group>
        ))
      )}
      {next && (
        <Text size="xs" data-testid="override-next">
          Next change: {changeText(next.override)} <When iso={next.at} />
        </Text>
      )}
      {canChange && (
        <Group gap="xs">
          {(['drain', 'force_up', 'maintenance'] as const).map((action) => (
            <Button
              key={action}
              size="xs"
              variant="default"
              onClick={() => onAction({ address, action })}
              aria-label={`${actionButton(action)} ${address}`}
            >
              {actionButton(action)}
            </Button>
          ))}
        </Group>
      )}
    </Stack>
  );
}

const actionButton = (a: OverrideAction) => (a === 'maintenance' ? 'Schedule maintenance' : ACTION_LABEL[a]);

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A time field in the browser's zone, with the same moment in UTC beneath as it is typed. */
function TimeField({
  label,
  value,
  onChange,
  error,
  required,
  description,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  required?: boolean;
  description?: string;
}) {
  const ms = parseLocalInput(value);
  const utc = ms === null ? null : formatUtc(new Date(ms).toISOString());
  return (
    <TextInput
      type="datetime-local"
      step={1}
      label={`${label} (your time, ${timeZone()})`}
      description={[description, utc && `= ${utc}`].filter(Boolean).join(' · ') || undefined}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
      required={required}
    />
  );
}

/** The form of one action on one address, in a dialog. */
function OverrideForm({ rrset, target, onDone }: { rrset: RrsetRef; target: OverrideTarget; onDone: () => void }) {
  const [draft, setDraft] = useState<OverrideDraft>(() => newOverrideDraft(target.action));
  const [local, setLocal] = useState<Partial<Record<OverrideField, string>>>({});
  const create = useCreateOverride(rrset.zone, rrset.name, rrset.type, {
    onSuccess: (o) => {
      notifications.show({ color: 'green', message: `${describeOverride(o)} of ${o.address} is set.` });
      onDone();
    },
  });
  const set = (patch: Partial<OverrideDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    if (create.error) create.reset();
  };
  const server = fieldErrors(create.error);
  const errorOf = (f: OverrideField) => local[f] ?? server[f];
  const refusal = isGuardRefusal(create.error) ? create.error : null;
  // An error of no field of the form (the address, the record set): shown above the buttons.
  const general =
    create.error &&
    !refusal &&
    !(['starts_at', 'ends_at', 'recurrence', 'recurrence_until', 'drain', 'note'] as const).some((f) => server[f])
      ? [create.error.message, server.address].filter(Boolean).join(': ')
      : null;
  const submit = (force: boolean) => {
    const r = overrideBody(target.address, draft);
    setLocal(r.errors ?? {});
    if (r.body) create.mutate(force ? { ...r.body, force: true } : r.body);
  };
  const maintenance = target.action === 'maintenance';
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {target.action === 'drain' && 'Left out of DNS answers from now, whatever its health; the probes keep checking it.'}
          {target.action === 'force_up' && 'Served from now even while its checks fail.'}
          {maintenance &&
            'During the window its failures and its return alert no one. Times are kept in UTC: a daily or weekly window repeats at the same UTC time.'}
        </Text>
        {maintenance ? (
          <>
            <TimeField
              label="Starts at"
              value={draft.starts}
              onChange={(starts) => set({ starts })}
              error={errorOf('starts_at')}
              required
            />
            <TimeField label="Ends at" value={draft.ends} onChange={(ends) => set({ ends })} error={errorOf('ends_at')} required />
            <Radio.Group
              label="Repeats"
              value={draft.recurrence}
              onChange={(v) => set({ recurrence: v as OverrideDraft['recurrence'] })}
              error={errorOf('recurrence')}
            >
              <Group gap="md" mt={4}>
                <Radio value="none" label="Once" />
                <Radio value="daily" label="Daily" />
                <Radio value="weekly" label="Weekly" />
              </Group>
            </Radio.Group>
            {draft.recurrence !== 'none' && (
              <TimeField
                label="Last occurrence starts by"
                description="optional; empty: repeats until undone"
                value={draft.recurrenceUntil}
                onChange={(recurrenceUntil) => set({ recurrenceUntil })}
                error={errorOf('recurrence_until')}
              />
            )}
            <Checkbox
              label="Also drain it: leave it out of DNS answers during the window"
              checked={draft.drain}
              onChange={(e) => set({ drain: e.currentTarget.checked })}
              error={errorOf('drain')}
            />
          </>
        ) : (
          <>
            <Radio.Group label="Until" value={draft.until} onChange={(v) => set({ until: v as OverrideDraft['until'] })}>
              <Stack gap={6} mt={4}>
                <Radio value="undone" label="Until I undo it" />
                <Radio value="time" label="Until a time" />
              </Stack>
            </Radio.Group>
            {draft.until === 'time' && (
              <TimeField label="Ends at" value={draft.ends} onChange={(ends) => set({ ends })} error={errorOf('ends_at')} required />
            )}
          </>
        )}
        <Textarea
          label="Note (optional)"
          autosize
          minRows={2}
          maxLength={OVERRIDE_LIMITS.noteLength}
          value={draft.note}
          onChange={(e) => set({ note: e.currentTarget.value })}
          error={errorOf('note')}
        />
        {general && (
          <Alert color="red" role="alert">
            {general}
          </Alert>
        )}
        {refusal && (
          <GuardRefusal error={refusal} pending={create.isPending} onForce={() => submit(true)} onCancel={() => create.reset()} />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending && !refusal}>
            {actionButton(target.action)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The dialog of the override form, open while `target` is set. */
export function OverrideDialog({ rrset, target, onClose }: { rrset: RrsetRef; target: OverrideTarget | null; onClose: () => void }) {
  return (
    <Modal opened={target !== null} onClose={onClose} size="lg" title={target ? `${actionButton(target.action)}: ${target.address}` : ''}>
      {target && <OverrideForm key={`${target.address}-${target.action}`} rrset={rrset} target={target} onDone={onClose} />}
    </Modal>
  );
}

/** Every override of the record set that has not ended, active or upcoming, each with Undo. */
export function OverridesList({
  rrset,
  overrides,
  serving,
  subject,
}: {
  rrset: RrsetRef;
  overrides: readonly RrsetOverride[];
  serving: readonly string[];
  subject: string;
}) {
  const [refused, setRefused] = useState<{ id: string; error: ApiError } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const remove = useDeleteOverride(rrset.zone, rrset.name, rrset.type, {
    onSuccess: () => {
      setRefused(null);
      setFailed(null);
    },
    onError: (e, v) => {
      if (isGuardRefusal(e)) setRefused({ id: v.id, error: e });
      else setFailed(errorMessage(e));
    },
  });
  const undo = (id: string, force: boolean) => {
    setRefused(null);
    setFailed(null);
    remove.mutate({ id, force });
  };
  const sorted = [...overrides].sort((a, b) => Number(b.active) - Number(a.active) || Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return (
    <Card withBorder component="section" aria-labelledby="overrides-title">
      <Title order={2} size="h4" id="overrides-title" mb={4}>
        Overrides
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Drains, forced-ups and maintenance windows, active and upcoming. DNS applies them by the clock, to the second. Times in UTC, and in
        your time.
      </Text>
      <Text size="sm" mb="xs" aria-live="polite" data-testid="serving">
        DNS answers now with:{' '}
        {serving.length ? <span className="mono">{serving.join(', ')}</span> : <strong>nothing (every {subject} is drained)</strong>}
      </Text>
      {refused && (
        <GuardRefusal
          error={refused.error}
          pending={remove.isPending}
          onForce={() => undo(refused.id, true)}
          onCancel={() => setRefused(null)}
        />
      )}
      {failed && (
        <Alert color="red" role="alert" mb="xs">
          {failed}
        </Alert>
      )}
      {sorted.length === 0 ? (
        <Text size="sm" c="dimmed">
          No overrides: health alone decides what is served.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing={6} fz="sm" aria-labelledby="overrides-title" data-testid="overrides">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{capitalized(subject)}</Table.Th>
                <Table.Th scope="col">What</Table.Th>
                <Table.Th scope="col">From</Table.Th>
                <Table.Th scope="col">Until</Table.Th>
                <Table.Th scope="col">Now</Table.Th>
                <Table.Th scope="col">Note</Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden-text">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((o) => (
                <Table.Tr key={o.id} data-testid={`override-${o.id}`}>
                  <Table.Td className="mono">{o.address}</Table.Td>
                  <Table.Td>{describeOverride(o)}</Table.Td>
                  <Table.Td>
                    <When iso={o.starts_at} />
                  </Table.Td>
                  <Table.Td>{o.ends_at ? <When iso={o.ends_at} /> : 'until undone'}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant={o.active ? 'filled' : 'light'} color={o.active ? 'orange' : 'gray'}>
                      {o.active ? 'active' : 'upcoming'}
                    </Badge>
                    {o.next_change && (
                      <Text size="xs">
                        {o.active ? 'ends' : 'starts'} <When iso={o.next_change} />
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{o.note ?? '—'}</Text>
                    <Text size="xs" c="dimmed">
                      by {o.created_by}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => undo(o.id, false)}
                      loading={remove.isPending && remove.variables?.id === o.id}
                      aria-label={`Undo ${ACTION_LABEL[o.action].toLowerCase()} of ${o.address}`}
                    >
                      Undo
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
