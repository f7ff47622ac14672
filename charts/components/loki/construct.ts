/**
 * Loki, single binary: one StatefulSet pod running every Loki component
 * (`-target=all`) on a persistent filesystem volume, with the tsdb index and
 * the v13 schema, retention applied by the compactor, and optionally the
 * ruler evaluating log-based alerts.
 *
 * Config built from typed objects (charts/components/loki/loki-config.ts) in a
 * ConfigMap whose checksum rolls the pod. Runs as uid 10001 with a read-only
 * root filesystem: it writes only to its volume (/loki) and /tmp.
 *
 * Scale-out (issue 12, docs/scaling-out.md): `mode: simple-scalable` runs
 * the write, read and backend targets as three workloads sharing a memberlist
 * ring (headless Service `loki-memberlist`), each with a PodDisruptionBudget
 * and anti-affinity, on object storage (`storage.type: s3 | gcs | azure`,
 * credentials from a Secret through environment variables and
 * `-config.expand-env=true`). `mode: external` deploys nothing: see
 * `ExternalLoki`.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { serviceUrl } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { DEFAULT_SIZING } from '../../core/sizing';
import {
  checksum,
  containerSecurity,
  CanonicalStatefulSet,
  dataVolumeClaim,
  httpProbe,
  podSecurity,
  resources,
  spreadAcrossNodes,
} from '../../lib/workload';
import {
  LOKI_DATA_DIR,
  LOKI_ENV,
  LOKI_GCS_KEY_DIR,
  LOKI_GRPC_PORT,
  LOKI_HTTP_PORT,
  LOKI_RULES_DIR,
  LOKI_SSD,
  LOKI_TENANT,
  lokiConfig,
  type LokiConfig,
} from './loki-config';
import { checkLogQueries } from '../../logs/queries';
import { webAuthOf, type WebAuthRef } from '../../core/web-auth';
import { LOKI_DEFAULT_RULER, logRuleFile, renderLogRuleFile, type LogRuleFile } from './ruler';

export { LOKI_DEFAULT_RULER } from './ruler';
import type { ILogPush, IScrapeJobs, LogPushAuth } from '../../core/component';
import type { ScrapeConfig } from '../../core/prometheus-config';
import { podJob } from '../../lib/scrape';
import type { LokiSpec } from './spec';
import { JOBS, PORTS } from '../../core/names';

const UID = 10001;
const CONFIG_DIR = '/etc/loki/config';
/** Alertmanager's port (fixed across the stack). */
const ALERTMANAGER_PORT = 9093;

/** The env var holding the password the ruler sends to Alertmanager (from the spec.webAuth Secret). */
export const ALERTMANAGER_PASSWORD_ENV = 'LOKI_ALERTMANAGER_PASSWORD';

/** Ingestion and query limits (limits_config), as `spec.loki.limits` defaults them. */
export const LOKI_DEFAULT_LIMITS: LokiSpec['limits'] = {
  ingestionRateMB: 8,
  ingestionBurstSizeMB: 16,
  perStreamRateLimit: '3MB',
  perStreamRateLimitBurst: '15MB',
  maxGlobalStreamsPerUser: 10000,
  maxLineSize: '256KB',
  maxQuerySeries: 1000,
  queryTimeout: '2m',
};
/** The three targets of the simple-scalable mode (as `spec.loki.simpleScalable` defaults them). */
export const LOKI_DEFAULT_SIMPLE_SCALABLE: LokiSpec['simpleScalable'] = {
  write: { replicas: 3, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }, storageSize: '10Gi' },
  read: { replicas: 2, resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } } },
  backend: {
    replicas: 2,
    resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    storageSize: '10Gi',
  },
  replicationFactor: 3,
};

/** Loki in the cluster: a single binary, or the write, read and backend targets of the simple-scalable mode. */
export interface LokiProps {
  /** Namespace of its objects. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** The basic-auth Secret of Alertmanager, whose password the ruler sends. @default DEFAULT_WEB_AUTH (charts/core/web-auth.ts) */
  readonly webAuth?: WebAuthRef;
  /** Image, pinned to a version. @default IMAGES.loki */
  readonly image?: string;
  /** One pod, or write/read/backend workloads on object storage. @default 'single-binary' */
  readonly mode?: 'single-binary' | 'simple-scalable';
  /** limits_config.retention_period, in whole days. @default '7d' */
  readonly retention?: string;
  /** Chunk and index store. @default the pod's volume: { type: 'filesystem', size: DEFAULT_SIZING.loki.storageSize } */
  readonly storage?: LokiSpec['storage'];
  /** mode simple-scalable: replicas, resources and volumes of the three targets. @default LOKI_DEFAULT_SIMPLE_SCALABLE */
  readonly simpleScalable?: LokiSpec['simpleScalable'];
  /** Container requests and limits of the single binary. @default DEFAULT_SIZING.loki.resources */
  readonly resources?: LokiSpec['resources'];
  /** Ingestion and query limits. @default LOKI_DEFAULT_LIMITS */
  readonly limits?: LokiSpec['limits'];
  /** Log-based alerts evaluated by the ruler. @default LOKI_DEFAULT_RULER (off) */
  readonly ruler?: LokiSpec['ruler'];
  /** Annotations of the loki ServiceAccount (workload identity for object storage). @default {} */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** Where its scrape job is added (a Prometheus construct). @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
  /** Where the ruler sends alerts. @default http://alertmanager.<namespace>.svc:9093 */
  readonly alertmanagerUrl?: string;
  /** Add the Kubernetes event alerts to the ruler (events shipped by Alloy, charts/core/events.ts). @default false */
  readonly eventAlerts?: boolean;
  /** The ruler's aggregations keep the streams' `cluster` label. @default none */
  readonly cluster?: string;
}

/** The settings of Loki itself, every default applied (what lokiConfig reads). */
export type LokiSettings = Required<
  Pick<LokiProps, 'mode' | 'retention' | 'storage' | 'simpleScalable' | 'resources' | 'limits' | 'ruler' | 'serviceAccountAnnotations'>
>;

function lokiSettings(p: LokiProps): LokiSettings {
  return {
    mode: p.mode ?? 'single-binary',
    retention: p.retention ?? '7d',
    storage: p.storage ?? { type: 'filesystem', size: DEFAULT_SIZING.loki.storageSize },
    simpleScalable: p.simpleScalable ?? LOKI_DEFAULT_SIMPLE_SCALABLE,
    resources: p.resources ?? DEFAULT_SIZING.loki.resources,
    limits: p.limits ?? LOKI_DEFAULT_LIMITS,
    ruler: p.ruler ?? LOKI_DEFAULT_RULER,
    serviceAccountAnnotations: p.serviceAccountAnnotations ?? {},
  };
}

/** Where collectors push when Loki is outside the stack (`spec.loki.mode: external`): no objects. */
export interface ExternalLokiProps {
  /** The namespace it is reported in (the stack's). */
  readonly namespace: string;
  /** Push URL, query URL, tenant, credentials and CA by reference. */
  readonly external: NonNullable<LokiSpec['external']>;
}

/** Where collectors push when Loki is outside the stack (`spec.loki.mode: external`): no objects. */
export class ExternalLoki implements ILogPush {
  public readonly serviceName = 'loki';
  public readonly namespace: string;
  public readonly port: number;
  public readonly url: string;
  public readonly pushUrl: string;
  public readonly tenant?: string;
  public readonly auth?: LogPushAuth;

  constructor(props: ExternalLokiProps) {
    const ext = props.external;
    this.namespace = props.namespace;
    this.pushUrl = ext.pushUrl;
    const u = new URL(ext.pushUrl);
    this.port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    this.url = ext.queryUrl ?? ext.pushUrl.replace(/\/loki\/api\/v1\/push\/?$/, '');
    this.tenant = ext.tenant;
    this.auth = { basic: ext.auth?.basic, bearer: ext.auth?.bearer, ca: ext.tls?.ca };
  }
}

interface TargetPlan {
  /** -target */
  readonly target: 'all' | 'write' | 'read' | 'backend';
  readonly name: string;
  readonly replicas: number;
  readonly resources: LokiSpec['resources'];
  /** StatefulSet with a volume of this size, or a Deployment (read). */
  readonly storage?: { size: string; storageClassName?: string };
  /** The rules ConfigMap is mounted (ruler: single binary, backend). */
  readonly rules: boolean;
}

type Metadata = (name: string, extra?: Record<string, string>) => { name: string; namespace: string; labels: Record<string, string> };

/** The -target workloads of a mode. */
function targetPlans(s: LokiSettings): TargetPlan[] {
  if (s.mode !== 'simple-scalable')
    return [{ target: 'all', name: 'loki', replicas: 1, resources: s.resources, storage: s.storage, rules: true }];
  const ss = s.simpleScalable;
  return [
    {
      target: 'write',
      name: LOKI_SSD.write,
      replicas: ss.write.replicas,
      resources: ss.write.resources,
      storage: { size: String(ss.write.storageSize), storageClassName: s.storage.storageClassName },
      rules: false,
    },
    { target: 'read', name: LOKI_SSD.read, replicas: ss.read.replicas, resources: ss.read.resources, rules: false },
    {
      target: 'backend',
      name: LOKI_SSD.backend,
      replicas: ss.backend.replicas,
      resources: ss.backend.resources,
      storage: { size: String(ss.backend.storageSize), storageClassName: s.storage.storageClassName },
      rules: true,
    },
  ];
}

export class Loki extends Construct implements ILogPush {
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly port = LOKI_HTTP_PORT;
  public readonly grpcPort = LOKI_GRPC_PORT;
  /** The Grafana datasource URL: `http://loki.<ns>.svc:3100` (single binary) or `http://loki-read.<ns>.svc:3100`. */
  public readonly url: string;
  /** Where collectors push: `<loki or loki-write>/loki/api/v1/push`. */
  public readonly pushUrl: string;
  public readonly config: LokiConfig;
  public readonly configText: string;
  /** The ruler's rule file, when the ruler is enabled. */
  public readonly ruleFile?: LogRuleFile;
  /** The single binary's StatefulSet (`loki`), or the write target's (`loki-write`). */
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly workloads: (k8s.KubeStatefulSet | k8s.KubeDeployment)[] = [];
  /** Its scrape job (every Loki pod). */
  public readonly scrapeConfig: ScrapeConfig;

  private readonly settings: LokiSettings;
  private readonly ssd: boolean;
  private readonly image: string;
  private readonly webAuth: WebAuthRef;
  private readonly rulesText: string;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const s = lokiSettings(props);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    this.settings = s;
    this.ssd = s.mode === 'simple-scalable';
    this.namespace = ns;
    this.serviceName = this.ssd ? LOKI_SSD.read : 'loki';
    this.url = serviceUrl(this.serviceName, ns, LOKI_HTTP_PORT);
    this.pushUrl = `${serviceUrl(this.ssd ? LOKI_SSD.write : 'loki', ns, LOKI_HTTP_PORT)}/loki/api/v1/push`;
    this.image = props.image ?? IMAGES.loki;
    const labels = recommendedLabels({ name: 'loki', instance, component: 'log-store', version: imageVersion(this.image) });
    const selector = selectorLabels('loki', instance);
    const metadata: Metadata = (name, extra = {}) => ({ name, namespace: ns, labels: { ...labels, ...extra } });

    // Every LogQL query the stack ships parses, or the synth fails naming it.
    checkLogQueries();

    const alertmanagerUrl = props.alertmanagerUrl ?? serviceUrl('alertmanager', ns, ALERTMANAGER_PORT);
    // The ruler logs in to Alertmanager (which enforces basic auth): Loki has no password_file for it
    // (v3.7.6 pkg/ruler/base/notifier.go reads basic_auth_password inline), so the config says
    // ${LOKI_ALERTMANAGER_PASSWORD} and -config.expand-env=true fills it from a Secret env var.
    this.webAuth = webAuthOf(props);
    this.config = lokiConfig(s, {
      alertmanagerUrl,
      namespace: ns,
      alertmanagerAuth: { username: this.webAuth.username, passwordEnv: ALERTMANAGER_PASSWORD_ENV },
    });
    this.configText = toYaml(this.config);
    // With -config.expand-env every "$" of the file is expanded (drone/envsubst): only the password reference may hold one.
    // (Object storage credentials are ${...} references too: loki-config.ts writes only those.)
    if (
      s.ruler.enabled &&
      s.storage.type === 'filesystem' &&
      this.configText.replace(`\${${ALERTMANAGER_PASSWORD_ENV}}`, '').includes('$')
    ) {
      throw new Error('loki.yaml holds a "$" besides the Alertmanager password reference: -config.expand-env would expand it');
    }
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('loki-config'), data: { 'loki.yaml': this.configText } });

    // The rules ConfigMap always exists (empty without the ruler) so the local rule store's directory does.
    if (s.ruler.enabled) this.ruleFile = logRuleFile(s.ruler, { eventAlerts: props.eventAlerts, cluster: props.cluster });
    this.rulesText = this.ruleFile ? renderLogRuleFile(this.ruleFile) : '';
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: metadata('loki-rules'),
      // No `data: {}` when empty: the server drops an empty map, and a second apply would write it again.
      ...(this.ruleFile ? { data: { [this.ruleFile.fileName]: this.rulesText } } : {}),
    });

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: {
        ...metadata('loki'),
        ...(Object.keys(s.serviceAccountAnnotations).length ? { annotations: s.serviceAccountAnnotations } : {}),
      },
      automountServiceAccountToken: false,
    });

    if (this.ssd) {
      // The memberlist ring: every Loki pod of this stack, ready or not (a joining pod gossips before it is ready).
      new k8s.KubeService(this, 'memberlist', {
        metadata: metadata(LOKI_SSD.memberlist),
        spec: {
          selector,
          clusterIp: 'None',
          publishNotReadyAddresses: true,
          ports: [{ name: 'memberlist', port: PORTS.lokiMemberlist, targetPort: k8s.IntOrString.fromString('memberlist') }],
        },
      });
    }
    for (const plan of targetPlans(s)) this.target(plan, metadata, labels, selector);
    this.statefulSet = this.workloads[0];

    this.scrapeConfig = podJob({ jobName: JOBS.loki, namespace: ns, selector, port: 'http' });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }

  /** One -target: its Services, workload and (simple-scalable) PodDisruptionBudget. */
  private target(plan: TargetPlan, metadata: Metadata, labels: Record<string, string>, selector: Record<string, string>): void {
    const extra: Record<string, string> = this.ssd ? { 'app.kubernetes.io/component': plan.target } : {};
    const podSelector = { ...selector, ...extra };
    const ports = [
      { name: 'http', port: LOKI_HTTP_PORT, targetPort: k8s.IntOrString.fromString('http') },
      { name: 'grpc', port: LOKI_GRPC_PORT, targetPort: k8s.IntOrString.fromString('grpc') },
    ];
    new k8s.KubeService(this, `service-${plan.target}`, { metadata: metadata(plan.name, extra), spec: { selector: podSelector, ports } });
    new k8s.KubeService(this, `headless-${plan.target}`, {
      metadata: metadata(`${plan.name}-headless`, extra),
      spec: { selector: podSelector, ports, clusterIp: 'None', publishNotReadyAddresses: true },
    });
    const template = {
      metadata: { labels: { ...labels, ...extra }, annotations: { 'checksum/config': checksum(this.configText, this.rulesText) } },
      spec: this.podSpec(plan, podSelector),
    };
    const workload = plan.storage
      ? new CanonicalStatefulSet(this, plan.target === 'all' ? 'statefulset' : `statefulset-${plan.target}`, {
          metadata: metadata(plan.name, extra),
          spec: {
            serviceName: `${plan.name}-headless`,
            // Single binary with an in-memory ring: exactly one replica.
            replicas: plan.replicas,
            ...(this.ssd ? { podManagementPolicy: 'Parallel' } : {}),
            selector: { matchLabels: podSelector },
            updateStrategy: { type: 'RollingUpdate' },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
            template,
            volumeClaimTemplates: [dataVolumeClaim(plan.storage, podSelector)],
          },
        })
      : new k8s.KubeDeployment(this, `deployment-${plan.target}`, {
          metadata: metadata(plan.name, extra),
          spec: {
            replicas: plan.replicas,
            selector: { matchLabels: podSelector },
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromNumber(1) },
            },
            template,
          },
        });
    this.workloads.push(workload);
    if (this.ssd) {
      // One pod of each target may be down at a time (a write pod leaving keeps replicationFactor - 1 copies).
      new k8s.KubePodDisruptionBudget(this, `pdb-${plan.target}`, {
        metadata: metadata(plan.name, extra),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podSelector } },
      });
    }
  }

  private podSpec(plan: TargetPlan, podSelector: Record<string, string>): k8s.PodSpec {
    const { volumes: credVolumes } = objectStoreCredentials(this.settings.storage);
    return {
      serviceAccountName: 'loki',
      automountServiceAccountToken: false, // Loki never calls the Kubernetes API
      securityContext: podSecurity(UID),
      // Flush in-memory chunks on shutdown (wal.flush_on_shutdown).
      terminationGracePeriodSeconds: 300,
      ...spreadAcrossNodes(plan.replicas, podSelector),
      containers: [this.container(plan)],
      volumes: [
        { name: 'config', configMap: { name: 'loki-config' } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
        ...(plan.rules ? [{ name: 'rules', configMap: { name: 'loki-rules' } }] : []),
        // The read target keeps only caches: an emptyDir instead of a volume.
        ...(plan.storage ? [] : [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('5Gi') } }]),
        ...credVolumes,
      ],
    };
  }

  private container(plan: TargetPlan): k8s.Container {
    const s = this.settings;
    const expandEnv = s.ruler.enabled;
    const { env, mounts: credMounts } = objectStoreCredentials(s.storage);
    // The ruler (on the target that loads rules) logs in to Alertmanager with the spec.webAuth password.
    const allEnv = [
      ...env,
      ...(expandEnv && plan.rules
        ? [
            {
              name: ALERTMANAGER_PASSWORD_ENV,
              valueFrom: { secretKeyRef: { name: this.webAuth.secretName, key: this.webAuth.passwordKey, optional: false } },
            },
          ]
        : []),
    ];
    return {
      name: 'loki',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      args: [
        `-config.file=${CONFIG_DIR}/loki.yaml`,
        `-target=${plan.target}`,
        ...(s.storage.type !== 'filesystem' || expandEnv ? ['-config.expand-env=true'] : []),
      ],
      ports: [
        { name: 'http', containerPort: LOKI_HTTP_PORT, protocol: 'TCP' },
        { name: 'grpc', containerPort: LOKI_GRPC_PORT, protocol: 'TCP' },
        ...(this.ssd ? [{ name: 'memberlist', containerPort: PORTS.lokiMemberlist, protocol: 'TCP' }] : []),
      ],
      ...(allEnv.length ? { env: allEnv } : {}),
      resources: resources(plan.resources),
      securityContext: containerSecurity(),
      // WAL replay after a crash can take minutes: the startup probe gives it 10.
      startupProbe: httpProbe('/ready', 'http', { periodSeconds: 10, failureThreshold: 60 }),
      readinessProbe: httpProbe('/ready', 'http', { periodSeconds: 10, timeoutSeconds: 3 }),
      // Liveness asks the HTTP server only: /ready also reflects the ring and would restart a busy Loki.
      livenessProbe: httpProbe('/loki/api/v1/status/buildinfo', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: LOKI_DATA_DIR },
        { name: 'tmp', mountPath: '/tmp' },
        ...(plan.rules ? [{ name: 'rules', mountPath: `${LOKI_RULES_DIR}/${LOKI_TENANT}`, readOnly: true }] : []),
        ...credMounts,
      ],
    };
  }
}

/** Object-store credentials as environment variables (and the GCS key file), from the Secret the spec names. */
function objectStoreCredentials(st: LokiSpec['storage']): { env: k8s.EnvVar[]; volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  if (st.type === 's3' && st.s3?.credentials) {
    const c = st.s3.credentials;
    return {
      env: [
        fromSecret(LOKI_ENV.s3AccessKeyId, c.name, c.accessKeyIdKey),
        fromSecret(LOKI_ENV.s3SecretAccessKey, c.name, c.secretAccessKeyKey),
      ],
      volumes: [],
      mounts: [],
    };
  }
  if (st.type === 'azure' && st.azure?.credentials) {
    return { env: [fromSecret(LOKI_ENV.azureAccountKey, st.azure.credentials.name, st.azure.credentials.key)], volumes: [], mounts: [] };
  }
  if (st.type === 'gcs' && st.gcs?.credentials) {
    const c = st.gcs.credentials;
    return {
      env: [{ name: LOKI_ENV.gcsCredentials, value: `${LOKI_GCS_KEY_DIR}/${c.key}` }],
      volumes: [{ name: 'gcs-key', secret: { secretName: c.name, items: [{ key: c.key, path: c.key }] } }],
      mounts: [{ name: 'gcs-key', mountPath: LOKI_GCS_KEY_DIR, readOnly: true }],
    };
  }
  return { env: [], volumes: [], mounts: [] };
}
