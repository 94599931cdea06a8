import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/** V8's flag for its linear-time engine (not standard JavaScript, hence a name and not a literal). */
const LINEAR = 'l';

export type MatchResult = { matched: boolean } | { error: string };

/**
 * Runs customers' body regexps without letting one of them stall the probe. A probe's event loop
 * runs every customer's checks, so a catastrophically backtracking pattern on a 64 KiB body
 * would freeze them all. Most patterns compile for V8's linear-time engine (the `l` flag) and run
 * inline; the few it cannot run (back-references, lookaround) go to a worker thread, one at a
 * time, which is terminated when the check's deadline passes.
 */
export class BodyMatcher {
  private readonly compiled = new Map<string, RegExp | 'isolate' | Error>();
  private readonly isolated = new IsolatedMatcher();
  readonly linearEngine: boolean;

  constructor() {
    this.linearEngine = enableLinearEngine();
  }

  /** Tests `pattern` against `body`, giving up at `deadline` (a performance.now() time). */
  async match(pattern: string, body: string, deadline: number): Promise<MatchResult> {
    const re = this.compile(pattern);
    if (re instanceof Error) return { error: `invalid regexp: ${re.message}` };
    if (re === 'isolate') return this.isolated.match(pattern, body, deadline);
    return { matched: re.test(body) };
  }

  private compile(pattern: string): RegExp | 'isolate' | Error {
    let re = this.compiled.get(pattern);
    if (re) return re;
    try {
      new RegExp(pattern);
      try {
        re = this.linearEngine ? new RegExp(pattern, LINEAR) : 'isolate';
      } catch {
        re = 'isolate';
      }
    } catch (e) {
      re = e as Error;
    }
    // Patterns change rarely; a crude bound keeps a flood of distinct ones from growing memory.
    if (this.compiled.size >= 5000) this.compiled.clear();
    this.compiled.set(pattern, re);
    return re;
  }

  close(): Promise<void> {
    return this.isolated.close();
  }
}

/** Lets `new RegExp(p, 'l')` compile for V8's linear engine; false where this V8 lacks it. */
function enableLinearEngine(): boolean {
  try {
    new RegExp('a', LINEAR);
    return true;
  } catch {
    // Not enabled yet: the flag only admits the `l` flag and changes nothing else in the process.
  }
  try {
    setFlagsFromString('--enable-experimental-regexp-engine');
    new RegExp('a', LINEAR);
    return true;
  } catch {
    return false;
  }
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const cache = new Map();
parentPort.on('message', ({ pattern, body }) => {
  let re = cache.get(pattern);
  if (!re) {
    if (cache.size > 1000) cache.clear();
    re = new RegExp(pattern);
    cache.set(pattern, re);
  }
  parentPort.postMessage(re.test(body));
});
`;

interface Pending {
  pattern: string;
  body: string;
  deadline: number;
  resolve: (r: MatchResult) => void;
}

/** One worker thread, one match at a time: the one running is always the one that may be stuck. */
class IsolatedMatcher {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: { job: Pending; timer: NodeJS.Timeout } | null = null;

  match(pattern: string, body: string, deadline: number): Promise<MatchResult> {
    return new Promise((resolve) => {
      this.queue.push({ pattern, body, deadline, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (!this.current && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const left = job.deadline - performance.now();
      if (left <= 0) {
        job.resolve({ error: 'body regexp took too long' });
        continue;
      }
      const worker = this.ensureWorker();
      const timer = setTimeout(() => {
        // Stuck in backtracking: only terminating the thread stops it.
        this.current = null;
        this.worker = null;
        void worker.terminate();
        job.resolve({ error: 'body regexp took too long' });
        this.pump();
      }, left);
      this.current = { job, timer };
      worker.postMessage({ pattern: job.pattern, body: job.body });
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    worker.unref();
    const finish = (result: MatchResult) => {
      const cur = this.current;
      if (!cur || this.worker !== worker) return;
      clearTimeout(cur.timer);
      this.current = null;
      cur.job.resolve(result);
    };
    worker.on('message', (matched: boolean) => {
      finish({ matched });
      this.pump();
    });
    // A pattern that throws or blows the heap limit fails its check; the next job gets a new thread.
    worker.on('error', (e) => {
      finish({ error: `body regexp failed: ${e.message}` });
      if (this.worker === worker) this.worker = null;
      this.pump();
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      finish({ error: 'body regexp failed' });
      this.worker = null;
      this.pump();
    });
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
