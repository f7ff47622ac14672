/**
 * Prometheus: StatefulSet with a PersistentVolumeClaim per replica, config
 * built from typed objects in a ConfigMap, rules in a second ConfigMap,
 * ServiceAccount + read-only ClusterRole for Kubernetes discovery, a client
 * Service and a headless governing Service.
 *
 * Other components contribute through `addScrapeConfig`, `addScrapeConfigFiles`,
 * `addRuleFile` and `addAlertmanager`; the config is rendered lazily at synth
 * time, so contribution order does not matter.
 *
 * Scrape config files (`addScrapeConfigFiles`, the jobs of spec.services,
 * which grow with the services): prometheus.yml names the folder in
 * `scrape_config_files` (relative to prometheus.yml: `scrape/*.yml`), and the
 * files are spread over the ConfigMaps prometheus-scrape-0 .. -(N-1), each
 * under SCRAPE_SHARD_MAX_BYTES, by a hash of the file name, projected into
 * that one folder. N is the smallest power of two for which every ConfigMap
 * fits, so a new service changes one file in one ConfigMap; only when a
 * ConfigMap would overflow does N double (the pod template then lists more
 * ConfigMaps and the pods roll once). prometheus-scrape-0 always exists, so
 * the first service changes no pod template. The config-reloader watches the
 * folder like prometheus.yml and the rules.
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { serviceUrl } from '../../core/context';
import { apiReader } from '../../lib/rbac';
import { signalReloaderContainer } from '../../lib/signal-reloader';
import { containerSecurity, CanonicalStatefulSet, dataVolumeClaim, podSecurity, resources, spreadAcrossNodes } from '../../lib/workload';
import { promSizeBytes, quantityValue } from '../../spec/formats';
import type { Resources } from '../../spec/common';
import type { IPrometheus } from '../../core/component';
import type { AlertmanagerConfig, PrometheusConfig, ScrapeConfig } from '../../core/prometheus-config';
import { DEFAULT_SIZING } from '../../core/sizing';
import { otlpConfig } from '../genai/config';
import type { OtlpSpec } from '../genai/spec';
import { promBasicAuth, webAuthOf, type WebAuthRef } from '../../core/web-auth';
import { authProbe, tcpProbe, webAuthMount, webAuthVolume, webConfigArg } from '../../lib/web-auth';
import { annotatedPodsJob, annotatedServicesJob, fnv1a, podJob } from '../../lib/scrape';
import { JOBS, PORTS } from '../../core/names';
import {
  PRESET_REPLICA_LABEL,
  remoteWriteConfig,
  remoteWriteEnv,
  remoteWriteRefs,
  type RemoteWriteConfig,
  type RemoteWriteSpec,
} from './remote-write';

export const PROMETHEUS_PORT = PORTS.prometheus;
const UID = 65534;
const CONFIG_DIR = '/etc/prometheus';
/** The scrape config files, relative to prometheus.yml (Prometheus resolves scrape_config_files against its folder). */
export const SCRAPE_FILES_SUBDIR = 'scrape';
const SCRAPE_DIR = `${CONFIG_DIR}/${SCRAPE_FILES_SUBDIR}`;
/** ConfigMaps carrying the scrape config files: prometheus-scrape-<i>. */
export const SCRAPE_CONFIGMAP_PREFIX = 'prometheus-scrape-';
/** Largest data of one scrape ConfigMap, as JSON (what client-side apply copies into its 256 KiB annotation), leaving room for metadata. */
export const SCRAPE_SHARD_MAX_BYTES = 192 * 1024;
/** At most this many scrape ConfigMaps (some 12 MB of scrape configuration). */
const MAX_SCRAPE_SHARDS = 64;
export const RULES_DIR = '/etc/prometheus/rules';
const DATA_DIR = '/prometheus';
/** Secret and ConfigMap keys referenced by remote write, mounted read-only under here. */
export const REFS_DIR = '/etc/prometheus-refs';
/** The pod name, expanded in external_labels (`${POD_NAME}`) for the HA replica label. */
const POD_NAME_ENV = 'POD_NAME';

/** A persistent volume per replica. */
export interface PrometheusVolume {
  /** Volume size (Kubernetes quantity). */
  readonly size: string;
  /** Storage class. @default the cluster's default class */
  readonly storageClassName?: string;
}

/** A Prometheus server (or agent) StatefulSet, its config, rules, RBAC and Services. */
export interface PrometheusProps {
  /** Namespace of its objects. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** The basic-auth Secret Prometheus enforces and its own clients log in with. @default DEFAULT_WEB_AUTH (charts/core/web-auth.ts) */
  readonly webAuth?: WebAuthRef;
  /** Image, pinned to a version. @default IMAGES.prometheus */
  readonly image?: string;
  /** Replicas, each with its own TSDB; 2 with remote write makes an HA pair. @default 1 */
  readonly replicas?: number;
  /** --storage.tsdb.retention.time. @default '15d' */
  readonly retention?: string;
  /** --storage.tsdb.retention.size. @default 85% of storage.size (defaultRetentionSize) */
  readonly retentionSize?: string;
  /** The TSDB volume of each replica (server mode). @default { size: DEFAULT_SIZING.prometheus.storageSize } */
  readonly storage?: PrometheusVolume;
  /** The WAL volume of each replica (agent mode). @default { size: '10Gi' } */
  readonly agentStorage?: PrometheusVolume;
  /** global.scrape_interval. @default '15s' */
  readonly scrapeInterval?: string;
  /** global.scrape_timeout. @default '10s' */
  readonly scrapeTimeout?: string;
  /** global.evaluation_interval. @default '15s' */
  readonly evaluationInterval?: string;
  /** Labels added to every series and alert sent out. @default {} */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** --web.external-url: where users reach Prometheus (links in alerts and the UI). @default none */
  readonly externalUrl?: string;
  /** 'agent': --agent, a forwarder with a WAL only (remoteWrite required). @default 'server' */
  readonly mode?: 'server' | 'agent';
  /** The OTLP receiver (--web.enable-otlp-receiver and its config). @default off */
  readonly otlp?: OtlpSpec;
  /** Remote stores every sample is sent to. @default [] */
  readonly remoteWrite?: readonly RemoteWriteSpec[];
  /** External label naming the replica when replicas > 1. @default from the first remoteWrite preset (replicaLabelOf) */
  readonly replicaLabel?: string;
  /** Annotations of the ServiceAccount (IRSA, workload identity). @default {} */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** Container requests and limits. @default DEFAULT_SIZING.prometheus.resources */
  readonly resources?: Resources;
  /** Namespaces of annotation discovery ('all': every namespace). @default none: no annotation jobs */
  readonly annotationNamespaces?: readonly string[] | 'all';
  /** The `cluster` external label. @default none */
  readonly cluster?: string;
}

/** The HA replica label for these props (replicas > 1), or undefined. */
export function replicaLabelOf(p: Pick<PrometheusProps, 'replicas' | 'replicaLabel' | 'remoteWrite'>): string | undefined {
  if ((p.replicas ?? 1) < 2) return undefined;
  return p.replicaLabel ?? PRESET_REPLICA_LABEL[p.remoteWrite?.[0]?.preset ?? 'generic'];
}

/** Default retention size: 85% of the volume, leaving room for the WAL and compaction. */
export function defaultRetentionSize(storageSize: string): string {
  const bytes = (quantityValue(storageSize) ?? 0) * 0.85;
  const gb = Math.floor(bytes / 1024 ** 3);
  return gb >= 10 ? `${gb}GB` : `${Math.max(1, Math.floor(bytes / 1024 ** 2))}MB`;
}

/** The props with every default applied. */
type Resolved = Required<
  Omit<PrometheusProps, 'retentionSize' | 'externalUrl' | 'otlp' | 'replicaLabel' | 'annotationNamespaces' | 'cluster'>
> &
  Pick<PrometheusProps, 'externalUrl' | 'otlp' | 'annotationNamespaces' | 'cluster'>;

function resolve(p: PrometheusProps): Resolved {
  return {
    ...p,
    instance: p.instance ?? 'monitoring',
    webAuth: webAuthOf(p),
    image: p.image ?? IMAGES.prometheus,
    replicas: p.replicas ?? 1,
    retention: p.retention ?? '15d',
    storage: p.storage ?? { size: DEFAULT_SIZING.prometheus.storageSize },
    agentStorage: p.agentStorage ?? { size: '10Gi' },
    scrapeInterval: p.scrapeInterval ?? '15s',
    scrapeTimeout: p.scrapeTimeout ?? '10s',
    evaluationInterval: p.evaluationInterval ?? '15s',
    externalLabels: p.externalLabels ?? {},
    mode: p.mode ?? 'server',
    remoteWrite: p.remoteWrite ?? [],
    serviceAccountAnnotations: p.serviceAccountAnnotations ?? {},
    resources: p.resources ?? DEFAULT_SIZING.prometheus.resources,
  };
}

type Metadata = (name: string, extra?: Record<string, string>) => { name: string; namespace: string; labels: Record<string, string> };

export class Prometheus extends Construct implements IPrometheus {
  public readonly serviceName = 'prometheus';
  public readonly namespace: string;
  public readonly port = PROMETHEUS_PORT;
  public readonly url: string;
  public readonly serviceAccountName = 'prometheus';
  public readonly retentionSize: string;
  public readonly statefulSet: k8s.KubeStatefulSet;

  private readonly scrapeConfigs: ScrapeConfig[] = [];
  /** Every job name, in prometheus.yml or a scrape config file: unique across the stack. */
  private readonly jobNames = new Set<string>();
  /** Scrape config files (addScrapeConfigFiles): file name -> YAML. */
  private readonly scrapeFiles = new Map<string, string>();
  /** The same files by ConfigMap: shard i (prometheus-scrape-<i>) -> file name -> YAML. One, empty, until files come. */
  private scrapeShards: Map<string, string>[] = [new Map()];
  private readonly scrapeMetadata: Metadata;
  private readonly ruleFiles = new Map<string, string>();
  private readonly alertmanagers: AlertmanagerConfig[] = [];
  private readonly props: Resolved;
  /** Secret/ConfigMap keys the config reads as files (remote write credentials, CA bundles). */
  private readonly refs = remoteWriteRefs(REFS_DIR);
  /** The remote_write blocks (rendered once: they register the mounted keys). */
  public readonly remoteWrite: RemoteWriteConfig[];
  /** The HA replica external label (replicas > 1). */
  public readonly replicaLabel?: string;
  public readonly agent: boolean;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const p = resolve(props);
    this.props = p;
    this.agent = p.mode === 'agent';
    this.replicaLabel = replicaLabelOf(props);
    this.remoteWrite = p.remoteWrite.map((rw) => remoteWriteConfig(rw, { refs: this.refs, replicaLabel: this.replicaLabel }));
    this.namespace = p.namespace;
    this.url = serviceUrl(this.serviceName, p.namespace, PROMETHEUS_PORT);
    this.retentionSize = props.retentionSize ?? defaultRetentionSize(p.storage.size);
    if ((promSizeBytes(this.retentionSize) ?? 0) > (quantityValue(p.storage.size) ?? 0)) {
      throw new Error(
        `spec.prometheus.retentionSize (${this.retentionSize}) is larger than spec.prometheus.storage.size (${p.storage.size}): Prometheus would fill its volume; lower retentionSize to about 85% of the volume`,
      );
    }
    const labels = recommendedLabels({
      name: 'prometheus',
      instance: p.instance,
      component: 'metrics-server',
      version: imageVersion(p.image),
    });
    const selector = selectorLabels('prometheus', p.instance);
    const metadata: Metadata = (name, extra = {}) => ({ name, namespace: p.namespace, labels: { ...labels, ...extra } });
    this.scrapeMetadata = metadata;

    // Self-monitoring: every replica, discovered like any other pod; its scrapes log in like any client.
    this.addScrapeConfig(
      podJob({ jobName: JOBS.prometheus, namespace: p.namespace, selector, port: 'web', basicAuth: promBasicAuth(p.webAuth) }),
    );
    if (p.annotationNamespaces !== undefined) {
      const namespaces = p.annotationNamespaces === 'all' ? undefined : p.annotationNamespaces;
      this.addScrapeConfig(annotatedPodsJob(namespaces));
      this.addScrapeConfig(annotatedServicesJob(namespaces));
    }

    // --- RBAC: read-only discovery of targets across the cluster.
    apiReader(this, {
      name: this.serviceAccountName,
      namespace: p.namespace,
      instance: p.instance,
      labels,
      annotations: p.serviceAccountAnnotations,
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { nonResourceUrLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
      ],
    });
    this.configMaps(metadata);
    this.addServices(metadata, selector);
    this.statefulSet = new CanonicalStatefulSet(this, 'statefulset', {
      metadata: metadata('prometheus'),
      spec: {
        serviceName: 'prometheus-headless',
        replicas: p.replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        // No config checksum: a config or rule change is reloaded in place by the config-reloader
        // sidecar (SIGHUP), not by rolling the pods, which would replay the WAL (charts/lib/signal-reloader.ts).
        template: { metadata: { labels }, spec: this.podSpec(selector) },
        volumeClaimTemplates: [dataVolumeClaim(this.agent ? p.agentStorage : p.storage, selector)],
      },
    });
    if (p.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: metadata('prometheus'),
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }
  }

  /** Config and rules, rendered at synth time; the first scrape ConfigMap. */
  private configMaps(metadata: Metadata): void {
    const configYaml = Lazy.any({ produce: () => this.renderConfig() });
    const rulesData = Lazy.any({ produce: () => Object.fromEntries([...this.ruleFiles.entries()].sort(([a], [b]) => a.localeCompare(b))) });
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('prometheus-config'), data: { 'prometheus.yml': configYaml } });
    // Always there, empty without scrape config files: the first service changes no pod template.
    this.scrapeShardConfigMap(0);
    // Agent mode evaluates no rules: the ConfigMap stays, for the central ruler (docs/scaling-out.md).
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: {
        ...metadata('prometheus-rules'),
        ...(this.agent ? { annotations: { 'monitoring.cdk8s-ai.dev/rules-for': 'central-ruler' } } : {}),
      },
      data: rulesData,
    });
  }

  /** A ClusterIP Service for clients, a headless one governing the StatefulSet. */
  private addServices(metadata: Metadata, selector: Record<string, string>): void {
    const servicePorts = [{ name: 'web', port: PROMETHEUS_PORT, targetPort: k8s.IntOrString.fromString('web') }];
    new k8s.KubeService(this, 'service', { metadata: metadata(this.serviceName), spec: { selector, ports: servicePorts } });
    new k8s.KubeService(this, 'headless', {
      metadata: metadata('prometheus-headless'),
      spec: { selector, ports: servicePorts, clusterIp: 'None', publishNotReadyAddresses: true },
    });
  }

  private podSpec(selector: Record<string, string>): k8s.PodSpec {
    const p = this.props;
    return {
      serviceAccountName: this.serviceAccountName,
      automountServiceAccountToken: true, // discovery calls the Kubernetes API
      securityContext: podSecurity(UID),
      // Let Prometheus flush its head block and WAL on shutdown.
      terminationGracePeriodSeconds: 600,
      // The config-reloader sidecar signals Prometheus (SIGHUP) instead of calling the lifecycle API.
      shareProcessNamespace: true,
      ...spreadAcrossNodes(p.replicas, selector),
      containers: [
        this.container(),
        signalReloaderContainer({
          process: 'prometheus',
          image: IMAGES.busybox,
          // Agent mode has no rules volume: the reloader watches only what the pod mounts.
          watch: [`${CONFIG_DIR}/*.yml`, `${SCRAPE_DIR}/*.yml`, ...(this.agent ? [] : [`${RULES_DIR}/*.yaml`])],
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR },
            { name: 'scrape', mountPath: SCRAPE_DIR },
            ...(this.agent ? [] : [{ name: 'rules', mountPath: RULES_DIR }]),
          ],
        }),
      ],
      volumes: [
        { name: 'config', configMap: { name: 'prometheus-config' } },
        // Every scrape ConfigMap projected into one folder (scrape_config_files globs one folder).
        {
          name: 'scrape',
          projected: {
            sources: Lazy.any({
              produce: () => this.scrapeShards.map((_, i) => ({ configMap: { name: `${SCRAPE_CONFIGMAP_PREFIX}${i}` } })),
            }),
          },
        },
        ...(this.agent ? [] : [{ name: 'rules', configMap: { name: 'prometheus-rules' } }]),
        ...this.refs.volumes(),
        // The web config (server side) and the password (self-scrape, alert delivery, readiness probe).
        webAuthVolume(p.webAuth, ['webConfig', 'password']),
      ],
    };
  }

  private container(): k8s.Container {
    const p = this.props;
    // Agent mode: a WAL only (--storage.agent.path); the tsdb flags are server-only and refused by --agent.
    const storageArgs = this.agent
      ? ['--agent', `--storage.agent.path=${DATA_DIR}`]
      : [
          `--storage.tsdb.path=${DATA_DIR}`,
          `--storage.tsdb.retention.time=${p.retention}`,
          `--storage.tsdb.retention.size=${this.retentionSize}`,
        ];
    const env: k8s.EnvVar[] = [
      // external_labels expands ${POD_NAME}: the HA replica label.
      { name: POD_NAME_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ...remoteWriteEnv(p.remoteWrite).map((e): k8s.EnvVar =>
        e.secret ? { name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key! } } } : { name: e.name, value: e.value },
      ),
    ];
    return {
      name: 'prometheus',
      image: p.image,
      imagePullPolicy: 'IfNotPresent',
      args: [
        `--config.file=${CONFIG_DIR}/prometheus.yml`,
        ...storageArgs,
        // No --web.enable-lifecycle: it would let anyone past the Ingress POST /-/quit or /-/reload.
        `--web.listen-address=:${PROMETHEUS_PORT}`,
        // Basic auth on every path, whatever sits in front (Ingress, Gateway, port-forward).
        webConfigArg(p.webAuth),
        // Links in alerts (generatorURL) and the UI point where users reach Prometheus.
        ...(p.externalUrl ? [`--web.external-url=${p.externalUrl}`] : []),
        // OpenTelemetry pushes (spec.prometheus.otlp; charts/components/genai).
        ...(p.otlp?.enabled ? ['--web.enable-otlp-receiver'] : []),
      ],
      ports: [{ name: 'web', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
      env,
      resources: resources(p.resources),
      securityContext: containerSecurity(),
      // Authenticated exec readiness, TCP liveness (charts/lib/web-auth.ts). The listener opens before the
      // WAL replay, so liveness holds during a long replay while readiness waits for /-/ready.
      readinessProbe: authProbe(p.webAuth, PROMETHEUS_PORT, '/-/ready', { periodSeconds: 10, failureThreshold: 3 }),
      livenessProbe: tcpProbe('web', { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 6 }),
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        ...(this.agent ? [] : [{ name: 'rules', mountPath: RULES_DIR, readOnly: true }]),
        { name: 'scrape', mountPath: SCRAPE_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
        ...this.refs.mounts(),
        webAuthMount,
      ],
    };
  }

  /** Add a scrape job. Job names must be unique across the stack. */
  public addScrapeConfig(job: ScrapeConfig): void {
    this.addJobName(job.job_name);
    this.scrapeConfigs.push(job);
  }

  /**
   * Add scrape config files (file name -> its jobs), loaded through
   * `scrape_config_files`: for jobs that grow with the spec (spec.services,
   * their probes). File names are ConfigMap keys ending in .yml, unique
   * across calls. Every call re-spreads all files over the fewest ConfigMaps
   * (a power of two) that each fit: more files never need fewer ConfigMaps,
   * so the ConfigMaps created so far all stay in use.
   */
  public addScrapeConfigFiles(files: ReadonlyMap<string, readonly ScrapeConfig[]>): void {
    for (const [file, jobs] of files) {
      if (!/^[-._a-zA-Z0-9]+\.yml$/.test(file)) throw new Error(`scrape config file name "${file}" must be a ConfigMap key ending in .yml`);
      if (this.scrapeFiles.has(file)) throw new Error(`scrape config file "${file}" added twice`);
      for (const job of jobs) this.addJobName(job.job_name);
      this.scrapeFiles.set(file, toYaml({ scrape_configs: jobs }));
    }
    const names = [...this.scrapeFiles.keys()].sort();
    const bytesOf = (shard: Map<string, string>) => Buffer.byteLength(JSON.stringify(Object.fromEntries(shard)));
    for (let n = 1; ; n *= 2) {
      const shards: Map<string, string>[] = Array.from({ length: n }, () => new Map());
      for (const name of names) shards[fnv1a(name) % n].set(name, this.scrapeFiles.get(name)!);
      if (shards.every((shard) => bytesOf(shard) <= SCRAPE_SHARD_MAX_BYTES)) {
        const created = this.scrapeShards.length;
        this.scrapeShards = shards;
        for (let i = created; i < n; i++) this.scrapeShardConfigMap(i);
        return;
      }
      if (n >= MAX_SCRAPE_SHARDS) {
        const total = [...this.scrapeFiles.values()].reduce((a, t) => a + Buffer.byteLength(t), 0);
        throw new Error(
          `spec.services: their scrape and probe jobs take ${total} bytes, more than ${MAX_SCRAPE_SHARDS} ConfigMaps of ${SCRAPE_SHARD_MAX_BYTES} bytes carry; select each service's pods by one label equal to its name (e.g. app.kubernetes.io/name: <name>), which costs a few bytes instead of a relabel rule, or split the services across stacks`,
        );
      }
    }
  }

  /** The scrape config files as mounted: file name -> YAML (every ConfigMap's data, merged). */
  public scrapeConfigFiles(): Map<string, string> {
    return new Map(this.scrapeShards.flatMap((shard) => [...shard.entries()]).sort(([a], [b]) => a.localeCompare(b)));
  }

  private scrapeShardConfigMap(i: number): void {
    new k8s.KubeConfigMap(this, `scrape-${i}`, {
      metadata: this.scrapeMetadata(`${SCRAPE_CONFIGMAP_PREFIX}${i}`),
      data: Lazy.any({ produce: () => (this.scrapeShards[i].size ? Object.fromEntries(this.scrapeShards[i]) : undefined) }),
    });
  }

  private addJobName(name: string): void {
    if (this.jobNames.has(name)) {
      throw new Error(`two scrape jobs are named "${name}": a spec.services[] name collides with a built-in job; rename the service`);
    }
    this.jobNames.add(name);
  }

  /** Add a rule file (Prometheus rule-file YAML) loaded through `rule_files`. */
  public addRuleFile(fileName: string, content: string): void {
    if (!/^[a-z0-9][a-z0-9-]*\.ya?ml$/.test(fileName))
      throw new Error(`rule file name "${fileName}" must be a lowercase file name ending in .yaml`);
    if (this.ruleFiles.has(fileName)) throw new Error(`rule file "${fileName}" added twice`);
    this.ruleFiles.set(fileName, content);
  }

  /** Send alerts to an Alertmanager. */
  public addAlertmanager(am: AlertmanagerConfig): void {
    this.alertmanagers.push(am);
  }

  /** The typed configuration as it will be written to prometheus.yml. */
  public config(): PrometheusConfig {
    const s = this.props;
    const externalLabels: Record<string, string> = {
      ...s.externalLabels,
      ...(s.cluster ? { cluster: s.cluster } : {}),
      ...(this.replicaLabel ? { [this.replicaLabel]: `\${${POD_NAME_ENV}}` } : {}),
    };
    // Both replicas of an HA pair send every alert to every Alertmanager peer; without the
    // replica label the alerts are identical and Alertmanager deduplicates them.
    const alertRelabel = this.replicaLabel ? { alert_relabel_configs: [{ action: 'labeldrop' as const, regex: this.replicaLabel }] } : {};
    return {
      global: {
        scrape_interval: s.scrapeInterval,
        scrape_timeout: s.scrapeTimeout,
        ...(this.agent ? {} : { evaluation_interval: s.evaluationInterval }),
        ...(Object.keys(externalLabels).length ? { external_labels: externalLabels } : {}),
      },
      // Agent mode: no rule_files, no alerting (refused by --agent); rules run in the central ruler.
      ...(this.agent ? {} : { rule_files: [`${RULES_DIR}/*.yaml`] }),
      ...(!this.agent && this.alertmanagers.length ? { alerting: { ...alertRelabel, alertmanagers: this.alertmanagers } } : {}),
      ...(this.remoteWrite.length ? { remote_write: this.remoteWrite } : {}),
      // Relative: Prometheus resolves it against the folder of prometheus.yml (/etc/prometheus in the pod).
      scrape_config_files: [`${SCRAPE_FILES_SUBDIR}/*.yml`],
      scrape_configs: this.scrapeConfigs,
      ...(s.otlp ? otlpConfig(s.otlp) : {}),
    };
  }

  public renderConfig(): string {
    return toYaml(this.config());
  }

  /** Names of the rule files, for tests and docs. */
  public get ruleFileNames(): string[] {
    return [...this.ruleFiles.keys()];
  }
}
