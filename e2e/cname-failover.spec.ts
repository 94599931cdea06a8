import { startHttpServer, type TestServer } from '../workers/src/common/testing/servers';
import { kdig, query, udp } from '../workers/src/dns/testing/client';
import { type KnotServer, startKnot } from '../workers/src/probes/testing/knot';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const FREQUENCY = 10;
const TIMEOUT = 2;
/** The bounded wait for a change of health to reach the DNS answer (as the Gcore-way suite waits). */
const WAIT = 2 * (FREQUENCY + TIMEOUT + 2) * 1000;

/** The backends' names, as the customer's CNAME record sets point at them, and their addresses in knotd. */
const BACKENDS = { a: '127.0.0.2', b: '127.0.0.3', c: '127.0.0.4', d: '127.0.0.5' } as const;
type Backend = keyof typeof BACKENDS;
const target = (b: Backend | 'gone') => `${b}.backends.test`;
const BACKENDS_ZONE = `$ORIGIN backends.test.
$TTL 5
@  SOA ns.backends.test. hostmaster.backends.test. 1 3600 600 86400 5
@  NS  ns
ns A   127.0.0.1
${Object.entries(BACKENDS)
  .map(([name, ip]) => `${name}  A   ${ip}`)
  .join('\n')}
`;

/**
 * Failover on CNAME record sets with real processes: knotd serves the backends' names (the
 * probes' PROBE_RESOLVERS), each name resolves to a loopback address with an HTTP server on it,
 * and the DNS server answers the CNAME query with the first candidate target whose check passes.
 * A stopped backend moves the answer to the next target and back when it returns; a backup
 * target is answered only when the others are down; a name that does not resolve (NXDOMAIN)
 * counts as down; with every target down DNS fails open to the first.
 */
describe('failover on CNAME record sets: targets resolved through knotd, checked, chosen (real processes)', () => {
  const stack = new Stack();
  let knot: KnotServer;
  let api: ApiClient;
  let dns: number;
  let port: number;
  const servers = new Map<Backend, TestServer>();

  const serve = async (b: Backend) => {
    servers.set(b, await startHttpServer((_req, res) => res.end('ok'), BACKENDS[b], port));
  };
  const stop = async (b: Backend) => {
    await servers.get(b)!.close();
    servers.delete(b);
  };
  /** The CNAME target DNS answers an A query for `label`.cname.example with, over UDP. */
  const alias = async (label: string) => {
    const m = await udp(dns, query(`${label}.cname.example`, 'A'));
    const cnames = (m.answers ?? []).filter((a) => a.type === 'CNAME');
    return cnames.length === 1 ? (cnames[0] as { data: string }).data : `${m.rcode}: ${JSON.stringify(m.answers)}`;
  };
  /** The api's health read-out of `label`.cname.example: one entry per target name. */
  const health = async (label: string): Promise<{ address: string; state: string; reasons: Record<string, string> }[]> =>
    (await api.ok('GET', `/v2/zones/cname.example/${label}.cname.example/CNAME/health`)).addresses;
  const states = async (label: string) => Object.fromEntries((await health(label)).map((a) => [a.address, a.state]));
  const reasons = async (label: string, name: string) =>
    Object.values((await health(label)).find((a) => a.address === name)!.reasons).join(' ');
  const statesAre = (label: string, expected: Record<string, string>) => async () =>
    JSON.stringify(await states(label)) === JSON.stringify(expected);

  beforeAll(async () => {
    knot = await startKnot({ 'backends.test': BACKENDS_ZONE });
    await stack.startApi({ RECONCILE_INTERVAL_SECONDS: '2' });
    dns = await stack.startDns();
    await stack.startChecking(['cname-1', 'cname-2'], { PROBE_RESOLVERS: knot.resolver });

    port = await freePort();
    for (const b of Object.keys(BACKENDS) as Backend[]) await serve(b);

    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: 'cname.example' });
    const failover = { protocol: 'HTTP', port, frequency: FREQUENCY, timeout: TIMEOUT, url: '/health', regexp: '^ok$' };
    const cname = (label: string, records: { content: string[]; meta?: { backup: boolean } }[]) =>
      api.ok('PUT', `/v2/zones/cname.example/${label}.cname.example/CNAME`, { ttl: 5, resource_records: records, meta: { failover } });
    // Candidates in priority order, written with the trailing dot as zone files and Gcore's clients do.
    await cname('www', [{ content: [`${target('a')}.`] }, { content: [`${target('b')}.`] }]);
    // The backup comes first, yet is answered only once the other target is down.
    await cname('spare', [{ content: [`${target('d')}.`], meta: { backup: true } }, { content: [`${target('c')}.`] }]);
    // The first target is not in knotd's zone: NXDOMAIN.
    await cname('lost', [{ content: [`${target('gone')}.`] }, { content: [`${target('b')}.`] }]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
    await stack.stop();
    await knot?.stop();
  });

  it('answers the first target once the probes find every target up, over UDP and over TCP (kdig)', async () => {
    await until('www: both targets available', statesAre('www', { [target('a')]: 'available', [target('b')]: 'available' }), 60_000, 250);
    expect(await alias('www')).toBe(target('a'));
    const tcp = await kdig(dns, ['+tcp', '+norecurse', 'CNAME', 'www.cname.example']);
    expect(tcp.status).toBe('NOERROR');
    expect(tcp.sections.ANSWER).toEqual([['www.cname.example.', 5, 'CNAME', `${target('a')}.`]]);
  });

  it('answers the next target when the first stops, shows the first unavailable, and answers it again once back', async () => {
    await stop('a');
    await until(`www answered with ${target('b')}`, async () => (await alias('www')) === target('b'), WAIT, 200);
    const h = await states('www');
    expect(h).toEqual({ [target('a')]: 'unavailable', [target('b')]: 'available' });
    // The probes checked the address knotd gave for the name, and say so.
    expect(await reasons('www', target('a'))).toMatch(/refused.*resolved to 127\.0\.0\.2/);

    await serve('a');
    await until(`www answered with ${target('a')} again`, async () => (await alias('www')) === target('a'), WAIT, 200);
    expect(await states('www')).toEqual({ [target('a')]: 'available', [target('b')]: 'available' });
  });

  it('counts a target whose name does not resolve (NXDOMAIN) as down, and answers the next one', async () => {
    await until(
      'lost: the unresolvable target unavailable',
      statesAre('lost', { [target('gone')]: 'unavailable', [target('b')]: 'available' }),
      WAIT,
      250,
    );
    expect(await reasons('lost', target('gone'))).toMatch(/resolve gone\.backends\.test: NXDOMAIN/);
    expect(await alias('lost')).toBe(target('b'));
  });

  it('answers a backup target only once the other target is down', async () => {
    await until(
      'spare: both targets available',
      statesAre('spare', { [target('d')]: 'available', [target('c')]: 'available' }),
      60_000,
      250,
    );
    expect(await alias('spare')).toBe(target('c'));

    await stop('c');
    await until(`spare answered with the backup ${target('d')}`, async () => (await alias('spare')) === target('d'), WAIT, 200);
    expect(await states('spare')).toEqual({ [target('d')]: 'available', [target('c')]: 'unavailable' });
  });

  it('answers the first target when every target is down (fail open)', async () => {
    await stop('a');
    await until(`www answered with ${target('b')}`, async () => (await alias('www')) === target('b'), WAIT, 200);
    await stop('b');
    await until(
      'www: both targets unavailable',
      statesAre('www', { [target('a')]: 'unavailable', [target('b')]: 'unavailable' }),
      WAIT,
      250,
    );
    expect(await alias('www')).toBe(target('a'));
    // One answer, not every candidate: a name has one CNAME.
    const m = await udp(dns, query('www.cname.example', 'CNAME'));
    expect(m.answers?.map((a) => [a.type, (a as { data: string }).data])).toEqual([['CNAME', target('a')]]);
  });
});
