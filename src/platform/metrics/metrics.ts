import { Registry, Histogram, Counter, Gauge, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry and the platform's own series; modules add theirs through `registry`. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cmp_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'cmp_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
    outboxLag: new Gauge({ name: 'cmp_outbox_lag_seconds', help: 'age of the oldest due, undelivered event', registers: [registry] }),
    outboxDelivered: new Counter({ name: 'cmp_outbox_deliveries_total', help: 'event deliveries by outcome', labelNames: ['subscriber', 'outcome'], registers: [registry] }),
    jobRuns: new Counter({ name: 'cmp_job_runs_total', help: 'scheduled job runs by outcome', labelNames: ['job', 'outcome'], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
