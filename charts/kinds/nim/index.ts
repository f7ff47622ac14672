/**
 * NVIDIA NIM for LLMs: `/v1/metrics` on its API port (8000), vLLM-style names without the `vllm:` prefix,
 * per model (contracts/metrics/nim.json, read from NVIDIA's documentation: NIM is closed source; what
 * could not be verified is listed there).
 */
import type { KindDef } from '../types';
import { gauge, histogram, rate5m } from '../shared';
import { nim as dashboard } from './dashboard';

/** Not documented by NVIDIA: vLLM's boundaries (vllm/v1/metrics/loggers.py) assumed; a service whose NIM differs sets slos[].buckets. */
const TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const TPOT = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const E2E = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const SRC = "NIM documents no buckets: vLLM's assumed (set slos[].buckets if yours differ)";

export const kind: KindDef = {
  name: 'nim',
  title: 'NVIDIA NIM for LLMs (/v1/metrics; vLLM-style names without the vllm: prefix, per model)',
  scrape: { path: '/v1/metrics', port: 8000 },
  contracts: ['nim'],
  metrics: [
    'num_requests_running',
    'num_requests_waiting',
    'num_request_max',
    'gpu_cache_usage_perc',
    'prompt_tokens_total',
    'generation_tokens_total',
    'request_success_total',
    'request_failure_total',
    ...histogram('time_to_first_token_seconds'),
    ...histogram('time_per_output_token_seconds'),
    ...histogram('e2e_request_latency_seconds'),
  ],
  slis: {
    modelLabel: 'model_name',
    availability: { id: 'nim_requests', good: 'request_success_total', errors: 'request_failure_total' },
    // No queue-time histogram is documented: TTFT, time per output token (inter-token latency) and end to end.
    latency: [
      {
        name: 'ttft',
        id: 'nim_ttft',
        metric: 'time_to_first_token_seconds',
        buckets: TTFT,
        source: SRC,
        description: 'time to first token',
      },
      {
        name: 'itl',
        id: 'nim_tpot',
        metric: 'time_per_output_token_seconds',
        buckets: TPOT,
        source: SRC,
        description: 'time per output token',
      },
      {
        name: 'e2e',
        id: 'nim_e2e',
        metric: 'e2e_request_latency_seconds',
        buckets: E2E,
        source: SRC,
        description: 'end-to-end request latency',
      },
    ],
  },
  llm: {
    modelLabel: 'model_name',
    errorRatio: (sel, by) =>
      `${rate5m('request_failure_total', sel, by)} / (${rate5m('request_success_total', sel, by)} + ${rate5m('request_failure_total', sel, by)})`,
    ttft: { bucket: 'time_to_first_token_seconds_bucket' },
    kvCache: (sel, by) => gauge('max', 'gpu_cache_usage_perc', sel, by),
    queued: (sel, by) => gauge('sum', 'num_requests_waiting', sel, by),
  },
  dashboard: { ...dashboard, file: 'charts/kinds/nim/dashboard.ts' },
};
