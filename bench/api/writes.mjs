#!/usr/bin/env node
// API record-set writes per second (not a test): PUTs of A record sets through the real api, by
// 1, 8 and 32 concurrent writers, all on one zone and spread over several zones, for zones of
// several sizes (filled by an import). Only the api runs, so the figures are the api's, PostgreSQL's
// and Redis's; the DNS server is left out.
// Usage: npm run build && node bench/api/writes.mjs [sizes, default 0,1000,100000] [seconds, default 5] [zones, default 4]
// WRITERS=1,8,32 sets the writer counts; API_ENTRY=<path to main.js> runs another build of the api (to compare two);
// API_NODE_ARGS are node's arguments for the api (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it).
import { resolve } from 'node:path';
import { customer, ROOT, Stack } from '../lib.mjs';

const SIZES = (process.argv[2] ?? '0,1000,100000').split(',').map(Number);
const SECONDS = Number(process.argv[3] ?? 5);
const ZONES = Number(process.argv[4] ?? 4);
const WRITERS = (process.env.WRITERS ?? '1,8,32').split(',').map(Number);
const addr = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Writes per second of `writers` writers over `seconds`; writer w writes to zones[w % zones.length]. */
async function measure(call, zones, writers, seconds) {
  let writes = 0;
  // The first second warms connections and creates the record sets; the rest are mostly replacements.
  const start = performance.now() + 1000;
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const zone = zones[w % zones.length];
      for (let i = 0; performance.now() < end; i++) {
        await call('PUT', `/v2/zones/${zone}/w${w}-${i % 50}.${zone}/A`, { ttl: 60, resource_records: [{ content: [addr(i)] }] });
        if (performance.now() >= start) writes++;
      }
    }),
  );
  return Math.round(writes / seconds);
}

const stack = new Stack();
const rows = [];
try {
  const nodeArgs = process.env.API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const entry = process.env.API_ENTRY ?? (nodeArgs.length ? resolve(ROOT, 'backend/dist/main.js') : undefined);
  const call = await customer(await (entry ? stack.startApiFrom(resolve(entry), {}, nodeArgs) : stack.startApi()));
  for (const size of SIZES) {
    const zones = Array.from({ length: ZONES }, (_, k) => `z${k}.s${size}.example`);
    for (const zone of zones) {
      await call('POST', '/v2/zones', { name: zone });
      if (size > 0) {
        const lines = Array.from({ length: size }, (_, i) => `h${i} 300 IN A ${addr(i)}`);
        await call('POST', `/v2/zones/${zone}/import`, { content: `$ORIGIN ${zone}.\n${lines.join('\n')}\n` });
      }
    }
    for (const writers of WRITERS) {
      const one = await measure(call, zones.slice(0, 1), writers, SECONDS);
      const several = await measure(call, zones, writers, SECONDS);
      rows.push({ size, writers, one, several });
      console.error(`${size} records, ${writers} writers: ${one}/s on one zone, ${several}/s over ${ZONES} zones`);
    }
  }
} finally {
  await stack.stop();
}
console.log(
  [
    `writes/s (PUT of an A record set), ${SECONDS} s per figure; ${ZONES} zones in the "several" column`,
    '',
    '| records per zone | writers | one zone | several zones |',
    '| ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.size.toLocaleString('en')} | ${r.writers} | ${r.one} | ${r.several} |`),
  ].join('\n'),
);
process.exit(0);
