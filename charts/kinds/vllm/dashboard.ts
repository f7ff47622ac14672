/** vLLM: latency (TTFT, end to end), throughput, KV cache, queue, GPU and container resources. */
import type { DashboardContext, Row } from '../../../dashboards/lib';
import { neutral, warnCrit } from '../../../dashboards/lib';
import { latencySteps, RATE } from '../../../dashboards/panels';
import { engineDashboard, graph, instantStat, quantileGraph, rateBy, sumBy, tokensPerSecond } from '../llm-dashboard';

function latencyRow(sel: string, ctx: DashboardContext): Row {
  return {
    title: 'Latency',
    panels: [
      quantileGraph({
        title: 'Time to first token',
        unit: 's',
        thresholds: latencySteps(ctx, 'vllm', 2),
        description: 'p50/p95/p99 of vllm:time_to_first_token_seconds (prefill and queueing).',
        bucket: 'vllm:time_to_first_token_seconds_bucket',
        sel,
      }),
      quantileGraph({
        title: 'End-to-end request latency',
        unit: 's',
        thresholds: latencySteps(ctx, 'vllm', 30),
        description: 'p50/p95/p99 of vllm:e2e_request_latency_seconds.',
        bucket: 'vllm:e2e_request_latency_seconds_bucket',
        sel,
      }),
      graph({
        title: 'Inter-token latency (p95)',
        unit: 's',
        thresholds: warnCrit(0.1, 0.25),
        description:
          '95th percentile of the time between two streamed outputs per pod (decode speed): vllm:inter_token_latency_seconds, or vllm:time_per_output_token_seconds on vLLM before 0.11.',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le, pod) (rate(vllm:inter_token_latency_seconds_bucket{${sel}}[${RATE}]) or rate(vllm:time_per_output_token_seconds_bucket{${sel}}[${RATE}])))`,
            legend: 'p95 {{pod}}',
          },
        ],
      }),
    ],
  };
}

function capacityRow(sel: string): Row {
  return {
    title: 'Throughput and capacity',
    panels: [
      tokensPerSecond({
        prompt: 'vllm:prompt_tokens_total',
        generation: 'vllm:generation_tokens_total',
        sel,
        by: 'pod',
        description: 'Prompt (prefill) and generated tokens per second per pod.',
      }),
      graph({
        title: 'KV-cache usage',
        unit: 'percentunit',
        max: 1,
        thresholds: warnCrit(0.8, 0.95),
        description: 'Share of KV-cache blocks in use (vllm:kv_cache_usage_perc; vllm:gpu_cache_usage_perc before vLLM renamed it).',
        queries: [{ expr: `max by (pod) (vllm:kv_cache_usage_perc{${sel}} or vllm:gpu_cache_usage_perc{${sel}})`, legend: '{{pod}}' }],
      }),
      graph({
        title: 'Running and waiting requests',
        unit: 'short',
        thresholds: neutral(),
        description: 'Requests running and waiting per pod.',
        queries: [sumBy('vllm:num_requests_running', sel, 'pod', 'running'), sumBy('vllm:num_requests_waiting', sel, 'pod', 'waiting')],
      }),
      graph({
        title: 'Finished requests by reason',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Requests finished per second by reason (stop, length, abort).',
        queries: [rateBy('vllm:request_success_total', sel, 'finished_reason')],
      }),
    ],
  };
}

export const vllm = engineDashboard({
  kind: 'vllm',
  title: 'vLLM',
  description:
    'vLLM inference servers: time to first token, end-to-end latency, tokens/s, KV-cache usage, running and waiting requests, GPU.',
  tags: ['ai-services', 'vllm', 'llm'],
  filter: { label: 'model_name', variable: 'model', metric: 'vllm:num_requests_running' },
  overview: (sel) => [
    instantStat({
      title: 'Running requests',
      unit: 'short',
      thresholds: neutral(),
      description: 'Requests being processed on the GPUs.',
      expr: `sum(vllm:num_requests_running{${sel}})`,
    }),
    instantStat({
      title: 'Waiting requests',
      unit: 'short',
      thresholds: warnCrit(1, 10),
      description: 'Requests queued for lack of KV-cache space or batch slots: sustained waiting means saturation.',
      expr: `sum(vllm:num_requests_waiting{${sel}})`,
    }),
    instantStat({
      title: 'Generation throughput',
      unit: 'suffix: tok/s',
      thresholds: neutral(),
      description: 'Generated tokens per second.',
      expr: `sum(rate(vllm:generation_tokens_total{${sel}}[${RATE}]))`,
    }),
  ],
  rows: (sel, ctx) => [latencyRow(sel, ctx), capacityRow(sel)],
});
