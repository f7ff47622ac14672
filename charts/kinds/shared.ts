/**
 * Pieces several kinds share (no kind is named here): the series of a
 * histogram, the process/runtime collectors of the official clients, and the
 * prometheus-fastapi-instrumentator names the FastAPI services expose.
 */
import type { AvailabilitySli, LatencySli } from '../core/slo-catalog';
import type { KindMetrics } from './types';

/** The three series of a Prometheus histogram. */
export const histogram = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

/** Metrics of the process/runtime collectors of the official Go and Python clients. */
export const PROCESS = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_open_fds',
  'process_max_fds',
  'process_start_time_seconds',
];
export const PYTHON = [...PROCESS, 'python_info', 'python_gc_collections_total', 'python_gc_objects_collected_total'];

/** prometheus-fastapi-instrumentator v8.0.2 `latency_lowr_buckets` (src/prometheus_fastapi_instrumentator/metrics.py, `default()`). */
export const FASTAPI_LOWR = [0.1, 0.5, 1];
export const SRC_FASTAPI = 'prometheus-fastapi-instrumentator v8.0.2 latency_lowr_buckets';
/** prometheus_client Histogram.DEFAULT_BUCKETS, used when a histogram declares none. */
export const PYTHON_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export const FASTAPI_AVAILABILITY: AvailabilitySli = {
  id: 'http_requests',
  total: 'http_requests_total',
  errors: 'http_requests_total{status=~"5.."}',
};
export const FASTAPI_REQUEST: LatencySli = {
  name: 'request',
  id: 'http_request_duration',
  metric: 'http_request_duration_seconds',
  buckets: FASTAPI_LOWR,
  source: SRC_FASTAPI,
  description: 'HTTP request duration, every handler',
};
export const FASTAPI = (latencySeconds: number): KindMetrics => ({
  requests: 'http_requests_total',
  errors: 'http_requests_total{status=~"5.."}',
  latency: 'http_request_duration_seconds',
  latencySeconds,
});

/** The LLM engines' matcher-and-aggregation helpers: `sum by (<by>) (rate(<metric>{<sel>}[5m]))`. */
export const rate5m = (metric: string, sel: string, by: string): string => `sum by (${by}) (rate(${metric}{${sel}}[5m]))`;
export const gauge = (agg: 'max' | 'sum', metric: string, sel: string, by: string): string => `${agg} by (${by}) (${metric}{${sel}})`;
