import { type CheckJob, isHttpsCheck, type ProbeReport } from '@vigil/contract';
import { performance } from 'node:perf_hooks';
import { Semaphore } from '../common/semaphore';
import { BodyMatcher } from './checks/body-match';
import type { CheckContext } from './checks/context';
import { httpCheck } from './checks/http';
import { IcmpPinger, ProbeFault } from './checks/icmp';
import { tcpCheck } from './checks/tcp';
import { udpCheck } from './checks/udp';
import type { ProbeMetrics } from './metrics';
import { LoopStallMonitor, overloadReason } from './overload';
import { type CheckOutcome, type CheckProgress, failure, noVote, timeoutFailure, toProbeResult } from './result';
import type { TargetPolicy } from './target-policy';

export type Check = CheckJob['check'];

export interface RunnerOptions {
  location: string;
  policy: TargetPolicy;
  /** Checks in flight at once, across every job. */
  concurrency: number;
  metrics?: ProbeMetrics;
  /** Told about outcomes that are not stored (probe faults, no votes), so they are not silent. */
  onProbeFault?: (address: string, check: Check, error: string) => void;
  /** The regexp matcher (its threads and budget); one of its own by default. */
  matcher?: BodyMatcher;
  /** The probe's own delay past which a timeout is no vote (OVERLOAD_TOLERANCE_MS by default). */
  overloadToleranceMs?: number;
}

/** Recognisable in targets' access logs, and it names the location that sent the request. */
export const userAgentFor = (location: string) => `Vigil-Probe/1 (location=${location})`;

/**
 * Runs checks: applies the target policy, bounds concurrency, gives each check its own deadline
 * and stamps outcomes into results. Has no Redis or BullMQ in it, so it is tested on its own.
 */
export class ProbeRunner {
  readonly semaphore: Semaphore;
  readonly matcher: BodyMatcher;
  readonly icmp = new IcmpPinger();
  /** The event loop's stalls, by which a timeout is told from the probe's own overload. */
  readonly stalls = new LoopStallMonitor().start();
  private readonly userAgent: string;

  constructor(private readonly opts: RunnerOptions) {
    this.semaphore = new Semaphore(opts.concurrency);
    this.matcher = opts.matcher ?? new BodyMatcher();
    this.userAgent = userAgentFor(opts.location);
  }

  /**
   * Checks every address of a job at once and resolves when all are done; each check ends by
   * its own deadline, so a job takes about check.timeout at most (plus time queued for a slot).
   * Probe faults and no votes are left out: there is no result to store for them.
   */
  async runJob(job: CheckJob): Promise<ProbeReport[]> {
    const addresses = [...new Set(job.addresses)];
    const outcomes = await Promise.all(
      addresses.map((a) => this.checkAddress(a, job.check, job.zone).then((o) => ({ o, at: Date.now() }))),
    );
    const reports: ProbeReport[] = [];
    outcomes.forEach(({ o, at }, i) => {
      if (o.probeFault) return;
      reports.push({ checkId: job.checkId, address: addresses[i]!, ...toProbeResult(o, this.opts.location, job.check.frequency, at) });
    });
    return reports;
  }

  /** One check of one address: refused without traffic when the policy says so. `owner` shares the matcher fairly. */
  async checkAddress(address: string, check: Check, owner = ''): Promise<CheckOutcome> {
    const metrics = this.opts.metrics;
    const refusal = this.opts.policy.refusal(address);
    if (refusal) {
      metrics?.checks.inc({ protocol: check.protocol, result: 'refused' });
      return failure(refusal);
    }
    await this.semaphore.acquire();
    const start = performance.now();
    metrics?.inFlight.set(this.semaphore.inFlight);
    metrics?.queued.set(this.semaphore.queued);
    try {
      const outcome = await this.withDeadline(address, check, owner);
      if (outcome.probeFault) this.opts.onProbeFault?.(address, check, outcome.error ?? 'probe fault');
      const result = outcome.noVote ?? (outcome.probeFault ? 'probe_error' : outcome.ok ? 'ok' : 'failed');
      metrics?.checks.inc({ protocol: check.protocol, result });
      metrics?.duration.observe({ protocol: check.protocol }, (performance.now() - start) / 1000);
      return outcome;
    } finally {
      this.semaphore.release();
      metrics?.inFlight.set(this.semaphore.inFlight);
      metrics?.queued.set(this.semaphore.queued);
    }
  }

  /**
   * Runs the check with its deadline: at check.timeout the check is aborted (its sockets
   * destroyed) and the outcome is a timeout, with what the check was still waiting for, whatever
   * the check function does afterwards. The deadline covers the network exchange only: it starts
   * when the check gets its slot (time queued behind PROBE_CONCURRENCY is the probe's, not the
   * target's) and stops when the check has its answer (exchangeDone: the match after it is ours).
   * A timeout while the probe itself was stalled is no vote, not a failure (overloadReason).
   */
  private async withDeadline(address: string, check: Check, owner: string): Promise<CheckOutcome> {
    const timeoutMs = check.timeout * 1000;
    const start = performance.now();
    const ac = new AbortController();
    const progress: CheckProgress = {};
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const exchangeDone = () => {
      answered = true;
      clearTimeout(timer);
    };
    const expired = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => {
        // Timers run before I/O in the event loop's turn: after a stall, an answer that came in
        // time may be waiting in a socket buffer. It is read first.
        setImmediate(() => {
          if (answered) return;
          const settled = progress.settle?.() ?? Promise.resolve(null);
          void settled.then((o) => {
            resolve(o ?? timeoutFailure(check.timeout, progress.waitingFor));
            ac.abort();
          });
        });
      }, timeoutMs);
    });
    let outcome: CheckOutcome;
    try {
      const ctx = { signal: ac.signal, matcher: this.matcher, owner, progress, exchangeDone };
      outcome = await Promise.race([expired, this.dispatch(address, check, ctx)]);
    } catch (e) {
      if (e instanceof ProbeFault) return { ...failure(e.message), probeFault: true };
      return failure(`probe error: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      // Frees whatever the check still holds (a check also cleans up after itself when it ends).
      ac.abort();
    }
    const { timedOut, ...rest } = outcome;
    if (!timedOut) return rest;
    const timing = { timeoutMs, elapsedMs: performance.now() - start, stalledMs: this.stalls.stalledSince(start) };
    const overload = overloadReason(timing, this.opts.overloadToleranceMs);
    return overload ? noVote('overloaded', `probe overloaded, no vote: ${overload}`) : rest;
  }

  private dispatch(address: string, check: Check, ctx: CheckContext): Promise<CheckOutcome> {
    const command = check.command || undefined;
    const regexp = check.regexp || undefined;
    switch (check.protocol) {
      case 'ICMP':
        return this.icmp.ping(address, check.timeout, ctx.signal);
      case 'TCP': {
        if (check.port === undefined) return Promise.resolve(failure('TCP check without a port'));
        const tls = check.tls ? { servername: check.host || undefined, verify: check.verify ?? true } : null;
        return tcpCheck({ address, port: check.port, tls, command, regexp }, ctx);
      }
      case 'UDP':
        if (check.port === undefined) return Promise.resolve(failure('UDP check without a port'));
        return udpCheck({ address, port: check.port, command, regexp }, ctx);
      case 'HTTP':
      case 'HTTPS': {
        const https = isHttpsCheck(check);
        return httpCheck(
          {
            https,
            address,
            port: check.port ?? (https ? 443 : 80),
            method: check.method ?? 'GET',
            path: check.url ?? check.path ?? '/',
            host: check.host || undefined,
            // null or absent: any answer passes, as Gcore means it.
            expectedStatus: check.http_status_code ?? null,
            regexp,
            verify: check.verify ?? true,
            userAgent: this.userAgent,
          },
          ctx,
        );
      }
    }
  }

  async close(): Promise<void> {
    this.stalls.stop();
    this.icmp.close();
    await this.matcher.close();
  }
}
