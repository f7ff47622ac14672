/**
 * SLOs with error budgets (spec.services[].slos[]), following the SRE
 * workbook's multiwindow, multi-burn-rate alerts as Sloth and Pyrra generate
 * them, but shared across services so a thousand of them stay small.
 *
 * One group, evaluated in order:
 *
 * 1. `slo:objective:ratio` — the only rules that grow with the services: one
 *    per distinct (indicator, name, objective, window), listing its jobs in
 *    a regex (value 0.999 for 99.9 %, labels sli, slo, window; one series per job).
 * 2. `slo:sli_requests:rate5m` and `slo:sli_errors:rate5m` — two rules per
 *    indicator (a kind's request/error series, or a histogram at a threshold),
 *    kept only for the jobs that declare an SLO on it (`and on (job)` the objectives).
 *    Kinds sharing series (STT, TTS, MCP and http all use the FastAPI names) share them.
 * 3. `slo:sli_error:ratio_rate<w>` — the error ratio over 5m, 30m, 1h, 2h, 6h, 1d, 3d
 *    and each SLO window used: shared by every indicator, computed from the 5m rates
 *    (sum_over_time of errors / of requests: traffic-weighted, and cheap on 28d).
 * 4. `slo:sli_error:ratio_window` (the ratio over each SLO's own window, labelled slo and window)
 *    and `slo:error_budget:remaining_ratio` (1 - spent / allowed; negative when overspent).
 * 5. Two alerts for every SLO at once: SLOErrorBudgetBurnFast (page: 14.4x over 1h and 5m, or 6x over
 *    6h and 30m) and SLOErrorBudgetBurnSlow (ticket: 3x over 1d and 2h, or 1x over 3d and 6h).
 */
import {
  BURN_ALERTS,
  BURN_WINDOWS,
  latencySliId,
  leValue,
  type SloDecl,
  SLO_EVALUATION_INTERVAL,
  SLO_RECORDING,
  type SloKind,
} from '../charts/core/slo-catalog';
import { SLI_CATALOG, sloName } from '../charts/kinds';

export { SLO_RECORDED_METRICS, SLO_RECORDING } from '../charts/core/slo-catalog';
import { alert, anyOf, ratio } from './helpers';
import type { AlertRule, RecordingRule, RuleArea, Runbook } from '../charts/core/rule-types';

/** One SLO resolved against its service's kind: the series it counts. */
export interface ResolvedSlo {
  readonly job: string;
  readonly kind: SloKind;
  readonly slo: string;
  readonly sli: string;
  readonly objective: number;
  readonly window: string;
  /** PromQL of the 5m rate of all requests, by (namespace, job). */
  readonly total: string;
  /** PromQL of the 5m rate of bad requests, by (namespace, job). */
  readonly errors: string;
  readonly description: string;
}

/** `name{a="b"}` + matcher -> `name{a="b",m}`; `vllm:x` names are fine. */
function sel(selector: string, matcher?: string): string {
  if (!matcher) return selector;
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector);
  if (!m) throw new Error(`bad selector ${selector}`);
  return `${m[1]}{${m[2] ? `${m[2]},` : ''}${matcher}}`;
}
/**
 * The 5m rate by (namespace, job); for an LLM kind (its SLIs name a model label) by model too, copied
 * into `model` so every engine's SLO series carry the same label.
 */
const rate5m = (s: string, modelLabel?: string) =>
  modelLabel
    ? `sum by (namespace, job, model) (label_replace(rate(${s}[5m]), "model", "$1", "${modelLabel}", "(.*)"))`
    : `sum by (namespace, job) (rate(${s}[5m]))`;

/** The SLOs of the spec with their series (the spec checks have refused anything unresolvable). */
export function resolveSlos(services: readonly { name: string; kind: SloKind; slos?: readonly SloDecl[] }[]): ResolvedSlo[] {
  const out: ResolvedSlo[] = [];
  for (const s of services) {
    const cat = SLI_CATALOG[s.kind];
    for (const slo of s.slos ?? []) {
      const base = { job: s.name, kind: s.kind, slo: sloName(slo, s.kind), objective: slo.objective, window: slo.window };
      if (slo.type === 'availability') {
        const a = cat.availability;
        if (!a) throw new Error(`service ${s.name}: kind ${s.kind} has no availability SLI`);
        // The error series may not exist before the first error: count 0 errors for every job with requests.
        const errors = (total: string) => `(${rate5m(a.errors, cat.modelLabel)} or 0 * ${total})`;
        const good = a.good === undefined ? undefined : rate5m(a.good, cat.modelLabel);
        const total = good === undefined ? rate5m(a.total as string, cat.modelLabel) : `(${good} + ${errors(good)})`;
        out.push({
          ...base,
          sli: a.id,
          total,
          errors: errors(good ?? total),
          description: `requests that do not fail (${a.errors} / ${a.good === undefined ? a.total : `${a.good} + ${a.errors}`})`,
        });
      } else {
        const h = slo.histogram === undefined ? cat.latency[0] : cat.latency.find((l) => l.name === slo.histogram);
        if (!h || slo.thresholdSeconds === undefined) throw new Error(`service ${s.name}: unresolved latency SLO ${base.slo}`);
        const count = sel(`${h.metric}_count`, h.matchers);
        const good = sel(
          `${h.metric}_bucket`,
          [h.matchers, `le="${leValue(slo.thresholdSeconds * (h.perSecond ?? 1))}"`].filter(Boolean).join(','),
        );
        out.push({
          ...base,
          sli: latencySliId(h, slo.thresholdSeconds),
          total: rate5m(count, cat.modelLabel),
          errors: `${rate5m(count, cat.modelLabel)} - ${rate5m(good, cat.modelLabel)}`,
          description: `${h.description} at most ${slo.thresholdSeconds}s (${h.metric})`,
        });
      }
    }
  }
  return out;
}

const runbooks: Record<string, Runbook> = {
  SLOErrorBudgetBurnFast: {
    meaning:
      'The service burns the error budget of one of its SLOs (spec.services[].slos[]) fast enough to spend 2% of it in an hour (14.4 times the sustainable rate over 1h and over 5m) or 5% in six hours (6 times over 6h and 30m). At that pace a 28-day budget is gone in two to five days: users are affected now. The `slo` label names the objective, `sli` what is counted.',
    check:
      'Open the SLOs dashboard for the service: which window burns, since when, and the SLI. For availability, the service dashboard\'s errors by endpoint/status and the pods\' logs; for latency, its latency percentiles, queue length and GPU saturation. `slo:sli_error:ratio_rate5m{job="<service>"}` in Prometheus shows whether it is still burning.',
    fix: 'Mitigate first: roll back the last release, scale out, shed load, fail over. Once it has stopped burning the short window clears and the alert resolves within minutes. Then look at `slo:error_budget:remaining_ratio` to decide whether risky changes should pause.',
  },
  SLOErrorBudgetBurnSlow: {
    meaning:
      "The service burns an SLO's error budget faster than it can sustain over days: 3 times the sustainable rate over 1d and 2h (10% of the budget in a day), or 1 time over 3d and 6h (the budget runs out before the window ends). Not urgent, but the objective will be missed without a change.",
    check:
      'The SLOs dashboard: budget remaining and the 1d/3d burn rates. Look for a steady background of errors or slow requests (a bad node, a dependency timing out, a model too large for its GPU) rather than an incident.',
    fix: 'Open a ticket, find the steady source of errors or latency and fix it; if the objective is stricter than users need, relax it in spec.services[].slos[] deliberately.',
  },
};

/** 1. The objectives, one rule per (indicator, name, objective, window) listing its jobs. */
function objectiveRules(slos: readonly ResolvedSlo[]): RecordingRule[] {
  const groups = new Map<string, { s: ResolvedSlo; jobs: string[] }>();
  for (const s of slos) {
    const key = [s.sli, s.slo, s.objective, s.window].join('\u0000');
    const g = groups.get(key);
    if (g) g.jobs.push(s.job);
    else groups.set(key, { s, jobs: [s.job] });
  }
  return [...groups.values()].map(({ s, jobs }) => ({
    record: SLO_RECORDING.objective,
    // One job: an equality matcher (pint promql/regexp: a regexp on a static string is redundant).
    expr: `${ratio(s.objective)} * group by (namespace, job) (up{${jobs.length === 1 ? `job="${anyOf(jobs)}"` : `job=~"${anyOf(jobs)}"`}})`,
    labels: { sli: s.sli, slo: s.slo, window: s.window },
  }));
}

/** 2. Request and error rates, one pair per indicator, kept for the jobs with an SLO on it. */
function indicatorRateRules(slos: readonly ResolvedSlo[]): RecordingRule[] {
  const indicators = new Map<string, ResolvedSlo>();
  for (const s of slos) if (!indicators.has(s.sli)) indicators.set(s.sli, s);
  return [...indicators.values()].flatMap((s) => {
    const only = `and on (job) ${SLO_RECORDING.objective}{sli="${s.sli}"}`;
    return [
      { record: SLO_RECORDING.requests, expr: `${s.total} ${only}`, labels: { sli: s.sli } },
      { record: SLO_RECORDING.errors, expr: `(${s.errors}) ${only}`, labels: { sli: s.sli } },
    ];
  });
}

/** 3. Error ratios over every burn window and every SLO window in use. */
function errorRatioRules(windows: readonly string[]): RecordingRule[] {
  return [
    { record: SLO_RECORDING.errorRatio('5m'), expr: `${SLO_RECORDING.errors} / ${SLO_RECORDING.requests}` },
    ...[...BURN_WINDOWS.filter((x) => x !== '5m'), ...windows].map((w) => ({
      record: SLO_RECORDING.errorRatio(w),
      expr: `sum_over_time(${SLO_RECORDING.errors}[${w}]) / sum_over_time(${SLO_RECORDING.requests}[${w}])`,
    })),
  ];
}

/** 4. The ratio over each SLO's own window, and the budget left. */
function budgetRules(windows: readonly string[]): RecordingRule[] {
  return [
    ...windows.map((w) => ({
      record: SLO_RECORDING.errorRatioWindow,
      expr: `${SLO_RECORDING.errorRatio(w)} * on (job, sli) group_left (slo) group by (job, sli, slo) (${SLO_RECORDING.objective}{window="${w}"})`,
      labels: { window: w },
    })),
    {
      record: SLO_RECORDING.budgetRemaining,
      expr: `1 - ${SLO_RECORDING.errorRatioWindow} / on (job, sli, slo, window) group_left () (1 - ${SLO_RECORDING.objective})`,
    },
  ];
}

/**
 * One window pair of a burn-rate alert, per model for the LLM kinds: group_left keeps the short window's `model`
 * (one-to-one matching `on (job, sli)` would keep only job and sli) for the `and` to match it.
 */
function burnCondition(long: string, short: string, factor: number): string {
  const budget = `(${factor} * (1 - ${SLO_RECORDING.objective}))`;
  return `(${SLO_RECORDING.errorRatio(long)} > on (job, sli) group_left (slo, window) ${budget} and on (job, sli, model) ${SLO_RECORDING.errorRatio(short)} > on (job, sli) group_left () ${budget})`;
}

/** 5. The burn-rate alert of one action (page: SLOErrorBudgetBurnFast, ticket: SLOErrorBudgetBurnSlow), for every SLO. */
function burnAlert(name: string, action: 'page' | 'ticket'): AlertRule {
  const pairs = BURN_ALERTS.filter((b) => b.action === action);
  const text = pairs.map((b) => `${b.factor}x over ${b.long} and ${b.short}`).join(', or ');
  return alert({
    name,
    expr: pairs.map((b) => burnCondition(b.long, b.short, b.factor)).join(' or '),
    severity: pairs[0].severity,
    labels: { service: '{{ $labels.job }}' },
    summary: `{{ $labels.job }} burns its {{ $labels.slo }} error budget ${action === 'page' ? 'fast' : 'steadily'}`,
    description: `{{ $labels.job }} (namespace {{ $labels.namespace }}) fails its {{ $labels.slo }} SLO (indicator {{ $labels.sli }}, ${'{{ $labels.window }}'} window) at an error ratio of {{ $value | humanizePercentage }} over the long window: burn rate above ${text}.`,
  });
}

export const sloRules: RuleArea = (ctx) => {
  const slos = resolveSlos(ctx.spec.services);
  if (slos.length === 0) return undefined;
  const windows = [...new Set(slos.map((s) => s.window))].sort();
  const rules: (RecordingRule | AlertRule)[] = [
    ...objectiveRules(slos),
    ...indicatorRateRules(slos),
    ...errorRatioRules(windows),
    ...budgetRules(windows),
    burnAlert('SLOErrorBudgetBurnFast', 'page'),
    burnAlert('SLOErrorBudgetBurnSlow', 'ticket'),
  ];

  return {
    fileName: 'slo.yaml',
    title: 'SLOs: error ratios, error budgets and multiwindow burn-rate alerts (spec.services[].slos[])',
    // Every minute: the 28d/30d ratios read a month of the recorded 5m rates, 40,320 samples per series at 1m
    // (four times that at a 15s evaluation interval); burn-rate alerts do not need more than one-minute resolution.
    groups: [{ name: 'slo', interval: SLO_EVALUATION_INTERVAL, rules }],
    runbooks,
  };
};
