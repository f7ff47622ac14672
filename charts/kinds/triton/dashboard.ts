/**
 * Triton Inference Server, per model: request and failure rates, inferences and batch executions,
 * mean request/queue/compute time (ratios of the cumulative microsecond counters), pending requests,
 * time to first response (when histogram_latencies is on), GPU.
 */
import { type DashboardModule, jobVariable, namespaceVariable, neutral, podVariable, SERVICE_SEL, warnCrit } from '../../../dashboards/lib';
import { containerResourcesRow, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const SEL = `${SERVICE_SEL}, model=~"$model"`;
/** Mean microseconds per successful request of a cumulative duration counter, in seconds. */
const meanSeconds = (counter: string) =>
  `sum by (model) (rate(${counter}{${SEL}}[${RATE}])) / sum by (model) (rate(nv_inference_request_success{${SEL}}[${RATE}])) / 1e6`;

export const triton: DashboardModule = {
  uid: 'triton',
  include: (ctx) => ctx.jobsOf('triton').length > 0,
  build: (ctx) => ({
    uid: 'triton',
    title: 'Triton Inference Server',
    description: 'Triton servers per model: successes and failures, inferences per execution (batching), mean request, queue and compute time, pending requests, time to first response, GPU.',
    folder: 'ai-services',
    tags: ['ai-services', 'triton', 'inference'],
    variables: [
      jobVariable(ctx, 'triton'), namespaceVariable(), podVariable(),
      { kind: 'query', name: 'model', label: 'model', query: 'label_values(nv_inference_request_success{job=~"$job"}, model)' },
    ],
    rows: [
      workloadStatusRow(ctx.spec, 'triton'),
      {
        title: 'Overview',
        panels: [
          upStat(SERVICE_SEL),
          {
            type: 'stat', title: 'Requests per second', unit: 'reqps', thresholds: neutral(),
            description: 'Successful and failed inference requests per second (a batch request counts once).',
            queries: [{ expr: `sum(rate(nv_inference_request_success{${SEL}}[${RATE}])) + sum(rate(nv_inference_request_failure{${SEL}}[${RATE}]) or vector(0))`, instant: true }],
          },
          {
            type: 'stat', title: 'Failure ratio', unit: 'percentunit', thresholds: warnCrit(0.01, 0.05),
            description: 'Failed / all requests over the range; LLMHighErrorRate pages above 5 % by default.',
            queries: [{ expr: `sum(rate(nv_inference_request_failure{${SEL}}[${RATE}])) / (sum(rate(nv_inference_request_success{${SEL}}[${RATE}])) + sum(rate(nv_inference_request_failure{${SEL}}[${RATE}])))`, instant: true }],
          },
          {
            type: 'stat', title: 'Pending requests', unit: 'short', thresholds: warnCrit(10, 50),
            description: 'Requests queued and not yet executing (nv_inference_pending_request_count).',
            queries: [{ expr: `sum(nv_inference_pending_request_count{${SEL}})`, instant: true }],
          },
        ],
      },
      {
        title: 'Latency (means of the cumulative counters)',
        panels: [
          {
            type: 'timeseries', title: 'Mean request, queue and compute time by model', unit: 's', min: 0, thresholds: neutral(),
            description: 'Per successful request: end-to-end (nv_inference_request_duration_us), queue (nv_inference_queue_duration_us) and compute (nv_inference_compute_infer_duration_us). Triton exports cumulative microsecond counters, so these are means (ratios of rates), not percentiles.',
            queries: [
              { expr: meanSeconds('nv_inference_request_duration_us'), legend: 'request {{model}}' },
              { expr: meanSeconds('nv_inference_queue_duration_us'), legend: 'queue {{model}}' },
              { expr: meanSeconds('nv_inference_compute_infer_duration_us'), legend: 'compute {{model}}' },
            ],
          },
          {
            type: 'timeseries', title: 'Time to first response by model', unit: 'ms', min: 0, thresholds: warnCrit(2000, 5000),
            description: 'p50/p95/p99 of nv_inference_first_response_histogram_ms: decoupled (streaming) models only, with --metrics-config histogram_latencies=true; empty otherwise.',
            queries: quantiles('nv_inference_first_response_histogram_ms_bucket', SEL, ['model']),
          },
        ],
      },
      {
        title: 'Throughput and batching',
        panels: [
          {
            type: 'timeseries', title: 'Requests by model', unit: 'reqps', min: 0, thresholds: neutral(),
            description: 'Successful requests and failures by reason (REJECTED: scheduler timeout, CANCELED, BACKEND, OTHER) per second.',
            queries: [
              { expr: `sum by (model) (rate(nv_inference_request_success{${SEL}}[${RATE}]))`, legend: 'success {{model}}' },
              { expr: `sum by (model, reason) (rate(nv_inference_request_failure{${SEL}}[${RATE}]))`, legend: 'failure {{model}} {{reason}}' },
            ],
          },
          {
            type: 'timeseries', title: 'Inferences per execution by model', unit: 'short', min: 0, thresholds: neutral(),
            description: 'nv_inference_count / nv_inference_exec_count: the mean batch size the dynamic batcher achieves (1 = no batching).',
            queries: [{ expr: `sum by (model) (rate(nv_inference_count{${SEL}}[${RATE}])) / sum by (model) (rate(nv_inference_exec_count{${SEL}}[${RATE}]))`, legend: '{{model}}' }],
          },
          {
            type: 'timeseries', title: 'Pending requests by model', unit: 'short', min: 0, thresholds: warnCrit(10, 50),
            description: 'Requests waiting for a backend per model; LLMRequestsQueued warns above 50 by default.',
            queries: [{ expr: `sum by (model) (nv_inference_pending_request_count{${SEL}})`, legend: '{{model}}' }],
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
