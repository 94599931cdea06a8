// The compose files, read as Docker Compose reads them (variables interpolated, YAML anchors
// merged), checked against the processes' own configuration rules: every Vigil service's
// environment is one its process accepts, and docker-compose.sites.yml describes the topology the
// multi-site system test runs (a core; sites of DNS, probe, Redis replica, Sentinel).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '../backend/src/config/config';
import { loadAggregatorConfig } from '../workers/src/aggregator/config';
import { loadDnsConfig } from '../workers/src/dns/config';
import { loadProbeConfig } from '../workers/src/probes/config';
import { ROOT } from './stack';

interface Service {
  profiles?: string[];
  image?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number | null>;
  volumes?: string[];
}

/** Compose's interpolation: `${X:-default}`, `${X-default}`, `${X:?error}`, `${X}`, and `$$` for `$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon, op, arg: string) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unset = value === undefined || (colon === ':' && value === '');
    if (op === '?' && unset) throw new Error(`compose would refuse to start: ${name}: ${arg}`);
    if (op === '-' && unset) return arg;
    return value ?? '';
  });
}

function compose(file: string, env: Record<string, string>): Record<string, Service> {
  const doc = load(interpolate(readFileSync(join(ROOT, file), 'utf8'), env)) as { services: Record<string, Service> };
  return doc.services;
}

const envOf = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
const commandOf = (s: Service) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));

/** The configuration rule of the Vigil process a service runs, or null for another image. */
function loaderOf(s: Service): ((env: NodeJS.ProcessEnv) => unknown) | null {
  const command = commandOf(s);
  if (command.includes('backend/dist/main.js')) return loadConfig;
  if (command.includes('workers/dist/dns/main.js')) return loadDnsConfig;
  if (command.includes('workers/dist/probes/main.js')) return loadProbeConfig;
  if (command.includes('workers/dist/aggregator/main.js')) return loadAggregatorConfig;
  return null;
}

describe.each(['docker-compose.yml', 'docker-compose.sites.yml'])('%s', (file) => {
  it('gives every Vigil service an environment its process accepts, and refuses to start without REDIS_PASSWORD where it needs one', () => {
    const services = compose(file, { REDIS_PASSWORD: 'a-secret', SUPPORT_EMAIL: 'ops@example.com', SUPPORT_PASSWORD: 'a long secret' });
    const vigil = Object.entries(services).filter(([, s]) => loaderOf(s) !== null);
    expect(vigil.length).toBeGreaterThanOrEqual(5);
    for (const [name, s] of vigil) {
      try {
        loaderOf(s)!(envOf(s));
      } catch (e) {
        throw new Error(`${file}, service ${name}: ${(e as Error).message}`);
      }
    }
    if (file === 'docker-compose.sites.yml') expect(() => compose(file, {})).toThrow(/REDIS_PASSWORD: set REDIS_PASSWORD/);
  });
});

describe('docker-compose.sites.yml', () => {
  const services = compose('docker-compose.sites.yml', { REDIS_PASSWORD: 'a-secret' });
  const inProfile = (p: string) => Object.entries(services).filter(([, s]) => s.profiles?.includes(p));
  const runs = (entries: [string, Service][], entry: string) => entries.filter(([, s]) => commandOf(s).includes(entry));
  const sentinels = Object.entries(services).filter(([, s]) => (s.entrypoint ?? []).join(' ').includes('--sentinel'));

  it('has a core (PostgreSQL, the api, the Redis primary, a Sentinel, an aggregator) and two sites', () => {
    const core = inProfile('core');
    expect(core.map(([n]) => n)).toEqual(expect.arrayContaining(['postgres', 'primary', 'api', 'panel']));
    expect(runs(core, 'aggregator/main.js')).toHaveLength(1);
    expect(core.filter(([, s]) => sentinels.some(([, t]) => t === s))).toHaveLength(1);
    expect(runs(core, 'dns/main.js')).toHaveLength(0);
    // Every service belongs to one profile: a host runs its own part and nothing of another's.
    for (const [name, s] of Object.entries(services)) expect([name, s.profiles?.length]).toEqual([name, 1]);
  });

  it.each(['site-a', 'site-b'])(
    '%s: a DNS server reading its own replica, from a snapshot when Redis is away; a probe of its own location; a Sentinel',
    (profile) => {
      const site = inProfile(profile);
      const [dns] = runs(site, 'dns/main.js');
      const [probe] = runs(site, 'probes/main.js');
      const replicas = site.filter(([, s]) => commandOf(s).includes('--replicaof'));
      expect(replicas).toHaveLength(1);
      const [replica] = replicas[0]!;
      expect(dns).toBeDefined();
      const dnsEnv = envOf(dns![1]);
      expect(new URL(dnsEnv.REDIS_READ_URL!).hostname).toBe(replica);
      expect(loadDnsConfig(dnsEnv).snapshot?.path).toBe(dnsEnv.DNS_SNAPSHOT_FILE);
      expect(dns![1].volumes?.some((v) => dnsEnv.DNS_SNAPSHOT_FILE!.startsWith(v.split(':')[1]!))).toBe(true);
      expect(envOf(probe![1]).LOCATION).toBe(profile);
      expect(site.filter(([, s]) => sentinels.some(([, t]) => t === s))).toHaveLength(1);
    },
  );

  it('points every Vigil process at all the Sentinels, an odd number of three or more', () => {
    expect(sentinels.length % 2).toBe(1);
    expect(sentinels.length).toBeGreaterThanOrEqual(3);
    const names = sentinels.map(([n]) => `${n}:26379`).sort();
    for (const [name, s] of Object.entries(services).filter(([, s]) => loaderOf(s) !== null)) {
      expect([name, envOf(s).REDIS_SENTINELS!.split(',').sort()]).toEqual([name, names]);
    }
  });
});
