import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Fieldset,
  Group,
  List,
  Loader,
  MultiSelect,
  NativeSelect,
  Radio,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconActivityHeartbeat, IconAlertTriangle, IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useAccount } from '../api/account';
import { useDeleteRrset, useRrset, useSaveRrset, useZone } from '../api/zones';
import { FailoverBeta } from '../components/FailoverBeta';
import { PageHeader } from '../components/PageHeader';
import { QueryError } from '../components/QueryError';
import { errorMessage, fieldErrors } from '../lib/errors';
import { CONTINENT_OPTIONS, COUNTRY_OPTIONS } from '../lib/geo';
import {
  buildBody,
  CHECK_PROTOCOLS,
  CONTENT_FIELDS,
  draftFromRrset,
  emptyRecord,
  FAILOVER_LIMITS,
  failoverApplies,
  fullName,
  HTTP_METHODS,
  newDraft,
  pickerIndex,
  RECORD_TYPES,
  TTL_LIMITS,
  TYPE_HINTS,
  validateDraft,
  type Balancing,
  type FailoverDraft,
  type Method,
  type Protocol,
  type RecordDraft,
  type RecordType,
  type RrsetDraft,
} from '../lib/rrset';
import { usePageTitle } from '../lib/usePageTitle';

type Errors = Record<string, string>;

/** A readable name for an error's field path, for the summary at the top of the form. */
function fieldLabel(path: string, d: RrsetDraft): string {
  const rec = /^resource_records\[(\d+)\](?:\.(content|meta|enabled)(?:\[(\d+)\]|\.(\w+))?)?$/.exec(path);
  if (rec) {
    const n = Number(rec[1]) + 1;
    if (rec[2] === 'content' && rec[3] !== undefined) {
      const f = d.type === 'TXT' ? 'Text' : CONTENT_FIELDS[d.type][Number(rec[3])]?.label;
      return `Record ${n}, ${f ?? 'value'}`;
    }
    if (rec[2] === 'meta' && rec[4]) return `Record ${n}, ${rec[4]}`;
    return `Record ${n}`;
  }
  if (path === 'resource_records') return 'Records';
  if (path.startsWith('meta.failover.'))
    return `Failover ${path.slice('meta.failover.'.length).replace('http_status_code', 'expected status')}`;
  if (path === 'meta.failover') return 'Failover';
  if (path.startsWith('pickers')) return 'Balancing';
  if (path === 'ttl') return 'TTL';
  if (path === 'name') return 'Name';
  if (path === 'type') return 'Type';
  return path;
}

/** A numeric text input: free text, so that out-of-range values reach validation and get its message. */
function NumberField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  description?: ReactNode;
  placeholder?: string;
  w?: number | string;
  required?: boolean;
  disabled?: boolean;
}) {
  return (
    <TextInput
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
      description={props.description}
      placeholder={props.placeholder}
      inputMode="numeric"
      w={props.w}
      required={props.required}
      disabled={props.disabled}
      autoComplete="off"
    />
  );
}

function RecordEditor({
  d,
  rec,
  index,
  errors,
  onChange,
  onRemove,
  canRemove,
}: {
  d: RrsetDraft;
  rec: RecordDraft;
  index: number;
  errors: Errors;
  onChange: (r: RecordDraft) => void;
  onRemove: () => void;
  canRemove: boolean;
}) {
  const p = `resource_records[${index}]`;
  const set = (patch: Partial<RecordDraft>) => onChange({ ...rec, ...patch });
  const setField = (i: number, v: string) => set({ fields: rec.fields.map((f, j) => (j === i ? v : f)) });
  const recordError = errors[`${p}.content`] ?? errors[p];
  const legend = `Record ${index + 1}`;
  return (
    <Fieldset legend={legend} variant="filled" aria-label={legend} data-testid={`record-${index}`}>
      <Stack gap="sm">
        {d.type === 'TXT' ? (
          <Stack gap="xs">
            {rec.fields.map((v, i) => (
              <Group key={i} align="flex-end" gap="xs" wrap="nowrap">
                <Textarea
                  label={rec.fields.length > 1 ? `Text ${i + 1}` : 'Text'}
                  value={v}
                  onChange={(e) => setField(i, e.currentTarget.value)}
                  error={errors[`${p}.content[${i}]`]}
                  autosize
                  minRows={1}
                  style={{ flex: 1 }}
                  classNames={{ input: 'mono' }}
                />
                {rec.fields.length > 1 && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove text ${i + 1} of record ${index + 1}`}
                    onClick={() => set({ fields: rec.fields.filter((_, j) => j !== i) })}
                    mb={4}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                )}
              </Group>
            ))}
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconPlus size={14} aria-hidden />}
              onClick={() => set({ fields: [...rec.fields, ''] })}
              style={{ alignSelf: 'flex-start' }}
            >
              Add a string
            </Button>
          </Stack>
        ) : (
          <Group align="flex-start" gap="sm" wrap="wrap">
            {CONTENT_FIELDS[d.type].map((f, i) => (
              <TextInput
                key={i}
                label={f.label}
                placeholder={f.placeholder}
                value={rec.fields[i] ?? ''}
                onChange={(e) => setField(i, e.currentTarget.value)}
                error={errors[`${p}.content[${i}]`]}
                inputMode={f.numeric ? 'numeric' : undefined}
                w={f.width}
                style={f.width ? undefined : { flex: '1 1 200px' }}
                autoComplete="off"
                spellCheck={false}
                required
              />
            ))}
          </Group>
        )}
        {recordError && (
          <Text size="sm" c="red" role="alert">
            {recordError}
          </Text>
        )}
        {d.balancing === 'geo' && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <MultiSelect
              label="Countries"
              description="Clients in these countries get this record"
              data={COUNTRY_OPTIONS}
              value={rec.countries}
              onChange={(v) => set({ countries: v })}
              searchable
              clearable
              error={errors[`${p}.meta.countries`] ?? Object.entries(errors).find(([k]) => k.startsWith(`${p}.meta.countries[`))?.[1]}
              comboboxProps={{ withinPortal: true }}
            />
            <MultiSelect
              label="Continents"
              description="Used when no country matches"
              data={CONTINENT_OPTIONS}
              value={rec.continents}
              onChange={(v) => set({ continents: v })}
              searchable
              clearable
              error={errors[`${p}.meta.continents`] ?? Object.entries(errors).find(([k]) => k.startsWith(`${p}.meta.continents[`))?.[1]}
              comboboxProps={{ withinPortal: true }}
            />
            <Checkbox
              label="Default record: serves clients that match no record"
              checked={rec.isDefault}
              onChange={(e) => set({ isDefault: e.currentTarget.checked })}
              error={errors[`${p}.meta.default`]}
            />
          </SimpleGrid>
        )}
        {d.balancing === 'weighted' && (
          <NumberField
            label="Weight"
            description="0–65535; higher is picked more often"
            value={rec.weight}
            onChange={(v) => set({ weight: v })}
            error={errors[`${p}.meta.weight`]}
            w={220}
          />
        )}
        <Group justify="space-between">
          <Switch label="Enabled" checked={rec.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
          {canRemove && (
            <Button
              variant="subtle"
              color="red"
              size="xs"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={onRemove}
              aria-label={`Remove record ${index + 1}`}
            >
              Remove
            </Button>
          )}
        </Group>
      </Stack>
    </Fieldset>
  );
}

function FailoverFields({ f, errors, onChange }: { f: FailoverDraft; errors: Errors; onChange: (f: FailoverDraft) => void }) {
  const set = (patch: Partial<FailoverDraft>) => onChange({ ...f, ...patch });
  const e = (k: string) => errors[`meta.failover.${k}`];
  const isHttp = f.protocol === 'HTTP' || f.protocol === 'HTTPS';
  const defaultPort = f.protocol === 'HTTPS' ? '443' : f.protocol === 'HTTP' ? '80' : '';
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        <NativeSelect
          label="Protocol"
          description="How each address is checked"
          data={[...CHECK_PROTOCOLS]}
          value={f.protocol}
          onChange={(ev) => set({ protocol: ev.currentTarget.value as Protocol })}
          error={e('protocol')}
        />
        {f.protocol !== 'ICMP' && (
          <NumberField
            label="Port"
            value={f.port}
            onChange={(v) => set({ port: v })}
            error={e('port')}
            placeholder={defaultPort}
            description={f.protocol === 'TCP' ? 'Required, 1–65535' : `1–65535, default ${defaultPort}`}
            required={f.protocol === 'TCP'}
          />
        )}
        <NumberField
          label="Frequency (seconds)"
          value={f.frequency}
          onChange={(v) => set({ frequency: v })}
          error={e('frequency')}
          description={`${FAILOVER_LIMITS.frequency.min}–${FAILOVER_LIMITS.frequency.max} s between checks`}
          required
        />
        <NumberField
          label="Timeout (seconds)"
          value={f.timeout}
          onChange={(v) => set({ timeout: v })}
          error={e('timeout')}
          description={`${FAILOVER_LIMITS.timeout.min}–${FAILOVER_LIMITS.timeout.max} s, less than the frequency`}
          required
        />
      </SimpleGrid>
      {isHttp && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
            <NativeSelect
              label="Method"
              description="HTTP request method"
              data={[...HTTP_METHODS]}
              value={f.method}
              onChange={(ev) => set({ method: ev.currentTarget.value as Method })}
              error={e('method')}
            />
            <TextInput
              label="URL path"
              value={f.url}
              onChange={(ev) => set({ url: ev.currentTarget.value })}
              error={e('url')}
              placeholder="/health"
              description="Starts with /"
              autoComplete="off"
              spellCheck={false}
            />
            <TextInput
              label="Host header"
              value={f.host}
              onChange={(ev) => set({ host: ev.currentTarget.value })}
              error={e('host')}
              placeholder="shop.example.com"
              description="Optional; the address otherwise"
              autoComplete="off"
              spellCheck={false}
            />
            <NumberField
              label="Expected status"
              value={f.http_status_code}
              onChange={(v) => set({ http_status_code: v })}
              error={e('http_status_code')}
              description="100–599"
              placeholder="200"
            />
          </SimpleGrid>
          <TextInput
            label="Body must match (regular expression)"
            value={f.regexp}
            onChange={(ev) => set({ regexp: ev.currentTarget.value })}
            error={e('regexp')}
            description={`Optional, at most ${FAILOVER_LIMITS.regexpLength} characters`}
            placeholder="ok|healthy"
            classNames={{ input: 'mono' }}
            autoComplete="off"
            spellCheck={false}
          />
        </>
      )}
      {f.protocol === 'TCP' && (
        <Checkbox
          label="TLS handshake after connecting"
          checked={f.tls}
          onChange={(ev) => set({ tls: ev.currentTarget.checked })}
          error={e('tls')}
        />
      )}
      {(f.protocol === 'HTTPS' || (f.protocol === 'TCP' && f.tls)) && (
        <Checkbox
          label="Verify the certificate"
          checked={f.verify}
          onChange={(ev) => set({ verify: ev.currentTarget.checked })}
          error={e('verify')}
        />
      )}
    </Stack>
  );
}

function Editor({ zone, initial, create }: { zone: string; initial: RrsetDraft; create: boolean }) {
  const [d, setD] = useState<RrsetDraft>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const account = useAccount();
  const save = useSaveRrset(zone);
  const remove = useDeleteRrset(zone);
  const navigate = useNavigate();
  const featureOn = account.data?.features.failover ?? false;
  const hadFailover = !create && initial.failover.enabled;
  const name = fullName(d.name, zone);
  const set = (patch: Partial<RrsetDraft>) => setD((prev) => ({ ...prev, ...patch }));

  useEffect(() => {
    if (summary) summaryRef.current?.focus();
  }, [summary, errors]);

  const changeType = (type: RecordType) =>
    setD((prev) => ({ ...prev, type, records: prev.records.map((r) => ({ ...emptyRecord(type), key: r.key, enabled: r.enabled })) }));

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    const found = validateDraft(d, zone, featureOn);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setSummary('Fix the fields below and save again.');
      return;
    }
    setErrors({});
    setSummary(null);
    save.mutate(
      { name, type: d.type, body: buildBody(d, featureOn), create },
      {
        onSuccess: async (r) => {
          notifications.show({ color: 'green', message: `${r.name} ${r.type} is saved.` });
          if (create) await navigate(`/zones/${zone}/${r.name}/${r.type}`, { replace: true });
        },
        onError: (e) => {
          setErrors(fieldErrors(e));
          setSummary(e instanceof ApiError ? e.message : errorMessage(e));
        },
      },
    );
  };

  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${name} ${d.type}?`,
      children: <Text size="sm">Its records stop being served at once. This cannot be undone.</Text>,
      labels: { confirm: 'Delete record set', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(
          { name, type: d.type },
          {
            onSuccess: async () => {
              notifications.show({ message: `${name} ${d.type} is deleted.` });
              await navigate(`/zones/${zone}`);
            },
            onError: (e) => notifications.show({ color: 'red', title: 'The record set was not deleted', message: errorMessage(e) }),
          },
        ),
    });

  const limitIndex = pickerIndex(d, 'first_n');
  const limitError = limitIndex >= 0 ? (errors[`pickers[${limitIndex}].limit`] ?? errors[`pickers[${limitIndex}]`]) : undefined;
  const pickerError = Object.entries(errors).find(([k]) => k.startsWith('pickers') && !k.endsWith('.limit'))?.[1];
  const errorList = Object.entries(errors);
  const showFailover = failoverApplies(d.type);
  const healthUrl = `/zones/${zone}/${initial.name === '@' ? zone : fullName(initial.name, zone)}/${initial.type}/health`;

  return (
    <form onSubmit={submit} noValidate aria-label={create ? 'New record set' : `Record set ${name} ${d.type}`}>
      <Stack gap="lg">
        {summary && (
          <Alert
            ref={summaryRef}
            tabIndex={-1}
            color="red"
            icon={<IconAlertTriangle aria-hidden />}
            title="The record set was not saved"
            role="alert"
            data-testid="error-summary"
          >
            <Text size="sm">{summary}</Text>
            {errorList.length > 0 && (
              <List size="sm" mt={4}>
                {errorList.map(([k, v]) => (
                  <List.Item key={k}>
                    {fieldLabel(k, d)}: {v}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}

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
                  onChange={(e) => changeType(e.currentTarget.value as RecordType)}
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

        <Card withBorder component="section" aria-labelledby="records-title">
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4" id="records-title">
              Records
            </Title>
            <Text size="sm" c="dimmed">
              {d.records.length} of at most 100
            </Text>
          </Group>
          <Stack gap="sm">
            {errors.resource_records && (
              <Text c="red" size="sm" role="alert">
                {errors.resource_records}
              </Text>
            )}
            {d.records.map((rec, i) => (
              <RecordEditor
                key={rec.key}
                d={d}
                rec={rec}
                index={i}
                errors={errors}
                canRemove={d.records.length > 1}
                onChange={(r) => setD((prev) => ({ ...prev, records: prev.records.map((x) => (x.key === r.key ? r : x)) }))}
                onRemove={() => setD((prev) => ({ ...prev, records: prev.records.filter((x) => x.key !== rec.key) }))}
              />
            ))}
            <Button
              variant="light"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setD((prev) => ({ ...prev, records: [...prev.records, emptyRecord(prev.type)] }))}
              disabled={d.records.length >= 100 || (d.type === 'CNAME' && d.records.length >= 1)}
              style={{ alignSelf: 'flex-start' }}
            >
              Add record
            </Button>
          </Stack>
        </Card>

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

        {showFailover && (
          <Card withBorder component="section" aria-labelledby="failover-title" data-testid="failover-section">
            <Group justify="space-between" mb="sm">
              <Group gap="xs">
                <Title order={2} size="h4" id="failover-title">
                  Failover
                </Title>
                <Badge color="violet" variant="light">
                  beta
                </Badge>
              </Group>
              {hadFailover && featureOn && (
                <Button
                  component={Link}
                  to={healthUrl}
                  variant="light"
                  color="teal"
                  size="xs"
                  leftSection={<IconActivityHeartbeat size={14} aria-hidden />}
                >
                  Live health
                </Button>
              )}
            </Group>
            {errors['meta.failover'] && (
              <Text c="red" size="sm" role="alert" mb="xs">
                {errors['meta.failover']}
              </Text>
            )}
            {account.isPending ? (
              <Loader size="sm" aria-label="Loading account features" />
            ) : featureOn ? (
              <Stack gap="sm">
                <Switch
                  label="Check the health of each address and leave out the ones that are down"
                  checked={d.failover.enabled}
                  onChange={(e) => {
                    const enabled = e.currentTarget.checked;
                    setD((prev) => ({ ...prev, failover: { ...prev.failover, enabled } }));
                  }}
                />
                {d.failover.enabled && <FailoverFields f={d.failover} errors={errors} onChange={(failover) => set({ failover })} />}
              </Stack>
            ) : (
              <Stack gap="sm">
                {hadFailover && (
                  <Alert color="orange" variant="light">
                    This record set has failover settings, but the feature is not enabled for this account, so they are not applied. Saving
                    this record set removes them.
                  </Alert>
                )}
                <FailoverBeta />
              </Stack>
            )}
          </Card>
        )}

        <Group justify="space-between">
          <Group gap="sm">
            <Button type="submit" loading={save.isPending} disabled={account.isPending}>
              {create ? 'Create record set' : 'Save changes'}
            </Button>
            <Button component={Link} to={`/zones/${zone}`} variant="default">
              Cancel
            </Button>
          </Group>
          {!create && !(name === zone && d.type === 'NS') && (
            <Button variant="subtle" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={confirmDelete}>
              Delete record set
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

export function RrsetEditorPage() {
  const { zone = '', name, type } = useParams();
  const create = name === undefined;
  const zoneQ = useZone(zone);
  const rrset = useRrset(zone, name ?? '', type ?? '', !create);
  const title = create ? 'New record set' : `${name} ${type}`;
  usePageTitle(title);
  const initial = useMemo(() => (create ? newDraft() : rrset.data ? draftFromRrset(rrset.data, zone) : null), [create, rrset.data, zone]);

  if (zoneQ.isError) return <QueryError error={zoneQ.error} what="zone" />;
  if (!create && rrset.isError) return <QueryError error={rrset.error} what="record set" />;
  const crumbs = [
    { label: 'Zones', to: '/zones' },
    { label: zone, to: `/zones/${zone}` },
  ];
  return (
    <>
      <PageHeader title={<span style={{ overflowWrap: 'anywhere' }}>{title}</span>} crumbs={crumbs}>
        {!create && (
          <Text size="sm" c="dimmed">
            Changes apply to the DNS servers within seconds of saving.{' '}
            <Anchor component={Link} to={`/zones/${zone}`} size="sm">
              Back to the zone
            </Anchor>
          </Text>
        )}
      </PageHeader>
      {zoneQ.isPending || !initial ? (
        <Loader aria-label="Loading record set" />
      ) : (
        // Keyed by the loaded record set, so a save that changes it restarts the form from the server's copy.
        <Editor
          key={create ? 'new' : `${rrset.data?.id}-${rrset.data?.updated_at}`}
          zone={zoneQ.data.name}
          initial={initial}
          create={create}
        />
      )}
    </>
  );
}
