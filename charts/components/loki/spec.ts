/**
 * `spec.loki` and `spec.logs`: the log store and the node agent that ships
 * every container's log lines into it.
 *
 * Scale-out (issue 12, docs/scaling-out.md): `storage.type: s3 | gcs | azure`
 * with its block (credentials by Secret reference, passed as environment
 * variables), `mode: simple-scalable` (write, read and backend workloads,
 * `simpleScalable`) and `mode: external` (no Loki; `external` says where the
 * collectors push). `storage.since` adds a schema_config period starting that
 * day, so data written to the filesystem stays readable until retention
 * expires it (charts/components/loki/loki-config.ts `schemaPeriods`).
 */
import { z } from 'zod';
import { checkLogQL, QueryError } from '../../core/query-check';
import { dnsLabel, duration, durationMs, quantity } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { caRef, dataKey, objectName, secretKeyRef } from '../../spec/secret-ref';
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
  z
    .string()
    .min(1)
    .refine(isRe2Regex, {
      error: (i) => `expected a regular expression (RE2) such as "${example}", found ${JSON.stringify(i.input)}`,
    });

/** Loki byte sizes (`3MB`, `256KB`): Loki accepts B, KB, MB, GB with powers of 1024. */
const lokiBytes = (example: string) =>
  z.string().regex(/^\d+(B|KB|MB|GB)$/, {
    error: (i) => `expected a size such as "${example}" (units B, KB, MB, GB), found ${JSON.stringify(i.input)}`,
  });

// --- scale-out (issue 12): object storage, simple-scalable, external Loki -------------------------

export const LOKI_MODES = ['single-binary', 'simple-scalable', 'external'] as const;
export const LOKI_STORAGE_TYPES = ['filesystem', 's3', 'gcs', 'azure'] as const;

/** Object-store credentials always come from a Secret through environment variables (-config.expand-env=true). */
const lokiS3Schema = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    error: (i) => `expected an S3 bucket name such as "loki-chunks", found ${JSON.stringify(i.input)}`,
  }),
  region: z.string().min(1).optional().describe('AWS region (MinIO/Ceph: any, often us-east-1)'),
  endpoint: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, {
      error: (i) => `expected a host[:port] without scheme such as "minio.storage.svc:9000", found ${JSON.stringify(i.input)}`,
    })
    .optional()
    .describe('S3-compatible endpoint host[:port] (MinIO, Ceph RGW); unset: AWS'),
  forcePathStyle: z.boolean().default(false).describe('path-style URLs (bucket in the path): MinIO and Ceph need true'),
  insecure: z.boolean().default(false).describe('plain HTTP to the endpoint (in-cluster MinIO without TLS)'),
  credentials: z
    .strictObject({
      name: objectName(),
      accessKeyIdKey: dataKey('access-key-id').default('access-key-id'),
      secretAccessKeyKey: dataKey('secret-access-key').default('secret-access-key'),
    })
    .optional()
    .describe(
      'Secret with the access keys (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); unset: IRSA or the instance role (spec.loki.serviceAccountAnnotations)',
    ),
});
const lokiGcsSchema = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/),
  credentials: secretKeyRef('key.json')
    .optional()
    .describe('Secret with a service-account key file, mounted and named by GOOGLE_APPLICATION_CREDENTIALS; unset: Workload Identity'),
});
const lokiAzureSchema = z.strictObject({
  accountName: z.string().regex(/^[a-z0-9]{3,24}$/, {
    error: (i) => `expected a storage account name (3-24 lowercase letters and digits), found ${JSON.stringify(i.input)}`,
  }),
  container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/),
  endpointSuffix: z.string().min(1).optional().describe('e.g. blob.core.chinacloudapi.cn; default blob.core.windows.net'),
  credentials: secretKeyRef('account-key')
    .optional()
    .describe('Secret with the account key (AZURE_STORAGE_ACCOUNT_KEY); unset: use_federated_token (workload identity)'),
});

const lokiTargetSchema = (replicas: number, res: Parameters<typeof resourcesSchema>[0], size?: string) =>
  z
    .strictObject({
      replicas: z.number().int().min(1).max(100).default(replicas),
      resources: resourcesSchema(res),
      ...(size ? { storageSize: quantity(size).default(size).describe('volume per pod (WAL, index cache, compactor state)') } : {}),
    })
    .prefault({});

export const lokiSimpleScalableSchema = z
  .strictObject({
    write: lokiTargetSchema(3, { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }, '10Gi').describe(
      'distributors + ingesters (StatefulSet, WAL volume)',
    ),
    read: lokiTargetSchema(2, { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } }).describe(
      'query frontends + queriers (Deployment, stateless)',
    ),
    backend: lokiTargetSchema(2, { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }, '10Gi').describe(
      'compactor, index gateway, query scheduler, ruler (StatefulSet)',
    ),
    replicationFactor: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(3)
      .describe('copies of each stream across write pods (at most write.replicas)'),
  })
  .prefault({})
  .describe('mode simple-scalable: the three targets');

export const lokiExternalSchema = z.strictObject({
  pushUrl: z.url({ protocol: /^https?$/ }).describe('push endpoint, e.g. https://logs.example.com/loki/api/v1/push'),
  queryUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "Grafana's Loki datasource URL (spec.grafana.datasources.loki overrides it with auth); default: pushUrl without /loki/api/v1/push",
    ),
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9!._*'()-]{1,150}$/)
    .optional()
    .describe('X-Scope-OrgID the collector sends'),
  auth: z
    .strictObject({
      basic: z.strictObject({ username: z.string().min(1), password: secretKeyRef('password') }).optional(),
      bearer: z.strictObject({ token: secretKeyRef('token') }).optional(),
    })
    .refine((a) => !(a.basic && a.bearer), { error: 'set one of basic or bearer' })
    .optional()
    .describe("credentials from a Secret in the collector's namespace (spec.agentNamespace)"),
  tls: z.strictObject({ ca: caRef() }).optional().describe("CA bundle (in the collector's namespace)"),
});

export const LOG_ALERT_SEVERITIES = ['warning', 'critical'] as const;

const logAlertSchema = z
  .strictObject({
    alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: (i) => `expected an alert name such as "PaymentErrorsHigh" (letters, digits, "_"), found ${JSON.stringify(i.input)}`,
    }),
    expr: z.string().min(1).describe('LogQL metric query; the alert fires for every series it returns'),
    for: duration().default('5m'),
    severity: z.enum(LOG_ALERT_SEVERITIES).default('warning'),
    summary: z.string().min(1),
    description: z.string().min(1).describe('may use {{ $labels.<name> }} and {{ $value }}'),
    runbookUrl: z.string().url().optional(),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((r, ctx) => {
    try {
      checkLogQL(r.expr, 'expr');
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      ctx.addIssue({ code: 'custom', path: ['expr'], message: e.message.replace(/^expr: /, '') });
    }
  });

export const lokiRulerSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('evaluate log-based alert rules in Loki and send them to Alertmanager'),
    evaluationInterval: duration().default('1m'),
    errorRate: z
      .strictObject({
        enabled: z.boolean().default(true),
        namespaces: labelRegex('ai|default').default('.+').describe('regex on the namespace label'),
        containers: labelRegex('gateway|worker|analysis').default('.+').describe('regex on the container label'),
        filter: labelRegex('error|exception').default('error').describe('case-insensitive regex that marks an error line'),
        window: duration().default('1m').describe('rate() window, as in the seed query'),
        thresholdPerMinute: z
          .number()
          .positive()
          .default(10)
          .describe('error lines per minute, per container, above which the alert fires'),
        for: duration().default('5m'),
        severity: z.enum(LOG_ALERT_SEVERITIES).default('warning'),
      })
      .prefault({})
      .describe('the seed\'s error rate per container: sum(rate({container=~"..."} |= "error" [1m])) by (container)'),
    rules: z.array(logAlertSchema).default([]).describe('your own log-based alerts (LogQL)'),
  })
  .prefault({});

export const lokiSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Loki and its log collector'),
    image: imageSchema().optional().describe('override the pinned Loki image'),
    mode: z
      .enum(LOKI_MODES, {
        error: (i) => `expected "single-binary", "simple-scalable" or "external", found ${JSON.stringify(i.input)}`,
      })
      .default('single-binary')
      .describe(
        'single-binary: one pod; simple-scalable: write, read and backend workloads on object storage; external: no Loki here, the collector pushes to spec.loki.external',
      ),
    retention: z
      .string()
      .superRefine((d, ctx) => {
        const ms = durationMs(d);
        if (ms === undefined || ms <= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `expected a duration in whole days such as "7d", "30d" or "2w", found ${JSON.stringify(d)}`,
          });
        } else if (ms % DAY_MS !== 0) {
          ctx.addIssue({
            code: 'custom',
            message: `Loki deletes whole 24h index tables: use a whole number of days such as "7d" or "30d", found ${JSON.stringify(d)}`,
          });
        }
      })
      .default('7d')
      .describe('limits_config.retention_period: logs older than this are deleted by the compactor'),
    storage: z
      .strictObject({
        type: z
          .enum(LOKI_STORAGE_TYPES, {
            error: (i) => `expected one of ${LOKI_STORAGE_TYPES.join(', ')}, found ${JSON.stringify(i.input)}`,
          })
          .default('filesystem')
          .describe("chunk and index store: the pod's volume, or object storage (s3 also for MinIO/Ceph)"),
        size: quantity('20Gi')
          .default(DEFAULT_SIZING.loki.storageSize)
          .describe('persistent volume for chunks (filesystem), index, WAL and compactor state; derived from spec.sizing when unset'),
        storageClassName: z.string().min(1).optional(),
        since: z.iso
          .date()
          .optional()
          .describe(
            'object storage only: the first day (UTC, a future date for an existing install) written to object storage; older days stay readable on the filesystem period until retention removes them',
          ),
        s3: lokiS3Schema.optional(),
        gcs: lokiGcsSchema.optional(),
        azure: lokiAzureSchema.optional(),
      })
      .prefault({}),
    simpleScalable: lokiSimpleScalableSchema,
    external: lokiExternalSchema.optional().describe('mode external: where the collector pushes'),
    resources: resourcesSchema(DEFAULT_SIZING.loki.resources), // derived from spec.sizing when unset
    limits: z
      .strictObject({
        ingestionRateMB: z
          .number()
          .positive()
          .default(8)
          .describe('limits_config.ingestion_rate_mb: sustained push rate for the whole cluster'),
        ingestionBurstSizeMB: z.number().positive().default(16),
        perStreamRateLimit: lokiBytes('3MB').default('3MB').describe('per stream (one container of one pod) sustained rate'),
        perStreamRateLimitBurst: lokiBytes('15MB').default('15MB'),
        maxGlobalStreamsPerUser: z.number().int().positive().default(10000).describe('active streams (about one per running container)'),
        maxLineSize: lokiBytes('256KB').default('256KB').describe('longer lines are truncated, not rejected'),
        maxQuerySeries: z.number().int().positive().default(1000),
        queryTimeout: duration().default('2m'),
      })
      .prefault({})
      .describe('ingestion and query limits, sized for a small cluster (tens of nodes)'),
    ruler: lokiRulerSchema,
    serviceAccountAnnotations: z
      .record(z.string(), z.string())
      .default({})
      .describe('annotations of the loki ServiceAccount (IRSA, GKE/Azure workload identity for object storage)'),
  })
  .prefault({});

export const LOG_COLLECTORS = ['promtail', 'alloy'] as const;

export const logsSchema = z
  .strictObject({
    collector: z
      .enum(LOG_COLLECTORS, {
        error: (i) => `expected "promtail" or "alloy", found ${JSON.stringify(i.input)}`,
      })
      .default('alloy')
      .describe(
        'node agent shipping container logs: "alloy" (Grafana Alloy, the default), or "promtail" for existing users (end of life on 2 March 2026; synth warns)',
      ),
    jsonNamespaces: z.array(dnsLabel()).default([]).describe('parse JSON log lines of every pod in these namespaces'),
    jsonApps: z
      .array(
        z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
          error: (i) => `expected an app label value such as "whisper-api", found ${JSON.stringify(i.input)}`,
        }),
      )
      .default([])
      .describe('parse JSON log lines of pods whose app label is one of these'),
    jsonFields: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
          error: (i) => `expected a field name such as "trace_id" (letters, digits, "_"), found ${JSON.stringify(i.input)}`,
        }),
      )
      .min(1, {
        error: 'expected at least one field name such as "level" (to turn JSON parsing off, empty jsonNamespaces and jsonApps instead)',
      })
      .default(['level', 'trace_id', 'request_id'])
      .describe('top-level JSON fields attached to each parsed line as structured metadata (not labels: no stream cardinality)'),
    promtail: z
      .strictObject({
        image: imageSchema().optional(),
        resources: resourcesSchema({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
      })
      .prefault({}),
    alloy: z
      .strictObject({
        image: imageSchema().optional(),
        resources: resourcesSchema({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '384Mi' } }),
      })
      .prefault({}),
    // Kubernetes events (issue 16): charts/core/events.ts, charts/components/alloy-events.
    events: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(
            'ship Kubernetes events (Warning and Normal) to Loki as {job="integrations/kubernetes/eventhandler"}; on by default with collector alloy; Promtail cannot',
          ),
        resources: resourcesSchema({ requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } }),
      })
      .prefault({})
      .describe("one Alloy replica (Deployment alloy-events) watching every namespace's events"),
  })
  .prefault({});

/** Spread into specSchema: `...logsSpecShape`. */
export const logsSpecShape = { loki: lokiSchema, logs: logsSchema };

export type LokiSpec = z.output<typeof lokiSchema>;
export type LogsSpec = z.output<typeof logsSchema>;
export type LokiRulerSpec = z.output<typeof lokiRulerSchema>;

/** The spec sections this component owns: `spec.loki` and `spec.logs` (the collectors' shared settings). */
export const specSections = logsSpecShape;

/**
 * The URLs Loki calls for its object storage (the NetworkPolicy egress, charts/core/remote.ts): the S3
 * endpoint (plain HTTP with `insecure`) or AWS S3, GCS, Azure Blob, plus the token endpoint its credentials
 * need (AWS STS for IRSA's web identity, Google's OAuth2 for a key file, Azure AD for a federated token).
 * GKE Workload Identity and AWS instance roles answer on the link-local metadata address: no policy opens it.
 */
export function objectStoreEndpoints(storage: LokiSpec['storage']): { url: string; why: string }[] {
  const { s3, gcs, azure } = storage;
  switch (storage.type) {
    case 's3': {
      const region = s3!.region ? `${s3!.region}.` : '';
      return [
        s3!.endpoint
          ? { url: `${s3!.insecure ? 'http' : 'https'}://${s3!.endpoint}`, why: 'object storage (spec.loki.storage.s3.endpoint)' }
          : { url: `https://s3.${region}amazonaws.com`, why: 'AWS S3 (spec.loki.storage.s3)' },
        ...(!s3!.credentials && !s3!.endpoint
          ? [{ url: `https://sts.${region}amazonaws.com`, why: 'AWS STS for IRSA (spec.loki.storage.s3 without credentials)' }]
          : []),
      ];
    }
    case 'gcs':
      return [
        { url: 'https://storage.googleapis.com', why: 'Google Cloud Storage (spec.loki.storage.gcs)' },
        ...(gcs!.credentials
          ? [{ url: 'https://oauth2.googleapis.com', why: 'Google OAuth2 token for the key file (spec.loki.storage.gcs.credentials)' }]
          : []),
      ];
    case 'azure':
      return [
        {
          url: `https://${azure!.accountName}.${azure!.endpointSuffix ?? 'blob.core.windows.net'}`,
          why: 'Azure Blob Storage (spec.loki.storage.azure)',
        },
        ...(!azure!.credentials
          ? [
              {
                url: 'https://login.microsoftonline.com',
                why: 'Azure AD token for the federated identity (spec.loki.storage.azure without credentials)',
              },
            ]
          : []),
      ];
    default:
      return [];
  }
}
