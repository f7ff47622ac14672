/**
 * NVIDIA Triton Inference Server: `/metrics` on its metrics port (8002), series `nv_inference_*` labelled
 * `model` and `version` (contracts/metrics/triton.json, v2.71.0). Latencies are cumulative microsecond
 * counters (a mean is a ratio of rates); the one histogram, time to first response, needs
 * `--metrics-config histogram_latencies=true` and exists for decoupled (streaming) models only.
 */
import type { KindDef } from '../types';
import { gauge, histogram, rate5m } from '../shared';
import { triton as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'triton',
  title: 'NVIDIA Triton Inference Server (port 8002; nv_inference_* metrics, labels model, version)',
  scrape: { path: '/metrics', port: 8002, flags: '--metrics-config histogram_latencies=true for time to first response' },
  contracts: ['triton'],
  prefix: 'nv_inference_',
  metrics: [
    'nv_inference_request_success',
    'nv_inference_request_failure',
    'nv_inference_count',
    'nv_inference_exec_count',
    'nv_inference_request_duration_us',
    'nv_inference_queue_duration_us',
    'nv_inference_compute_input_duration_us',
    'nv_inference_compute_infer_duration_us',
    'nv_inference_compute_output_duration_us',
    'nv_inference_pending_request_count',
    ...histogram('nv_inference_first_response_histogram_ms'),
    'nv_gpu_utilization',
    'nv_gpu_memory_used_bytes',
    'nv_gpu_memory_total_bytes',
    'nv_gpu_power_usage',
  ],
  slis: {
    modelLabel: 'model',
    availability: { id: 'triton_requests', good: 'nv_inference_request_success', errors: 'nv_inference_request_failure' },
    // No inter-token-latency or queue-time histogram exists (queue time is a cumulative counter): TTFT only.
    latency: [
      {
        name: 'ttft',
        id: 'triton_ttft',
        metric: 'nv_inference_first_response_histogram_ms',
        buckets: [0.1, 0.5, 2, 5],
        perSecond: 1000,
        source: 'Triton v2.71.0 docs/user_guide/metrics.md: default buckets 100, 500, 2000, 5000 ms',
        description: 'time to first response (decoupled models, histogram_latencies=true)',
      },
    ],
  },
  llm: {
    modelLabel: 'model',
    errorRatio: (sel, by) =>
      `${rate5m('nv_inference_request_failure', sel, by)} / (${rate5m('nv_inference_request_success', sel, by)} + ${rate5m('nv_inference_request_failure', sel, by)})`,
    ttft: { bucket: 'nv_inference_first_response_histogram_ms_bucket', perSecond: 1000 },
    queued: (sel, by) => gauge('sum', 'nv_inference_pending_request_count', sel, by),
  },
  dashboard: { ...dashboard, file: 'charts/kinds/triton/dashboard.ts' },
};
