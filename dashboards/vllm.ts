/** vLLM: latency (TTFT, end to end), throughput, KV cache, queue, GPU and container resources. */
import { type DashboardModule, jobVariable, namespaceVariable, neutral, podVariable, SERVICE_SEL, warnCrit } from './lib';
import { containerResourcesRow, latencySteps, quantiles, RATE, upStat } from './panels';
import { workloadStatusRow } from './panels/kube-state';

const SEL = `${SERVICE_SEL}, model_name=~"$model"`;

export const vllm: DashboardModule = {
  uid: 'vllm',
  include: (ctx) => ctx.jobsOf('vllm').length > 0,
  build: (ctx) => ({
    uid: 'vllm',
    title: 'vLLM',
    description: 'vLLM inference servers: time to first token, end-to-end latency, tokens/s, KV-cache usage, running and waiting requests, GPU.',
    folder: 'ai-services',
    tags: ['ai-services', 'vllm', 'llm'],
    variables: [
      jobVariable(ctx, 'vllm'), namespaceVariable(), podVariable(),
      { kind: 'query', name: 'model', label: 'model', query: 'label_values(vllm:num_requests_running{job=~"$job"}, model_name)' },
    ],
    rows: [
      workloadStatusRow(ctx.spec, 'vllm'),
      {
        title: 'Overview',
        panels: [
          upStat(SERVICE_SEL),
          {
            type: 'stat', title: 'Running requests', unit: 'short', thresholds: neutral(),
            description: 'Requests being processed on the GPUs.',
            queries: [{ expr: `sum(vllm:num_requests_running{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Waiting requests', unit: 'short', thresholds: warnCrit(1, 10),
            description: 'Requests queued for lack of KV-cache space or batch slots: sustained waiting means saturation.',
            queries: [{ expr: `sum(vllm:num_requests_waiting{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Generation throughput', unit: 'suffix: tok/s', thresholds: neutral(),
            description: 'Generated tokens per second.',
            queries: [{ expr: `sum(rate(vllm:generation_tokens_total{${SEL}}[${RATE}]))`, instant: true }],
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            type: 'timeseries', title: 'Time to first token', unit: 's', min: 0, thresholds: latencySteps(ctx, 'vllm', 2),
            description: 'p50/p95/p99 of vllm:time_to_first_token_seconds (prefill and queueing).',
            queries: quantiles('vllm:time_to_first_token_seconds_bucket', SEL),
          },
          {
            type: 'timeseries', title: 'End-to-end request latency', unit: 's', min: 0, thresholds: latencySteps(ctx, 'vllm', 30),
            description: 'p50/p95/p99 of vllm:e2e_request_latency_seconds.',
            queries: quantiles('vllm:e2e_request_latency_seconds_bucket', SEL),
          },
          {
            type: 'timeseries', title: 'Inter-token latency (p95)', unit: 's', min: 0, thresholds: warnCrit(0.1, 0.25),
            description: '95th percentile of the time between two streamed outputs per pod (decode speed): vllm:inter_token_latency_seconds, or vllm:time_per_output_token_seconds on vLLM before 0.11.',
            queries: [{
              expr: `histogram_quantile(0.95, sum by (le, pod) (rate(vllm:inter_token_latency_seconds_bucket{${SEL}}[${RATE}]) or rate(vllm:time_per_output_token_seconds_bucket{${SEL}}[${RATE}])))`,
              legend: 'p95 {{pod}}',
            }],
          },
        ],
      },
      {
        title: 'Throughput and capacity',
        panels: [
          {
            type: 'timeseries', title: 'Tokens per second', unit: 'suffix: tok/s', min: 0, thresholds: neutral(),
            description: 'Prompt (prefill) and generated tokens per second per pod.',
            queries: [
              { expr: `sum by (pod) (rate(vllm:prompt_tokens_total{${SEL}}[${RATE}]))`, legend: 'prompt {{pod}}' },
              { expr: `sum by (pod) (rate(vllm:generation_tokens_total{${SEL}}[${RATE}]))`, legend: 'generation {{pod}}' },
            ],
          },
          {
            type: 'timeseries', title: 'KV-cache usage', unit: 'percentunit', min: 0, max: 1, thresholds: warnCrit(0.8, 0.95),
            description: 'Share of KV-cache blocks in use (vllm:kv_cache_usage_perc; vllm:gpu_cache_usage_perc before vLLM renamed it).',
            queries: [{ expr: `max by (pod) (vllm:kv_cache_usage_perc{${SEL}} or vllm:gpu_cache_usage_perc{${SEL}})`, legend: '{{pod}}' }],
          },
          {
            type: 'timeseries', title: 'Running and waiting requests', unit: 'short', min: 0, thresholds: neutral(),
            description: 'Requests running and waiting per pod.',
            queries: [
              { expr: `sum by (pod) (vllm:num_requests_running{${SEL}})`, legend: 'running {{pod}}' },
              { expr: `sum by (pod) (vllm:num_requests_waiting{${SEL}})`, legend: 'waiting {{pod}}' },
            ],
          },
          {
            type: 'timeseries', title: 'Finished requests by reason', unit: 'reqps', min: 0, thresholds: neutral(),
            description: 'Requests finished per second by reason (stop, length, abort).',
            queries: [{ expr: `sum by (finished_reason) (rate(vllm:request_success_total{${SEL}}[${RATE}]))`, legend: '{{finished_reason}}' }],
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
