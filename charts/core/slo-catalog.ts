/**
 * The SLO machinery every kind shares: what an indicator is (availability:
 * a request and an error counter; latency: a histogram whose bucket at the
 * threshold counts the good requests, so the threshold must be one of its
 * bucket boundaries), the windows, the multiwindow burn-rate table and the
 * names of the recorded series. A leaf module (imports nothing), read by the
 * spec checks, the SLO rules (rules/slo.ts) and the SLO dashboard. Each
 * kind's indicators, with where their bucket boundaries come from, are in its
 * folder (charts/kinds/<kind>/index.ts `slis`; charts/kinds/index.ts SLI_CATALOG).
 *
 * Prometheus 3 normalizes classic-histogram `le` values at scrape (the Python clients' "1.0" is stored as
 * "1"), so the rules match `le` on the shortest decimal form, which is how JavaScript prints a number.
 */

/** A service kind's name (charts/kinds/index.ts SERVICE_KINDS). */
export type SloKind = string;

export interface AvailabilitySli {
  /** Value of the `sli` label of the recorded series: kinds sharing the series share the rules. */
  readonly id: string;
  /** Counter of every request (selector: metric and matchers). */
  readonly total?: string;
  /** Counter of the successful requests, when the engine counts successes and failures apart (Triton, NIM): total = good + errors. */
  readonly good?: string;
  /** Counter (selector) of the failed requests. */
  readonly errors: string;
}

export interface LatencySli {
  /** Name used in `slos[].histogram`. */
  readonly name: string;
  /** Value prefix of the `sli` label (the threshold is appended). */
  readonly id: string;
  /** Histogram name without `_bucket`/`_count`. */
  readonly metric: string;
  /** Extra matchers, e.g. `handler="/transcribe"`. */
  readonly matchers?: string;
  /** Finite bucket boundaries (seconds), ascending. */
  readonly buckets: readonly number[];
  /** The histogram's unit per second when it is not seconds (Triton's \`_ms\` histograms: 1000); its \`le\` values are in that unit. */
  readonly perSecond?: number;
  /** Where the boundaries come from. */
  readonly source: string;
  readonly description: string;
}

export interface KindSlis {
  /**
   * The label naming the model on every series of the kind (LLM engines): the SLO's rates are then
   * kept per model, recorded with a \`model\` label, and its burn-rate alerts fire per model.
   */
  readonly modelLabel?: string;
  readonly availability?: AvailabilitySli;
  /** Latency histograms; the first is the default of `slos[].histogram`. */
  readonly latency: readonly LatencySli[];
}

/** SLO windows allowed: the SRE workbook's four weeks, or thirty days. */
export const SLO_WINDOWS = ['28d', '30d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/**
 * Multiwindow, multi-burn-rate alerts (SRE workbook, chapter 5, table 5-8): each alert fires when both
 * its long and its short window burn the budget faster than `factor` times the sustainable rate.
 */
export const BURN_ALERTS = [
  { severity: 'critical', action: 'page', factor: 14.4, long: '1h', short: '5m' },
  { severity: 'critical', action: 'page', factor: 6, long: '6h', short: '30m' },
  { severity: 'warning', action: 'ticket', factor: 3, long: '1d', short: '2h' },
  { severity: 'warning', action: 'ticket', factor: 1, long: '3d', short: '6h' },
] as const;

/** Every window an error ratio is recorded for (the SLO window is added when used). */
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** The `le` label value of a bucket boundary as Prometheus 3 stores it. */
export function leValue(seconds: number): string {
  return String(seconds);
}

/** The `sli` label of a latency SLI at a threshold, e.g. `vllm_ttft_le_0.5`. */
export function latencySliId(sli: LatencySli, thresholdSeconds: number): string {
  return `${sli.id}_le_${leValue(thresholdSeconds)}`;
}

export const SLO_EVALUATION_INTERVAL = '1m';

export const SLO_RECORDING = {
  objective: 'slo:objective:ratio',
  requests: 'slo:sli_requests:rate5m',
  errors: 'slo:sli_errors:rate5m',
  errorRatio: (w: string) => `slo:sli_error:ratio_rate${w}`,
  errorRatioWindow: 'slo:sli_error:ratio_window',
  budgetRemaining: 'slo:error_budget:remaining_ratio',
} as const;

/** Every series the SLO rules record (the dashboards' catalog). */
export const SLO_RECORDED_METRICS: readonly string[] = [
  SLO_RECORDING.objective,
  SLO_RECORDING.requests,
  SLO_RECORDING.errors,
  SLO_RECORDING.errorRatioWindow,
  SLO_RECORDING.budgetRemaining,
  ...[...BURN_WINDOWS, ...SLO_WINDOWS].map(SLO_RECORDING.errorRatio),
];

/** An SLO as the spec declares it (structural: core does not import the schema). */
export interface SloDecl {
  readonly name?: string;
  readonly type: 'availability' | 'latency';
  readonly objective: number;
  readonly window: string;
  readonly histogram?: string;
  readonly thresholdSeconds?: number;
  readonly buckets?: readonly number[];
}
