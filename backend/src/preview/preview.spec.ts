// The preview route against the real api (PostgreSQL, Redis) and a DNS server on loopback that
// answers as told and records what it was asked: the route's own part is the query it sends (the
// client's address as EDNS Client Subnet) and what it makes of the answer. That the real Vigil DNS
// server answers a place with its nearest record is the panel's browser test (frontend/e2e/preview.spec.ts).
import { PREVIEW_PLACES } from '@vigil/contract';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as packet from 'dns-packet';
import { apiKey, expectInvalid, TestApi } from '../testing/test-app';

interface Asked {
  name: string;
  type: string;
  rd: boolean;
  ecs: { family?: number; sourcePrefixLength?: number; ip?: string } | null;
  over: 'udp' | 'tcp';
}

/** A DNS server on loopback (UDP and TCP on one port) that answers every query with `answers`, truncated over UDP when told. */
async function fakeDns(): Promise<{
  port: number;
  asked: Asked[];
  answers: packet.Answer[];
  truncateUdp: boolean;
  silent: boolean;
  close(): Promise<void>;
}> {
  const udp: Socket = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = (udp.address() as AddressInfo).port;
  const state = {
    port,
    asked: [] as Asked[],
    answers: [] as packet.Answer[],
    truncateUdp: false,
    silent: false,
    close: async () => {
      udp.close();
      await new Promise((r) => tcp.close(r));
    },
  };
  const reply = (msg: Buffer, over: 'udp' | 'tcp'): Buffer | null => {
    const q = packet.decode(msg);
    const opt = q.additionals?.find((a) => a.type === 'OPT') as { options?: { code: number }[] } | undefined;
    const ecs = (opt?.options?.find((o) => o.code === 8) as Asked['ecs']) ?? null;
    state.asked.push({
      name: q.questions![0]!.name,
      type: q.questions![0]!.type,
      rd: ((q.flags ?? 0) & packet.RECURSION_DESIRED) !== 0,
      ecs,
      over,
    });
    if (state.silent) return null;
    const truncated = over === 'udp' && state.truncateUdp;
    return packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.AUTHORITATIVE_ANSWER | (truncated ? packet.TRUNCATED_RESPONSE : 0),
      questions: q.questions,
      answers: truncated ? [] : state.answers,
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [
            {
              code: 8,
              type: 'CLIENT_SUBNET',
              family: ecs?.family ?? 1,
              sourcePrefixLength: ecs?.sourcePrefixLength ?? 0,
              scopePrefixLength: 24,
              ip: ecs?.ip,
            },
          ],
        },
      ],
    });
  };
  udp.on('message', (m, from) => {
    const out = reply(m, 'udp');
    if (out) udp.send(out, from.port, from.address);
  });
  const tcp: Server = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const out = reply(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
      if (!out) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length);
      sock.end(Buffer.concat([len, out]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  return state;
}

jest.setTimeout(60_000);

describe('GET /v2/zones/{zone}/{name}/{type}/preview', () => {
  let api: TestApi;
  let unconfigured: TestApi;
  let dns: Awaited<ReturnType<typeof fakeDns>>;
  let token: string;
  let otherToken: string;
  const base = '/v2/zones/preview.example/www.preview.example/A/preview';

  beforeAll(async () => {
    dns = await fakeDns();
    [api, unconfigured] = await Promise.all([
      TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0', DNS_PREVIEW_SERVER: `127.0.0.1:${dns.port}` }),
      TestApi.start({ RECONCILE_INTERVAL_SECONDS: '0' }),
    ]);
    token = await api.token((await api.customer()).agent);
    otherToken = await api.token((await api.customer('other')).agent);
    await api.http().post('/v2/zones').set(apiKey(token)).send({ name: 'preview.example' }).expect(201);
    await api
      .http()
      .put('/v2/zones/preview.example/www.preview.example/A')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }], pickers: [{ type: 'geodistance', limit: 1 }] })
      .expect(201);
  });
  afterAll(async () => {
    await Promise.all([api.close(), unconfigured.close()]);
    await dns.close();
  });

  it("asks the DNS server for the record set with a place's address as the client subnet, and returns what it answered", async () => {
    dns.answers = [{ name: 'www.preview.example', type: 'A', ttl: 300, data: '192.0.2.2' }];
    dns.asked.length = 0;
    const paris = PREVIEW_PLACES.find((p) => p.id === 'paris')!;
    const res = await api.http().get(`${base}?client=paris`).set(apiKey(token)).expect(200);
    expect(dns.asked).toEqual([
      {
        name: 'www.preview.example',
        type: 'A',
        rd: false,
        ecs: expect.objectContaining({ family: 1, sourcePrefixLength: 32, ip: paris.address }),
        over: 'udp',
      },
    ]);
    expect(res.body).toEqual({
      name: 'www.preview.example',
      type: 'A',
      client: { address: paris.address, place: { ...paris, latlong: [...paris.latlong] } },
      server: `127.0.0.1:${dns.port}`,
      rcode: 'NOERROR',
      answers: [{ name: 'www.preview.example', type: 'A', ttl: 300, data: '192.0.2.2' }],
      scope_prefix: 24,
    });
  });

  it('takes an address as the client, IPv6 too, and asks again over TCP when the answer was truncated', async () => {
    dns.answers = [
      { name: 'www.preview.example', type: 'A', ttl: 60, data: '192.0.2.1' },
      { name: 'www.preview.example', type: 'A', ttl: 60, data: '192.0.2.2' },
    ];
    dns.asked.length = 0;
    dns.truncateUdp = true;
    try {
      const res = await api.http().get(`${base}?client=2a00:1450:4007:80e:0::200e`).set(apiKey(token)).expect(200);
      expect(dns.asked.map((a) => [a.over, a.ecs?.family, a.ecs?.sourcePrefixLength, a.ecs?.ip])).toEqual([
        ['udp', 2, 128, '2a00:1450:4007:80e::200e'],
        ['tcp', 2, 128, '2a00:1450:4007:80e::200e'],
      ]);
      expect(res.body.client).toEqual({ address: '2a00:1450:4007:80e::200e', place: null });
      expect(res.body.answers.map((a: { data: string }) => a.data)).toEqual(['192.0.2.1', '192.0.2.2']);
    } finally {
      dns.truncateUdp = false;
    }
  });

  it('lists the places', async () => {
    const res = await api.http().get('/v2/preview/places').set(apiKey(token)).expect(200);
    expect(res.body.places.map((p: { id: string }) => p.id)).toEqual(PREVIEW_PLACES.map((p) => p.id));
  });

  it('refuses a client that is no place nor public address, naming client', async () => {
    for (const bad of ['atlantis', '10.0.0.1', '192.0.2.300', '::1', '']) {
      const reason = expectInvalid(
        await api
          .http()
          .get(`${base}?client=${encodeURIComponent(bad)}`)
          .set(apiKey(token)),
        'client',
      );
      expect(reason).toMatch(bad === '10.0.0.1' || bad === '::1' ? /public address/ : /place .* or an IP address/);
    }
    expectInvalid(await api.http().get(base).set(apiKey(token)), 'client');
    expectInvalid(await api.http().get(`${base}?client=paris&extra=1`).set(apiKey(token)), 'extra');
  });

  it('refuses record sets of other types, naming type', async () => {
    await api
      .http()
      .put('/v2/zones/preview.example/preview.example/TXT')
      .set(apiKey(token))
      .send({ resource_records: [{ content: ['hello'] }] })
      .expect(201);
    expectInvalid(await api.http().get('/v2/zones/preview.example/preview.example/TXT/preview?client=paris').set(apiKey(token)), 'type');
  });

  it("answers another account's record set as one that does not exist: 404", async () => {
    const theirs = await api.http().get(`${base}?client=paris`).set(apiKey(otherToken)).expect(404);
    const missing = await api
      .http()
      .get('/v2/zones/preview.example/nope.preview.example/A/preview?client=paris')
      .set(apiKey(token))
      .expect(404);
    expect(theirs.body).toEqual({ error: 'zone not found' });
    expect(missing.body).toEqual({ error: 'record set not found' });
    await api.http().get(`${base}?client=paris`).expect(401);
  });

  it('says 502 with the reason when the DNS server does not answer', async () => {
    dns.silent = true;
    try {
      const res = await api.http().get(`${base}?client=tokyo`).set(apiKey(token)).expect(502);
      expect(res.body.error).toBe(`the DNS server 127.0.0.1:${dns.port} did not answer: no answer within 2000 ms`);
    } finally {
      dns.silent = false;
    }
  });

  it('says 503 with the reason when no DNS server is configured', async () => {
    const t = await unconfigured.token((await unconfigured.customer()).agent);
    await unconfigured.http().post('/v2/zones').set(apiKey(t)).send({ name: 'preview.example' }).expect(201);
    await unconfigured
      .http()
      .put('/v2/zones/preview.example/www.preview.example/A')
      .set(apiKey(t))
      .send({ resource_records: [{ content: ['192.0.2.1'] }] })
      .expect(201);
    const res = await unconfigured.http().get(`${base}?client=paris`).set(apiKey(t)).expect(503);
    expect(res.body.error).toMatch(/set DNS_PREVIEW_SERVER/);
    // Tenancy and input are checked first: 404 and 400 as with a server configured.
    const other = await unconfigured.token((await unconfigured.customer('other')).agent);
    await unconfigured.http().get(`${base}?client=paris`).set(apiKey(other)).expect(404);
    expectInvalid(await unconfigured.http().get(`${base}?client=nowhere`).set(apiKey(t)), 'client');
  });
});
