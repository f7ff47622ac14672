/**
 * Loki's configuration (loki.yaml) as typed objects: the subset of the Loki
 * 3.x configuration reference
 * (https://grafana.com/docs/loki/latest/configure/) that a single-binary Loki
 * on a filesystem volume needs. Field names and types follow that reference;
 * test/config/loki.test.ts checks the rendered file against them.
 *
 * Object storage and simple-scalable mode (issue 12): `lokiStorage` returns
 * the `common.storage` block and the `object_store` name for the spec's
 * storage type (credentials as `${VAR}` references expanded by
 * `-config.expand-env=true`); `schemaPeriods` adds the object-store period;
 * simple-scalable adds memberlist, the scheduler and compactor addresses.
 * test/config/scale-out.test.ts checks every field against the contract read
 * from Loki's configuration reference (test/contracts/).
 */
import { durationMs, quantityValue } from '../../spec/formats';
import type { LokiSpec } from './spec';
import { PORTS } from '../../core/names';

export const LOKI_HTTP_PORT = PORTS.lokiHttp;
export const LOKI_GRPC_PORT = PORTS.lokiGrpc;
/** Everything Loki writes lives under this directory (the persistent volume). */
export const LOKI_DATA_DIR = '/loki';
/** Rule files for the single tenant: Loki's ruler reads <directory>/<tenant>/*.yaml; auth disabled => tenant "fake". */
export const LOKI_RULES_DIR = '/etc/loki/rules';
export const LOKI_TENANT = 'fake';

/** The first (and so far only) schema period. Never change it: Loki locates existing data by it. */
export const SCHEMA_START = '2024-04-01';

export type LokiDuration = string;
/** Sizes in bytes with units (`3MB`) as Loki's <int> flags accept. */
export type LokiBytes = string;

export interface LokiKvStore {
  store: 'inmemory' | 'memberlist' | 'consul' | 'etcd';
}

export interface LokiS3Config {
  bucketnames: string;
  region?: string;
  endpoint?: string;
  s3forcepathstyle: boolean;
  insecure: boolean;
  access_key_id?: string;
  secret_access_key?: string;
}
export interface LokiGcsConfig {
  bucket_name: string;
}
export interface LokiAzureConfig {
  account_name: string;
  container_name: string;
  endpoint_suffix?: string;
  account_key?: string;
  use_federated_token?: boolean;
}
export interface LokiStorageBlock {
  filesystem?: { chunks_directory: string; rules_directory: string };
  s3?: LokiS3Config;
  gcs?: LokiGcsConfig;
  azure?: LokiAzureConfig;
}

export interface LokiCommonConfig {
  path_prefix: string;
  replication_factor: number;
  ring: { instance_addr?: string; kvstore: LokiKvStore };
  storage: LokiStorageBlock;
  /** simple-scalable: the backend's compactor (delete requests, retention). */
  compactor_address?: string;
}

/** memberlist: the ring shared by the simple-scalable targets. */
export interface LokiMemberlistConfig {
  join_members: string[];
  bind_port: number;
  cluster_label: string;
}

export interface LokiPeriodConfig {
  from: string;
  store: 'tsdb';
  object_store: 'filesystem' | 's3' | 'gcs' | 'azure';
  schema: 'v13';
  index: { prefix: string; period: '24h' };
}

export interface LokiLimitsConfig {
  retention_period: LokiDuration;
  ingestion_rate_mb: number;
  ingestion_burst_size_mb: number;
  per_stream_rate_limit: LokiBytes;
  per_stream_rate_limit_burst: LokiBytes;
  max_global_streams_per_user: number;
  max_line_size: LokiBytes;
  max_line_size_truncate: boolean;
  max_label_names_per_series: number;
  reject_old_samples: boolean;
  reject_old_samples_max_age: LokiDuration;
  max_query_series: number;
  query_timeout: LokiDuration;
  allow_structured_metadata: boolean;
  volume_enabled: boolean;
  max_cache_freshness_per_query: LokiDuration;
}

/**
 * The ruler always runs in the single binary (`-target=all`), so its paths are
 * always set: the defaults (`/rules`, `ruler-wal`) are on the read-only root
 * filesystem. Rules are read from `common.storage.filesystem.rules_directory`
 * (the local rule store), where the rules ConfigMap is mounted.
 */
export interface LokiRulerConfig {
  alertmanager_url?: string;
  /** simple-scalable: the rules ConfigMap mounted on the backend pods. */
  storage?: { type: 'local'; local: { directory: string } };
  /** Alertmanager enforces basic auth: the password is `${ENV}`, expanded by -config.expand-env from a Secret env var. */
  alertmanager_client?: { basic_auth_username: string; basic_auth_password: string };
  enable_api: boolean;
  evaluation_interval: LokiDuration;
  rule_path: string;
  ring: { kvstore: LokiKvStore };
  wal: { dir: string };
}

export interface LokiConfig {
  auth_enabled: false;
  /** single binary only: the simple-scalable pods pass -target=write|read|backend. */
  target?: 'all';
  server: {
    http_listen_port: number;
    grpc_listen_port: number;
    log_level: 'debug' | 'info' | 'warn' | 'error';
    log_format: 'logfmt' | 'json';
    grpc_server_max_recv_msg_size: number;
    grpc_server_max_send_msg_size: number;
  };
  common: LokiCommonConfig;
  schema_config: { configs: LokiPeriodConfig[] };
  ingester: {
    chunk_encoding: 'snappy' | 'gzip' | 'lz4-4MB' | 'none';
    chunk_idle_period: LokiDuration;
    max_chunk_age: LokiDuration;
    wal: { enabled: boolean; dir: string; flush_on_shutdown: boolean; replay_memory_ceiling: LokiBytes };
  };
  storage_config: { tsdb_shipper: { active_index_directory: string; cache_location: string } };
  compactor: {
    working_directory: string;
    compaction_interval: LokiDuration;
    retention_enabled: boolean;
    retention_delete_delay: LokiDuration;
    retention_delete_worker_count: number;
    delete_request_store: 'filesystem' | 's3' | 'gcs' | 'azure';
  };
  limits_config: LokiLimitsConfig;
  query_range: { results_cache: { cache: { embedded_cache: { enabled: boolean; max_size_mb: number } } } };
  ruler: LokiRulerConfig;
  memberlist?: LokiMemberlistConfig;
  /** simple-scalable: query frontends and queriers (read) reach the schedulers on the backend pods. */
  frontend?: { scheduler_address: string };
  frontend_worker?: { scheduler_address: string };
  analytics: { reporting_enabled: boolean };
}

/**
 * Environment variables Loki expands in its config (-config.expand-env=true):
 * set from the credentials Secret on every Loki pod, never written in loki.yaml.
 */
export const LOKI_ENV = {
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  azureAccountKey: 'AZURE_STORAGE_ACCOUNT_KEY',
  gcsCredentials: 'GOOGLE_APPLICATION_CREDENTIALS',
} as const;
/** Where a GCS service-account key is mounted. */
export const LOKI_GCS_KEY_DIR = '/etc/loki/gcs';

/** The common storage block and the object_store name of the schema period, by storage type. */
export function lokiStorage(spec: LokiSpec['storage']): {
  object_store: LokiPeriodConfig['object_store'];
  common: LokiCommonConfig['storage'];
} {
  const env = (name: string) => `\${${name}}`;
  switch (spec.type) {
    case 'filesystem':
      return {
        object_store: 'filesystem',
        common: { filesystem: { chunks_directory: `${LOKI_DATA_DIR}/chunks`, rules_directory: LOKI_RULES_DIR } },
      };
    case 's3': {
      const s3 = spec.s3!;
      return {
        object_store: 's3',
        common: {
          s3: {
            bucketnames: s3.bucket,
            ...(s3.region ? { region: s3.region } : {}),
            ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
            s3forcepathstyle: s3.forcePathStyle,
            insecure: s3.insecure,
            ...(s3.credentials ? { access_key_id: env(LOKI_ENV.s3AccessKeyId), secret_access_key: env(LOKI_ENV.s3SecretAccessKey) } : {}),
          },
        },
      };
    }
    case 'gcs':
      // Credentials: GOOGLE_APPLICATION_CREDENTIALS (a mounted key file) or Workload Identity; never service_account inline.
      return { object_store: 'gcs', common: { gcs: { bucket_name: spec.gcs!.bucket } } };
    case 'azure': {
      const az = spec.azure!;
      return {
        object_store: 'azure',
        common: {
          azure: {
            account_name: az.accountName,
            container_name: az.container,
            ...(az.endpointSuffix ? { endpoint_suffix: az.endpointSuffix } : {}),
            ...(az.credentials ? { account_key: env(LOKI_ENV.azureAccountKey) } : { use_federated_token: true }),
          },
        },
      };
    }
  }
}

/**
 * Schema periods: tsdb index, v13 schema, one index table per day (what retention and the compactor work on).
 * Object storage from `storage.since`: the filesystem period before it stays readable.
 */
export function schemaPeriods(spec: LokiSpec['storage']): LokiPeriodConfig[] {
  const period = (from: string, object_store: LokiPeriodConfig['object_store']): LokiPeriodConfig => ({
    from,
    store: 'tsdb',
    object_store,
    schema: 'v13',
    index: { prefix: 'index_', period: '24h' },
  });
  const store = lokiStorage(spec).object_store;
  if (store !== 'filesystem' && spec.since && spec.since > SCHEMA_START)
    return [period(SCHEMA_START, 'filesystem'), period(spec.since, store)];
  return [period(SCHEMA_START, store)];
}

/**
 * A spec duration as a Go duration (`168h`, `2m`, `30s`): Loki parses some
 * fields with Go's parser, which has no `d` or `w`, so every duration the
 * stack writes uses h, m, s or ms only.
 */
export function goDuration(d: string): LokiDuration {
  const ms = durationMs(d);
  if (ms === undefined) throw new Error(`not a duration: ${d}`);
  for (const [unit, size] of [
    ['h', 3600e3],
    ['m', 60e3],
    ['s', 1e3],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** WAL replay memory ceiling: half the memory limit, so a replay after a crash cannot OOM-kill Loki again. */
export function walReplayCeiling(memoryLimit: string): LokiBytes {
  const mb = Math.max(64, Math.floor((quantityValue(memoryLimit) ?? 0) / 2 / 1024 ** 2));
  return `${mb}MB`;
}

/** What the config reads of `spec.loki`. */
export type LokiConfigSpec = Pick<LokiSpec, 'mode' | 'retention' | 'storage' | 'simpleScalable' | 'resources' | 'limits' | 'ruler'>;

export interface LokiConfigOptions {
  /** Alertmanager base URL when the ruler is enabled. */
  readonly alertmanagerUrl?: string;
  /** simple-scalable: the namespace the memberlist, backend and scheduler Services live in. */
  readonly namespace?: string;
  /** The ruler's credentials for Alertmanager: the user, and the env var holding the password. */
  readonly alertmanagerAuth?: { readonly username: string; readonly passwordEnv: string };
}

/** Services of the simple-scalable mode. */
export const LOKI_SSD = {
  memberlist: 'loki-memberlist',
  write: 'loki-write',
  read: 'loki-read',
  backend: 'loki-backend',
  backendHeadless: 'loki-backend-headless',
} as const;

/** limits_config: retention and the ingestion and query limits. */
function limitsConfig(spec: LokiConfigSpec): LokiConfig['limits_config'] {
  return {
    retention_period: goDuration(spec.retention),
    ingestion_rate_mb: spec.limits.ingestionRateMB,
    ingestion_burst_size_mb: spec.limits.ingestionBurstSizeMB,
    per_stream_rate_limit: spec.limits.perStreamRateLimit,
    per_stream_rate_limit_burst: spec.limits.perStreamRateLimitBurst,
    max_global_streams_per_user: spec.limits.maxGlobalStreamsPerUser,
    max_line_size: spec.limits.maxLineSize,
    max_line_size_truncate: true,
    max_label_names_per_series: 15,
    reject_old_samples: true,
    reject_old_samples_max_age: '168h',
    max_query_series: spec.limits.maxQuerySeries,
    query_timeout: goDuration(spec.limits.queryTimeout),
    allow_structured_metadata: true,
    volume_enabled: true,
    max_cache_freshness_per_query: '10m',
  };
}

/** ruler: Alertmanager, its credentials and the local rule store. */
function rulerConfig(spec: LokiConfigSpec, o: LokiConfigOptions, objectStore: string, kvstore: LokiKvStore): LokiConfig['ruler'] {
  return {
    ...(spec.ruler.enabled ? { alertmanager_url: o.alertmanagerUrl ?? '' } : {}),
    ...(spec.ruler.enabled && o.alertmanagerAuth
      ? {
          alertmanager_client: {
            basic_auth_username: o.alertmanagerAuth.username,
            basic_auth_password: `\${${o.alertmanagerAuth.passwordEnv}}`,
          },
        }
      : {}),
    enable_api: true,
    evaluation_interval: goDuration(spec.ruler.evaluationInterval),
    rule_path: '/tmp/loki-rules-scratch',
    // Object storage: the rule files still come from the rules ConfigMap (local rule store).
    ...(objectStore !== 'filesystem' ? { storage: { type: 'local' as const, local: { directory: LOKI_RULES_DIR } } } : {}),
    ring: { kvstore },
    wal: { dir: `${LOKI_DATA_DIR}/ruler-wal` },
  };
}

export function lokiConfig(spec: LokiConfigSpec, o: LokiConfigOptions = {}): LokiConfig {
  const st = lokiStorage(spec.storage);
  const ssd = spec.mode === 'simple-scalable';
  const ns = o.namespace ?? 'monitoring';
  const kvstore: LokiKvStore = { store: ssd ? 'memberlist' : 'inmemory' };
  const ssdOnly = ssd
    ? {
        memberlist: {
          join_members: [`dns+${LOKI_SSD.memberlist}.${ns}.svc.cluster.local:${PORTS.lokiMemberlist}`],
          bind_port: PORTS.lokiMemberlist,
          // Two Lokis in one cluster never merge rings.
          cluster_label: `${ns}.loki`,
        },
        frontend: { scheduler_address: `${LOKI_SSD.backendHeadless}.${ns}.svc.cluster.local:${LOKI_GRPC_PORT}` },
        frontend_worker: { scheduler_address: `${LOKI_SSD.backendHeadless}.${ns}.svc.cluster.local:${LOKI_GRPC_PORT}` },
      }
    : {};
  return {
    auth_enabled: false,
    ...(ssd ? {} : { target: 'all' as const }),
    server: {
      http_listen_port: LOKI_HTTP_PORT,
      grpc_listen_port: LOKI_GRPC_PORT,
      log_level: 'info',
      log_format: 'logfmt',
      grpc_server_max_recv_msg_size: 8 * 1024 * 1024,
      grpc_server_max_send_msg_size: 8 * 1024 * 1024,
    },
    common: {
      path_prefix: LOKI_DATA_DIR,
      replication_factor: ssd ? Math.min(spec.simpleScalable.replicationFactor, spec.simpleScalable.write.replicas) : 1,
      // Single binary: an in-memory ring on loopback. Simple-scalable: memberlist on the pod IP.
      ring: ssd ? { kvstore } : { instance_addr: '127.0.0.1', kvstore },
      storage: st.common,
      ...(ssd ? { compactor_address: `http://${LOKI_SSD.backend}.${ns}.svc:${LOKI_HTTP_PORT}` } : {}),
    },
    schema_config: { configs: schemaPeriods(spec.storage) },
    ingester: {
      chunk_encoding: 'snappy',
      chunk_idle_period: '30m',
      max_chunk_age: '2h',
      wal: {
        enabled: true,
        dir: `${LOKI_DATA_DIR}/wal`,
        flush_on_shutdown: true,
        replay_memory_ceiling: walReplayCeiling(ssd ? spec.simpleScalable.write.resources.limits.memory : spec.resources.limits.memory),
      },
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: `${LOKI_DATA_DIR}/tsdb-index`, cache_location: `${LOKI_DATA_DIR}/tsdb-cache` },
    },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      retention_delete_worker_count: 150,
      delete_request_store: st.object_store,
    },
    limits_config: limitsConfig(spec),
    query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
    ruler: rulerConfig(spec, o, st.object_store, kvstore),
    ...ssdOnly,
    // No usage reports from inside a production cluster.
    analytics: { reporting_enabled: false },
  };
}
