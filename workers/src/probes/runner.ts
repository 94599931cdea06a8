import { type CheckJob, isHttpsCheck, type ProbeReport, quorumPolicyOf, type TargetPolicy } from '@vigil/contract';
import { performance } from 'node:perf_hooks';
import { Semaphore } from '../common/semaphore';
import { BodyMatcher } from './checks/body-match';
import type { CheckContext } from './checks/context';
import { dnsCheck } from './checks/dns';
import { httpCheck } from './checks/http';
import { IcmpPinger, ProbeFault } from './checks/icmp';
import { resolveTarget } from './checks/resolve';
import { tcpCheck } from './checks/tcp';
import { udpCheck } from './checks/udp';
import type { ProbeMetrics } from './metrics';
import { LoopStallMonitor, overloadReason } from './overload';
import { type CheckOutcome, type CheckProgress, failure, noVote, timeoutFailure, toProbeResult } from './result';

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
  /** PROBE_RESOLVERS, parsed (`host:port`): resolve CNAME targets; empty or unset: /etc/resolv.conf's. */
  resolvers?: readonly string[];
}

/** Recognisable in targets' access logs, and it names the location that sent the request. */
export const userAgentFor = (location: string) => `Vigil-Probe/1 (location=${location})`;

/** A CNAME target as stored has no trailing dot; one written with it is the same name. */
const withoutTrailingDot = (name: string) => (name.endsWith('.') ? name.slice(0, -1) : name);

/**
 * Runs checks: resolves CNAME targets, applies the target policy, bounds concurrency, gives each
 * check its own deadline and stamps outcomes into results. Has no Redis or BullMQ in it, so it is
 * tested on its own.
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
    const reports: ProbeReport[] = [];
    // The check's own quorum travels with each result: the aggregators see nothing else of it.
    const quorum = quorumPolicyOf(job.check);
    for (const { address, outcome, at } of await this.checkAll(job)) {
      if (outcome.probeFault) continue;
      const result = toProbeResult(outcome, this.opts.location, job.check.frequency, at);
      reports.push({ checkId: job.checkId, address, ...result, ...(quorum && { quorum }) });
    }
    return reports;
  }

  /** Every address of a job checked at once, each outcome as it ended, no votes included (a one-off run shows them). */
  async checkAll(job: CheckJob): Promise<{ address: string; outcome: CheckOutcome; at: number }[]> {
    const addresses = [...new Set(job.addresses)];
    // A CNAME record set's "addresses" are its target names; each report keeps the name as its address.
    const check = job.type === 'CNAME' ? this.checkTarget.bind(this) : this.checkAddress.bind(this);
    return Promise.all(
      addresses.map((address) => check(address, job.check, job.zone).then((outcome) => ({ address, outcome, at: Date.now() }))),
    );
  }

  /** One check of one address: refused without traffic when the policy says so. `owner` shares the matcher fairly. */
  async checkAddress(address: string, check: Check, owner = ''): Promise<CheckOutcome> {
    const refusal = this.opts.policy.refusal(address);
    if (refusal) {
      this.opts.metrics?.checks.inc({ protocol: check.protocol, result: 'refused' });
      return failure(refusal);
    }
    return this.inSlot(address, check, owner, (ctx) => this.dispatch(address, check, ctx));
  }

  /**
   * One check of a CNAME target: `target` is resolved (A, else AAAA) within the check's deadline,
   * the policy judges the address it resolves to (a public name may point at 127.0.0.1 or 10.x:
   * DNS rebinding), and the check connects to exactly that address, never resolving again, with
   * the target name as its Host header and TLS name unless the check sets `host`.
   */
  async checkTarget(target: string, check: Check, owner = ''): Promise<CheckOutcome> {
    const name = withoutTrailingDot(target);
    const seen: { address: string | null; refused: boolean } = { address: null, refused: false };
    const outcome = await this.inSlot(
      target,
      check,
      owner,
      async (ctx) => {
        const r = await resolveTarget(name, this.opts.resolvers ?? [], check.timeout * 1000, ctx);
        if (!r.ok) return r.outcome;
        if (ctx.signal.aborted) return failure('aborted');
        const refusal = this.opts.policy.refusal(r.address);
        if (refusal) {
          seen.refused = true;
          return failure(`${name} resolves to ${r.address}: ${refusal}`);
        }
        seen.address = r.address;
        return this.dispatch(r.address, check, ctx, name);
      },
      () => (seen.refused ? 'refused' : undefined),
    );
    // The stored result is keyed by the name: its error says which address failed (locations may
    // resolve the name differently). A success keeps error null.
    if (seen.address && !outcome.ok && !outcome.probeFault) return { ...outcome, error: `${outcome.error} (resolved to ${seen.address})` };
    return outcome;
  }

  /** Runs `run` in a concurrency slot, within the check's deadline, and counts its outcome. */
  private async inSlot(
    address: string,
    check: Check,
    owner: string,
    run: (ctx: CheckContext) => Promise<CheckOutcome>,
    label: () => string | undefined = () => undefined,
  ): Promise<CheckOutcome> {
    const metrics = this.opts.metrics;
    await this.semaphore.acquire();
    const start = performance.now();
    metrics?.inFlight.set(this.semaphore.inFlight);
    metrics?.queued.set(this.semaphore.queued);
    try {
      const outcome = await this.withDeadline(check, owner, run);
      if (outcome.probeFault) this.opts.onProbeFault?.(address, check, outcome.error ?? 'probe fault');
      const result = label() ?? outcome.noVote ?? (outcome.probeFault ? 'probe_error' : outcome.ok ? 'ok' : 'failed');
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
   * the check function does afterwards. The deadline covers the network exchange only (for a
   * CNAME target, resolving its name and then the exchange): it starts when the check gets its
   * slot (time queued behind PROBE_CONCURRENCY is the probe's, not the target's) and stops when
   * the check has its answer (exchangeDone: the match after it is ours).
   * A timeout while the probe itself was stalled is no vote, not a failure (overloadReason).
   */
  private async withDeadline(check: Check, owner: string, run: (ctx: CheckContext) => Promise<CheckOutcome>): Promise<CheckOutcome> {
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
      outcome = await Promise.race([expired, run(ctx)]);
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

  /**
   * The check of `address`, then its response-time threshold: a passing check answered slower
   * than max_response_ms fails, saying how slow it was.
   */
  private async dispatch(address: string, check: Check, ctx: CheckContext, name?: string): Promise<CheckOutcome> {
    const outcome = await this.exchange(address, check, ctx, name);
    const max = check.max_response_ms;
    if (max === undefined || !outcome.ok || outcome.latencyMs === null || outcome.latencyMs <= max) return outcome;
    return { ...outcome, ...failure(`answered in ${Math.round(outcome.latencyMs)} ms, over max_response_ms ${max}`, outcome.latencyMs) };
  }

  /** `name`: the CNAME target `address` was resolved from, the Host header and TLS name unless `host` is set. */
  private exchange(address: string, check: Check, ctx: CheckContext, name?: string): Promise<CheckOutcome> {
    const command = check.command || undefined;
    const regexp = check.regexp || undefined;
    const host = check.host || name;
    switch (check.protocol) {
      case 'ICMP':
        return this.icmp.ping(address, check.timeout, ctx.signal);
      case 'TCP': {
        if (check.port === undefined) return Promise.resolve(failure('TCP check without a port'));
        const tls = check.tls ? { servername: host, verify: check.verify ?? true } : null;
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
            host,
            // null or absent: any answer passes, as Gcore means it.
            expectedStatus: check.http_status_code ?? null,
            expectedStatuses: check.http_status_codes,
            regexp,
            invert: check.regexp_invert === true,
            headers: check.headers,
            certExpiryDays: check.cert_expiry_days,
            verify: check.verify ?? true,
            userAgent: this.userAgent,
          },
          ctx,
        );
      }
      case 'DNS': {
        if (!check.dns) return Promise.resolve(failure('DNS check without a query'));
        const { name: asked, type = 'A', transport = 'udp', rcode = 'NOERROR', answer } = check.dns;
        return dnsCheck({ address, port: check.port ?? 53, name: asked, type, transport, rcode, answer }, ctx);
      }
    }
  }

  async close(): Promise<void> {
    this.stalls.stop();
    this.icmp.close();
    await this.matcher.close();
  }
}
