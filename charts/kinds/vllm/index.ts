/**
 * vLLM's OpenAI-compatible server (`vllm serve`): `/metrics` on its HTTP port,
 * every series prefixed `vllm:` and labelled `model_name` (contracts/metrics/vllm-v1-0.10.json, vllm-v1-0.12.json).
 */
import type { KindDef } from '../types';
import { histogram, PYTHON, rate5m, gauge } from '../shared';
import { vllm as dashboard } from './dashboard';

/** Bucket boundaries of vllm/v1/metrics/loggers.py (PrometheusStatLogger), read at the contracts' versions. */
const TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const REQUEST_LATENCY = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const ITL = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const SRC = 'vLLM v1 engine (vllm/v1/metrics/loggers.py)';

export const kind: KindDef = {
  name: 'vllm',
  title: 'vLLM OpenAI-compatible server (`vllm:` metrics, label model_name)',
  scrape: { path: '/metrics', port: 8000 },
  contracts: ['vllm-v1-0.10', 'vllm-v1-0.12'],
  prefix: 'vllm:',
  metrics: [
    'vllm:num_requests_running',
    'vllm:num_requests_waiting',
    'vllm:kv_cache_usage_perc',
    'vllm:gpu_cache_usage_perc',
    'vllm:prompt_tokens_total',
    'vllm:generation_tokens_total',
    'vllm:request_success_total',
    ...histogram('vllm:time_to_first_token_seconds'),
    ...histogram('vllm:e2e_request_latency_seconds'),
    ...histogram('vllm:inter_token_latency_seconds'),
    ...histogram('vllm:time_per_output_token_seconds'),
    ...PYTHON,
    'vllm:prefix_cache_queries_total',
    'vllm:prefix_cache_hits_total',
    'vllm:num_preemptions_total',
    ...histogram('vllm:request_queue_time_seconds'),
  ],
  http: {
    requests: 'vllm:request_success_total',
    // vLLM counts finished requests by reason; "abort" is the failure reason.
    errors: 'vllm:request_success_total{finished_reason="abort"}',
    latency: 'vllm:e2e_request_latency_seconds',
    latencySeconds: 30,
  },
  slis: {
    modelLabel: 'model_name',
    // vLLM counts every finished request in vllm:request_success_total by finished_reason (stop, length, abort).
    availability: {
      id: 'vllm_requests',
      total: 'vllm:request_success_total',
      errors: 'vllm:request_success_total{finished_reason="abort"}',
    },
    latency: [
      {
        name: 'e2e',
        id: 'vllm_e2e',
        metric: 'vllm:e2e_request_latency_seconds',
        buckets: REQUEST_LATENCY,
        source: SRC,
        description: 'end-to-end request latency',
      },
      {
        name: 'ttft',
        id: 'vllm_ttft',
        metric: 'vllm:time_to_first_token_seconds',
        buckets: TTFT,
        source: SRC,
        description: 'time to first token',
      },
      {
        name: 'itl',
        id: 'vllm_itl',
        metric: 'vllm:inter_token_latency_seconds',
        buckets: ITL,
        source: SRC,
        description: 'inter-token latency (vLLM >= 0.11)',
      },
      {
        name: 'queue',
        id: 'vllm_queue',
        metric: 'vllm:request_queue_time_seconds',
        buckets: REQUEST_LATENCY,
        source: SRC,
        description: 'time waiting in the queue',
      },
    ],
  },
  llm: {
    modelLabel: 'model_name',
    errorRatio: (sel, by) =>
      `${rate5m('vllm:request_success_total', `${sel}, finished_reason="abort"`, by)} / ${rate5m('vllm:request_success_total', sel, by)}`,
    ttft: { bucket: 'vllm:time_to_first_token_seconds_bucket' },
    kvCache: (sel, by) => gauge('max', 'vllm:kv_cache_usage_perc', sel, by),
    queued: (sel, by) => gauge('sum', 'vllm:num_requests_waiting', sel, by),
    prefixHitRatio: (sel, by) =>
      `${rate5m('vllm:prefix_cache_hits_total', sel, by)} / ${rate5m('vllm:prefix_cache_queries_total', sel, by)}`,
    preemptions: (sel, by) => rate5m('vllm:num_preemptions_total', sel, by),
  },
  dashboard: { ...dashboard, file: 'charts/kinds/vllm/dashboard.ts' },
};
