import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The probe's Prometheus metrics, on a registry of their own (tests run several probes in one process). */
export class ProbeMetrics {
  readonly checks: Counter<'protocol' | 'result'>;
  readonly duration: Histogram<'protocol'>;
  readonly inFlight: Gauge;
  readonly queued: Gauge;
  readonly jobs: Counter<'result'>;
  readonly jobStartDelay: Histogram;

  constructor(readonly registry: Registry = new Registry()) {
    this.checks = new Counter({
      name: 'vigil_probe_checks_total',
      help: 'Checks run, by protocol and result (ok, failed, refused: private target; not stored, no vote: probe_error, overloaded: timed out while the probe was stalled, regexp_budget: the match ran over its budget or waited too long, resolver: a CNAME target not resolved, the probe resolvers being unreachable or refusing it)',
      labelNames: ['protocol', 'result'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'vigil_probe_check_duration_seconds',
      help: 'Time from a check starting (after its concurrency slot) to its verdict',
      labelNames: ['protocol'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.inFlight = new Gauge({ name: 'vigil_probe_checks_in_flight', help: 'Checks running now', registers: [registry] });
    this.queued = new Gauge({
      name: 'vigil_probe_checks_queued',
      help: 'Checks waiting for a slot (PROBE_CONCURRENCY reached)',
      registers: [registry],
    });
    this.jobs = new Counter({
      name: 'vigil_probe_jobs_total',
      help: 'BullMQ check jobs handled, by result',
      labelNames: ['result'],
      registers: [registry],
    });
    this.jobStartDelay = new Histogram({
      name: 'vigil_probe_job_start_delay_seconds',
      help: 'How long after its scheduled time a check job started: a probe that falls behind its schedule is overloaded',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
  }
}
