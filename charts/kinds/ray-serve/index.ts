/**
 * Ray Serve: Ray's metrics agent on every node (`ray start --metrics-export-port`, 8080 here), path `/metrics`,
 * every series prefixed `ray_serve_` (contracts/metrics/ray-serve.json). A general model server: requests,
 * errors and queues per application and deployment, latencies in milliseconds; no token-level signal.
 */
import type { KindDef } from '../types';
import { gauge, histogram, rate5m } from '../shared';
import { rayServe as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'ray-serve',
  title: 'Ray Serve through the Ray metrics agent (`ray_serve_*`, labels application, deployment, route)',
  scrape: { path: '/metrics', port: 8080, flags: 'ray start --metrics-export-port=8080' },
  contracts: ['ray-serve'],
  prefix: 'ray_serve_',
  metrics: [
    'ray_serve_deployment_queued_queries',
    'ray_serve_num_ongoing_requests_at_replicas',
    'ray_serve_num_deployment_http_error_requests_total',
    'ray_serve_num_http_requests_total',
    'ray_serve_num_http_error_requests_total',
    'ray_serve_deployment_replica_healthy',
    'ray_serve_deployment_request_counter_total',
    'ray_serve_deployment_error_counter_total',
    'ray_serve_replica_processing_queries',
    ...histogram('ray_serve_deployment_processing_latency_ms'),
    ...histogram('ray_serve_http_request_latency_ms'),
  ],
  slis: {
    // Per application: the proxy counts HTTP requests by application and status code. No latency SLI: Ray's
    // millisecond bucket boundaries (DEFAULT_LATENCY_BUCKET_MS) were not read at a pinned version.
    modelLabel: 'application',
    availability: {
      id: 'ray_serve_http',
      total: 'ray_serve_num_http_requests_total',
      errors: 'ray_serve_num_http_requests_total{status_code=~"5.."}',
    },
    latency: [],
  },
  llm: {
    modelLabel: 'application',
    errorRatio: (sel, by) =>
      `${rate5m('ray_serve_num_http_requests_total', `${sel}, status_code=~"5.."`, by)} / ${rate5m('ray_serve_num_http_requests_total', sel, by)}`,
    queued: (sel, by) => gauge('sum', 'ray_serve_deployment_queued_queries', sel, by),
  },
  dashboard: { ...dashboard, file: 'charts/kinds/ray-serve/dashboard.ts' },
};
