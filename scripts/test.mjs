#!/usr/bin/env node
// `npm test`: builds, runs every jest project and then the browser suites, and ends with one
// line `tests: N passed, N failed, N skipped` summed over all of them (CI reads that line).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status ?? 1;

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;

if (run('npm', ['run', 'build']) !== 0) {
  console.error('build failed');
  process.exit(1);
}

// Suites that load the machine (the fuzz test's floods, a 100,000-record zone, the sites' dozen
// processes) or take its services away run after the rest, one at a time, so none disturbs another.
const ALONE = ['e2e/large-zone.spec.ts', 'e2e/fault.spec.ts', 'e2e/multi-site.spec.ts', 'workers/src/dns/e2e/fuzz.spec.ts'];
const extra = process.argv.slice(2);
const jestRuns =
  extra.length > 0
    ? [extra]
    : [
        // Two suites at a time (jest would take one on two cores): most of them wait on real timers
        // (check periods, processes starting), so two at once shorten the run; those that load the
        // machine are in ALONE.
        ['--maxWorkers=2', '--testPathIgnorePatterns', ...ALONE.map((f) => f.replaceAll('.', '\\.'))],
        ['--runInBand', ...ALONE],
      ];

let jestStatus = 0;
for (const [i, args] of jestRuns.entries()) {
  const jestJson = join(out, `jest-${i}.json`);
  // --forceExit: a suite that fails halfway (a Sentinel failover that went wrong, say) can leave its
  // processes' connections open, and jest would then wait for ever instead of letting the summary come.
  const status = run('npx', ['jest', '--json', `--outputFile=${jestJson}`, '--forceExit', ...args]);
  if (status !== 0) jestStatus = status;
  if (existsSync(jestJson)) {
    const r = JSON.parse(readFileSync(jestJson, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // A suite that failed to load has no failed tests but is a failure all the same.
    failed += r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  } else if (status !== 0) {
    broken = true;
  }
}

// Browser suites (Playwright) join here when the panel has them.
const pwConfig = join(root, 'frontend', 'playwright.config.ts');
if (existsSync(pwConfig)) {
  const pwJson = join(out, 'playwright.json');
  const status = run('npx', ['playwright', 'test', '--config', pwConfig], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson },
  });
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    skipped += s.skipped;
  } else if (status !== 0) {
    broken = true;
  }
}

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || broken || jestStatus !== 0 ? 1 : 0);
