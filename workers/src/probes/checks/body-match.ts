import { compileRegexp } from '@vigil/contract';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type CheckOutcome, failure, noVote, success } from '../result';

type NoVoteKind = NonNullable<CheckOutcome['noVote']>;

/** A match's verdict; noVote when the probe could not match in time (the check is then no vote). */
export type MatchResult = { matched: boolean } | { error: string } | { noVote: NoVoteKind; reason: string };

const budgetOverrun = (reason: string): MatchResult => ({ noVote: 'regexp_budget', reason });
const overloaded = (reason: string): MatchResult => ({ noVote: 'overloaded', reason });

export interface BodyMatcherOptions {
  /** A match running longer is abandoned (its thread retired) and its check is no vote. */
  budgetMs?: number;
  /** A match that waited longer than this for a thread is no vote (the probe is overloaded). */
  queueLimitMs?: number;
  /** Threads matching at once. */
  threads?: number;
  /** A pattern that ran over its budget is not matched again for this long (its checks are no vote). */
  costlyForMs?: number;
}

export const MATCH_BUDGET_MS = 250;

// The threads' code: compiles with re2 (the package the contract's compileRegexp loads, so the
// same engine the api validated with) and tests. Plain CommonJS, so it runs from the sources
// (tests) and from the build alike.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const RE2 = require(workerData.re2);
const compiled = new Map();
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, pattern, text }) => {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try { re = new RE2(pattern); } catch (e) { re = String(e && e.message); }
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  if (typeof re === 'string') parentPort.postMessage({ id, error: re });
  else parentPort.postMessage({ id, matched: re.test(text) });
});
`;

interface Pending {
  id: number;
  owner: string;
  pattern: string;
  text: string;
  queuedAt: number;
  resolve: (r: MatchResult) => void;
}

interface MatchThread {
  worker: Worker;
  busy: Pending | null;
  budget: NodeJS.Timeout | null;
  /** Its code and re2 are loaded: a match's budget runs from then, not from the thread's start. */
  ready: boolean;
}

/**
 * Matches customers' regexps against an HTTP body or a TCP/UDP reply with RE2, off the event loop
 * that runs every check's sockets and timers. RE2's time is linear in the text, but its constant
 * is the pattern's size: a 256-character pattern of counted repetitions takes seconds over 64 KiB,
 * and inline it would stall every other tenant's checks. Here it runs in worker threads, each
 * match within a budget (a thread still matching past it is retired, and the pattern's checks are
 * no vote for a while), and the queue is served round-robin by owner (a check's zone), so one
 * tenant's matches wait behind each other, not in front of everyone else's.
 */
export class BodyMatcher {
  private readonly budgetMs: number;
  private readonly queueLimitMs: number;
  private readonly threadCount: number;
  private readonly costlyForMs: number;
  private readonly threads: MatchThread[] = [];
  /** Threads retired in the middle of a native match: they exit when it returns. */
  private retiring = 0;
  private readonly queues = new Map<string, Pending[]>();
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private readonly costly = new Map<string, number>();
  private readonly validity = new Map<string, string | null>();
  private nextId = 1;
  private closed = false;
  private re2Path: string | null = null;

  constructor(opts: BodyMatcherOptions = {}) {
    this.budgetMs = opts.budgetMs ?? MATCH_BUDGET_MS;
    this.queueLimitMs = opts.queueLimitMs ?? 5000;
    this.threadCount = opts.threads ?? 1;
    this.costlyForMs = opts.costlyForMs ?? 5 * 60_000;
  }

  /** Matches waiting for a thread. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Tests `pattern` against `text`; an error when RE2 cannot compile it (a check stored before the API used RE2). */
  match(pattern: string, text: string, owner = ''): Promise<MatchResult> {
    const invalid = this.invalidity(pattern);
    if (invalid !== null) return Promise.resolve({ error: `invalid regexp: ${invalid}` });
    const until = this.costly.get(pattern);
    if (until !== undefined) {
      if (performance.now() < until)
        return Promise.resolve(budgetOverrun(`regexp /${pattern}/ ran over its ${this.budgetMs} ms budget lately`));
      this.costly.delete(pattern);
    }
    if (this.closed) return Promise.resolve(overloaded('probe closing'));
    return new Promise((resolve) => {
      const p: Pending = { id: this.nextId++, owner, pattern, text, queuedAt: performance.now(), resolve };
      const q = this.queues.get(owner);
      if (q) q.push(p);
      else this.queues.set(owner, [p]);
      this.dispatch();
    });
  }

  /** Compile errors are told at once, from the contract's compileRegexp, as before. */
  private invalidity(pattern: string): string | null {
    const known = this.validity.get(pattern);
    if (known !== undefined) return known;
    const r = compileRegexp(pattern);
    const invalid = r.ok ? null : r.error;
    if (this.validity.size >= 5000) this.validity.clear();
    this.validity.set(pattern, invalid);
    return invalid;
  }

  /** The next pending match, taking owners in turn: the one served longest ago (or never) first. */
  private take(): Pending | null {
    let chosen: string | undefined;
    let oldest = Infinity;
    for (const owner of this.queues.keys()) {
      const at = this.lastServed.get(owner) ?? -1;
      if (at < oldest) [chosen, oldest] = [owner, at];
    }
    if (chosen === undefined) return null;
    const q = this.queues.get(chosen)!;
    const p = q.shift()!;
    if (q.length === 0) this.queues.delete(chosen);
    if (this.lastServed.size >= 10_000) this.lastServed.clear();
    this.lastServed.set(chosen, this.served++);
    return p;
  }

  private dispatch(): void {
    for (;;) {
      if (this.queues.size === 0) return;
      let thread = this.threads.find((t) => t.busy === null);
      if (!thread) {
        // A retired thread burns a core until its native match returns (terminate() cannot stop
        // native code): one is replaced at once, a second only when one of them has exited.
        if (this.threads.length >= this.threadCount || this.retiring > 1 || this.closed) return;
        thread = this.spawn();
      }
      const p = this.take()!;
      const waited = performance.now() - p.queuedAt;
      if (waited > this.queueLimitMs) {
        p.resolve(overloaded(`probe overloaded: the regexp waited ${Math.round(waited)} ms for a matching thread`));
        continue;
      }
      this.run(thread, p);
    }
  }

  private spawn(): MatchThread {
    this.re2Path ??= createRequire(require.resolve('@vigil/contract')).resolve('re2');
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { re2: this.re2Path } });
    worker.unref();
    const thread: MatchThread = { worker, busy: null, budget: null, ready: false };
    worker.on('message', (m: { ready?: true; id: number; matched?: boolean; error?: string }) => {
      if (m.ready) {
        thread.ready = true;
        if (thread.busy) this.startBudget(thread, thread.busy);
        return;
      }
      const p = thread.busy;
      if (!p || p.id !== m.id) return;
      this.settle(thread);
      p.resolve(m.error !== undefined ? { error: `invalid regexp: ${m.error}` } : { matched: m.matched === true });
      this.dispatch();
    });
    worker.on('error', (e) => this.retire(thread, overloaded(`regexp thread failed: ${e.message}`)));
    worker.on('exit', () => this.retire(thread, overloaded('regexp thread exited')));
    this.threads.push(thread);
    return thread;
  }

  private run(thread: MatchThread, p: Pending): void {
    thread.busy = p;
    if (thread.ready) this.startBudget(thread, p);
    thread.worker.postMessage({ id: p.id, pattern: p.pattern, text: p.text });
  }

  private startBudget(thread: MatchThread, p: Pending): void {
    thread.budget = setTimeout(() => {
      // A message that came back while this process was busy is read first.
      setImmediate(() => {
        if (thread.busy !== p) return;
        this.costly.set(p.pattern, performance.now() + this.costlyForMs);
        this.retire(thread, budgetOverrun(`regexp /${p.pattern}/ ran over its ${this.budgetMs} ms budget`));
      });
    }, this.budgetMs);
  }

  private settle(thread: MatchThread): void {
    if (thread.budget) clearTimeout(thread.budget);
    thread.budget = null;
    thread.busy = null;
  }

  /** Takes the thread out of service; its match (if any) gets `result`. */
  private retire(thread: MatchThread, result: MatchResult): void {
    const i = this.threads.indexOf(thread);
    if (i < 0) return;
    this.threads.splice(i, 1);
    const p = thread.busy;
    this.settle(thread);
    p?.resolve(result);
    this.retiring++;
    thread.worker.removeAllListeners('exit');
    thread.worker.once('exit', () => {
      this.retiring--;
      this.dispatch();
    });
    void thread.worker.terminate().catch(() => undefined);
    this.dispatch();
  }

  /** Ends the threads; pending matches are no vote. */
  async close(): Promise<void> {
    this.closed = true;
    for (let p = this.take(); p; p = this.take()) p.resolve(overloaded('probe closing'));
    const threads = this.threads.splice(0);
    for (const t of threads) {
      const p = t.busy;
      this.settle(t);
      p?.resolve(overloaded('probe closing'));
      t.worker.removeAllListeners();
      t.worker.on('error', () => undefined);
    }
    await Promise.all(threads.map((t) => t.worker.terminate().catch(() => undefined)));
  }
}

/** A check's outcome from its match: success, the mismatch, an invalid pattern, or no vote. */
export function matchOutcome(r: MatchResult, latencyMs: number, mismatch: string): CheckOutcome {
  if ('noVote' in r) return noVote(r.noVote, r.reason);
  if ('error' in r) return failure(r.error, latencyMs);
  return r.matched ? success(latencyMs) : failure(mismatch, latencyMs);
}
