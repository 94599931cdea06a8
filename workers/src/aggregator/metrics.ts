import { Counter, Gauge, Registry } from 'prom-client';

/** The aggregator's Prometheus metrics, on a registry of their own. */
export class AggregatorMetrics {
  readonly transitions: Counter<'state'>;
  readonly results: Counter;
  readonly invalid: Counter;
  readonly conflicts: Counter;
  readonly lag: Gauge;
  readonly rttSamples: Counter;
  readonly certChanges: Counter<'level'>;

  constructor(readonly registry: Registry = new Registry()) {
    this.transitions = new Counter({
      name: 'vigil_health_transitions_total',
      help: 'Health transitions written (and appended to the change feed), by new state',
      labelNames: ['state'],
      registers: [registry],
    });
    this.results = new Counter({
      name: 'vigil_health_results_processed_total',
      help: 'Probe results read from the results feed',
      registers: [registry],
    });
    this.invalid = new Counter({
      name: 'vigil_health_results_invalid_total',
      help: 'Results-feed entries that could not be parsed (acknowledged and skipped)',
      registers: [registry],
    });
    this.conflicts = new Counter({
      name: 'vigil_health_cas_conflicts_total',
      help: 'Transitions not written because another aggregator changed the state first (re-evaluated)',
      registers: [registry],
    });
    this.rttSamples = new Counter({
      name: 'vigil_rtt_samples_written_total',
      help: "Smoothed RTT samples written (per check, address and location) for the geodistance picker's rtt option",
      registers: [registry],
    });
    this.certChanges = new Counter({
      name: 'vigil_cert_level_changes_total',
      help: "Certificate level changes written (and appended to the certificate feed) for the checks' cert_expiry_days, by new level",
      labelNames: ['level'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'vigil_health_feed_lag_seconds',
      help: 'Age of the newest results-feed entry handled, when it was handled',
      registers: [registry],
    });
  }
}
