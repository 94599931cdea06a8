// CPU cost of the answer pipeline per query, beside a bare dns-packet decode + encode.
// Run: cd workers && node -r ./src/dns/testing/ts-hook.js src/dns/testing/micro-bench.ts
import * as dnsPacket from 'dns-packet';
import { DnsEngine } from '../engine';
import { HealthTable } from '../health';
import { geoipCountryLookup } from '../geo';
import { ZoneStore } from '../zone-store';
import { index, rr, zone } from './zones';
import { query } from './client';

const zones = new ZoneStore();
for (let i = 0; i < 1000; i++) zones.set(index(zone(`zone${i}.com`, [rr(`www.zone${i}.com`, 'A', ['192.0.2.1', '192.0.2.2'])])));
zones.set(
  index(
    zone('example.com', [
      rr('www.example.com', 'A', ['192.0.2.1', '192.0.2.2', '192.0.2.3']),
      rr(
        'geo.example.com',
        'A',
        [
          { content: ['192.0.2.21'], meta: { countries: ['US'] } },
          { content: ['192.0.2.29'], meta: { default: true } },
        ],
        { pickers: [{ type: 'geodns', strict: false }], failover: 'x' },
      ),
    ]),
  ),
);
const engine = new DnsEngine({ zones, health: new HealthTable(), geo: geoipCountryLookup });
const cases: [string, Buffer][] = [
  ['plain A', query('www.example.com', 'A', { id: 1 })],
  ['plain A edns', query('www.example.com', 'A', { id: 1, edns: true })],
  ['nxdomain', query('nope.example.com', 'A', { id: 1 })],
  ['geo ecs', query('geo.example.com', 'A', { id: 1, ecs: { ip: '8.8.8.0', prefix: 24 } })],
];
const N = 1_000_000;
for (const [name, q] of cases) {
  for (let i = 0; i < 100000; i++) engine.answer(q, 0, '127.0.0.1');
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) engine.answer(q, 0, '127.0.0.1');
  console.log(name, Number(process.hrtime.bigint() - t) / N, 'ns/query');
}
const q = cases[0]![1];
const bare = () => {
  const d = dnsPacket.decode(q);
  return dnsPacket.encode({
    type: 'response',
    id: d.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: d.questions,
    answers: [{ type: 'A', name: d.questions![0]!.name, ttl: 300, data: '192.0.2.1' }],
  });
};
for (let i = 0; i < 100000; i++) bare();
const t = process.hrtime.bigint();
for (let i = 0; i < N / 4; i++) bare();
console.log('bare dns-packet', Number(process.hrtime.bigint() - t) / (N / 4), 'ns/query');
