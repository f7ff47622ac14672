/**
 * `spec.prometheus.remoteWrite[]`: Prometheus sends every sample it scrapes
 * (or, in agent mode, only forwards) to a distributed store: Grafana Mimir,
 * Thanos Receive, VictoriaMetrics, Grafana Cloud, or any remote-write
 * receiver (`generic`, e.g. AWS/Azure managed Prometheus).
 *
 * Field names and defaults follow Prometheus v3.5.0 (config/config.go
 * `RemoteWriteConfig`, `DefaultQueueConfig`, `DefaultMetadataConfig`;
 * storage/remote/azuread/azuread.go; docs/configuration/configuration.md
 * `<remote_write>`). Credentials are always references: files mounted from a
 * Secret (`password_file`, `credentials_file`, `client_secret_file`) or
 * environment variables from a Secret for the AWS and Azure SDK chains.
 *
 * Presets (the conventional path and headers of each store), and the
 * deduplication each store needs for an HA pair (`replicas: 2`):
 *
 * | preset          | path appended to a bare URL           | tenant header / path            | HA pair deduplication |
 * |-----------------|---------------------------------------|---------------------------------|-----------------------|
 * | mimir           | /api/v1/push                          | X-Scope-OrgID: <tenant>         | HA tracker: distributor `-distributor.ha-tracker.enable=true`, limits `accept_ha_samples: true`, `ha_cluster_label: cluster`, `ha_replica_label: __replica__` (the defaults; the replica label is removed on ingest) |
 * | thanos-receive  | /api/v1/receive                       | THANOS-TENANT: <tenant>         | Querier `--query.replica-label=<replica label>`, Compactor `--deduplication.replica-label=<replica label>` (replica label `replica` by default for this preset) |
 * | victoriametrics | /api/v1/write, or /insert/<tenant>/prometheus/api/v1/write | tenant in the path (cluster version) | the replica label is dropped before sending (identical series from both replicas); vmstorage/vmselect (or single-node) `-dedup.minScrapeInterval=<scrapeInterval>` |
 * | grafana-cloud   | /api/prom/push                        | none (basic auth: instance id + access policy token) | Grafana Cloud Metrics is Mimir: HA dedup on `cluster`/`__replica__` is enabled per stack by Grafana support |
 * | generic         | none (the URL is used as given)       | `headers` only                  | whatever the store documents |
 */
import { z } from 'zod';
import { duration } from '../../spec/formats';
import { caRef, dataKey, MountedRefs, objectName, secretKeyRef } from '../../spec/secret-ref';
import { isRe2Regex } from '../loki/spec';
import type { RelabelConfig } from '../../core/prometheus-config';

export const REMOTE_WRITE_PRESETS = ['mimir', 'thanos-receive', 'victoriametrics', 'grafana-cloud', 'generic'] as const;
export type RemoteWritePreset = (typeof REMOTE_WRITE_PRESETS)[number];

/** Conventional push path per preset (appended when the URL has no path). */
export const PRESET_PATHS: Record<RemoteWritePreset, string | undefined> = {
  mimir: '/api/v1/push',
  'thanos-receive': '/api/v1/receive',
  victoriametrics: '/api/v1/write',
  'grafana-cloud': '/api/prom/push',
  generic: undefined,
};

/** Default HA replica label per preset: Mimir's HA tracker default, Thanos' convention. */
export const PRESET_REPLICA_LABEL: Record<RemoteWritePreset, string> = {
  mimir: '__replica__',
  'thanos-receive': 'replica',
  victoriametrics: '__replica__',
  'grafana-cloud': '__replica__',
  generic: '__replica__',
};

/** Prometheus v3.5.0 DefaultQueueConfig (config/config.go). */
export const QUEUE_DEFAULTS = {
  capacity: 10000,
  maxShards: 50,
  minShards: 1,
  maxSamplesPerSend: 2000,
  batchSendDeadline: '5s',
  minBackoff: '30ms',
  maxBackoff: '5s',
  retryOnHttp429: false,
} as const;
/**
 * Prometheus v3.5.0 DefaultMetadataConfig (config/config.go). The
 * configuration reference of that tag says max_samples_per_send defaults to
 * 500; the code's default, which applies, is 2000.
 */
export const METADATA_DEFAULTS = { send: true, sendInterval: '1m', maxSamplesPerSend: 2000 } as const;

/** Headers Prometheus v3.5.0 refuses to let a config set (config/config.go reservedHeaders), plus Authorization. */
export const RESERVED_HEADERS = [
  'authorization',
  'host',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'www-authenticate',
  'accept-encoding',
  'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
];

const metricRegex = z
  .string()
  .min(1)
  .refine(isRe2Regex, { error: (i) => `expected a metric name or RE2 regex such as "vllm:.*", found ${JSON.stringify(i.input)}` });

const authSchema = z
  .strictObject({
    basic: z
      .strictObject({
        username: z.string().min(1).describe('user name (Grafana Cloud: the metrics instance id); not a secret'),
        password: secretKeyRef('password').describe('Secret key holding the password or API token'),
      })
      .optional()
      .describe('HTTP basic auth (basic_auth.password_file)'),
    bearer: z
      .strictObject({
        token: secretKeyRef('token').describe('Secret key holding the bearer token'),
      })
      .optional()
      .describe('Authorization: Bearer (authorization.credentials_file)'),
    oauth2: z
      .strictObject({
        clientId: z.string().min(1),
        clientSecret: secretKeyRef('client-secret'),
        tokenUrl: z.url({ protocol: /^https?$/ }),
        scopes: z.array(z.string().min(1)).default([]),
        endpointParams: z.record(z.string(), z.string()).default({}),
      })
      .optional()
      .describe('OAuth 2.0 client credentials (oauth2.client_secret_file)'),
    sigv4: z
      .strictObject({
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, {
            error: (i) => `expected an AWS region such as "eu-west-1", found ${JSON.stringify(i.input)}`,
          })
          .optional()
          .describe('AWS region; the SDK default chain when unset'),
        roleArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
            error: (i) => `expected an IAM role ARN such as "arn:aws:iam::123456789012:role/prometheus", found ${JSON.stringify(i.input)}`,
          })
          .optional()
          .describe('role assumed with the base credentials'),
        credentials: z
          .strictObject({
            name: objectName(),
            accessKeyIdKey: dataKey('access-key-id').default('access-key-id'),
            secretAccessKeyKey: dataKey('secret-access-key').default('secret-access-key'),
          })
          .optional()
          .describe(
            'Secret with static keys, passed as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; unset: the SDK chain (IRSA via spec.prometheus.serviceAccountAnnotations, instance role)',
          ),
      })
      .optional()
      .describe('AWS SigV4 signing (Amazon Managed Service for Prometheus)'),
    azuread: z
      .strictObject({
        cloud: z.enum(['AzurePublic', 'AzureChina', 'AzureGovernment']).default('AzurePublic'),
        managedIdentity: z
          .strictObject({
            clientId: z.string().min(1).optional().describe('user-assigned identity; the default managed identity when unset'),
          })
          .optional(),
        sdk: z
          .strictObject({
            tenantId: z.string().min(1),
            credentials: z
              .strictObject({
                name: objectName(),
                clientIdKey: dataKey('client-id').default('client-id'),
                clientSecretKey: dataKey('client-secret').default('client-secret'),
              })
              .describe('Secret passed as AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (with AZURE_TENANT_ID) to the Azure SDK chain'),
          })
          .optional(),
      })
      .refine((a) => (a.managedIdentity ? 1 : 0) + (a.sdk ? 1 : 0) === 1, {
        error:
          'set exactly one of managedIdentity or sdk (Prometheus 3.5 "oauth" takes the client secret inline only, so it is not offered)',
      })
      .optional()
      .describe('Azure AD (Azure Monitor managed Prometheus)'),
  })
  .refine((a) => Object.values(a).filter((v) => v !== undefined).length <= 1, {
    error: 'set at most one of basic, bearer, oauth2, sigv4, azuread (Prometheus accepts one authentication method per remote write)',
  });

export const remoteWriteSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
        error: (i) => `expected a name such as "mimir" (lowercase, digits, "-"), found ${JSON.stringify(i.input)}`,
      })
      .describe("unique name (remote_write name: the remote_name label of Prometheus' own metrics)"),
    preset: z
      .enum(REMOTE_WRITE_PRESETS, { error: (i) => `expected one of ${REMOTE_WRITE_PRESETS.join(', ')}, found ${JSON.stringify(i.input)}` })
      .default('generic')
      .describe('store type: sets the conventional path and tenant header'),
    url: z
      .url({
        protocol: /^https?$/,
        error: (i) => `expected an http(s) URL such as "https://mimir.example.com", found ${JSON.stringify(i.input)}`,
      })
      .describe("receiver URL; with a preset other than generic a URL without a path gets the preset's path"),
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9!._*'()-]{1,150}$/, {
        error: (i) => `expected a tenant id such as "team-gpu" (letters, digits, !-_.*'()), found ${JSON.stringify(i.input)}`,
      })
      .optional()
      .describe('tenant: X-Scope-OrgID (mimir), THANOS-TENANT (thanos-receive), /insert/<tenant>/ path (victoriametrics)'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string())
      .default({})
      .describe('extra HTTP headers (not Authorization: use auth)'),
    auth: authSchema.optional(),
    tls: z
      .strictObject({
        ca: caRef().optional().describe("CA bundle the receiver's certificate is checked against"),
        serverName: z.string().min(1).optional(),
      })
      .optional(),
    remoteTimeout: duration().default('30s'),
    queue: z
      .strictObject({
        capacity: z.number().int().positive().default(QUEUE_DEFAULTS.capacity).describe('samples buffered per shard'),
        maxShards: z.number().int().positive().default(QUEUE_DEFAULTS.maxShards),
        minShards: z.number().int().positive().default(QUEUE_DEFAULTS.minShards),
        maxSamplesPerSend: z.number().int().positive().default(QUEUE_DEFAULTS.maxSamplesPerSend),
        batchSendDeadline: duration().default(QUEUE_DEFAULTS.batchSendDeadline),
        minBackoff: duration().default(QUEUE_DEFAULTS.minBackoff),
        maxBackoff: duration().default(QUEUE_DEFAULTS.maxBackoff),
        retryOnHttp429: z.boolean().default(QUEUE_DEFAULTS.retryOnHttp429),
        sampleAgeLimit: duration().optional().describe('drop samples older than this instead of sending them (Prometheus >= 2.50)'),
      })
      .prefault({})
      .describe("queue_config; defaults are Prometheus 3.5's"),
    keepMetrics: z
      .array(metricRegex)
      .default([])
      .describe('send only metrics whose name matches one of these (write_relabel_configs keep on __name__)'),
    dropMetrics: z
      .array(metricRegex)
      .default([])
      .describe('never send metrics whose name matches one of these (write_relabel_configs drop on __name__)'),
    metadata: z
      .strictObject({
        send: z.boolean().default(METADATA_DEFAULTS.send),
        sendInterval: duration().default(METADATA_DEFAULTS.sendInterval),
        maxSamplesPerSend: z.number().int().positive().default(METADATA_DEFAULTS.maxSamplesPerSend),
      })
      .prefault({})
      .describe('metadata_config: metric TYPE/HELP sent to the store'),
    sendExemplars: z.boolean().default(false),
    sendNativeHistograms: z.boolean().default(false),
  })
  .superRefine((rw, ctx) => {
    for (const h of Object.keys(rw.headers)) {
      if (RESERVED_HEADERS.includes(h.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', h],
          message: `Prometheus sets or refuses the header "${h}"; use auth for credentials and tenant for the tenant header`,
        });
      }
    }
    if (rw.preset === 'grafana-cloud' && !rw.auth?.basic) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'basic'],
        message:
          'Grafana Cloud needs basic auth: username = the metrics instance id, password = a Secret with an access policy token (metrics:write)',
      });
    }
    if (rw.tenant && (rw.preset === 'grafana-cloud' || rw.preset === 'generic')) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenant'],
        message: `preset ${rw.preset} has no tenant convention; set the header your store expects in headers instead`,
      });
    }
  });

export type RemoteWriteSpec = z.output<typeof remoteWriteSchema>;

/** The `remote_write` entry Prometheus loads (typed subset of Prometheus 3.5's `<remote_write>`). */
export interface RemoteWriteConfig {
  name: string;
  url: string;
  remote_timeout: string;
  headers?: Record<string, string>;
  write_relabel_configs?: RelabelConfig[];
  send_exemplars?: boolean;
  send_native_histograms?: boolean;
  basic_auth?: { username: string; password_file: string };
  authorization?: { type: 'Bearer'; credentials_file: string };
  oauth2?: {
    client_id: string;
    client_secret_file: string;
    token_url: string;
    scopes?: string[];
    endpoint_params?: Record<string, string>;
  };
  sigv4?: { region?: string; role_arn?: string };
  azuread?: { cloud: string; managed_identity?: { client_id?: string }; sdk?: { tenant_id: string } };
  tls_config?: { ca_file?: string; server_name?: string };
  queue_config: {
    capacity: number;
    max_shards: number;
    min_shards: number;
    max_samples_per_send: number;
    batch_send_deadline: string;
    min_backoff: string;
    max_backoff: string;
    retry_on_http_429: boolean;
    sample_age_limit?: string;
  };
  metadata_config: { send: boolean; send_interval: string; max_samples_per_send: number };
}

/** The effective URL: a preset's conventional path appended to a URL without one. */
export function remoteWriteUrl(rw: RemoteWriteSpec): string {
  const u = new URL(rw.url);
  if (rw.preset === 'generic' || (u.pathname !== '' && u.pathname !== '/')) return rw.url;
  const path = rw.preset === 'victoriametrics' && rw.tenant ? `/insert/${rw.tenant}/prometheus/api/v1/write` : PRESET_PATHS[rw.preset]!;
  return `${u.origin}${path}${u.search}`;
}

/** Azure AD authority host per cloud (Azure SDK for Go, cloud.Configuration ActiveDirectoryAuthorityHost). */
export const AZURE_AD_HOSTS: Record<'AzurePublic' | 'AzureChina' | 'AzureGovernment', string> = {
  AzurePublic: 'login.microsoftonline.com',
  AzureChina: 'login.chinacloudapi.cn',
  AzureGovernment: 'login.microsoftonline.us',
};

/**
 * The URLs Prometheus calls for each remote write (the NetworkPolicy egress, charts/core/remote.ts): the
 * receiver, the OAuth2 token URL, AWS STS when a role is assumed (roleArn, or IRSA's web identity when no
 * static keys are given), Azure AD's token endpoint with the sdk credentials. Azure managed identity and
 * AWS instance roles answer on the link-local metadata address, which no policy opens.
 */
export function remoteWriteEndpoints(rws: readonly RemoteWriteSpec[]): { url: string; why: string }[] {
  return rws.flatMap((rw) => {
    const a = rw.auth;
    const at = `spec.prometheus.remoteWrite ${rw.name}`;
    return [
      { url: remoteWriteUrl(rw), why: `remote write (${at}.url)` },
      ...(a?.oauth2 ? [{ url: a.oauth2.tokenUrl, why: `OAuth2 token (${at}.auth.oauth2.tokenUrl)` }] : []),
      ...(a?.sigv4 && (a.sigv4.roleArn || !a.sigv4.credentials)
        ? [
            {
              url: `https://${a.sigv4.region ? `sts.${a.sigv4.region}` : 'sts'}.amazonaws.com`,
              why: `AWS STS for SigV4 (${at}.auth.sigv4)`,
            },
          ]
        : []),
      ...(a?.azuread?.sdk ? [{ url: `https://${AZURE_AD_HOSTS[a.azuread.cloud]}`, why: `Azure AD token (${at}.auth.azuread.sdk)` }] : []),
    ];
  });
}

/** Tenant header of a preset. */
export function tenantHeaders(rw: RemoteWriteSpec): Record<string, string> {
  if (!rw.tenant) return {};
  if (rw.preset === 'mimir') return { 'X-Scope-OrgID': rw.tenant };
  if (rw.preset === 'thanos-receive') return { 'THANOS-TENANT': rw.tenant };
  return {};
}

const anyOf = (res: readonly string[]) => (res.length === 1 ? res[0] : res.map((r) => `(?:${r})`).join('|'));

/** An environment variable the Prometheus container needs: from a Secret key, or a plain value (never a secret). */
export interface SecretEnv {
  name: string;
  secret?: string;
  key?: string;
  value?: string;
}

export interface RemoteWriteRender {
  /** Files: Secret/ConfigMap keys mounted into the Prometheus container. */
  readonly refs: MountedRefs;
  /** The HA replica label, when replicas > 1 (dropped before sending for victoriametrics). */
  readonly replicaLabel?: string;
}

/** The `remote_write` block of one spec entry. */
export function remoteWriteConfig(rw: RemoteWriteSpec, o: RemoteWriteRender): RemoteWriteConfig {
  const relabel: RelabelConfig[] = [];
  if (rw.keepMetrics.length) relabel.push({ source_labels: ['__name__'], regex: anyOf(rw.keepMetrics), action: 'keep' });
  if (rw.dropMetrics.length) relabel.push({ source_labels: ['__name__'], regex: anyOf(rw.dropMetrics), action: 'drop' });
  // VictoriaMetrics deduplicates identical series: both replicas must send the same labels.
  if (rw.preset === 'victoriametrics' && o.replicaLabel) relabel.push({ action: 'labeldrop', regex: o.replicaLabel });
  const headers = { ...tenantHeaders(rw), ...rw.headers };
  const a = rw.auth;
  const q = rw.queue;
  return {
    name: rw.name,
    url: remoteWriteUrl(rw),
    remote_timeout: rw.remoteTimeout,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(relabel.length ? { write_relabel_configs: relabel } : {}),
    ...(rw.sendExemplars ? { send_exemplars: true } : {}),
    ...(rw.sendNativeHistograms ? { send_native_histograms: true } : {}),
    ...(a?.basic
      ? { basic_auth: { username: a.basic.username, password_file: o.refs.file('Secret', a.basic.password.name, a.basic.password.key) } }
      : {}),
    ...(a?.bearer
      ? { authorization: { type: 'Bearer' as const, credentials_file: o.refs.file('Secret', a.bearer.token.name, a.bearer.token.key) } }
      : {}),
    ...(a?.oauth2
      ? {
          oauth2: {
            client_id: a.oauth2.clientId,
            client_secret_file: o.refs.file('Secret', a.oauth2.clientSecret.name, a.oauth2.clientSecret.key),
            token_url: a.oauth2.tokenUrl,
            ...(a.oauth2.scopes.length ? { scopes: a.oauth2.scopes } : {}),
            ...(Object.keys(a.oauth2.endpointParams).length ? { endpoint_params: a.oauth2.endpointParams } : {}),
          },
        }
      : {}),
    ...(a?.sigv4
      ? { sigv4: { ...(a.sigv4.region ? { region: a.sigv4.region } : {}), ...(a.sigv4.roleArn ? { role_arn: a.sigv4.roleArn } : {}) } }
      : {}),
    ...(a?.azuread
      ? {
          azuread: {
            cloud: a.azuread.cloud,
            ...(a.azuread.managedIdentity
              ? { managed_identity: a.azuread.managedIdentity.clientId ? { client_id: a.azuread.managedIdentity.clientId } : {} }
              : {}),
            ...(a.azuread.sdk ? { sdk: { tenant_id: a.azuread.sdk.tenantId } } : {}),
          },
        }
      : {}),
    ...(rw.tls
      ? {
          tls_config: {
            ...(rw.tls.ca ? { ca_file: o.refs.ca(rw.tls.ca) } : {}),
            ...(rw.tls.serverName ? { server_name: rw.tls.serverName } : {}),
          },
        }
      : {}),
    queue_config: {
      capacity: q.capacity,
      max_shards: q.maxShards,
      min_shards: q.minShards,
      max_samples_per_send: q.maxSamplesPerSend,
      batch_send_deadline: q.batchSendDeadline,
      min_backoff: q.minBackoff,
      max_backoff: q.maxBackoff,
      retry_on_http_429: q.retryOnHttp429,
      ...(q.sampleAgeLimit ? { sample_age_limit: q.sampleAgeLimit } : {}),
    },
    metadata_config: {
      send: rw.metadata.send,
      send_interval: rw.metadata.sendInterval,
      max_samples_per_send: rw.metadata.maxSamplesPerSend,
    },
  };
}

/** Environment variables from Secrets the SDK credential chains read (SigV4, Azure AD sdk). */
export function remoteWriteEnv(list: readonly RemoteWriteSpec[]): SecretEnv[] {
  const env: SecretEnv[] = [];
  for (const rw of list) {
    const s = rw.auth?.sigv4?.credentials;
    if (s)
      env.push(
        { name: 'AWS_ACCESS_KEY_ID', secret: s.name, key: s.accessKeyIdKey },
        { name: 'AWS_SECRET_ACCESS_KEY', secret: s.name, key: s.secretAccessKeyKey },
      );
    const z_ = rw.auth?.azuread?.sdk;
    if (z_) {
      env.push(
        { name: 'AZURE_TENANT_ID', value: z_.tenantId },
        { name: 'AZURE_CLIENT_ID', secret: z_.credentials.name, key: z_.credentials.clientIdKey },
        { name: 'AZURE_CLIENT_SECRET', secret: z_.credentials.name, key: z_.credentials.clientSecretKey },
      );
    }
  }
  return env;
}

/** Cross-entry checks: unique names, one set of SDK credentials per process. */
export function checkRemoteWrites(list: readonly RemoteWriteSpec[], ctx: z.RefinementCtx, path: (string | number)[]): void {
  const names = new Set<string>();
  list.forEach((rw, i) => {
    if (names.has(rw.name))
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'name'],
        message: `two remote writes are named "${rw.name}": names must be unique`,
      });
    names.add(rw.name);
  });
  const aws = list.filter((rw) => rw.auth?.sigv4?.credentials).length;
  if (aws > 1)
    ctx.addIssue({
      code: 'custom',
      path,
      message:
        'at most one remote write may set auth.sigv4.credentials: the AWS SDK reads one AWS_ACCESS_KEY_ID per process (use roleArn for the others)',
    });
  const azure = list.filter((rw) => rw.auth?.azuread?.sdk).length;
  if (azure > 1)
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'at most one remote write may set auth.azuread.sdk: the Azure SDK reads one AZURE_CLIENT_ID per process',
    });
}

/** The Secret and ConfigMap keys remote write reads as files, mounted read-only under `dir`. */
export function remoteWriteRefs(dir: string): MountedRefs {
  return new MountedRefs(dir);
}
