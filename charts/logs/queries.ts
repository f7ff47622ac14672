/**
 * The catalog of LogQL queries the stack ships: the log panels and examples
 * users asked for in the seeds, written against the labels both collectors
 * attach (`namespace`, `pod`, `container`, `app`, `node_name`, `job`,
 * `stream`). Dashboards import these by id instead of retyping them, and
 * `checkLogQueries` parses every one at synth time.
 *
 * Grafana template variables (`$namespace`, `$container`, `$search`,
 * `$__interval`) are allowed: the checker substitutes parseable stand-ins.
 */
import { checkLogQL } from '../core/query-check';

export type LogQueryKind = 'logs' | 'metric';

export interface LogQuery {
  /** Stable id, e.g. `container-errors`; dashboards reference it. */
  readonly id: string;
  readonly title: string;
  /** `logs`: a log stream query (Logs panel, Explore); `metric`: a metric query (time series, alerts). */
  readonly kind: LogQueryKind;
  readonly expr: string;
  readonly description: string;
  /** The seed document the query comes from, when it does. */
  readonly seed?: string;
}

/** The stream selector every dashboard query starts from. */
export const DASHBOARD_SELECTOR = '{namespace=~"$namespace", container=~"$container"}';

/** Case-insensitive "error" line filter (the seeds use both "ERROR" and "error"). */
export const ERROR_FILTER = '|~ "(?i)error"';

/** Queries for dashboards, parameterised by Grafana variables. */
export const DASHBOARD_LOG_QUERIES: readonly LogQuery[] = [
  {
    id: 'container-logs',
    kind: 'logs',
    title: 'Container logs',
    expr: DASHBOARD_SELECTOR,
    description: 'Every line of the selected containers.',
    seed: 'WhisperX guide: {container="whisperx-worker"}',
  },
  {
    id: 'container-errors',
    kind: 'logs',
    title: 'Error lines',
    expr: `${DASHBOARD_SELECTOR} ${ERROR_FILTER}`,
    description: 'Lines containing "error" in any case.',
    seed: 'Twitch chatters: {container=~"gateway|worker|analysis"} |= "error"',
  },
  {
    id: 'container-search',
    kind: 'logs',
    title: 'Search',
    expr: `${DASHBOARD_SELECTOR} |~ "$search"`,
    description: 'Lines matching the $search regex (dashboard text box).',
  },
  {
    id: 'json-error-level',
    kind: 'logs',
    title: 'JSON lines at level ERROR',
    expr: `${DASHBOARD_SELECTOR} | json | __error__="" | level=~"(?i)error|fatal|critical"`,
    description: 'Parses JSON lines and keeps those whose level field is an error level; non-JSON lines are dropped.',
    seed: 'Twitch chatters: {container="gateway"} | json | level="ERROR"',
  },
  {
    id: 'error-rate-per-container',
    kind: 'metric',
    title: 'Error lines per second, per container',
    expr: `sum by (namespace, container) (rate(${DASHBOARD_SELECTOR} ${ERROR_FILTER} [$__interval]))`,
    description: 'The seed\'s "errors per minute" panel, per container.',
    seed: 'Twitch chatters: sum(rate({container=~"gateway|worker|analysis"} |= "error" [1m])) by (container)',
  },
  {
    id: 'lines-per-container',
    kind: 'metric',
    title: 'Log lines per second, per container',
    expr: `sum by (namespace, container) (rate(${DASHBOARD_SELECTOR} [$__interval]))`,
    description: 'Log volume; a sudden change often precedes an incident.',
  },
  {
    id: 'bytes-per-namespace',
    kind: 'metric',
    title: 'Ingested bytes per namespace',
    expr: 'sum by (namespace) (bytes_over_time({namespace=~".+"} [$__interval]))',
    description: "Which namespaces fill Loki's volume.",
  },
];

/** The seeds' own examples, adapted to the stack's labels: README, docs and Explore starters. */
export const SEED_LOG_QUERIES: readonly LogQuery[] = [
  {
    id: 'seed-worker-logs',
    kind: 'logs',
    title: 'WhisperX worker logs',
    expr: '{container="whisperx-worker"}',
    description: 'All worker lines.',
    seed: 'WhisperX guide',
  },
  {
    id: 'seed-worker-errors',
    kind: 'logs',
    title: 'WhisperX worker errors',
    expr: '{container="whisperx-worker"} |= "ERROR"',
    description: 'Upper-case ERROR lines.',
    seed: 'WhisperX guide',
  },
  {
    id: 'seed-worker-transcribing',
    kind: 'logs',
    title: 'Transcriptions',
    expr: '{container="whisperx-worker"} |= "Transcribing"',
    description: 'Transcription starts.',
    seed: 'WhisperX guide',
  },
  {
    id: 'seed-worker-jobs',
    kind: 'logs',
    title: 'Job lifecycle',
    expr: '{container="whisperx-worker"} |~ "Job|Transcription|Loading"',
    description: 'Job, transcription and model-loading lines.',
    seed: 'WhisperX guide',
  },
  {
    id: 'seed-api-json',
    kind: 'logs',
    title: 'API (JSON)',
    expr: '{container="whisperx"} | json',
    description: 'API lines parsed as JSON.',
    seed: 'WhisperX guide',
  },
  {
    id: 'seed-gateway-errors',
    kind: 'logs',
    title: 'Gateway ERROR level',
    expr: '{container="gateway"} | json | level="ERROR"',
    description: 'JSON lines at level ERROR.',
    seed: 'Twitch chatters',
  },
  {
    id: 'seed-gateway-slow',
    kind: 'logs',
    title: 'Slow requests',
    expr: '{container="gateway"} | json | duration > 1000',
    description: 'Requests slower than 1000 (ms).',
    seed: 'Twitch chatters',
  },
  {
    id: 'seed-errors',
    kind: 'logs',
    title: 'Errors of the pipeline',
    expr: '{container=~"gateway|worker|analysis"} |= "error"',
    description: 'Lower-case error lines.',
    seed: 'Twitch chatters',
  },
  {
    id: 'seed-error-rate',
    kind: 'metric',
    title: 'Errors per container',
    expr: 'sum(rate({container=~"gateway|worker|analysis"} |= "error" [1m])) by (container)',
    description: 'Error lines per second, per container.',
    seed: 'Twitch chatters',
  },
  {
    id: 'seed-top-paths',
    kind: 'metric',
    title: 'Top 10 endpoints',
    expr: 'topk(10, sum by (path) (rate({container="gateway"} | json [5m])))',
    description: 'Busiest request paths from JSON access logs.',
    seed: 'Twitch chatters',
  },
];

export const LOG_QUERIES: readonly LogQuery[] = [...DASHBOARD_LOG_QUERIES, ...SEED_LOG_QUERIES];

export function logQuery(id: string): LogQuery {
  const q = LOG_QUERIES.find((x) => x.id === id);
  if (!q) throw new Error(`no LogQL query "${id}" in charts/logs/queries.ts`);
  return q;
}

/** Parse every query; throws a QueryError naming `source` and the query id. Ids must be unique. */
export function checkLogQueries(queries: readonly LogQuery[] = LOG_QUERIES, source = 'charts/logs/queries.ts'): void {
  const seen = new Set<string>();
  for (const q of queries) {
    if (seen.has(q.id)) throw new Error(`${source}: two queries have the id "${q.id}"`);
    seen.add(q.id);
    checkLogQL(q.expr, `${source} query "${q.id}"`);
  }
}
