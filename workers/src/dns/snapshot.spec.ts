// The snapshot file: what is written comes back the same, and a torn, corrupt, foreign or
// unknown file is refused whole; a write replaces the file atomically or leaves it as it was.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zoneFields } from '@vigil/contract/redis';
import { loadDnsConfig } from './config';
import { openSnapshot, SnapshotError, SnapshotWriter, type ZoneSink } from './snapshot';
import { rr, zone } from './testing/zones';

type Read = { name: string; head: string | null; fields: string[]; digest: string | null; consistent: boolean };

/** Every zone of a snapshot as read, fields of all its lines together. */
async function readAll(path: string, prefix = 'p:') {
  const file = await openSnapshot(path, prefix);
  if (file === null) return null;
  const zones: Read[] = [];
  let current: Read | null = null;
  const sink: ZoneSink = {
    zone: (name, head) => void (current = { name, head, fields: [], digest: null, consistent: false }),
    fields: (f) => void current!.fields.push(...f),
    end: (digest, consistent) => void zones.push({ ...current!, digest, consistent }),
  };
  try {
    await file.readZones(sink);
  } finally {
    await file.close();
  }
  return { header: file.header, health: file.health, zones };
}

const big = zone(
  'big.example',
  Array.from({ length: 25_000 }, (_, i) => rr(`h${i}.big.example`, 'A', [`10.0.${i >> 8}.${i & 255}`])),
  { version: 7 },
);
const small = zone('example.com', [
  rr('www.example.com', 'A', ['192.0.2.1', '192.0.2.2'], { failover: 'chk-1' }),
  rr('txt.example.com', 'TXT', [['with spaces', 'and "quotes"\n']]),
]);

/** A zone's stored fields split as Redis would give them: the head, the record sets, the digest. */
function stored(z: typeof small) {
  const f = zoneFields(z);
  return { head: f[1]!, rrsets: f.slice(2, -2), digest: f[f.length - 1]! };
}

async function writeSnapshot(path: string, prefix = 'p:', writtenAt = 1_700_000_000_000) {
  const health = { 'chk-1/192.0.2.1': JSON.stringify({ checkId: 'chk-1', address: '192.0.2.1', state: 'unavailable' }) };
  const w = await SnapshotWriter.begin(path, { keyPrefix: prefix, writtenAt, feedId: '1-2', published: true, zones: 3 }, health);
  for (const z of [small, big]) {
    const s = stored(z);
    await w.zone(z.name, s.head);
    // In chunks, as HSCAN gives them.
    for (let i = 0; i < s.rrsets.length; i += 2000) await w.fields(s.rrsets.slice(i, i + 2000));
    await w.end(s.digest, true);
  }
  await w.zone('gone.example', null);
  await w.end(null, true);
  await w.commit();
  return health;
}

describe('snapshot file', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-snapshot-'));
    path = join(dir, 'sub', 'dns.snapshot');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads back what was written: header, health, every zone and field in order', async () => {
    const health = await writeSnapshot(path);
    const back = (await readAll(path))!;
    expect(back.header).toEqual({
      format: 'vigil-dns-snapshot',
      version: 1,
      keyPrefix: 'p:',
      writtenAt: 1_700_000_000_000,
      feedId: '1-2',
      published: true,
      zones: 3,
    });
    expect(back.health).toEqual(health);
    expect(back.zones.map((z) => z.name)).toEqual(['example.com', 'big.example', 'gone.example']);
    for (const [i, z] of [small, big].entries()) {
      const s = stored(z);
      expect(back.zones[i]).toEqual({ name: z.name, head: s.head, fields: s.rrsets, digest: s.digest, consistent: true });
    }
    expect(back.zones[2]).toEqual({ name: 'gone.example', head: null, fields: [], digest: null, consistent: true });
    // Large enough to span several buffered writes and reads.
    expect((await readFile(path)).length).toBeGreaterThan(1 << 20);
  });

  it('is null when there is no file', async () => {
    expect(await openSnapshot(join(dir, 'none'), 'p:')).toBeNull();
  });

  it('refuses a file with one byte changed anywhere', async () => {
    await writeSnapshot(path);
    const bytes = await readFile(path);
    for (const at of [10, Math.floor(bytes.length / 2), bytes.length - 20]) {
      const copy = Buffer.from(bytes);
      copy[at] = copy[at]! ^ 0x01;
      await writeFile(path, copy);
      await expect(openSnapshot(path, 'p:')).rejects.toThrow(SnapshotError);
    }
  });

  it('refuses a torn file, whatever its length', async () => {
    await writeSnapshot(path);
    const size = (await readFile(path)).length;
    for (const length of [size - 1, size - 80, Math.floor(size / 2), 40, 0]) {
      await writeSnapshot(path);
      await truncate(path, length);
      await expect(openSnapshot(path, 'p:')).rejects.toThrow(SnapshotError);
    }
  });

  it("refuses another deployment's file (key prefix), another format version, and a file that is not a snapshot", async () => {
    await writeSnapshot(path, 'other:');
    await expect(openSnapshot(path, 'p:')).rejects.toThrow(/key prefix "other:"/);
    // A checksum that holds over a header of another version.
    const body = `${JSON.stringify({ format: 'vigil-dns-snapshot', version: 2, keyPrefix: 'p:', writtenAt: 1, feedId: '0-0', published: true, zones: 0 })}\n`;
    const sum = createHash('sha256').update(body).digest('hex');
    await writeFile(path, `${body}${JSON.stringify(['sha256', sum])}\n`);
    await expect(openSnapshot(path, 'p:')).rejects.toThrow(/format version 2/);
    await writeFile(path, 'hello\n'.repeat(100));
    await expect(openSnapshot(path, 'p:')).rejects.toThrow(SnapshotError);
  });

  it('refuses a file whose checksum holds but whose zones are fewer than its header says', async () => {
    await mkdir(join(dir, 'sub'));
    const body = `${JSON.stringify({ format: 'vigil-dns-snapshot', version: 1, keyPrefix: 'p:', writtenAt: 1, feedId: '0-0', published: true, zones: 2 })}\n${JSON.stringify(['z', 'a.example', null])}\n${JSON.stringify(['e', null, true])}\n`;
    await writeFile(path, `${body}${JSON.stringify(['sha256', createHash('sha256').update(body).digest('hex')])}\n`);
    await expect(readAll(path)).rejects.toThrow(/malformed zone line/);
  });

  it('replaces the file in one step: an unfinished or aborted write leaves it as it was, and no temp file behind', async () => {
    await writeSnapshot(path, 'p:', 1);
    const before = await readFile(path);
    const w = await SnapshotWriter.begin(path, { keyPrefix: 'p:', writtenAt: 2, feedId: '9-9', published: true, zones: 1 }, {});
    await w.zone('example.com', stored(small).head);
    // Mid-write, the file is the old one, whole.
    expect((await readAll(path))!.header.writtenAt).toBe(1);
    await w.abort();
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(join(dir, 'sub'))).toEqual(['dns.snapshot']);

    // A reader that opened the old file goes on reading it whole after the new one is renamed in.
    const old = await openSnapshot(path, 'p:');
    await writeSnapshot(path, 'p:', 3);
    const names: string[] = [];
    await old!.readZones({ zone: (n) => void names.push(n), fields: () => undefined, end: () => undefined });
    await old!.close();
    expect(old!.header.writtenAt).toBe(1);
    expect(names).toEqual(['example.com', 'big.example', 'gone.example']);
    expect((await readAll(path))!.header.writtenAt).toBe(3);
    expect(await readdir(join(dir, 'sub'))).toEqual(['dns.snapshot']);
    // Three whole snapshots of the 25,000-record zone written and two read: seconds on a loaded machine.
  }, 30_000);

  it('removes the temp file a writer that died left behind', async () => {
    await writeSnapshot(path);
    // No process has this pid (above the kernel's pid_max).
    const abandoned = join(dir, 'sub', 'dns.snapshot.99999999.tmp');
    const fh = await open(abandoned, 'w');
    await fh.close();
    await writeSnapshot(path);
    expect(await readdir(join(dir, 'sub'))).toEqual(['dns.snapshot']);
  });
});

describe('DNS_SNAPSHOT_* settings', () => {
  it('is off unless DNS_SNAPSHOT_FILE names a file; waits 5 s and writes at most every 30 s unless told', () => {
    expect(loadDnsConfig({}).snapshot).toBeUndefined();
    expect(loadDnsConfig({ DNS_SNAPSHOT_FILE: ' ' }).snapshot).toBeUndefined();
    expect(loadDnsConfig({ DNS_SNAPSHOT_FILE: '/var/lib/vigil/dns.snapshot' }).snapshot).toEqual({
      path: '/var/lib/vigil/dns.snapshot',
      intervalSeconds: 30,
      waitSeconds: 5,
    });
    const c = loadDnsConfig({ DNS_SNAPSHOT_FILE: 'x', DNS_SNAPSHOT_INTERVAL_SECONDS: '5', DNS_SNAPSHOT_WAIT_SECONDS: '0' });
    expect(c.snapshot).toEqual({ path: 'x', intervalSeconds: 5, waitSeconds: 0 });
  });

  it('names a bad value', () => {
    expect(() => loadDnsConfig({ DNS_SNAPSHOT_WAIT_SECONDS: 'soon' })).toThrow(/DNS_SNAPSHOT_WAIT_SECONDS/);
    expect(() => loadDnsConfig({ DNS_SNAPSHOT_INTERVAL_SECONDS: '0' })).toThrow(/DNS_SNAPSHOT_INTERVAL_SECONDS/);
  });
});
