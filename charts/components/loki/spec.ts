/**
 * `spec.loki` and `spec.logs`: the log store and the node agent that ships
 * every container's log lines into it.
 *
 * Scale path (designed in, not implemented yet): today Loki runs as one
 * single-binary StatefulSet on a filesystem volume. When one node is not
 * enough, two fields grow an extra enum value and an optional sibling block,
 * and nothing existing changes meaning:
 *
 * - `spec.loki.storage.type: s3` with `spec.loki.storage.s3: { bucket,
 *   endpoint, region, secretName }` (credentials from a Secret, never inline);
 * - `spec.loki.mode: simple-scalable` with `spec.loki.read|write|backend:
 *   { replicas, resources }`.
 *
 * A storage change also adds a schema_config period starting at a future
 * date (see charts/logs/loki-config.ts `schemaPeriods`), so data written to
 * the filesystem stays readable until retention expires it.
 */
import { z } from 'zod';
import { checkLogQL, QueryError } from '../../core/query-check';
import { dnsLabel, duration, durationMs, quantity } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { DEFAULT_SIZING } from '../../core/sizing';

const DAY_MS = 86400e3;

/**
 * Whether a regex is acceptable to RE2 (Go, Loki): checked with JavaScript's
 * engine after removing RE2-only inline flags, refusing the JavaScript-only
 * constructs RE2 lacks (lookaround, backreferences).
 */
export function isRe2Regex(s: string): boolean {
  if (/\(\?<?[=!]|\\[1-9]/.test(s)) return false;
  try {
    new RegExp(s.replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]+:/g, '(?:'));
    return true;
  } catch {
    return false;
  }
}

/** A RE2 regular expression used inside a LogQL matcher (`container=~"..."`) or line filter. */
const labelRegex = (example: string) =>
  z.string().min(1).refine(isRe2Regex, {
    error: (i) => `expected a regular expression (RE2) such as "${example}", found ${JSON.stringify(i.input)}`,
  });

/** Loki byte sizes (`3MB`, `256KB`): Loki accepts B, KB, MB, GB with powers of 1024. */
const lokiBytes = (example: string) =>
  z.string().regex(/^\d+(B|KB|MB|GB)$/, { error: (i) => `expected a size such as "${example}" (units B, KB, MB, GB), found ${JSON.stringify(i.input)}` });

export const LOG_ALERT_SEVERITIES = ['warning', 'critical'] as const;

const logAlertSchema = z.strictObject({
  alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (i) => `expected an alert name such as "PaymentErrorsHigh" (letters, digits, "_"), found ${JSON.stringify(i.input)}` }),
  expr: z.string().min(1).describe('LogQL metric query; the alert fires for every series it returns'),
  for: duration().default('5m'),
  severity: z.enum(LOG_ALERT_SEVERITIES).default('warning'),
  summary: z.string().min(1),
  description: z.string().min(1).describe('may use {{ $labels.<name> }} and {{ $value }}'),
  runbookUrl: z.string().url().optional(),
  labels: z.record(z.string(), z.string()).default({}),
}).superRefine((r, ctx) => {
  try {
    checkLogQL(r.expr, 'expr');
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    ctx.addIssue({ code: 'custom', path: ['expr'], message: e.message.replace(/^expr: /, '') });
  }
});

export const lokiRulerSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('evaluate log-based alert rules in Loki and send them to Alertmanager'),
  evaluationInterval: duration().default('1m'),
  errorRate: z.strictObject({
    enabled: z.boolean().default(true),
    namespaces: labelRegex('ai|default').default('.+').describe('regex on the namespace label'),
    containers: labelRegex('gateway|worker|analysis').default('.+').describe('regex on the container label'),
    filter: labelRegex('error|exception').default('error').describe('case-insensitive regex that marks an error line'),
    window: duration().default('1m').describe('rate() window, as in the seed query'),
    thresholdPerMinute: z.number().positive().default(10).describe('error lines per minute, per container, above which the alert fires'),
    for: duration().default('5m'),
    severity: z.enum(LOG_ALERT_SEVERITIES).default('warning'),
  }).prefault({}).describe('the seed\'s error rate per container: sum(rate({container=~"..."} |= "error" [1m])) by (container)'),
  rules: z.array(logAlertSchema).default([]).describe('your own log-based alerts (LogQL)'),
}).prefault({});

export const lokiSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Loki and its log collector'),
  image: imageSchema().optional().describe('override the pinned Loki image'),
  mode: z.enum(['single-binary'], {
    error: (i) => `expected "single-binary", found ${JSON.stringify(i.input)}; simple scalable mode is the planned scale path, see README "Scale path"`,
  }).default('single-binary')
    .describe('deployment mode; "simple-scalable" (read/write/backend) with object storage is the planned scale path'),
  retention: z.string().superRefine((d, ctx) => {
    const ms = durationMs(d);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration in whole days such as "7d", "30d" or "2w", found ${JSON.stringify(d)}` });
    } else if (ms % DAY_MS !== 0) {
      ctx.addIssue({ code: 'custom', message: `Loki deletes whole 24h index tables: use a whole number of days such as "7d" or "30d", found ${JSON.stringify(d)}` });
    }
  }).default('7d')
    .describe('limits_config.retention_period: logs older than this are deleted by the compactor'),
  storage: z.strictObject({
    type: z.enum(['filesystem'], {
      error: (i) => `expected "filesystem", found ${JSON.stringify(i.input)}; object storage (S3) is the planned scale path, see README "Scale path"`,
    }).default('filesystem').describe('chunk and index store; "s3" (S3-compatible object storage) is the planned scale path'),
    size: quantity('20Gi').default(DEFAULT_SIZING.loki.storageSize).describe('persistent volume for chunks, index, WAL and compactor state; derived from spec.sizing when unset'),
    storageClassName: z.string().min(1).optional(),
  }).prefault({}),
  resources: resourcesSchema(DEFAULT_SIZING.loki.resources), // derived from spec.sizing when unset
  limits: z.strictObject({
    ingestionRateMB: z.number().positive().default(8).describe('limits_config.ingestion_rate_mb: sustained push rate for the whole cluster'),
    ingestionBurstSizeMB: z.number().positive().default(16),
    perStreamRateLimit: lokiBytes('3MB').default('3MB').describe('per stream (one container of one pod) sustained rate'),
    perStreamRateLimitBurst: lokiBytes('15MB').default('15MB'),
    maxGlobalStreamsPerUser: z.number().int().positive().default(10000).describe('active streams (about one per running container)'),
    maxLineSize: lokiBytes('256KB').default('256KB').describe('longer lines are truncated, not rejected'),
    maxQuerySeries: z.number().int().positive().default(1000),
    queryTimeout: duration().default('2m'),
  }).prefault({}).describe('ingestion and query limits, sized for a small cluster (tens of nodes)'),
  ruler: lokiRulerSchema,
}).prefault({});

export const LOG_COLLECTORS = ['promtail', 'alloy'] as const;

export const logsSchema = z.strictObject({
  collector: z.enum(LOG_COLLECTORS, {
    error: (i) => `expected "promtail" or "alloy", found ${JSON.stringify(i.input)}`,
  }).default('promtail').describe('node agent shipping container logs; Promtail reached end of life on 2 March 2026, "alloy" is its successor'),
  jsonNamespaces: z.array(dnsLabel()).default([]).describe('parse JSON log lines of every pod in these namespaces'),
  jsonApps: z.array(z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    error: (i) => `expected an app label value such as "whisper-api", found ${JSON.stringify(i.input)}`,
  })).default([]).describe('parse JSON log lines of pods whose app label is one of these'),
  jsonFields: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: (i) => `expected a field name such as "trace_id" (letters, digits, "_"), found ${JSON.stringify(i.input)}`,
  })).min(1, { error: 'expected at least one field name such as "level" (to turn JSON parsing off, empty jsonNamespaces and jsonApps instead)' }).default(['level', 'trace_id', 'request_id'])
    .describe('top-level JSON fields attached to each parsed line as structured metadata (not labels: no stream cardinality)'),
  promtail: z.strictObject({
    image: imageSchema().optional(),
    resources: resourcesSchema({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
  }).prefault({}),
  alloy: z.strictObject({
    image: imageSchema().optional(),
    resources: resourcesSchema({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '384Mi' } }),
  }).prefault({}),
  // Kubernetes events (issue 16): charts/core/events.ts, charts/components/alloy-events.
  events: z.strictObject({
    enabled: z.boolean().optional().describe('ship Kubernetes events (Warning and Normal) to Loki as {job="integrations/kubernetes/eventhandler"}; on by default with collector alloy; Promtail cannot'),
    resources: resourcesSchema({ requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } }),
  }).prefault({}).describe('one Alloy replica (Deployment alloy-events) watching every namespace\'s events'),
}).prefault({});

/** Spread into specSchema: `...logsSpecShape`. */
export const logsSpecShape = { loki: lokiSchema, logs: logsSchema };

export type LokiSpec = z.output<typeof lokiSchema>;
export type LogsSpec = z.output<typeof logsSchema>;
export type LokiRulerSpec = z.output<typeof lokiRulerSchema>;

/** The spec sections this component owns: `spec.loki` and `spec.logs` (the collectors' shared settings). */
export const specSections = logsSpecShape;
