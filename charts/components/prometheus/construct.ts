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
import { serviceUrl, StackContext } from '../../core/context';
import { apiReader } from '../../lib/rbac';
import { signalReloaderContainer } from '../../lib/signal-reloader';
import { containerSecurity, CanonicalStatefulSet, dataVolumeClaim, podSecurity, resources, spreadAcrossNodes } from '../../lib/workload';
import { promSizeBytes, quantityValue } from '../../spec/formats';
import type { Spec } from '../../spec/schema';
import type { IPrometheus } from '../../core/component';
import type { AlertmanagerConfig, PrometheusConfig, ScrapeConfig } from '../../core/prometheus-config';
import { promBasicAuth, webAuthOf } from '../../core/web-auth';
import { authProbe, tcpProbe, webAuthMount, webAuthVolume, webConfigArg } from '../../lib/web-auth';
import { annotatedPodsJob, annotatedServicesJob, fnv1a, podJob } from '../../lib/scrape';
import { JOBS, PORTS } from '../../core/names';
import { MountedRefs } from '../../spec/secret-ref';
import { PRESET_REPLICA_LABEL, remoteWriteConfig, remoteWriteEnv, type RemoteWriteConfig } from './remote-write';

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

export interface PrometheusProps {
  readonly context: StackContext;
  readonly spec: Spec['prometheus'];
  /** Namespaces of annotation discovery (annotationDiscoveryNamespaces); undefined: no annotation jobs. */
  readonly annotationNamespaces?: readonly string[] | 'all';
  /** spec.cluster: the `cluster` external label. */
  readonly cluster?: string;
}

/** The HA replica label for this spec (replicas > 1), or undefined. */
export function replicaLabelOf(spec: Spec['prometheus']): string | undefined {
  if (spec.replicas < 2) return undefined;
  return spec.replicaLabel ?? PRESET_REPLICA_LABEL[spec.remoteWrite[0]?.preset ?? 'generic'];
}

/** Default retention size: 85% of the volume, leaving room for the WAL and compaction. */
export function defaultRetentionSize(storageSize: string): string {
  const bytes = (quantityValue(storageSize) ?? 0) * 0.85;
  const gb = Math.floor(bytes / 1024 ** 3);
  return gb >= 10 ? `${gb}GB` : `${Math.max(1, Math.floor(bytes / 1024 ** 2))}MB`;
}

export class Prometheus extends Construct implements IPrometheus {
  public readonly serviceName = 'prometheus';
  public readonly namespace: string;
  public readonly port = PROMETHEUS_PORT;
  public readonly url: string;
  public readonly serviceAccountName = 'prometheus';
  public readonly retentionSize: string;
  public readonly statefulSet: k8s.KubeStatefulSet;

  private readonly scrapeConfigs: ScrapeConfig[] = [];
  /** Scrape config files (addScrapeConfigFiles): file name -> YAML, and by ConfigMap: shard -> file name -> YAML. */
  private readonly scrapeFiles = new Map<string, string>();
  private scrapeShards: Map<string, string>[] = [];
  private readonly ruleFiles = new Map<string, string>();
  private readonly alertmanagers: AlertmanagerConfig[] = [];
  private readonly spec: Spec['prometheus'];
  private readonly cluster?: string;
  /** Secret/ConfigMap keys the config reads as files (remote write credentials, CA bundles). */
  private readonly refs = new MountedRefs(REFS_DIR);
  /** The remote_write blocks (rendered once: they register the mounted keys). */
  public readonly remoteWrite: RemoteWriteConfig[];
  /** The HA replica external label (replicas > 1). */
  public readonly replicaLabel?: string;
  public readonly agent: boolean;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const { context: ctx, spec } = props;
    this.spec = spec;
    this.cluster = props.cluster;
    this.agent = spec.mode === 'agent';
    this.replicaLabel = replicaLabelOf(spec);
    this.remoteWrite = spec.remoteWrite.map((rw) => remoteWriteConfig(rw, { refs: this.refs, replicaLabel: this.replicaLabel }));
    this.namespace = ctx.namespace;
    this.url = serviceUrl(this.serviceName, ctx.namespace, PROMETHEUS_PORT);
    this.retentionSize = spec.retentionSize ?? defaultRetentionSize(spec.storage.size);
    if ((promSizeBytes(this.retentionSize) ?? 0) > (quantityValue(spec.storage.size) ?? 0)) {
      throw new Error(`spec.prometheus.retentionSize (${this.retentionSize}) is larger than spec.prometheus.storage.size (${spec.storage.size}): Prometheus would fill its volume; lower retentionSize to about 85% of the volume`);
    }
    const image = spec.image ?? IMAGES.prometheus;
    const labels = recommendedLabels({ name: 'prometheus', instance: ctx.instance, component: 'metrics-server', version: imageVersion(image) });
    const selector = selectorLabels('prometheus', ctx.instance);
    const metadata = (name: string, extra: Record<string, string> = {}) => ({ name, namespace: ctx.namespace, labels: { ...labels, ...extra } });

    // Prometheus enforces basic auth itself (charts/lib/web-auth.ts); its own scrapes log in like any client.
    const webAuth = webAuthOf(ctx);
    // Self-monitoring: every replica, discovered like any other pod.
    this.addScrapeConfig(podJob({ jobName: JOBS.prometheus, namespace: ctx.namespace, selector, port: 'web', basicAuth: promBasicAuth(webAuth) }));
    if (props.annotationNamespaces !== undefined) {
      const namespaces = props.annotationNamespaces === 'all' ? undefined : props.annotationNamespaces;
      this.addScrapeConfig(annotatedPodsJob(namespaces));
      this.addScrapeConfig(annotatedServicesJob(namespaces));
    }

    // --- RBAC: read-only discovery of targets across the cluster.
    apiReader(this, {
      name: this.serviceAccountName, namespace: ctx.namespace, instance: ctx.instance, labels, annotations: spec.serviceAccountAnnotations,
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { nonResourceUrLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
      ],
    });

    // --- Config and rules, rendered at synth time.
    const configYaml = Lazy.any({ produce: () => this.renderConfig() });
    const rulesData = Lazy.any({ produce: () => Object.fromEntries([...this.ruleFiles.entries()].sort(([a], [b]) => a.localeCompare(b))) });
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('prometheus-config'), data: { 'prometheus.yml': configYaml } });
    this.scrapeMetadata = metadata;
    // Always there, empty without scrape config files: the first service changes no pod template.
    this.scrapeShards = [new Map()];
    this.scrapeShardConfigMap(0);
    // Agent mode evaluates no rules: the ConfigMap stays, for the central ruler (docs/scaling-out.md).
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: { ...metadata('prometheus-rules'), ...(this.agent ? { annotations: { 'monitoring.cdk8s-ai.dev/rules-for': 'central-ruler' } } : {}) },
      data: rulesData,
    });

    // --- Services: a ClusterIP for clients, a headless one governing the StatefulSet.
    const servicePorts = [{ name: 'web', port: PROMETHEUS_PORT, targetPort: k8s.IntOrString.fromString('web') }];
    new k8s.KubeService(this, 'service', { metadata: metadata(this.serviceName), spec: { selector, ports: servicePorts } });
    new k8s.KubeService(this, 'headless', {
      metadata: metadata('prometheus-headless'),
      spec: { selector, ports: servicePorts, clusterIp: 'None', publishNotReadyAddresses: true },
    });

    // Agent mode: a WAL only (--storage.agent.path); the tsdb flags are server-only and refused by --agent.
    const storageArgs = this.agent ? ['--agent', `--storage.agent.path=${DATA_DIR}`] : [
      `--storage.tsdb.path=${DATA_DIR}`,
      `--storage.tsdb.retention.time=${spec.retention}`,
      `--storage.tsdb.retention.size=${this.retentionSize}`,
    ];
    const env: k8s.EnvVar[] = [
      // external_labels expands ${POD_NAME}: the HA replica label.
      { name: POD_NAME_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ...remoteWriteEnv(spec.remoteWrite).map((e): k8s.EnvVar => (e.secret ? { name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key! } } } : { name: e.name, value: e.value })),
    ];
    this.statefulSet = new CanonicalStatefulSet(this, 'statefulset', {
      metadata: metadata('prometheus'),
      spec: {
        serviceName: 'prometheus-headless',
        replicas: spec.replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          // No config checksum: a config or rule change is reloaded in place by the config-reloader
          // sidecar (SIGHUP), not by rolling the pods, which would replay the WAL (charts/lib/signal-reloader.ts).
          metadata: { labels },
          spec: {
            serviceAccountName: this.serviceAccountName,
            automountServiceAccountToken: true, // discovery calls the Kubernetes API
            securityContext: podSecurity(UID),
            // Let Prometheus flush its head block and WAL on shutdown.
            terminationGracePeriodSeconds: 600,
            // The config-reloader sidecar signals Prometheus (SIGHUP) instead of calling the lifecycle API.
            shareProcessNamespace: true,
            ...spreadAcrossNodes(spec.replicas, selector),
            containers: [{
              name: 'prometheus',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--config.file=${CONFIG_DIR}/prometheus.yml`,
                ...storageArgs,
                // No --web.enable-lifecycle: it would let anyone past the Ingress POST /-/quit or /-/reload.
                `--web.listen-address=:${PROMETHEUS_PORT}`,
                // Basic auth on every path, whatever sits in front (Ingress, Gateway, port-forward).
                webConfigArg(webAuth),
                // Links in alerts (generatorURL) and the UI point where users reach Prometheus.
                ...(spec.externalUrl ? [`--web.external-url=${spec.externalUrl}`] : []),
              ],
              ports: [{ name: 'web', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
              env,
              resources: resources(spec.resources),
              securityContext: containerSecurity(),
              // Authenticated exec readiness, TCP liveness (charts/lib/web-auth.ts). The listener opens before the
              // WAL replay, so liveness holds during a long replay while readiness waits for /-/ready.
              readinessProbe: authProbe(webAuth, PROMETHEUS_PORT, '/-/ready', { periodSeconds: 10, failureThreshold: 3 }),
              livenessProbe: tcpProbe('web', { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 6 }),
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                ...(this.agent ? [] : [{ name: 'rules', mountPath: RULES_DIR, readOnly: true }]),
                { name: 'scrape', mountPath: SCRAPE_DIR, readOnly: true },
                { name: 'data', mountPath: DATA_DIR },
                ...this.refs.mounts(),
                webAuthMount,
              ],
            }, signalReloaderContainer({
              process: 'prometheus',
              image: IMAGES.busybox,
              // Agent mode has no rules volume: the reloader watches only what the pod mounts.
              watch: [`${CONFIG_DIR}/*.yml`, `${SCRAPE_DIR}/*.yml`, ...(this.agent ? [] : [`${RULES_DIR}/*.yaml`])],
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR },
                { name: 'scrape', mountPath: SCRAPE_DIR },
                ...(this.agent ? [] : [{ name: 'rules', mountPath: RULES_DIR }]),
              ],
            })],
            volumes: [
              { name: 'config', configMap: { name: 'prometheus-config' } },
              // Every scrape ConfigMap projected into one folder (scrape_config_files globs one folder).
              { name: 'scrape', projected: { sources: Lazy.any({ produce: () => this.scrapeShards.map((_, i) => ({ configMap: { name: `${SCRAPE_CONFIGMAP_PREFIX}${i}` } })) }) } },
              ...(this.agent ? [] : [{ name: 'rules', configMap: { name: 'prometheus-rules' } }]),
              ...this.refs.volumes(),
              // The web config (server side) and the password (self-scrape, alert delivery, readiness probe).
              webAuthVolume(webAuth, ['webConfig', 'password']),
            ],
          },
        },
        volumeClaimTemplates: [dataVolumeClaim(this.agent ? spec.agentStorage : spec.storage, selector)],
      },
    });

    if (spec.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: metadata('prometheus'),
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }
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
        throw new Error(`spec.services: their scrape and probe jobs take ${total} bytes, more than ${MAX_SCRAPE_SHARDS} ConfigMaps of ${SCRAPE_SHARD_MAX_BYTES} bytes carry; select each service's pods by one label equal to its name (e.g. app.kubernetes.io/name: <name>), which costs a few bytes instead of a relabel rule, or split the services across stacks`);
      }
    }
  }

  /** The scrape config files as mounted: file name -> YAML (every ConfigMap's data, merged). */
  public scrapeConfigFiles(): Map<string, string> {
    return new Map(this.scrapeShards.flatMap((shard) => [...shard.entries()]).sort(([a], [b]) => a.localeCompare(b)));
  }

  private readonly scrapeMetadata: (name: string) => { name: string; namespace: string; labels: Record<string, string> };

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

  private readonly jobNames = new Set<string>();

  /** Add a rule file (Prometheus rule-file YAML) loaded through `rule_files`. */
  public addRuleFile(fileName: string, content: string): void {
    if (!/^[a-z0-9][a-z0-9-]*\.ya?ml$/.test(fileName)) throw new Error(`rule file name "${fileName}" must be a lowercase file name ending in .yaml`);
    if (this.ruleFiles.has(fileName)) throw new Error(`rule file "${fileName}" added twice`);
    this.ruleFiles.set(fileName, content);
  }

  /** Send alerts to an Alertmanager. */
  public addAlertmanager(am: AlertmanagerConfig): void {
    this.alertmanagers.push(am);
  }

  /** The typed configuration as it will be written to prometheus.yml. */
  public config(): PrometheusConfig {
    const s = this.spec;
    const externalLabels: Record<string, string> = {
      ...s.externalLabels,
      ...(this.cluster ? { cluster: this.cluster } : {}),
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

