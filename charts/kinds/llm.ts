/**
 * LLM serving alerts across engines (llm-serving.yaml): the alert set llm-d
 * ships for vLLM, applied to every kind that declares LlmSignals, each signal
 * where the engine exposes it:
 *
 * | alert | severity | default | fires when |
 * |---|---|---|---|
 * | LLMHighErrorRate | critical (page) | 5 % | failed requests / requests over 5m, per model, for 5m |
 * | LLMSlowTimeToFirstToken | critical (page) | 30 s | P99 time to first token over 5m, per model, for 5m |
 * | LLMKVCacheNearlyFull | warning | 0.9 | KV-cache usage, for 10m |
 * | LLMRequestsQueued | warning | 50 | requests waiting, for 5m |
 * | LLMPrefixCacheHitRateLow | warning | 30 % | prefix-cache hits / queries over 5m below it, for 15m |
 * | LLMRequestsPreempted | warning | any | preempted (SGLang: retracted) requests, for 5m |
 *
 * llm-d also warns on GPU utilisation below 30 % for 30 minutes: that signal
 * is the GPU's, owned by the GPU component's rules (RECORDING.podGpuUtilisation), not repeated here.
 *
 * One rule per alert per kind present (selected by `service_kind`), so the
 * file grows by kind. A service's own threshold (spec.services[].llm) is one
 * short `service:llm_threshold{job, signal}` record, joined on job; the other
 * services of the kind compare with the default.
 */
import { SERVICE_KIND_LABEL } from '../core/service-kind';
import { alert } from '../core/rule-builder';
import type { AlertRule, RecordingRule, RuleArea, Runbook } from '../core/rule-types';
import { KINDS } from './index';
import type { LlmSignals } from './types';

export const LLM_THRESHOLD_RECORD = 'service:llm_threshold';

/** The thresholds a service may set (spec.services[].llm), their defaults (llm-d's) and the signal they apply to. */
export const LLM_THRESHOLDS = {
  errorRatioPercent: { signal: 'error_ratio', default: 5, needs: 'errorRatio' },
  ttftP99Seconds: { signal: 'ttft_p99', default: 30, needs: 'ttft' },
  kvCacheUsage: { signal: 'kv_cache', default: 0.9, needs: 'kvCache' },
  queuedRequests: { signal: 'queued', default: 50, needs: 'queued' },
  prefixCacheHitRatio: { signal: 'prefix_hit_ratio', default: 0.3, needs: 'prefixHitRatio' },
} as const satisfies Record<string, { signal: string; default: number; needs: keyof LlmSignals }>;
export type LlmThresholdKey = keyof typeof LLM_THRESHOLDS;
export type LlmThresholds = Partial<Record<LlmThresholdKey, number>>;

/** The threshold in force for the alert's job: its own record, else the default (for the description). */
function thresholdText(signal: string, fallback: number | string, format = ''): string {
  return `{{ with printf "${LLM_THRESHOLD_RECORD}{job='%s',signal='${signal}'}" $labels.job | query }}{{ . | first | value${format} }}{{ else }}${fallback}{{ end }}`;
}

/** `expr` compared with the service's own threshold where it set one, else with `fallback`. */
function perService(expr: string, op: '>' | '<', signal: string, fallback: number): string {
  const thr = `${LLM_THRESHOLD_RECORD}{signal="${signal}"}`;
  return `(${expr} ${op} on (job) group_left () ${thr}) or ((${expr} unless on (job) ${thr}) ${op} ${fallback})`;
}

const RUNBOOKS: Record<string, Runbook> = {
  LLMHighErrorRate: {
    meaning:
      "More than the allowed share of an LLM server's requests fail (aborted generations, Triton failures, HTTP errors of a Ray Serve application), per model. Users get errors now: it pages.",
    check:
      "The engine's dashboard (errors by model, pod), the pods' logs (CUDA errors, out of memory, request validation), `kubectl describe pod` for restarts; the GPU dashboard for XID errors on the same nodes.",
    fix: 'Roll back a bad model or engine release; restart pods stuck after a CUDA error; lower max batch size or context length when the errors are out-of-memory; scale out when they are timeouts under load.',
  },
  LLMSlowTimeToFirstToken: {
    meaning:
      'The 99th percentile of the time to first token of a model is above its threshold (spec.services[].llm.ttftP99Seconds, default 30 s): prefill is saturated or requests wait in the queue. Interactive users see a hung answer: it pages.',
    check:
      "The engine's dashboard: queue length, KV-cache usage, running requests and preemptions at the same time; the prompt token rate (a burst of long prompts); GPU utilisation.",
    fix: 'Scale out replicas; cap the prompt length or max concurrent requests; enable prefix caching or chunked prefill; move long-context traffic to a separate deployment.',
  },
  LLMKVCacheNearlyFull: {
    meaning: 'The KV cache of an engine stays nearly full: new requests wait and running ones get preempted, so latency climbs.',
    check:
      "KV-cache usage with running/waiting requests and preemptions on the engine's dashboard; the distribution of prompt and generation lengths.",
    fix: 'Scale out; lower max concurrent sequences or max model length; raise the GPU memory share given to the cache (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static); use a quantized KV cache.',
  },
  LLMRequestsQueued: {
    meaning:
      "More requests wait for a slot than the threshold (default 50): the engine is saturated and queueing adds to every request's latency.",
    check:
      "Queue length against running requests and KV-cache usage; request rate over the last hours; the autoscaler's state (Ray Serve replicas, HPA).",
    fix: 'Scale out replicas or GPUs; raise max concurrent requests when the KV cache has room; shed or rate-limit low-priority traffic.',
  },
  LLMPrefixCacheHitRateLow: {
    meaning:
      'Prefix-cache hits are below the expected share (default 30 %): prompts sharing a prefix (system prompts, chat history) are recomputed, wasting prefill and raising TTFT.',
    check:
      'Whether routing spreads one conversation over many replicas (no session affinity); whether the prompt template changed (a timestamp at the start of the system prompt defeats caching); cache evictions under KV pressure.',
    fix: "Route by prefix or session (llm-d's prefix-aware routing, sticky sessions); keep shared prefixes first in the prompt; give the cache more memory. Lower spec.services[].llm.prefixCacheHitRatio when the traffic has no shared prefixes.",
  },
  LLMRequestsPreempted: {
    meaning:
      'The engine preempts (SGLang: retracts) running requests to free KV cache: their work is redone later, so throughput drops and latency grows.',
    check: "KV-cache usage and running requests at the same time; long generations (max_tokens) on the engine's dashboard.",
    fix: 'Lower max concurrent sequences; raise the KV-cache memory; scale out; cap max_tokens of clients.',
  },
};

interface Built {
  readonly rules: AlertRule[];
  readonly runbooks: Record<string, Runbook>;
}

/** What the alerts of one kind share: its signals, the selector of its series, the labels they are summed by, the model's words. */
interface AlertContext {
  readonly kind: string;
  readonly s: LlmSignals;
  readonly sel: string;
  readonly by: string;
  /** The model's label in a template. */
  readonly m: string;
  /** The model, job and namespace, as the descriptions name them. */
  readonly who: string;
}

/** LLMHighErrorRate: the share of failed requests per model above the service's threshold. */
function highErrorRate({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.errorRatio) return undefined;
  const t = LLM_THRESHOLDS.errorRatioPercent;
  return alert({
    name: 'LLMHighErrorRate',
    severity: 'critical',
    for: '5m',
    labels: { kind },
    expr: perService(s.errorRatio(sel, by), '>', t.signal, t.default / 100),
    summary: `{{ $labels.job }} fails requests for model ${m}`,
    description: `{{ $value | humanizePercentage }} of the requests to ${who} fail (threshold ${thresholdText(t.signal, `${t.default}%`, ' | humanizePercentage')}, spec.services[].llm.errorRatioPercent).`,
  });
}

/** LLMSlowTimeToFirstToken: the P99 time to first token per model above the service's threshold. */
function slowTimeToFirstToken({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.ttft) return undefined;
  const t = LLM_THRESHOLDS.ttftP99Seconds;
  const perSecond = s.ttft.perSecond ?? 1;
  const p99 = `histogram_quantile(0.99, sum by (le, ${by}) (rate(${s.ttft.bucket}{${sel}}[5m])))${perSecond === 1 ? '' : ` / ${perSecond}`}`;
  return alert({
    name: 'LLMSlowTimeToFirstToken',
    severity: 'critical',
    for: '5m',
    labels: { kind },
    expr: perService(p99, '>', t.signal, t.default),
    summary: `{{ $labels.job }}: first tokens of model ${m} are slow`,
    description: `The P99 time to first token of ${who} is {{ $value | humanizeDuration }} (threshold ${thresholdText(t.signal, t.default)}s, spec.services[].llm.ttftP99Seconds).`,
  });
}

/** LLMKVCacheNearlyFull: KV-cache usage above the service's threshold. */
function kvCacheNearlyFull({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.kvCache) return undefined;
  const t = LLM_THRESHOLDS.kvCacheUsage;
  return alert({
    name: 'LLMKVCacheNearlyFull',
    severity: 'warning',
    for: '10m',
    labels: { kind },
    expr: perService(s.kvCache(sel, by), '>', t.signal, t.default),
    summary: `{{ $labels.job }}: the KV cache of model ${m} is nearly full`,
    description: `The KV cache of ${who} is {{ $value | humanizePercentage }} full (threshold ${thresholdText(t.signal, t.default)}, spec.services[].llm.kvCacheUsage).`,
  });
}

/** LLMRequestsQueued: more waiting requests than the service's threshold. */
function requestsQueued({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.queued) return undefined;
  const t = LLM_THRESHOLDS.queuedRequests;
  return alert({
    name: 'LLMRequestsQueued',
    severity: 'warning',
    for: '5m',
    labels: { kind },
    expr: perService(s.queued(sel, by), '>', t.signal, t.default),
    summary: `{{ $labels.job }}: requests queue up for model ${m}`,
    description: `{{ $value }} requests wait for ${who} (threshold ${thresholdText(t.signal, t.default)}, spec.services[].llm.queuedRequests).`,
  });
}

/** LLMPrefixCacheHitRateLow: prefix-cache hits below the service's expected share. */
function prefixCacheHitRateLow({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.prefixHitRatio) return undefined;
  const t = LLM_THRESHOLDS.prefixCacheHitRatio;
  return alert({
    name: 'LLMPrefixCacheHitRateLow',
    severity: 'warning',
    for: '15m',
    labels: { kind },
    expr: perService(s.prefixHitRatio(sel, by), '<', t.signal, t.default),
    summary: `{{ $labels.job }}: few prefix-cache hits for model ${m}`,
    description: `The prefix cache of ${who} hits {{ $value | humanizePercentage }} of the queries (threshold ${thresholdText(t.signal, t.default)}, spec.services[].llm.prefixCacheHitRatio).`,
  });
}

/** LLMRequestsPreempted: any preempted (SGLang: retracted) requests. */
function requestsPreempted({ kind, s, sel, by, m, who }: AlertContext): AlertRule | undefined {
  if (!s.preemptions) return undefined;
  return alert({
    name: 'LLMRequestsPreempted',
    severity: 'warning',
    for: '5m',
    labels: { kind },
    expr: `${s.preemptions(sel, by)} > 0`,
    summary: `{{ $labels.job }} preempts requests of model ${m}`,
    description: `The engine serving ${who} preempts {{ $value | printf "%.2f" }} requests per second to free KV cache.`,
  });
}

/** The alerts of one kind's signals, in the order of the table above: one per signal the engine exposes. */
export function llmAlerts(kind: string, s: LlmSignals): Built {
  const m = `{{ $labels.${s.modelLabel} }}`;
  const c: AlertContext = {
    kind,
    s,
    sel: `${SERVICE_KIND_LABEL}="${kind}"`,
    by: `namespace, job, ${s.modelLabel}`,
    m,
    who: `model ${m} of {{ $labels.job }} (namespace {{ $labels.namespace }})`,
  };
  const rules = [highErrorRate, slowTimeToFirstToken, kvCacheNearlyFull, requestsQueued, prefixCacheHitRateLow, requestsPreempted]
    .map((a) => a(c))
    .filter((r): r is AlertRule => r !== undefined);
  const runbooks = Object.fromEntries(rules.map((r) => [r.alert, RUNBOOKS[r.alert]]));
  return { rules, runbooks };
}

export const llmRules: RuleArea = ({ spec }) => {
  const present = new Set(spec.services.map((s) => s.kind));
  const kinds = KINDS.filter((k) => k.llm && present.has(k.name));
  if (kinds.length === 0) return undefined;
  const rules: AlertRule[] = [];
  const runbooks: Record<string, Runbook> = {};
  for (const k of kinds) {
    const b = llmAlerts(k.name, k.llm as LlmSignals);
    rules.push(...b.rules);
    Object.assign(runbooks, b.runbooks);
  }
  const thresholds: RecordingRule[] = spec.services.flatMap((s) =>
    Object.entries(s.llm ?? {})
      .filter((e): e is [LlmThresholdKey, number] => e[1] !== undefined)
      .map(([key, v]) => ({
        record: LLM_THRESHOLD_RECORD,
        expr: `vector(${key === 'errorRatioPercent' ? v / 100 : v})`,
        labels: { job: s.name, signal: LLM_THRESHOLDS[key].signal },
      })),
  );
  return {
    fileName: 'llm-serving.yaml',
    title: 'LLM serving across engines (vLLM, SGLang, NIM, Triton, Ray Serve): errors, TTFT, KV cache, queue, prefix cache, preemptions',
    groups: [...(thresholds.length ? [{ name: 'llm-thresholds', rules: thresholds }] : []), { name: 'llm-serving', rules }],
    runbooks,
  };
};
