#!/usr/bin/env node
// Redis primary failover across sites (not a test): the multi-site deployment of the system test
// (a core and three sites on network namespaces, see Sites in @vigil/stack). Each round kills the
// Redis primary while a client asks every site's DNS server every 10 ms, then times: Sentinel's
// promotion, the first API change the api takes after it, and that change answered by every
// site. From the second round the primary killed is a site's Redis: it comes back right after the
// promotion as a replica of the new one (as its supervisor would start it), and that site's change
// waits for its resync.
// Usage (as root): npm run build && node bench/sites/failover.mjs [rounds, default 5]
import { Sites, steadyClient } from '@vigil/stack';
import { cpuModel, customer } from '../lib.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const ZONE = 'failover.example';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const deployment = new Sites({
  kind: 'bench',
  echo: 'stderr',
  apiEnv: { SUPPORT_EMAIL: 'support@vigil.test', SUPPORT_PASSWORD: 'support-password-1', SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' },
});
const rows = [];
try {
  const call = await customer(await deployment.start());
  await call('POST', '/v2/zones', { name: ZONE });
  await call('PUT', `/v2/zones/${ZONE}/www.${ZONE}/A`, { ttl: 60, resource_records: [{ content: ['192.0.2.1'] }] });
  await deployment.everySite('the zone', `www.${ZONE}`, '192.0.2.1');

  for (let round = 1; round <= ROUNDS; round++) {
    const clients = deployment.sites.map((s) => steadyClient(53, `www.${ZONE}`, 10, { host: s.host.address, from: deployment.client }));
    const old = await deployment.killPrimary();
    const killed = Date.now();
    const promoted = await deployment.promoted(old);
    const promotedMs = Date.now() - killed;
    // A site's Redis that died comes back (as its supervisor would start it) as a replica of the
    // new primary, so that site's DNS has a replica to read again; the core's stays away.
    const site = deployment.sites.find((s) => s.redis === null);
    if (site) await deployment.startRedis(site, promoted);
    const address = `198.51.100.${round}`;
    // The first write the api takes after the kill: before the promotion it has no primary.
    for (;;) {
      try {
        await call('PUT', `/v2/zones/${ZONE}/change.${ZONE}/A`, { ttl: 60, resource_records: [{ content: [address] }] });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const writtenMs = Date.now() - killed;
    await deployment.everySite(`round ${round}'s change`, `change.${ZONE}`, address);
    const visibleMs = Date.now() - killed;
    const results = await Promise.all(clients.map((c) => c.stop()));
    rows.push({
      promotedMs,
      writtenMs,
      visibleMs,
      queries: results.reduce((n, r) => n + r.answered + r.lost, 0),
      lost: results.reduce((n, r) => n + r.lost, 0),
      longestGapMs: Math.max(...results.map((r) => r.longestGapMs)),
    });
    console.error(`round ${round}: ${JSON.stringify(rows.at(-1))}`);
  }
} finally {
  await deployment.stop();
}

console.log(`CPU: ${cpuModel()}; ${ROUNDS} rounds; three sites, Sentinel down-after 1 s; medians, then each round`);
console.log('');
console.log(
  '| primary killed → | promoted (ms) | api takes a write (ms) | change in every site (ms) | DNS queries | lost | longest gap (ms) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const col = (k) => rows.map((r) => r[k]);
console.log(
  `| median | ${median(col('promotedMs'))} | ${median(col('writtenMs'))} | ${median(col('visibleMs'))} | ${col('queries').reduce((a, b) => a + b, 0)} | ${col('lost').reduce((a, b) => a + b, 0)} | ${Math.max(...col('longestGapMs'))} |`,
);
rows.forEach((r, i) =>
  console.log(`| round ${i + 1} | ${r.promotedMs} | ${r.writtenMs} | ${r.visibleMs} | ${r.queries} | ${r.lost} | ${r.longestGapMs} |`),
);
