/** SGLang: TTFT, inter-token latency, queue time, tokens/s, KV-cache (token pool) usage, prefix-cache hit rate, per model. */
import type { DashboardContext, Row } from '../../../dashboards/lib';
import { lowIsBad, neutral, warnCrit } from '../../../dashboards/lib';
import { latencySteps } from '../../../dashboards/panels';
import { engineDashboard, graph, instantStat, latencyRow, rateBy, tokensPerSecond } from '../llm-dashboard';

/** Time to first token, inter-token latency, queue time and end-to-end latency, per model. */
const latency = (sel: string, ctx: DashboardContext): Row =>
  latencyRow(
    'Latency',
    sel,
    ['model_name'],
    [
      {
        title: 'Time to first token by model',
        unit: 's',
        thresholds: latencySteps(ctx, 'sglang', 2),
        bucket: 'sglang:time_to_first_token_seconds_bucket',
        description: 'p50/p95/p99 of sglang:time_to_first_token_seconds per model.',
      },
      {
        title: 'Inter-token latency by model',
        unit: 's',
        thresholds: warnCrit(0.1, 0.25),
        bucket: 'sglang:inter_token_latency_seconds_bucket',
        description: 'p50/p95/p99 of sglang:inter_token_latency_seconds per model (decode speed).',
      },
      {
        title: 'Queue time by model',
        unit: 's',
        thresholds: warnCrit(1, 5),
        bucket: 'sglang:queue_time_seconds_bucket',
        description: 'p50/p95/p99 of sglang:queue_time_seconds per model: time before a request is scheduled.',
      },
      {
        title: 'End-to-end latency by model',
        unit: 's',
        thresholds: latencySteps(ctx, 'sglang', 30),
        bucket: 'sglang:e2e_request_latency_seconds_bucket',
        description: 'p50/p95/p99 of sglang:e2e_request_latency_seconds per model.',
      },
    ],
  );

function capacityRow(sel: string): Row {
  return {
    title: 'Throughput and capacity',
    panels: [
      tokensPerSecond({
        prompt: 'sglang:prompt_tokens_total',
        generation: 'sglang:generation_tokens_total',
        sel,
        by: 'model_name',
        description: 'Prompt (prefill) and generated tokens per second per model.',
      }),
      graph({
        title: 'KV-cache (token pool) usage',
        unit: 'percentunit',
        max: 1,
        thresholds: warnCrit(0.8, 0.9),
        description:
          'Share of the KV-cache token pool in use per pod (sglang:token_usage); LLMKVCacheNearlyFull warns above 0.9 by default.',
        queries: [{ expr: `max by (pod, model_name) (sglang:token_usage{${sel}})`, legend: '{{pod}} {{model_name}}' }],
      }),
      graph({
        title: 'Prefix-cache hit rate',
        unit: 'percentunit',
        max: 1,
        thresholds: lowIsBad(0.3, 0.5),
        description: 'Radix (prefix) cache hit rate per pod (sglang:cache_hit_rate); LLMPrefixCacheHitRateLow warns below 0.3 by default.',
        queries: [{ expr: `avg by (pod, model_name) (sglang:cache_hit_rate{${sel}})`, legend: '{{pod}} {{model_name}}' }],
      }),
      graph({
        title: 'Aborted and retracted requests',
        unit: 'reqps',
        thresholds: neutral(),
        description: "Requests aborted, and running requests retracted (SGLang's preemption) to free KV cache, per second.",
        queries: [
          rateBy('sglang:num_aborted_requests_total', sel, 'model_name', 'aborted'),
          rateBy('sglang:num_retracted_requests_total', sel, 'model_name', 'retracted'),
        ],
      }),
    ],
  };
}

export const sglang = engineDashboard({
  kind: 'sglang',
  title: 'SGLang',
  description:
    'SGLang servers (--enable-metrics), per model: time to first token, inter-token latency, queue time, throughput, KV-cache usage, prefix-cache hit rate, retractions, GPU.',
  tags: ['ai-services', 'sglang', 'llm'],
  filter: { label: 'model_name', variable: 'model', metric: 'sglang:num_running_reqs' },
  overview: (sel) => [
    instantStat({
      title: 'Running requests',
      unit: 'short',
      thresholds: neutral(),
      description: 'Requests in the running batch (sglang:num_running_reqs).',
      expr: `sum(sglang:num_running_reqs{${sel}})`,
    }),
    instantStat({
      title: 'Queued requests',
      unit: 'short',
      thresholds: warnCrit(10, 50),
      description: 'Requests in the waiting queue (sglang:num_queue_reqs); LLMRequestsQueued warns above 50 by default.',
      expr: `sum(sglang:num_queue_reqs{${sel}})`,
    }),
    instantStat({
      title: 'Generation throughput',
      unit: 'suffix: tok/s',
      thresholds: neutral(),
      description: 'Generated tokens per second as the scheduler measures it (sglang:gen_throughput).',
      expr: `sum(sglang:gen_throughput{${sel}})`,
    }),
  ],
  rows: (sel, ctx) => [latency(sel, ctx), capacityRow(sel)],
});
