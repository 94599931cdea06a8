import { Counter, Gauge, Histogram } from 'prom-client';
import { apiRegistry } from '../metrics/metrics';

export const notificationMetrics = {
  deliveries: new Counter({
    name: 'vigil_notification_deliveries_total',
    help: 'Delivery attempts of notifications, by channel type and outcome (sent, retrying, failed)',
    labelNames: ['channel_type', 'outcome'] as const,
    registers: [apiRegistry],
  }),
  latency: new Histogram({
    name: 'vigil_notification_latency_seconds',
    help: 'From the first transition of a message to its delivery',
    labelNames: ['channel_type'] as const,
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 900, 3600],
    registers: [apiRegistry],
  }),
  queue: new Gauge({
    name: 'vigil_notification_queue_jobs',
    help: 'Notification deliveries in the queue, by state (waiting, delayed for a retry, active)',
    labelNames: ['state'] as const,
    registers: [apiRegistry],
  }),
};
