/**
 * GenAI alerts on the OpenTelemetry semantic-convention metrics pushed over OTLP (genai.yaml), by job
 * (service.namespace/service.name) and model (gen_ai.request.model), with the llm-d thresholds the
 * engine kinds use (charts/kinds/llm.ts defaults): errors above 5 % and P99 time to first token above
 * 30 s page; P95 time per output token above 250 ms warns. Shipped with spec.prometheus.otlp.enabled and
 * the UnderscoreEscapingWithSuffixes strategy (the names below).
 */
import { alert } from '../../core/rule-builder';
import type { AlertRule, RuleArea, Runbook } from '../../core/rule-types';
import { LLM_THRESHOLDS } from '../../kinds/llm';
import { GENAI, GENAI_LABELS as L } from './metrics';

/** P95 time per output token above which GenAISlowTimePerOutputToken warns (seconds). */
export const TPOT_P95_SECONDS = 0.25;

export const genaiApplies = (spec: { prometheus: { otlp: { enabled: boolean; translationStrategy: string } } }) =>
  spec.prometheus.otlp.enabled && spec.prometheus.otlp.translationStrategy === 'UnderscoreEscapingWithSuffixes';

const runbooks: Record<string, Runbook> = {
  GenAIHighErrorRate: {
    meaning:
      "More than 5 % of a model's GenAI operations end with an error.type (OpenTelemetry GenAI metrics pushed over OTLP): users get errors.",
    check:
      "The GenAI dashboard (errors by model and error.type); the service's traces and logs for the failing operations; the upstream provider's status when gen_ai.system is a hosted API.",
    fix: 'Roll back the release or model change; fail over to another provider or model; scale the serving engine when the errors are timeouts or 429/503.',
  },
  GenAISlowTimeToFirstToken: {
    meaning:
      'The P99 time to first token reported by the service (gen_ai.server.time_to_first_token) is above 30 s for a model: streaming users wait for an answer.',
    check:
      "The GenAI dashboard (TTFT and request duration by model); the serving engine's dashboard (queue, KV cache) when it is one of the declared kinds.",
    fix: 'Scale the engine, shorten prompts or cap concurrency; route long-context requests elsewhere.',
  },
  GenAISlowTimePerOutputToken: {
    meaning: 'The P95 time per output token (gen_ai.server.time_per_output_token) is above 250 ms: answers stream slowly.',
    check: 'Decode-side saturation on the engine (running requests, batch size, GPU utilisation); a model change to a larger model.',
    fix: 'Lower the batch size or concurrent sequences, scale out, or use a faster (quantized, speculative-decoding) deployment.',
  },
};

export const genaiRules: RuleArea = ({ spec }) => {
  if (!genaiApplies(spec)) return undefined;
  const by = `job, ${L.model}`;
  const rate = (m: string, extra = '') => `sum by (${by}) (rate(${m}${extra ? `{${extra}}` : ''}[5m]))`;
  const who = `model {{ $labels.${L.model} }} of {{ $labels.job }}`;
  const rules: AlertRule[] = [
    alert({
      name: 'GenAIHighErrorRate',
      severity: 'critical',
      for: '5m',
      expr: `${rate(`${GENAI.requestDuration}_count`, `${L.errorType}!=""`)} / ${rate(`${GENAI.requestDuration}_count`)} > ${LLM_THRESHOLDS.errorRatioPercent.default / 100}`,
      summary: `{{ $labels.job }} fails GenAI requests for model {{ $labels.${L.model} }}`,
      description: `{{ $value | humanizePercentage }} of the GenAI operations of ${who} end with an error (threshold ${LLM_THRESHOLDS.errorRatioPercent.default}%).`,
    }),
    alert({
      name: 'GenAISlowTimeToFirstToken',
      severity: 'critical',
      for: '5m',
      expr: `histogram_quantile(0.99, sum by (le, ${by}) (rate(${GENAI.ttft}_bucket[5m]))) > ${LLM_THRESHOLDS.ttftP99Seconds.default}`,
      summary: `{{ $labels.job }}: first tokens of model {{ $labels.${L.model} }} are slow`,
      description: `The P99 time to first token of ${who} is {{ $value | humanizeDuration }} (threshold ${LLM_THRESHOLDS.ttftP99Seconds.default}s).`,
    }),
    alert({
      name: 'GenAISlowTimePerOutputToken',
      severity: 'warning',
      for: '10m',
      expr: `histogram_quantile(0.95, sum by (le, ${by}) (rate(${GENAI.tpot}_bucket[5m]))) > ${TPOT_P95_SECONDS}`,
      summary: `{{ $labels.job }}: model {{ $labels.${L.model} }} streams slowly`,
      description: `The P95 time per output token of ${who} is {{ $value | humanizeDuration }} (threshold ${TPOT_P95_SECONDS * 1000}ms).`,
    }),
  ];
  return {
    fileName: 'genai.yaml',
    title: 'GenAI (OpenTelemetry semantic conventions over OTLP): errors, time to first token, time per output token',
    groups: [{ name: 'genai', rules }],
    runbooks,
  };
};
