/**
 * Triton Inference Server, per model: request and failure rates, inferences and batch executions,
 * mean request/queue/compute time (ratios of the cumulative microsecond counters), pending requests,
 * time to first response (when histogram_latencies is on), GPU.
 */
import type { Row } from '../../../dashboards/lib';
import { neutral, warnCrit } from '../../../dashboards/lib';
import { RATE } from '../../../dashboards/panels';
import { engineDashboard, graph, instantStat, quantileGraph, rateBy, sumBy } from '../llm-dashboard';

/** Mean microseconds per successful request of a cumulative duration counter, in seconds. */
const meanSeconds = (counter: string, sel: string) =>
  `sum by (model) (rate(${counter}{${sel}}[${RATE}])) / sum by (model) (rate(nv_inference_request_success{${sel}}[${RATE}])) / 1e6`;

function latencyRow(sel: string): Row {
  return {
    title: 'Latency (means of the cumulative counters)',
    panels: [
      graph({
        title: 'Mean request, queue and compute time by model',
        unit: 's',
        thresholds: neutral(),
        description:
          'Per successful request: end-to-end (nv_inference_request_duration_us), queue (nv_inference_queue_duration_us) and compute (nv_inference_compute_infer_duration_us). Triton exports cumulative microsecond counters, so these are means (ratios of rates), not percentiles.',
        queries: [
          { expr: meanSeconds('nv_inference_request_duration_us', sel), legend: 'request {{model}}' },
          { expr: meanSeconds('nv_inference_queue_duration_us', sel), legend: 'queue {{model}}' },
          { expr: meanSeconds('nv_inference_compute_infer_duration_us', sel), legend: 'compute {{model}}' },
        ],
      }),
      quantileGraph({
        title: 'Time to first response by model',
        unit: 'ms',
        thresholds: warnCrit(2000, 5000),
        description:
          'p50/p95/p99 of nv_inference_first_response_histogram_ms: decoupled (streaming) models only, with --metrics-config histogram_latencies=true; empty otherwise.',
        bucket: 'nv_inference_first_response_histogram_ms_bucket',
        sel,
        by: ['model'],
      }),
    ],
  };
}

function batchingRow(sel: string): Row {
  return {
    title: 'Throughput and batching',
    panels: [
      graph({
        title: 'Requests by model',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Successful requests and failures by reason (REJECTED: scheduler timeout, CANCELED, BACKEND, OTHER) per second.',
        queries: [
          rateBy('nv_inference_request_success', sel, 'model', 'success'),
          rateBy('nv_inference_request_failure', sel, 'model, reason', 'failure'),
        ],
      }),
      graph({
        title: 'Inferences per execution by model',
        unit: 'short',
        thresholds: neutral(),
        description: 'nv_inference_count / nv_inference_exec_count: the mean batch size the dynamic batcher achieves (1 = no batching).',
        queries: [
          {
            expr: `sum by (model) (rate(nv_inference_count{${sel}}[${RATE}])) / sum by (model) (rate(nv_inference_exec_count{${sel}}[${RATE}]))`,
            legend: '{{model}}',
          },
        ],
      }),
      graph({
        title: 'Pending requests by model',
        unit: 'short',
        thresholds: warnCrit(10, 50),
        description: 'Requests waiting for a backend per model; LLMRequestsQueued warns above 50 by default.',
        queries: [sumBy('nv_inference_pending_request_count', sel, 'model')],
      }),
    ],
  };
}

export const triton = engineDashboard({
  kind: 'triton',
  title: 'Triton Inference Server',
  description:
    'Triton servers per model: successes and failures, inferences per execution (batching), mean request, queue and compute time, pending requests, time to first response, GPU.',
  tags: ['ai-services', 'triton', 'inference'],
  filter: { label: 'model', variable: 'model', metric: 'nv_inference_request_success' },
  overview: (sel) => [
    instantStat({
      title: 'Requests per second',
      unit: 'reqps',
      thresholds: neutral(),
      description: 'Successful and failed inference requests per second (a batch request counts once).',
      expr: `sum(rate(nv_inference_request_success{${sel}}[${RATE}])) + sum(rate(nv_inference_request_failure{${sel}}[${RATE}]) or vector(0))`,
    }),
    instantStat({
      title: 'Failure ratio',
      unit: 'percentunit',
      thresholds: warnCrit(0.01, 0.05),
      description: 'Failed / all requests over the range; LLMHighErrorRate pages above 5 % by default.',
      expr: `sum(rate(nv_inference_request_failure{${sel}}[${RATE}])) / (sum(rate(nv_inference_request_success{${sel}}[${RATE}])) + sum(rate(nv_inference_request_failure{${sel}}[${RATE}])))`,
    }),
    instantStat({
      title: 'Pending requests',
      unit: 'short',
      thresholds: warnCrit(10, 50),
      description: 'Requests queued and not yet executing (nv_inference_pending_request_count).',
      expr: `sum(nv_inference_pending_request_count{${sel}})`,
    }),
  ],
  rows: (sel) => [latencyRow(sel), batchingRow(sel)],
});
