/** GenAI (OpenTelemetry semantic conventions, pushed over OTLP): TTFT, time per output token, request duration and errors, token usage, per model and system. */
import { type DashboardModule, neutral, type Row, warnCrit } from '../../../dashboards/lib';
import { quantiles, RATE } from '../../../dashboards/panels';
import { GENAI, GENAI_LABELS as L } from './metrics';

const SEL = `job=~"$job", ${L.model}=~"$model", ${L.system}=~"$system"`;
const BY = [L.model];

/** Requests, error ratio and tokens per second across the selected services. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      {
        type: 'stat',
        title: 'Requests per second',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'GenAI operations per second (gen_ai.server.request.duration count).',
        queries: [{ expr: `sum(rate(${GENAI.requestDuration}_count{${SEL}}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Error ratio',
        unit: 'percentunit',
        thresholds: warnCrit(0.01, 0.05),
        description: 'Share of operations that ended with an error.type attribute; GenAIHighErrorRate pages above 5 %.',
        queries: [
          {
            expr: `(sum(rate(${GENAI.requestDuration}_count{${SEL}, ${L.errorType}!=""}[${RATE}])) or vector(0)) / sum(rate(${GENAI.requestDuration}_count{${SEL}}[${RATE}]))`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Tokens per second',
        unit: 'suffix: tok/s',
        thresholds: neutral(),
        description: 'Input and output tokens per second (gen_ai.client.token.usage sum).',
        queries: [{ expr: `sum(rate(${GENAI.tokenUsage}_sum{${SEL}}[${RATE}]))`, instant: true }],
      },
    ],
  };
}

/** Time to first token, time per output token and request duration per model. */
function latencyRow(): Row {
  return {
    title: 'Latency by model',
    panels: [
      {
        type: 'timeseries',
        title: 'Time to first token',
        unit: 's',
        min: 0,
        thresholds: warnCrit(2, 30),
        description: 'p50/p95/p99 of gen_ai.server.time_to_first_token per model.',
        queries: quantiles(`${GENAI.ttft}_bucket`, SEL, BY),
      },
      {
        type: 'timeseries',
        title: 'Time per output token',
        unit: 's',
        min: 0,
        thresholds: warnCrit(0.1, 0.25),
        description: 'p50/p95/p99 of gen_ai.server.time_per_output_token per model (decode speed).',
        queries: quantiles(`${GENAI.tpot}_bucket`, SEL, BY),
      },
      {
        type: 'timeseries',
        title: 'Request duration',
        unit: 's',
        min: 0,
        thresholds: neutral(),
        description: 'p50/p95/p99 of gen_ai.server.request.duration per model.',
        queries: quantiles(`${GENAI.requestDuration}_bucket`, SEL, BY),
      },
    ],
  };
}

/** Errors by type and token usage by model and token type. */
function errorsAndTokensRow(): Row {
  return {
    title: 'Errors and tokens',
    panels: [
      {
        type: 'timeseries',
        title: 'Errors by type',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Failed operations per second by model and error.type.',
        queries: [
          {
            expr: `sum by (${L.model}, ${L.errorType}) (rate(${GENAI.requestDuration}_count{${SEL}, ${L.errorType}!=""}[${RATE}]))`,
            legend: `{{${L.model}}} {{${L.errorType}}}`,
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Tokens per second by model and type',
        unit: 'suffix: tok/s',
        min: 0,
        thresholds: neutral(),
        description: 'gen_ai.client.token.usage summed per second, by model and gen_ai.token.type (input, output).',
        queries: [
          {
            expr: `sum by (${L.model}, ${L.tokenType}) (rate(${GENAI.tokenUsage}_sum{${SEL}}[${RATE}]))`,
            legend: `{{${L.model}}} {{${L.tokenType}}}`,
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Tokens per request by type',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: 'p50 and p95 of the tokens of one operation (gen_ai.client.token.usage), by token type.',
        queries: quantiles(`${GENAI.tokenUsage}_bucket`, SEL, [L.tokenType], [0.5, 0.95]),
      },
    ],
  };
}

export const genaiDashboard: DashboardModule = {
  uid: 'genai',
  file: 'charts/components/genai/dashboard.ts',
  build: () => ({
    uid: 'genai',
    title: 'GenAI (OpenTelemetry)',
    description:
      "Services instrumented with the OpenTelemetry GenAI semantic conventions, pushed to Prometheus over OTLP (spec.prometheus.otlp): time to first token, time per output token, request duration and errors, token usage, by model (gen_ai.request.model) and system (gen_ai.system). job is the resource's service.namespace/service.name.",
    folder: 'ai-services',
    tags: ['ai-services', 'genai', 'opentelemetry', 'llm'],
    variables: [
      { kind: 'query', name: 'job', label: 'service (job)', query: `label_values(${GENAI.requestDuration}_count, job)` },
      {
        kind: 'query',
        name: 'system',
        label: 'gen_ai.system',
        query: `label_values(${GENAI.requestDuration}_count{job=~"$job"}, ${L.system})`,
      },
      {
        kind: 'query',
        name: 'model',
        label: 'gen_ai.request.model',
        query: `label_values(${GENAI.requestDuration}_count{job=~"$job"}, ${L.model})`,
      },
    ],
    rows: [overviewRow(), latencyRow(), errorsAndTokensRow()],
  }),
};
