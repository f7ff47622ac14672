/**
 * The OpenTelemetry GenAI semantic-convention metrics as Prometheus stores them with the
 * UnderscoreEscapingWithSuffixes strategy (dots become underscores; the unit `s` adds `_seconds`; the
 * annotation unit `{token}` adds nothing; histograms get `_bucket`/`_sum`/`_count`), and their attributes
 * as labels. test/e2e/otlp-genai.test.ts pushes them with the OpenTelemetry JS SDK into Prometheus 3.5.0
 * and reads them back under these names.
 */
export const GENAI = {
  ttft: 'gen_ai_server_time_to_first_token_seconds',
  tpot: 'gen_ai_server_time_per_output_token_seconds',
  requestDuration: 'gen_ai_server_request_duration_seconds',
  tokenUsage: 'gen_ai_client_token_usage',
} as const;

/** OTLP instrument names (the semantic conventions), the test's source of truth. */
export const GENAI_INSTRUMENTS = {
  ttft: 'gen_ai.server.time_to_first_token',
  tpot: 'gen_ai.server.time_per_output_token',
  requestDuration: 'gen_ai.server.request.duration',
  tokenUsage: 'gen_ai.client.token.usage',
} as const;

/** Attribute labels: gen_ai.request.model, gen_ai.system, gen_ai.token.type, error.type. */
export const GENAI_LABELS = {
  model: 'gen_ai_request_model',
  system: 'gen_ai_system',
  tokenType: 'gen_ai_token_type',
  errorType: 'error_type',
} as const;

const hist = (n: string) => [`${n}_bucket`, `${n}_sum`, `${n}_count`];
export const GENAI_METRICS: readonly string[] = Object.values(GENAI).flatMap(hist);
