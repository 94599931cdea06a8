#!/usr/bin/env node
// Answer-size benchmark (not a test; issue 15): the differential test's corpus (stack/src/dns-corpus.ts)
// asked of Vigil (zone built through the real api, served by the real DNS process) and of Knot
// serving the same zone in the same run. Reports Vigil's answer sizes against Knot's: the ratio
// per answer (median, mean) and of all bytes, for every answered query and for those whose
// answers carry records, and the two named cases over TCP and UDP with EDNS 1232: 60 A records,
// and a referral to 8 name servers with in-zone glue. Sizes are bytes of the DNS message (no TCP
// length prefix). A size is a property of the encoder, not of timing: one run tells.
// Usage: npm run build -w contract -w stack -w backend -w workers && node bench/dns/sizes.mjs
// Needs knotd (Debian: knot).
import { execFileSync } from 'node:child_process';
import { askRaw, canonical, CORPUS_ZONE, corpusPuts, corpusQueries, corpusServed, ROOT, startCorpusKnot } from '@vigil/stack';
import { customer, Stack, until } from '../lib.mjs';

const Z = CORPUS_ZONE;
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Ratios of Vigil's sizes to Knot's over pairs of answers. */
function ratios(pairs) {
  const r = pairs.map(([v, k]) => v / k);
  const vBytes = pairs.reduce((n, [v]) => n + v, 0);
  const kBytes = pairs.reduce((n, [, k]) => n + k, 0);
  return {
    answers: pairs.length,
    medianRatio: round(median(r)),
    meanRatio: round(r.reduce((a, b) => a + b, 0) / r.length),
    bytesRatio: round(vBytes / kBytes),
    larger: r.filter((x) => x > 1).length,
    smaller: r.filter((x) => x < 1).length,
  };
}

/** The last commit of the encoder measured, and whether the file differs from it; VIGIL_COMMIT names it outside a checkout. */
function encoderCommit() {
  const git = (...args) =>
    execFileSync('git', ['-C', ROOT, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  try {
    const commit = git('log', '-1', '--format=%h %s', '--', 'workers/src/dns/encode.ts').slice(0, 60);
    return git('status', '--porcelain', '--', 'workers/src/dns/encode.ts') === '' ? commit : `${commit} (with uncommitted changes)`;
  } catch {
    return process.env.VIGIL_COMMIT ?? 'not a git checkout';
  }
}

const stack = new Stack();
let knot;
try {
  const apiUrl = await stack.startApi();
  const port = await stack.startDns();
  const call = await customer(apiUrl);
  await call('POST', '/v2/zones', { name: Z });
  for (const { path, body } of corpusPuts()) await call('PUT', path, body);
  await until('the whole zone in DNS', () => corpusServed(port));
  knot = await startCorpusKnot(port);

  const all = [];
  const withRecords = [];
  const named = {};
  /** Where sizes differ: the corpus kind, and which way. */
  const differ = {};
  const cases = {
    [`big.${Z} A tcp-edns`]: '60 A records, TCP',
    [`big.${Z} A udp-edns`]: '60 A records, UDP EDNS 1232',
    [`host.deleg.${Z} A tcp-edns`]: 'referral to 8 NS with glue, TCP',
    [`host.deleg.${Z} A udp-edns`]: 'referral to 8 NS with glue, UDP EDNS 1232',
  };
  for (const q of corpusQueries()) {
    const wait = ['drop', 'unreadable'].includes(q.kind) ? 300 : 3000;
    const [va, ka] = await Promise.all([askRaw(port, q, wait), askRaw(knot.port, q, wait)]);
    if (va === null || ka === null) continue;
    const v = canonical(va);
    const k = canonical(ka);
    all.push([va.length, ka.length]);
    if (va.length !== ka.length) {
      const key = `${q.kind} ${va.length > ka.length ? 'larger' : 'smaller'}`;
      differ[key] = (differ[key] ?? 0) + 1;
    }
    const records = (c) => c.answer.length + c.authority.length + c.additional.length;
    if (records(v) > 0 && records(k) > 0 && !v.tc && !k.tc) withRecords.push([va.length, ka.length]);
    if (cases[q.label]) {
      named[cases[q.label]] = { vigil: va.length, knot: ka.length, ratio: round(va.length / ka.length), vigilTc: v.tc, knotTc: k.tc };
    }
  }
  const encoder = encoderCommit();
  console.log(
    JSON.stringify(
      {
        encoder,
        everyAnswer: ratios(all),
        answersWithRecords: ratios(withRecords),
        differentSizesByKind: differ,
        named,
      },
      null,
      2,
    ),
  );
} finally {
  await knot?.stop();
  await stack.stop();
}
