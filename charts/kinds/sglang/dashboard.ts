/** SGLang: TTFT, inter-token latency, queue time, tokens/s, KV-cache (token pool) usage, prefix-cache hit rate, per model. */
import { type DashboardModule, jobVariable, lowIsBad, namespaceVariable, neutral, podVariable, SERVICE_SEL, warnCrit } from '../../../dashboards/lib';
import { containerResourcesRow, latencySteps, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const SEL = `${SERVICE_SEL}, model_name=~"$model"`;

export const sglang: DashboardModule = {
  uid: 'sglang',
  include: (ctx) => ctx.jobsOf('sglang').length > 0,
  build: (ctx) => ({
    uid: 'sglang',
    title: 'SGLang',
    description: 'SGLang servers (--enable-metrics), per model: time to first token, inter-token latency, queue time, throughput, KV-cache usage, prefix-cache hit rate, retractions, GPU.',
    folder: 'ai-services',
    tags: ['ai-services', 'sglang', 'llm'],
    variables: [
      jobVariable(ctx, 'sglang'), namespaceVariable(), podVariable(),
      { kind: 'query', name: 'model', label: 'model', query: 'label_values(sglang:num_running_reqs{job=~"$job"}, model_name)' },
    ],
    rows: [
      workloadStatusRow(ctx.spec, 'sglang'),
      {
        title: 'Overview',
        panels: [
          upStat(SERVICE_SEL),
          {
            type: 'stat', title: 'Running requests', unit: 'short', thresholds: neutral(),
            description: 'Requests in the running batch (sglang:num_running_reqs).',
            queries: [{ expr: `sum(sglang:num_running_reqs{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Queued requests', unit: 'short', thresholds: warnCrit(10, 50),
            description: 'Requests in the waiting queue (sglang:num_queue_reqs); LLMRequestsQueued warns above 50 by default.',
            queries: [{ expr: `sum(sglang:num_queue_reqs{${SEL}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Generation throughput', unit: 'suffix: tok/s', thresholds: neutral(),
            description: 'Generated tokens per second as the scheduler measures it (sglang:gen_throughput).',
            queries: [{ expr: `sum(sglang:gen_throughput{${SEL}})`, instant: true }],
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            type: 'timeseries', title: 'Time to first token by model', unit: 's', min: 0, thresholds: latencySteps(ctx, 'sglang', 2),
            description: 'p50/p95/p99 of sglang:time_to_first_token_seconds per model.',
            queries: quantiles('sglang:time_to_first_token_seconds_bucket', SEL, ['model_name']),
          },
          {
            type: 'timeseries', title: 'Inter-token latency by model', unit: 's', min: 0, thresholds: warnCrit(0.1, 0.25),
            description: 'p50/p95/p99 of sglang:inter_token_latency_seconds per model (decode speed).',
            queries: quantiles('sglang:inter_token_latency_seconds_bucket', SEL, ['model_name']),
          },
          {
            type: 'timeseries', title: 'Queue time by model', unit: 's', min: 0, thresholds: warnCrit(1, 5),
            description: 'p50/p95/p99 of sglang:queue_time_seconds per model: time before a request is scheduled.',
            queries: quantiles('sglang:queue_time_seconds_bucket', SEL, ['model_name']),
          },
          {
            type: 'timeseries', title: 'End-to-end latency by model', unit: 's', min: 0, thresholds: latencySteps(ctx, 'sglang', 30),
            description: 'p50/p95/p99 of sglang:e2e_request_latency_seconds per model.',
            queries: quantiles('sglang:e2e_request_latency_seconds_bucket', SEL, ['model_name']),
          },
        ],
      },
      {
        title: 'Throughput and capacity',
        panels: [
          {
            type: 'timeseries', title: 'Tokens per second', unit: 'suffix: tok/s', min: 0, thresholds: neutral(),
            description: 'Prompt (prefill) and generated tokens per second per model.',
            queries: [
              { expr: `sum by (model_name) (rate(sglang:prompt_tokens_total{${SEL}}[${RATE}]))`, legend: 'prompt {{model_name}}' },
              { expr: `sum by (model_name) (rate(sglang:generation_tokens_total{${SEL}}[${RATE}]))`, legend: 'generation {{model_name}}' },
            ],
          },
          {
            type: 'timeseries', title: 'KV-cache (token pool) usage', unit: 'percentunit', min: 0, max: 1, thresholds: warnCrit(0.8, 0.9),
            description: 'Share of the KV-cache token pool in use per pod (sglang:token_usage); LLMKVCacheNearlyFull warns above 0.9 by default.',
            queries: [{ expr: `max by (pod, model_name) (sglang:token_usage{${SEL}})`, legend: '{{pod}} {{model_name}}' }],
          },
          {
            type: 'timeseries', title: 'Prefix-cache hit rate', unit: 'percentunit', min: 0, max: 1, thresholds: lowIsBad(0.3, 0.5),
            description: 'Radix (prefix) cache hit rate per pod (sglang:cache_hit_rate); LLMPrefixCacheHitRateLow warns below 0.3 by default.',
            queries: [{ expr: `avg by (pod, model_name) (sglang:cache_hit_rate{${SEL}})`, legend: '{{pod}} {{model_name}}' }],
          },
          {
            type: 'timeseries', title: 'Aborted and retracted requests', unit: 'reqps', min: 0, thresholds: neutral(),
            description: 'Requests aborted, and running requests retracted (SGLang\'s preemption) to free KV cache, per second.',
            queries: [
              { expr: `sum by (model_name) (rate(sglang:num_aborted_requests_total{${SEL}}[${RATE}]))`, legend: 'aborted {{model_name}}' },
              { expr: `sum by (model_name) (rate(sglang:num_retracted_requests_total{${SEL}}[${RATE}]))`, legend: 'retracted {{model_name}}' },
            ],
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
