/**
 * Service level indicators by service kind: which series count the good and
 * the total events of an availability or latency SLO (spec.services[].slos[]).
 * A leaf module (imports nothing), read by the spec checks, the SLO rules
 * (rules/slo.ts) and the SLO dashboard.
 *
 * Availability uses the request and error series of the kind's metric
 * catalog (the same as the ServiceHighErrorRate alerts, rules/applications.ts
 * KIND_METRICS; test/slo.test.ts checks they agree). Latency uses the kind's
 * histograms: a request is good when it falls in the bucket `le="<threshold>"`,
 * so the threshold must be one of the histogram's bucket boundaries.
 *
 * Bucket boundaries, read from each exporter's source (facts, not code):
 * - vLLM (vllm/v1/metrics/loggers.py, vllm-project/vllm at commit 005a810b, the v1 engine's
 *   PrometheusStatLogger): `vllm:time_to_first_token_seconds` and `vllm:e2e_request_latency_seconds`
 *   (`request_latency_buckets`).
 * - prometheus-fastapi-instrumentator v8.0.2 (src/prometheus_fastapi_instrumentator/metrics.py,
 *   `default()`): `http_request_duration_seconds{handler,method}` has `latency_lowr_buckets` = 0.1, 0.5, 1
 *   ("keep the bucket count very low; only put in SLIs"). The STT, TTS, MCP and generic http kinds use these names.
 * - Qdrant v1.19.0 (lib/segment/src/common/operation_time_statistics.rs `DEFAULT_BUCKET_BOUNDARIES_MICROS`,
 *   exposed in seconds by src/common/metrics.rs): `rest_responses_duration_seconds`.
 * - Whisper API (the seed names the metric, not its buckets): the Python client's
 *   `prometheus_client.Histogram.DEFAULT_BUCKETS`, used when a histogram declares none.
 * A service whose exporter is configured with other buckets sets `slos[].buckets`.
 *
 * Prometheus 3 normalizes classic-histogram `le` values at scrape (the Python clients' "1.0" is stored as
 * "1"), so the rules match `le` on the shortest decimal form, which is how JavaScript prints a number.
 */

export type SloKind = 'vllm' | 'stt' | 'tts' | 'whisper-api' | 'rq-exporter' | 'qdrant' | 'mcp' | 'redis-exporter' | 'mysql-exporter' | 'http';

export interface AvailabilitySli {
  /** Value of the `sli` label of the recorded series: kinds sharing the series share the rules. */
  readonly id: string;
  /** Counter of every request (selector: metric and matchers). */
  readonly total: string;
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
  /** Where the boundaries come from. */
  readonly source: string;
  readonly description: string;
}

const VLLM_TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const VLLM_REQUEST_LATENCY = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const FASTAPI_LOWR = [0.1, 0.5, 1];
const QDRANT = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 10, 50];
const PYTHON_DEFAULT = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const SRC_VLLM = 'vLLM v1 engine (vllm/v1/metrics/loggers.py)';
const SRC_FASTAPI = 'prometheus-fastapi-instrumentator v8.0.2 latency_lowr_buckets';

const FASTAPI_AVAILABILITY: AvailabilitySli = { id: 'http_requests', total: 'http_requests_total', errors: 'http_requests_total{status=~"5.."}' };
const FASTAPI_REQUEST: LatencySli = {
  name: 'request', id: 'http_request_duration', metric: 'http_request_duration_seconds', buckets: FASTAPI_LOWR, source: SRC_FASTAPI,
  description: 'HTTP request duration, every handler',
};

export interface KindSlis {
  readonly availability?: AvailabilitySli;
  /** Latency histograms; the first is the default of `slos[].histogram`. */
  readonly latency: readonly LatencySli[];
}

export const SLI_CATALOG: Record<SloKind, KindSlis> = {
  vllm: {
    // vLLM counts every finished request in vllm:request_success_total by finished_reason (stop, length, abort).
    availability: { id: 'vllm_requests', total: 'vllm:request_success_total', errors: 'vllm:request_success_total{finished_reason="abort"}' },
    latency: [
      { name: 'e2e', id: 'vllm_e2e', metric: 'vllm:e2e_request_latency_seconds', buckets: VLLM_REQUEST_LATENCY, source: SRC_VLLM, description: 'end-to-end request latency' },
      { name: 'ttft', id: 'vllm_ttft', metric: 'vllm:time_to_first_token_seconds', buckets: VLLM_TTFT, source: SRC_VLLM, description: 'time to first token' },
    ],
  },
  stt: {
    availability: FASTAPI_AVAILABILITY,
    latency: [
      {
        name: 'transcribe', id: 'stt_transcribe_duration', metric: 'http_request_duration_seconds', matchers: 'handler="/transcribe"',
        buckets: FASTAPI_LOWR, source: SRC_FASTAPI, description: 'duration of POST /transcribe',
      },
      FASTAPI_REQUEST,
    ],
  },
  tts: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  mcp: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  http: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  'whisper-api': {
    availability: { id: 'whisper_transcriptions', total: 'whisper_transcription_requests_total', errors: 'whisper_transcription_errors_total' },
    latency: [{
      name: 'transcription', id: 'whisper_transcription_duration', metric: 'whisper_transcription_duration_seconds', buckets: PYTHON_DEFAULT,
      source: 'prometheus_client Histogram.DEFAULT_BUCKETS (the seed declares no buckets)', description: 'transcription duration',
    }],
  },
  qdrant: {
    availability: { id: 'qdrant_rest', total: 'rest_responses_total', errors: 'rest_responses_total{status=~"5.."}' },
    latency: [{
      name: 'request', id: 'qdrant_rest_duration', metric: 'rest_responses_duration_seconds', buckets: QDRANT,
      source: 'Qdrant v1.19.0 DEFAULT_BUCKET_BOUNDARIES_MICROS', description: 'REST response duration',
    }],
  },
  'rq-exporter': { latency: [] },
  'redis-exporter': { latency: [] },
  'mysql-exporter': { latency: [] },
};

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
  SLO_RECORDING.objective, SLO_RECORDING.requests, SLO_RECORDING.errors, SLO_RECORDING.errorRatioWindow, SLO_RECORDING.budgetRemaining,
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

/** The SLO's name as it appears in the `slo` label: its name, else the type ("availability") or the histogram. */
export function sloName(slo: SloDecl, kind: SloKind): string {
  if (slo.name) return slo.name;
  if (slo.type === 'availability') return 'availability';
  return slo.histogram ?? SLI_CATALOG[kind].latency[0]?.name ?? 'latency';
}
