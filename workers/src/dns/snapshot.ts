// The DNS server's local snapshot: the stored form of every zone and the health hash as last read
// from Redis, so that a server starting while Redis is unreachable answers from it (stale) rather
// than not at all. It keeps what Redis stores, not the in-memory index, so a restore builds the
// index with the very code of a load from Redis, and the index keeps its size.
//
// Format (JSON lines, UTF-8):
//   {"format":"vigil-dns-snapshot","version":1,"keyPrefix":…,"writtenAt":…,"feedId":…,"published":…,"zones":N}
//   ["h",<field>,<value>]                 one per entry of the health hash
//   ["z",<zone>,<@zone value or null>]    a zone starts
//   ["f",<field>,<value>,<field>,…]       a chunk of its fields, as Redis holds them
//   ["e",<@digest value or null>,<read as one state>]
//   ["sha256",<hex>]                      fixed length: the SHA-256 of every byte before it
// Written to a temp file beside it, fsynced and renamed into place; the checksum is checked over
// the whole file before anything is loaded, so a torn, corrupt or foreign file is never half-loaded.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const SNAPSHOT_FORMAT = 'vigil-dns-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** REDIS_KEY_PREFIX of the writer: a file of another deployment is refused. */
  keyPrefix: string;
  /** ms since epoch. */
  writtenAt: number;
  /** The change-feed position taken before anything else was read. */
  feedId: string;
  /** Whether Redis held the api's `published` marker. */
  published: boolean;
  /** Zones listed (each has a `z` line). */
  zones: number;
}

/** Receives a stored state's zones one after another: start, chunks of fields, end. */
export interface ZoneSink {
  zone(name: string, head: string | null): Promise<void> | void;
  /** field, value, field, value, … (may include `@zone` and `@digest`, which readers skip). */
  fields(fields: string[]): Promise<void> | void;
  /** `consistent`: what was read is one state of the zone, to be checked against its digest. */
  end(digest: string | null, consistent: boolean): Promise<void> | void;
}

/** What a full load reads, from Redis or from a snapshot file. */
export interface StoredState {
  readonly source: 'redis' | 'snapshot';
  readonly feedId: string;
  readonly published: boolean;
  /** Zones listed. */
  readonly zoneCount: number;
  /** The health hash: field → raw HealthState JSON. */
  readonly health: Record<string, string>;
  /** Reads every listed zone into the sink, in order. */
  readZones(sink: ZoneSink): Promise<void>;
}

/** A file that is not a usable snapshot of this deployment; the reason says why. */
export class SnapshotError extends Error {}

const TRAILER_TAG = 'sha256';
const trailer = (hex: string) => `${JSON.stringify([TRAILER_TAG, hex])}\n`;
const TRAILER_BYTES = Buffer.byteLength(trailer('0'.repeat(64)));
/** Bytes buffered before a write. */
const FLUSH_BYTES = 1 << 20;
/** Bytes per read. */
const READ_BYTES = 1 << 20;
/** Record-set fields per `f` line. */
const FIELDS_PER_LINE = 1000;

/**
 * Writes one snapshot: `begin`, then health and zones (it is a ZoneSink), then `commit`, which
 * renames it into place, or `abort`. Until the commit the file at `path` is left as it was.
 */
export class SnapshotWriter implements ZoneSink {
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingBytes = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
  ) {}

  static async begin(
    path: string,
    header: Omit<SnapshotHeader, 'format' | 'version'>,
    health: Record<string, string>,
  ): Promise<SnapshotWriter> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    await removeAbandoned(path);
    // Beside the target, so the rename stays within one file system and is atomic.
    const tmp = join(dir, `${basename(path)}.${process.pid}.tmp`);
    const w = new SnapshotWriter(path, tmp, await open(tmp, 'w', 0o644));
    const full: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ...header };
    await w.line(JSON.stringify(full));
    for (const field in health) await w.line(JSON.stringify(['h', field, health[field]]));
    return w;
  }

  zone(name: string, head: string | null): Promise<void> {
    return this.line(JSON.stringify(['z', name, head]));
  }

  async fields(fields: string[]): Promise<void> {
    for (let i = 0; i < fields.length; i += 2 * FIELDS_PER_LINE) {
      const chunk = fields.length <= 2 * FIELDS_PER_LINE ? fields : fields.slice(i, i + 2 * FIELDS_PER_LINE);
      await this.line(JSON.stringify(['f', ...chunk]));
    }
  }

  end(digest: string | null, consistent: boolean): Promise<void> {
    return this.line(JSON.stringify(['e', digest, consistent]));
  }

  /** Ends the file with its checksum, syncs it and moves it into place (then syncs the directory). */
  async commit(): Promise<void> {
    await this.flush();
    const tail = Buffer.from(trailer(this.hash.digest('hex')));
    await this.fh.write(tail);
    await this.fh.sync();
    await this.close();
    await rename(this.tmp, this.path);
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async abort(): Promise<void> {
    await this.close();
    await unlink(this.tmp).catch(() => undefined);
  }

  private async line(text: string): Promise<void> {
    this.pending.push(text, '\n');
    this.pendingBytes += text.length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    this.hash.update(buf);
    await this.fh.write(buf);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** Temp files of writers that died before renaming theirs (a live one's is left alone). */
async function removeAbandoned(path: string): Promise<void> {
  const own = basename(path);
  const pattern = new RegExp(`^${own.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.tmp$`);
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || (pid !== process.pid && alive(pid))) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An open snapshot whose checksum, header and health were checked; its zones are read on demand. */
export interface SnapshotFile extends StoredState {
  readonly header: SnapshotHeader;
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens and checks a snapshot: null when there is none; a SnapshotError when it is torn, corrupt,
 * of another format version or of another key prefix. The whole file is checksummed first (one
 * file descriptor for both passes, so a snapshot renamed into place meanwhile changes nothing).
 */
export async function openSnapshot(path: string, keyPrefix: string): Promise<SnapshotFile | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = (await fh.stat()).size;
    await verifyChecksum(fh, size);
    const lines = new LineReader(fh, size - TRAILER_BYTES);
    const header = parseHeader(await lines.next(), keyPrefix);
    const health: Record<string, string> = {};
    let first = await lines.next();
    while (first !== null && first.startsWith('["h",')) {
      const h = parseLine(first);
      if (h.length !== 3 || typeof h[1] !== 'string' || typeof h[2] !== 'string') throw bad('health line');
      health[h[1]] = h[2];
      first = await lines.next();
    }
    return {
      source: 'snapshot',
      path,
      header,
      feedId: header.feedId,
      published: header.published,
      zoneCount: header.zones,
      health,
      readZones: (sink) => readZones(lines, first, header.zones, sink),
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function verifyChecksum(fh: FileHandle, size: number): Promise<void> {
  if (size < TRAILER_BYTES) throw new SnapshotError(`${size} bytes is too short for a snapshot (torn or not one)`);
  const tail = Buffer.alloc(TRAILER_BYTES);
  await fh.read(tail, 0, TRAILER_BYTES, size - TRAILER_BYTES);
  const t = safeParse(tail.toString('utf8'));
  if (!Array.isArray(t) || t[0] !== TRAILER_TAG || typeof t[1] !== 'string')
    throw new SnapshotError('no checksum at its end (torn, or not a snapshot)');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(READ_BYTES);
  for (let pos = 0; pos < size - TRAILER_BYTES;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, size - TRAILER_BYTES - pos), pos);
    if (bytesRead === 0) throw new SnapshotError('shorter than it was a moment ago');
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  if (hash.digest('hex') !== t[1]) throw new SnapshotError('checksum mismatch (corrupt)');
}

function parseHeader(line: string | null, keyPrefix: string): SnapshotHeader {
  const h = (line === null ? null : safeParse(line)) as Partial<SnapshotHeader> | null;
  if (h === null || typeof h !== 'object' || h.format !== SNAPSHOT_FORMAT) throw new SnapshotError('not a Vigil DNS snapshot');
  if (h.version !== SNAPSHOT_VERSION) throw new SnapshotError(`format version ${String(h.version)}, this server reads ${SNAPSHOT_VERSION}`);
  if (h.keyPrefix !== keyPrefix) {
    throw new SnapshotError(`written for key prefix ${JSON.stringify(h.keyPrefix)}, this server has ${JSON.stringify(keyPrefix)}`);
  }
  const ok =
    typeof h.writtenAt === 'number' && typeof h.feedId === 'string' && typeof h.published === 'boolean' && Number.isInteger(h.zones);
  if (!ok) throw bad('header');
  return h as SnapshotHeader;
}

async function readZones(lines: LineReader, first: string | null, count: number, sink: ZoneSink): Promise<void> {
  let line = first;
  for (let n = 0; n < count; n++) {
    const z = line === null ? null : parseLine(line);
    if (z?.[0] !== 'z' || typeof z[1] !== 'string' || (z[2] !== null && typeof z[2] !== 'string')) throw bad('zone line');
    await sink.zone(z[1], z[2] as string | null);
    for (;;) {
      const next = await lines.next();
      if (next === null) throw bad('zone without its end');
      const l = parseLine(next);
      if (l[0] === 'f') {
        if (l.length % 2 !== 1 || !l.every((s) => typeof s === 'string')) throw bad('fields line');
        await sink.fields((l as string[]).slice(1));
      } else if (l[0] === 'e' && (l[1] === null || typeof l[1] === 'string') && typeof l[2] === 'boolean') {
        await sink.end(l[1] as string | null, l[2]);
        break;
      } else {
        throw bad('line in a zone');
      }
    }
    line = await lines.next();
  }
  if (line !== null) throw bad('line after the last zone');
}

const bad = (what: string) => new SnapshotError(`malformed ${what}`);

function parseLine(line: string): unknown[] {
  const v = safeParse(line);
  if (!Array.isArray(v)) throw bad('line');
  return v;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Lines of [0, end) of a file, read a block at a time. */
class LineReader {
  private buf = Buffer.alloc(0);
  private pos = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly end: number,
  ) {}

  /** The next line without its newline; null at the end. */
  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const line = this.buf.toString('utf8', 0, nl);
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (this.pos >= this.end) {
        if (this.buf.length > 0) throw bad('last line (no newline)');
        return null;
      }
      const block = Buffer.allocUnsafe(Math.min(READ_BYTES, this.end - this.pos));
      const { bytesRead } = await this.fh.read(block, 0, block.length, this.pos);
      if (bytesRead === 0) throw new SnapshotError('shorter than it was a moment ago');
      this.pos += bytesRead;
      this.buf = this.buf.length ? Buffer.concat([this.buf, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
    }
  }
}
