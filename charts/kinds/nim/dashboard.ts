/** NVIDIA NIM for LLMs, per model: TTFT, time per output token, end to end, tokens/s, KV cache, running and waiting requests. */
import type { DashboardContext, Row } from '../../../dashboards/lib';
import { neutral, warnCrit } from '../../../dashboards/lib';
import { latencySteps, RATE } from '../../../dashboards/panels';
import { engineDashboard, graph, instantStat, latencyRow, sumBy, tokensPerSecond } from '../llm-dashboard';

/** Time to first token, time per output token and end-to-end latency, per model. */
const latency = (sel: string, ctx: DashboardContext): Row =>
  latencyRow(
    'Latency',
    sel,
    ['model_name'],
    [
      {
        title: 'Time to first token by model',
        unit: 's',
        thresholds: latencySteps(ctx, 'nim', 2),
        bucket: 'time_to_first_token_seconds_bucket',
        description: 'p50/p95/p99 of time_to_first_token_seconds per model.',
      },
      {
        title: 'Time per output token by model',
        unit: 's',
        thresholds: warnCrit(0.1, 0.25),
        bucket: 'time_per_output_token_seconds_bucket',
        description: 'p50/p95/p99 of time_per_output_token_seconds per model (decode speed).',
      },
      {
        title: 'End-to-end latency by model',
        unit: 's',
        thresholds: latencySteps(ctx, 'nim', 30),
        bucket: 'e2e_request_latency_seconds_bucket',
        description: 'p50/p95/p99 of e2e_request_latency_seconds per model.',
      },
    ],
  );

function capacityRow(sel: string): Row {
  return {
    title: 'Throughput and capacity',
    panels: [
      tokensPerSecond({
        prompt: 'prompt_tokens_total',
        generation: 'generation_tokens_total',
        sel,
        by: 'model_name',
        description: 'Prompt and generated tokens per second per model.',
      }),
      graph({
        title: 'KV-cache usage',
        unit: 'percentunit',
        max: 1,
        thresholds: warnCrit(0.8, 0.9),
        description: 'gpu_cache_usage_perc per pod (1 = full); LLMKVCacheNearlyFull warns above 0.9 by default.',
        queries: [{ expr: `max by (pod, model_name) (gpu_cache_usage_perc{${sel}})`, legend: '{{pod}} {{model_name}}' }],
      }),
      graph({
        title: 'Running and waiting requests',
        unit: 'short',
        thresholds: neutral(),
        description: 'Requests running, waiting, and the most that can run at once, per model.',
        queries: [
          sumBy('num_requests_running', sel, 'model_name', 'running'),
          sumBy('num_requests_waiting', sel, 'model_name', 'waiting'),
          sumBy('num_request_max', sel, 'model_name', 'max'),
        ],
      }),
    ],
  };
}

export const nim = engineDashboard({
  kind: 'nim',
  title: 'NVIDIA NIM for LLMs',
  description:
    'NIM LLM microservices (/v1/metrics), per model: time to first token, time per output token, end-to-end latency, tokens/s, KV-cache usage, running and waiting requests, GPU.',
  tags: ['ai-services', 'nim', 'llm'],
  filter: { label: 'model_name', variable: 'model', metric: 'num_requests_running' },
  overview: (sel) => [
    instantStat({
      title: 'Running requests',
      unit: 'short',
      thresholds: neutral(),
      description: 'Requests running on the GPUs (num_requests_running), against num_request_max.',
      expr: `sum(num_requests_running{${sel}})`,
    }),
    instantStat({
      title: 'Waiting requests',
      unit: 'short',
      thresholds: warnCrit(10, 50),
      description: 'Requests waiting (num_requests_waiting); LLMRequestsQueued warns above 50 by default.',
      expr: `sum(num_requests_waiting{${sel}})`,
    }),
    instantStat({
      title: 'Failure ratio',
      unit: 'percentunit',
      thresholds: warnCrit(0.01, 0.05),
      description: 'request_failure_total / (success + failure): requests whose finish reason is neither stop nor length.',
      expr: `sum(rate(request_failure_total{${sel}}[${RATE}])) / (sum(rate(request_success_total{${sel}}[${RATE}])) + sum(rate(request_failure_total{${sel}}[${RATE}])))`,
    }),
  ],
  rows: (sel, ctx) => [latency(sel, ctx), capacityRow(sel)],
});
