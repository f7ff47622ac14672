/** NVIDIA NIM for LLMs, per model: TTFT, time per output token, end to end, tokens/s, KV cache, running and waiting requests. */
import { type DashboardModule, jobVariable, namespaceVariable, neutral, podVariable, SERVICE_SEL, warnCrit } from '../../../dashboards/lib';
import { containerResourcesRow, latencySteps, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const SEL = `${SERVICE_SEL}, model_name=~"$model"`;

export const nim: DashboardModule = {
  uid: 'nim',
  include: (ctx) => ctx.jobsOf('nim').length > 0,
  build: (ctx) => ({
    uid: 'nim',
    title: 'NVIDIA NIM for LLMs',
    description: 'NIM LLM microservices (/v1/metrics), per model: time to first token, time per output token, end-to-end latency, tokens/s, KV-cache usage, running and waiting requests, GPU.',
    folder: 'ai-services',
    tags: ['ai-services', 'nim', 'llm'],
    variables: [
      jobVariable(ctx, 'nim'), namespaceVariable(), podVariable(),
      { kind: 'query', name: 'model', label: 'model', query: 'label_values(num_requests_running{job=~"$job"}, model_name)' },
    ],
    rows: [
      workloadStatusRow(ctx.spec, 'nim'),
      {
        title: 'Overview',
        panels: [
          upStat(SERVICE_SEL),
          {
            type: 'stat', title: 'Running requests', unit: 'short', thresholds: neutral(),
            description: 'Requests running on the GPUs (num_requests_running), against num_request_max.',
            queries: [{ expr: `sum(num_requests_running{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Waiting requests', unit: 'short', thresholds: warnCrit(10, 50),
            description: 'Requests waiting (num_requests_waiting); LLMRequestsQueued warns above 50 by default.',
            queries: [{ expr: `sum(num_requests_waiting{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Failure ratio', unit: 'percentunit', thresholds: warnCrit(0.01, 0.05),
            description: 'request_failure_total / (success + failure): requests whose finish reason is neither stop nor length.',
            queries: [{ expr: `sum(rate(request_failure_total{${SEL}}[${RATE}])) / (sum(rate(request_success_total{${SEL}}[${RATE}])) + sum(rate(request_failure_total{${SEL}}[${RATE}])))`, instant: true }],
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            type: 'timeseries', title: 'Time to first token by model', unit: 's', min: 0, thresholds: latencySteps(ctx, 'nim', 2),
            description: 'p50/p95/p99 of time_to_first_token_seconds per model.',
            queries: quantiles('time_to_first_token_seconds_bucket', SEL, ['model_name']),
          },
          {
            type: 'timeseries', title: 'Time per output token by model', unit: 's', min: 0, thresholds: warnCrit(0.1, 0.25),
            description: 'p50/p95/p99 of time_per_output_token_seconds per model (decode speed).',
            queries: quantiles('time_per_output_token_seconds_bucket', SEL, ['model_name']),
          },
          {
            type: 'timeseries', title: 'End-to-end latency by model', unit: 's', min: 0, thresholds: latencySteps(ctx, 'nim', 30),
            description: 'p50/p95/p99 of e2e_request_latency_seconds per model.',
            queries: quantiles('e2e_request_latency_seconds_bucket', SEL, ['model_name']),
          },
        ],
      },
      {
        title: 'Throughput and capacity',
        panels: [
          {
            type: 'timeseries', title: 'Tokens per second', unit: 'suffix: tok/s', min: 0, thresholds: neutral(),
            description: 'Prompt and generated tokens per second per model.',
            queries: [
              { expr: `sum by (model_name) (rate(prompt_tokens_total{${SEL}}[${RATE}]))`, legend: 'prompt {{model_name}}' },
              { expr: `sum by (model_name) (rate(generation_tokens_total{${SEL}}[${RATE}]))`, legend: 'generation {{model_name}}' },
            ],
          },
          {
            type: 'timeseries', title: 'KV-cache usage', unit: 'percentunit', min: 0, max: 1, thresholds: warnCrit(0.8, 0.9),
            description: 'gpu_cache_usage_perc per pod (1 = full); LLMKVCacheNearlyFull warns above 0.9 by default.',
            queries: [{ expr: `max by (pod, model_name) (gpu_cache_usage_perc{${SEL}})`, legend: '{{pod}} {{model_name}}' }],
          },
          {
            type: 'timeseries', title: 'Running and waiting requests', unit: 'short', min: 0, thresholds: neutral(),
            description: 'Requests running, waiting, and the most that can run at once, per model.',
            queries: [
              { expr: `sum by (model_name) (num_requests_running{${SEL}})`, legend: 'running {{model_name}}' },
              { expr: `sum by (model_name) (num_requests_waiting{${SEL}})`, legend: 'waiting {{model_name}}' },
              { expr: `sum by (model_name) (num_request_max{${SEL}})`, legend: 'max {{model_name}}' },
            ],
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
