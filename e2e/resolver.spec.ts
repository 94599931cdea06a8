import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig } from '../workers/src/dns/testing/client';
import { commandProblem, prerequisite } from '@vigil/stack';
import { type ApiClient, customerWithFailover, freePort, Stack, until } from './stack';

const hasUnbound = prerequisite('Unbound', commandProblem('unbound', ['-V']));

/**
 * A real recursive resolver (Unbound) uses the Vigil DNS server as the authority for a test
 * zone, as resolvers on the Internet would after a delegation.
 */
(hasUnbound ? describe : describe.skip)('a recursive resolver (Unbound) resolving through Vigil', () => {
  const stack = new Stack();
  let api: ApiClient;
  let unbound: ChildProcess;
  let unboundPort: number;
  let dir: string;
  let log = '';

  beforeAll(async () => {
    await stack.startApi();
    const dnsPort = await stack.startDns();
    api = await customerWithFailover(stack.apiUrl);
    await api.ok('POST', '/v2/zones', { name: 'resolve.test' });
    const z = '/v2/zones/resolve.test';
    await api.ok('PUT', `${z}/www.resolve.test/A`, { resource_records: [{ content: ['192.0.2.80'] }] });
    await api.ok('PUT', `${z}/www.resolve.test/AAAA`, { resource_records: [{ content: ['2001:db8::80'] }] });
    await api.ok('PUT', `${z}/alias.resolve.test/CNAME`, { resource_records: [{ content: ['www.resolve.test'] }] });
    await api.ok('PUT', `${z}/resolve.test/MX`, { resource_records: [{ content: [10, 'mail.resolve.test'] }] });
    await api.ok('PUT', `${z}/resolve.test/TXT`, { resource_records: [{ content: ['v=spf1 -all'] }] });
    await api.ok('PUT', `${z}/_sip._tcp.resolve.test/SRV`, { resource_records: [{ content: [10, 60, 5060, 'sip.resolve.test'] }] });
    await until('the zone in DNS', async () => ((await dig(dnsPort, ['www.resolve.test', 'A'])).sections.ANSWER ?? []).length === 1);

    dir = mkdtempSync(join(tmpdir(), 'vigil-unbound-'));
    unboundPort = await freePort();
    writeFileSync(
      join(dir, 'unbound.conf'),
      `server:
  interface: 127.0.0.1@${unboundPort}
  port: ${unboundPort}
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  qname-minimisation: no
  do-ip6: no
  # .test is one of the special-use names Unbound answers itself (RFC 6761); let it recurse.
  local-zone: "test." nodefault
stub-zone:
  name: "resolve.test"
  stub-addr: 127.0.0.1@${dnsPort}
remote-control:
  control-enable: no
`,
    );
    unbound = spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    unbound.stdout!.on('data', (b) => (log += b));
    unbound.stderr!.on('data', (b) => (log += b));
    await until('unbound to answer', async () => ((await dig(unboundPort, ['www.resolve.test', 'A'])).sections.ANSWER ?? []).length === 1);
  });

  afterAll(async () => {
    if (unbound?.exitCode !== null && unbound?.exitCode !== undefined) console.error(`unbound exited early:\n${log}`);
    unbound?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  });

  const resolve = async (name: string, type: string) => {
    const r = await dig(unboundPort, [name, type]);
    expect(r.status).toBe('NOERROR');
    // A recursive answer: RA set, AA not (the resolver is not the authority).
    expect(r.flags).toContain('ra');
    expect(r.flags).not.toContain('aa');
    return (r.sections.ANSWER ?? []).map(([, , type, data]) => `${type} ${data}`);
  };

  it.each([
    ['www.resolve.test', 'A', ['A 192.0.2.80']],
    ['www.resolve.test', 'AAAA', ['AAAA 2001:db8::80']],
    ['alias.resolve.test', 'A', ['CNAME www.resolve.test.', 'A 192.0.2.80']],
    ['resolve.test', 'MX', ['MX 10 mail.resolve.test.']],
    ['resolve.test', 'TXT', ['TXT "v=spf1 -all"']],
    ['_sip._tcp.resolve.test', 'SRV', ['SRV 10 60 5060 sip.resolve.test.']],
  ])('resolves %s %s', async (name, type, expected) => {
    expect(await resolve(name, type)).toEqual(expected);
  });

  it('passes NXDOMAIN through', async () => {
    const r = await dig(unboundPort, ['nothing.resolve.test', 'A']);
    expect(r.status).toBe('NXDOMAIN');
  });
});
