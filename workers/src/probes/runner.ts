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
import { type CheckOutcome, type CheckProgress, failure, timeoutMessage, toProbeResult } from './result';
import type { TargetPolicy } from './target-policy';

export type Check = CheckJob['check'];

export interface RunnerOptions {
  location: string;
  policy: TargetPolicy;
  /** Checks in flight at once, across every job. */
  concurrency: number;
  metrics?: ProbeMetrics;
  /** Told about outcomes that are not stored (probe faults), so they are not silent. */
  onProbeFault?: (address: string, check: Check, error: string) => void;
}

/** Recognisable in targets' access logs, and it names the location that sent the request. */
export const userAgentFor = (location: string) => `Vigil-Probe/1 (location=${location})`;

/**
 * Runs checks: applies the target policy, bounds concurrency, gives each check its own deadline
 * and stamps outcomes into results. Has no Redis or BullMQ in it, so it is tested on its own.
 */
export class ProbeRunner {
  readonly semaphore: Semaphore;
  readonly matcher = new BodyMatcher();
  readonly icmp = new IcmpPinger();
  private readonly userAgent: string;

  constructor(private readonly opts: RunnerOptions) {
    this.semaphore = new Semaphore(opts.concurrency);
    this.userAgent = userAgentFor(opts.location);
  }

  /**
   * Checks every address of a job at once and resolves when all are done; each check ends by
   * its own deadline, so a job takes about check.timeout at most (plus time queued for a slot).
   * Probe faults are left out: there is no result to store for them.
   */
  async runJob(job: CheckJob): Promise<ProbeReport[]> {
    const addresses = [...new Set(job.addresses)];
    const outcomes = await Promise.all(addresses.map((a) => this.checkAddress(a, job.check).then((o) => ({ o, at: Date.now() }))));
    const reports: ProbeReport[] = [];
    outcomes.forEach(({ o, at }, i) => {
      if (o.probeFault) return;
      reports.push({ checkId: job.checkId, address: addresses[i]!, ...toProbeResult(o, this.opts.location, job.check.frequency, at) });
    });
    return reports;
  }

  /** One check of one address: refused without traffic when the policy says so. */
  async checkAddress(address: string, check: Check): Promise<CheckOutcome> {
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
      const outcome = await this.withDeadline(address, check);
      if (outcome.probeFault) this.opts.onProbeFault?.(address, check, outcome.error ?? 'probe fault');
      metrics?.checks.inc({ protocol: check.protocol, result: outcome.probeFault ? 'probe_error' : outcome.ok ? 'ok' : 'failed' });
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
   * the check function does afterwards. The deadline starts when the check gets its slot: time
   * spent queued behind PROBE_CONCURRENCY is the probe's fault, not the target's.
   */
  private async withDeadline(address: string, check: Check): Promise<CheckOutcome> {
    const timeoutMs = check.timeout * 1000;
    const ac = new AbortController();
    const progress: CheckProgress = {};
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => {
        resolve(failure(timeoutMessage(check.timeout, progress.waitingFor)));
        ac.abort();
      }, timeoutMs);
    });
    try {
      return await Promise.race([expired, this.dispatch(address, check, { signal: ac.signal, matcher: this.matcher, progress })]);
    } catch (e) {
      if (e instanceof ProbeFault) return { ...failure(e.message), probeFault: true };
      return failure(`probe error: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      // Frees whatever the check still holds (a check also cleans up after itself when it ends).
      ac.abort();
    }
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
    this.icmp.close();
  }
}
