import { BarChart } from '@mantine/charts';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { type ReactNode, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PAGE_SIZE } from '../api/client';
import { useHealth, useHealthEvents, useRecentHealthEvents } from '../api/health';
import type { AddressHealth, HealthEvent, HealthQuorum, HealthSite } from '../api/types';
import { AddressOverrides, OverrideDialog, OverridesList, type OverrideTarget } from '../components/Overrides';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryError } from '../components/QueryError';
import { SiteStateBadge } from '../components/SiteStateBadge';
import { capitalized, formatAgo, formatDate, formatPercent } from '../lib/format';
import { failoverSubject } from '../lib/rrset';
import { usePageTitle } from '../lib/usePageTitle';

const STATE_COLOR = { available: 'green', unavailable: 'red', unknown: 'gray' } as const;
const DAY = 24 * 3600_000;

export function StateBadge({ state, size = 'lg' }: { state: keyof typeof STATE_COLOR; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATE_COLOR[state]} variant={state === 'unknown' ? 'light' : 'filled'} size={size} data-testid="state">
      {state}
    </Badge>
  );
}

/** One checked address, or (of a CNAME) target name: `subject` says which; `children` below its results. */
function AddressCard({ a, subject, minLocations, children }: { a: AddressHealth; subject: string; minLocations: number | null; children?: ReactNode }) {
  const titleId = `address-${a.address}`;
  return (
    <Card withBorder component="section" aria-labelledby={titleId} data-testid={`address-${a.address}`}>
      <Group justify="space-between" align="flex-start" mb="xs" gap="xs">
        <Stack gap={2}>
          <Title order={3} size="h4" id={titleId} className="mono">
            {a.address}
          </Title>
          <Text size="sm" c="dimmed" data-testid="since">
            {a.since ? (
              <>
                since {formatDate(a.since)} ({formatAgo(a.since)})
              </>
            ) : (
              'no state yet'
            )}
          </Text>
          {!a.enabled && (
            <Badge color="gray" variant="outline" size="sm">
              record disabled
            </Badge>
          )}
        </Stack>
        <StateBadge state={a.state} />
      </Group>
      <Group gap="lg" mb="xs">
        <Text size="sm">
          Uptime 24 h: <strong>{formatPercent(a.uptime['24h'])}</strong>
        </Text>
        <Text size="sm">
          7 d: <strong>{formatPercent(a.uptime['7d'])}</strong>
        </Text>
        {minLocations !== null && (
          <Text size="sm" c={a.min_locations_met ? undefined : 'orange'} data-testid="fresh-locations">
            Fresh sites: <strong>{a.fresh_locations}</strong> of at least {minLocations}
            {/* Below the minimum the aggregators give no verdict: the state stays. */}
            {!a.min_locations_met && ' (too few for a verdict: the state stays)'}
          </Text>
        )}
      </Group>
      {Object.keys(a.reasons).length > 0 && (
        <Text size="sm" c="red" mb="xs">
          {Object.entries(a.reasons)
            .map(([loc, why]) => `${loc}: ${why}`)
            .join('; ')}
        </Text>
      )}
      {a.locations.length === 0 ? (
        <Text size="sm" c="dimmed">
          No probe has reported on this {subject} yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={300}>
          <Table verticalSpacing={4} fz="sm" aria-label={`Last result per location for ${a.address}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Location</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
                <Table.Th scope="col">Latency</Table.Th>
                <Table.Th scope="col">Checked</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {a.locations.map((l) => (
                <Table.Tr key={l.location} data-testid={`location-${l.location}`}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <span className="mono">{l.location}</span>
                      {l.site_state !== 'reporting' && <SiteStateBadge state={l.site_state} size="xs" prefix="site " />}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {l.ok ? (
                      <Badge color="green" variant="light" size="sm">
                        ok
                      </Badge>
                    ) : (
                      <Stack gap={2} align="flex-start">
                        <Badge color="red" variant="light" size="sm">
                          failed
                        </Badge>
                        <Text size="xs" c="red">
                          {l.error}
                        </Text>
                      </Stack>
                    )}
                    {/* A caveat, passing or not: a certificate about to expire (cert_expiry_days). */}
                    {l.warning && (
                      <Text size="xs" c="orange" data-testid="location-warning">
                        {l.warning}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{l.latency_ms === null ? '—' : `${Math.round(l.latency_ms)} ms`}</Table.Td>
                  <Table.Td>
                    <Tooltip label={formatDate(l.at)}>
                      <Text size="sm" span c={l.fresh ? undefined : 'orange'}>
                        {formatAgo(l.at)}
                        {/* Too old for the quorum, or from a site the check does not name: the aggregator decides without it. */}
                        {!l.fresh ? ' (not counted)' : !l.counted && ' (not one of the check\'s sites)'}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {children}
    </Card>
  );
}

/** Each probe site and whether it reports now: a stale site's results stop counting as they age. */
function Sites({ sites }: { sites: HealthSite[] }) {
  return (
    <Card withBorder component="section" aria-labelledby="sites-title">
      <Title order={2} size="h4" id="sites-title" mb={4}>
        Sites
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Where the probes check from. A stale site has stopped reporting: it gets no checks, and its last results are not counted once they
        are older than two check periods and a slack.
      </Text>
      {sites.length === 0 ? (
        <Text size="sm" c="dimmed">
          No probe site is reporting or stale.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={300}>
          <Table verticalSpacing={4} fz="sm" aria-labelledby="sites-title" data-testid="sites">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Site</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Last heartbeat</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sites.map((s) => (
                <Table.Tr key={s.name} data-testid={`site-${s.name}`}>
                  <Table.Td className="mono">{s.name}</Table.Td>
                  <Table.Td>
                    <SiteStateBadge state={s.state} />
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={formatDate(s.last_heartbeat)}>
                      <Text size="sm" span>
                        {formatAgo(s.last_heartbeat)}
                      </Text>
                    </Tooltip>
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

const share = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** How the aggregators decide for this check: its thresholds, the sites that count and the minimums. */
function QuorumCard({ q, subject }: { q: HealthQuorum; subject: { one: string; many: string } }) {
  return (
    <Card withBorder component="section" aria-labelledby="quorum-title" data-testid="quorum">
      <Title order={2} size="h4" id="quorum-title" mb={4}>
        How it decides
      </Title>
      <Table verticalSpacing={4} fz="sm" aria-labelledby="quorum-title">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">Available when</Table.Th>
            <Table.Td data-testid="quorum-available">
              at least {share(q.available)} of the fresh sites succeed{!q.own && ' (the default)'}
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Unavailable when</Table.Th>
            <Table.Td data-testid="quorum-unavailable">
              at least {share(q.unavailable)} of them fail{!q.own && ' (the default)'}; in between the state stays
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Sites</Table.Th>
            <Table.Td data-testid="quorum-sites">
              {q.locations === null ? 'every site' : q.locations.join(', ')}
              {q.checking.length > 0 ? ` · checking now: ${q.checking.join(', ')}` : ' · none is checking now'}
              {q.not_checking.length > 0 && (
                <Text span c="orange" size="sm">
                  {' '}
                  · not reporting: {q.not_checking.join(', ')}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Verdict needs</Table.Th>
            <Table.Td data-testid="quorum-min-locations">
              {q.min_locations} fresh {q.min_locations === 1 ? 'site' : 'sites'}
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Minimum healthy</Table.Th>
            <Table.Td data-testid="quorum-min-healthy">
              {q.min_healthy} {q.min_healthy === 1 ? subject.one : subject.many} up; with fewer, DNS serves the backups that are up, else
              every {subject.one}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** State over a time window, one bar per address, built from the transitions in it. */
function Timeline({ addresses, events, from, now }: { addresses: AddressHealth[]; events: HealthEvent[]; from: number; now: number }) {
  const span = Math.max(1, now - from);
  const width = 1000;
  const rowH = 22;
  const x = (t: number) => ((t - from) / span) * width;
  const rows = addresses.map((a) => {
    const evs = events.filter((e) => e.address === a.address).sort((p, q) => Date.parse(p.at) - Date.parse(q.at));
    const segs: { start: number; end: number; state: 'available' | 'unavailable' | 'unknown' }[] = [];
    let t = from;
    let state: 'available' | 'unavailable' | 'unknown' = 'unknown';
    for (const e of evs) {
      const at = Math.max(from, Date.parse(e.at));
      if (at > t) segs.push({ start: t, end: at, state });
      t = at;
      state = e.state;
    }
    if (now > t) segs.push({ start: t, end: now, state: evs.length ? state : a.state });
    return { address: a.address, segs, changes: evs.length };
  });
  const fill = {
    available: 'var(--mantine-color-green-6)',
    unavailable: 'var(--mantine-color-red-6)',
    unknown: 'var(--mantine-color-gray-3)',
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * span);
  const tickText = (t: number) =>
    span > 2 * DAY
      ? new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : new Date(t).toLocaleTimeString(undefined, {
          hour: '2-digit',
          minute: '2-digit',
          ...(span < 30 * 60_000 ? { second: '2-digit' } : {}),
        });
  return (
    <Stack gap={6} data-testid="timeline">
      {rows.map((r) => (
        <div key={r.address}>
          <Text size="xs" className="mono">
            {r.address}{' '}
            <Text span c="dimmed" size="xs">
              ({r.changes} {r.changes === 1 ? 'change' : 'changes'})
            </Text>
          </Text>
          <svg
            viewBox={`0 0 ${width} ${rowH}`}
            preserveAspectRatio="none"
            width="100%"
            height={rowH}
            role="img"
            aria-label={`${r.address}: ${r.segs.map((s) => `${s.state === 'unknown' ? 'no data' : s.state} from ${formatDate(new Date(s.start).toISOString())}`).join(', ')}`}
          >
            {r.segs.map((s, i) => (
              <rect key={i} x={x(s.start)} y={0} width={Math.max(1.5, x(s.end) - x(s.start))} height={rowH} fill={fill[s.state]} />
            ))}
          </svg>
        </div>
      ))}
      <Group justify="space-between" aria-hidden>
        {ticks.map((t) => (
          <Text key={t} size="xs" c="dimmed">
            {tickText(t)}
          </Text>
        ))}
      </Group>
      <Group gap="md" aria-hidden>
        {(['available', 'unavailable', 'unknown'] as const).map((s) => (
          <Group gap={4} key={s}>
            <span style={{ width: 12, height: 12, background: fill[s], display: 'inline-block', borderRadius: 2 }} />
            <Text size="xs">{s === 'unknown' ? 'no data' : s}</Text>
          </Group>
        ))}
      </Group>
    </Stack>
  );
}

const WINDOWS = { '1h': 3600_000, '24h': DAY, '7d': 7 * DAY } as const;
type WindowKey = keyof typeof WINDOWS;

export function HealthPage() {
  const { zone = '', name = '', type = '' } = useParams();
  usePageTitle(`Health of ${name} ${type}`);
  const health = useHealth(zone, name, type);
  const [page, setPage] = useState(1);
  const events = useHealthEvents(zone, name, type, page);
  const [windowKey, setWindowKey] = useState<WindowKey>('24h');
  const [overrideFor, setOverrideFor] = useState<OverrideTarget | null>(null);
  // Transitions in the chosen window, for the timeline.
  const recent = useRecentHealthEvents(zone, name, type, WINDOWS[windowKey]);
  const now = recent.dataUpdatedAt || Date.now();
  // When every transition ever recorded falls in the window (a new record set), the timeline
  // starts a little before the first one instead of showing a window of nothing.
  const timelineFrom = useMemo(() => {
    const start = now - WINDOWS[windowKey];
    const evs = recent.data?.events ?? [];
    if (!events.data || evs.length === 0 || recent.data!.total_amount < events.data.total_amount) return start;
    const first = Math.min(...evs.map((e) => Date.parse(e.at)));
    return Math.max(start, first - Math.max(10_000, (now - first) * 0.05));
  }, [now, windowKey, recent.data, events.data]);
  const uptimeData = useMemo(
    () =>
      (health.data?.addresses ?? []).map((a) => ({
        address: a.address,
        '24 h': a.uptime['24h'] === null ? 0 : Math.round(a.uptime['24h'] * 10000) / 100,
        '7 d': a.uptime['7d'] === null ? 0 : Math.round(a.uptime['7d'] * 10000) / 100,
      })),
    [health.data],
  );

  // A CNAME's checks are of its targets (names), other types' of their addresses.
  const subject = failoverSubject(type);

  const crumbs = [
    { label: 'Zones', to: '/zones' },
    { label: zone, to: `/zones/${zone}` },
    { label: `${name} ${type}`, to: `/zones/${zone}/${name}/${type}` },
  ];
  if (health.isError && !health.data) return <QueryError error={health.error} what="record set" />;

  return (
    <>
      <PageHeader
        title={
          <>
            Health of <span className="mono">{name}</span> {type}
          </>
        }
        crumbs={crumbs}
        actions={
          <Button
            component={Link}
            to={`/zones/${zone}/${name}/${type}`}
            variant="default"
            leftSection={<IconPencil size={16} aria-hidden />}
          >
            Edit record set
          </Button>
        }
      >
        {health.data && (
          <Text size="sm" c="dimmed" aria-live="polite">
            {health.data.locations.length > 0
              ? `Probing from ${[...health.data.locations].sort().join(', ')}`
              : 'No probe location is reporting'}{' '}
            · refreshed every 2 s{health.isError && ' · the last refresh failed, retrying'}
          </Text>
        )}
      </PageHeader>
      {health.isPending ? (
        <Loader aria-label="Loading health" />
      ) : (
        <Stack gap="lg">
          {!health.data.failover && (
            <Alert color="yellow">
              Health checks do not apply to this record set now: failover is off for it, or not enabled for the account.{' '}
              <Anchor component={Link} to={`/zones/${zone}/${name}/${type}`}>
                Open the Failover section
              </Anchor>
              .
            </Alert>
          )}
          <section aria-labelledby="addresses-title">
            <Title order={2} size="h3" id="addresses-title" mb="sm">
              {capitalized(subject.many)}
            </Title>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              {health.data.addresses.map((a) => (
                <AddressCard key={a.address} a={a} subject={subject.one} minLocations={health.data.quorum?.min_locations ?? null}>
                  <AddressOverrides
                    address={a.address}
                    overrides={health.data.overrides}
                    canChange={health.data.failover}
                    onAction={setOverrideFor}
                  />
                </AddressCard>
              ))}
            </SimpleGrid>
          </section>

          <OverridesList
            rrset={{ zone, name, type }}
            overrides={health.data.overrides}
            serving={health.data.serving}
            subject={subject.one}
          />
          <OverrideDialog rrset={{ zone, name, type }} target={overrideFor} onClose={() => setOverrideFor(null)} />

          {health.data.quorum && <QuorumCard q={health.data.quorum} subject={subject} />}
          <Sites sites={health.data.sites} />

          <Card withBorder component="section" aria-labelledby="timeline-title">
            <Group justify="space-between" mb="sm" gap="xs">
              <Title order={2} size="h4" id="timeline-title">
                State over time
              </Title>
              <SegmentedControl
                size="xs"
                value={windowKey}
                onChange={(v) => setWindowKey(v as WindowKey)}
                data={[
                  { value: '1h', label: '1 hour' },
                  { value: '24h', label: '24 hours' },
                  { value: '7d', label: '7 days' },
                ]}
                aria-label="Time window"
              />
            </Group>
            {recent.data ? (
              <Timeline addresses={health.data.addresses} events={recent.data.events} from={timelineFrom} now={now} />
            ) : (
              <Loader size="sm" aria-label="Loading history" />
            )}
          </Card>

          <Card withBorder component="section" aria-labelledby="uptime-title">
            <Title order={2} size="h4" id="uptime-title" mb="sm">
              Uptime
            </Title>
            <BarChart
              h={Math.max(140, 56 * uptimeData.length + 40)}
              data={uptimeData}
              dataKey="address"
              orientation="vertical"
              yAxisProps={{ width: 120 }}
              xAxisProps={{ domain: [0, 100] }}
              valueFormatter={(v) => `${v} %`}
              series={[
                { name: '24 h', color: 'teal.6' },
                { name: '7 d', color: 'blue.6' },
              ]}
              withLegend
              aria-label={`Uptime per ${subject.one} over 24 hours and 7 days`}
            />
          </Card>

          <section aria-labelledby="history-title">
            <Title order={2} size="h3" id="history-title" mb="sm">
              History
            </Title>
            {events.isError ? (
              <QueryError error={events.error} what="history" />
            ) : !events.data ? (
              <Loader size="sm" aria-label="Loading history" />
            ) : events.data.events.length === 0 ? (
              <Text size="sm" c="dimmed">
                No transitions yet.
              </Text>
            ) : (
              <>
                <Table.ScrollContainer minWidth={520}>
                  <Table striped aria-label="Health transitions, newest first" data-testid="health-events">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">When</Table.Th>
                        <Table.Th scope="col">{capitalized(subject.one)}</Table.Th>
                        <Table.Th scope="col">Became</Table.Th>
                        <Table.Th scope="col">Why</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {events.data.events.map((e, i) => (
                        <Table.Tr key={`${e.at}-${e.address}-${i}`}>
                          <Table.Td>{formatDate(e.at)}</Table.Td>
                          <Table.Td className="mono">{e.address}</Table.Td>
                          <Table.Td>
                            <StateBadge state={e.state} size="sm" />
                          </Table.Td>
                          <Table.Td>
                            <Text size="xs">
                              {Object.entries(e.reasons)
                                .map(([loc, why]) => `${loc}: ${why}`)
                                .join('; ') || '—'}
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Pager
                  page={page}
                  total={events.data.total_amount}
                  pageSize={PAGE_SIZE}
                  onChange={setPage}
                  noun={['transition', 'transitions']}
                />
              </>
            )}
          </section>
        </Stack>
      )}
    </>
  );
}
