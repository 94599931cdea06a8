import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The probe's Prometheus metrics, on a registry of their own (tests run several probes in one process). */
export class ProbeMetrics {
  readonly checks: Counter<'protocol' | 'result'>;
  readonly duration: Histogram<'protocol'>;
  readonly inFlight: Gauge;
  readonly queued: Gauge;
  readonly jobs: Counter<'result'>;

  constructor(readonly registry: Registry = new Registry()) {
    this.checks = new Counter({
      name: 'vigil_probe_checks_total',
      help: 'Checks run, by protocol and result (ok, failed, refused: private target, probe_error: not stored)',
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
  }
}
