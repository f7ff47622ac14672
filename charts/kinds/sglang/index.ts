/**
 * SGLang's server (`python -m sglang.launch_server --enable-metrics`): `/metrics` on its HTTP port,
 * every series prefixed `sglang:` and labelled `model_name` (contracts/metrics/sglang.json).
 */
import type { KindDef } from '../types';
import { gauge, histogram, rate5m } from '../shared';
import { sglang as dashboard } from './dashboard';

/** Default buckets of python/sglang/srt/metrics/collector.py (TokenizerMetricsCollector, SchedulerMetricsCollector). */
const TTFT = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400];
const ITL = [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8];
const E2E = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 600, 1200, 1800, 2400];
const QUEUE = [
  0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200, 1400,
  1600, 1800, 2000, 2500, 3000,
];
const SRC = 'SGLang python/sglang/srt/metrics/collector.py default buckets';

export const kind: KindDef = {
  name: 'sglang',
  title: 'SGLang server with --enable-metrics (`sglang:` metrics, label model_name)',
  scrape: { path: '/metrics', port: 30000, flags: '--enable-metrics' },
  contracts: ['sglang'],
  prefix: 'sglang:',
  metrics: [
    'sglang:num_running_reqs',
    'sglang:num_queue_reqs',
    'sglang:token_usage',
    'sglang:cache_hit_rate',
    'sglang:gen_throughput',
    'sglang:num_used_tokens',
    'sglang:max_total_num_tokens',
    'sglang:prompt_tokens_total',
    'sglang:generation_tokens_total',
    'sglang:num_requests_total',
    'sglang:num_aborted_requests_total',
    'sglang:num_retracted_requests_total',
    ...histogram('sglang:time_to_first_token_seconds'),
    ...histogram('sglang:inter_token_latency_seconds'),
    ...histogram('sglang:e2e_request_latency_seconds'),
    ...histogram('sglang:queue_time_seconds'),
  ],
  http: {
    requests: 'sglang:num_requests_total',
    errors: 'sglang:num_aborted_requests_total',
    latency: 'sglang:e2e_request_latency_seconds',
    latencySeconds: 30,
  },
  slis: {
    modelLabel: 'model_name',
    availability: { id: 'sglang_requests', total: 'sglang:num_requests_total', errors: 'sglang:num_aborted_requests_total' },
    latency: [
      {
        name: 'ttft',
        id: 'sglang_ttft',
        metric: 'sglang:time_to_first_token_seconds',
        buckets: TTFT,
        source: SRC,
        description: 'time to first token',
      },
      {
        name: 'itl',
        id: 'sglang_itl',
        metric: 'sglang:inter_token_latency_seconds',
        buckets: ITL,
        source: SRC,
        description: 'inter-token latency',
      },
      {
        name: 'queue',
        id: 'sglang_queue',
        metric: 'sglang:queue_time_seconds',
        buckets: QUEUE,
        source: SRC,
        description: 'time waiting in the queue',
      },
      {
        name: 'e2e',
        id: 'sglang_e2e',
        metric: 'sglang:e2e_request_latency_seconds',
        buckets: E2E,
        source: SRC,
        description: 'end-to-end request latency',
      },
    ],
  },
  llm: {
    modelLabel: 'model_name',
    errorRatio: (sel, by) => `${rate5m('sglang:num_aborted_requests_total', sel, by)} / ${rate5m('sglang:num_requests_total', sel, by)}`,
    ttft: { bucket: 'sglang:time_to_first_token_seconds_bucket' },
    kvCache: (sel, by) => gauge('max', 'sglang:token_usage', sel, by),
    queued: (sel, by) => gauge('sum', 'sglang:num_queue_reqs', sel, by),
    // A gauge the scheduler computes (radix-cache hits over its last interval), not a pair of counters.
    prefixHitRatio: (sel, by) => `avg by (${by}) (sglang:cache_hit_rate{${sel}})`,
    preemptions: (sel, by) => rate5m('sglang:num_retracted_requests_total', sel, by),
  },
  dashboard: { ...dashboard, file: 'charts/kinds/sglang/dashboard.ts' },
};
