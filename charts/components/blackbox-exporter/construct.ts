/**
 * The blackbox exporter: probes HTTP(S) endpoints from inside the cluster
 * (https://github.com/prometheus/blackbox_exporter). Prometheus asks it to
 * probe one target per scrape (`/probe?module=<m>&target=<url>`, the usual
 * `__param_target` relabelling), so every probe target is a Prometheus
 * target of one of these jobs:
 *
 * - `blackbox-services` (one job per group, see servicesProbeJobs): each declared service's pods (spec.services[]), at
 *   their HTTP endpoint (`spec.blackboxExporter.servicePaths.<name>`, default
 *   the metrics path): is the process answering HTTP at all?
 * - `blackbox-ingress`: every Ingress host over HTTPS (HTTP when
 *   spec.ingress.tls.enabled is false), through the ingress controller like a
 *   user: DNS, TLS handshake, certificate chain and expiry, the backend.
 * - `blackbox-exporter`: the exporter's own metrics;
 * - `cert-manager`: cert-manager's controller metrics (certificates ready,
 *   expiry, renewal time) when the stack uses cert-manager.
 *
 * The module config (blackbox.yml) is a typed object serialized by the one
 * YAML serializer; test/e2e/blackbox.test.ts runs it in the pinned
 * blackbox_exporter (TOOL_PINS) against a loopback HTTPS server.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IPrometheus, IScrapeTarget } from '../../core/component';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { toYaml } from '../../core/yaml';
import { keepPort, podJob } from '../../lib/scrape';
import { claimRules, scrapeFilesOf, splitJob } from '../services/scrape';
import { checksum, containerSecurity, httpProbe, podSecurity, resources } from '../../lib/workload';
import type { Resources } from '../../spec/common';

export const BLACKBOX_NAME = 'blackbox-exporter';
export const BLACKBOX_PORT = 9115;
/** The Prometheus jobs of this component (job label values). */
export const BLACKBOX_JOBS = {
  exporter: 'blackbox-exporter',
  services: 'blackbox-services',
  ingress: 'blackbox-ingress',
  certManager: 'cert-manager',
} as const;
/** Module names of blackbox.yml. */
export const MODULES = {
  /** A declared service's pod: any 2xx; HTTPS pods are reached by IP, so their certificate is not verified here. */
  service: 'service_http_2xx',
  /** An Ingress host: 2xx over verified TLS. */
  https: 'https_2xx',
  /** An Ingress host behind basic auth (Prometheus, Alertmanager): 401 without credentials proves TLS, the controller and the auth are up. */
  httpsAuth: 'https_2xx_or_401',
  /** An Ingress host when TLS is off. */
  http: 'http_2xx',
} as const;
const UID = 65534;
/** Requests and limits of the exporter (HTTP probes only). */
export const BLACKBOX_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } as const;
/** Probe interval (the scrape interval of the probe jobs) and timeout. */
export const BLACKBOX_INTERVAL = '30s';
export const BLACKBOX_TIMEOUT = '10s';

/** How often and how long the probes run (the probe jobs' scrape interval and timeout; the modules' timeout). */
export interface ProbeTiming {
  readonly interval: string;
  readonly timeout: string;
}

/** A declared service whose pods are probed: where they are and how they answer HTTP. */
export interface ProbedService {
  readonly name: string;
  readonly namespace: string;
  /** Pod labels (matchLabels) of its pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Container port number or name. */
  readonly port: string | number;
  readonly scheme: 'http' | 'https';
  /** Path probed unless `servicePaths` names another (the service's metrics path). */
  readonly path: string;
}

/** cert-manager's controller pods, whose metrics (certificates ready, expiry, renewal) are scraped as job cert-manager. */
export interface CertManagerTarget {
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Metrics port number or name. */
  readonly port: string | number;
}
const CONFIG_DIR = '/etc/blackbox-exporter';

// --- blackbox.yml (fields of config/config.go at the pinned tag; the same in Debian's 0.23.0) ---------------------

export interface BlackboxHttpProbe {
  /** Empty: any 2xx. */
  valid_status_codes?: number[];
  valid_http_versions?: string[];
  method?: 'GET' | 'HEAD';
  preferred_ip_protocol?: 'ip4' | 'ip6';
  ip_protocol_fallback?: boolean;
  fail_if_not_ssl?: boolean;
  tls_config?: { insecure_skip_verify?: boolean };
}
export interface BlackboxModule {
  prober: 'http';
  timeout: string;
  http: BlackboxHttpProbe;
}
export interface BlackboxConfig {
  modules: Record<string, BlackboxModule>;
}

export function blackboxConfig(spec: Pick<ProbeTiming, 'timeout'>): BlackboxConfig {
  const http = (o: BlackboxHttpProbe): BlackboxModule => ({
    prober: 'http',
    timeout: spec.timeout,
    http: { valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'], method: 'GET', preferred_ip_protocol: 'ip4', ip_protocol_fallback: true, ...o },
  });
  return {
    modules: {
      [MODULES.service]: http({ tls_config: { insecure_skip_verify: true } }),
      [MODULES.https]: http({ fail_if_not_ssl: true }),
      [MODULES.httpsAuth]: http({ fail_if_not_ssl: true, valid_status_codes: [200, 401] }),
      [MODULES.http]: http({}),
    },
  };
}

export const renderBlackboxConfig = (c: BlackboxConfig): string => toYaml(c);

// --- Scrape jobs ------------------------------------------------------------------------------------------------

/** Rewrite the target into `target` and send the scrape to the exporter (the usual blackbox relabelling). */
function probeThrough(exporter: string): RelabelConfig[] {
  return [
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: exporter },
  ];
}

/**
 * The jobs probing the declared services' pods, grouped like their scrape
 * jobs (charts/components/services/scrape.ts): one job per namespace, port,
 * scheme and probe path, whose relabelling claims each pod for its service
 * (a service selected by `<label>: <its name>` costs its name in one regex),
 * so the configuration grows by group, not by service. Every group's series
 * carry `job="blackbox-services"` and `service=<name>`.
 */
export function servicesProbeJobs(
  services: readonly ProbedService[],
  spec: ProbeTiming & { readonly servicePaths?: Readonly<Record<string, string>> },
  exporter: string,
): ScrapeConfig[] {
  const groups = new Map<string, { first: ProbedService; path: string; services: ProbedService[] }>();
  for (const s of services) {
    const path = spec.servicePaths?.[s.name] ?? s.path;
    const key = [s.namespace, String(s.port), s.scheme, path].join('|');
    const g = groups.get(key) ?? { first: s, path, services: [] };
    g.services.push(s);
    groups.set(key, g);
  }
  const names = new Map<string, number>();
  return [...groups.values()].flatMap(({ first: s, path, services: members }) => {
    // Not a DNS label (contains "/"): never collides with another job name.
    const base = `${BLACKBOX_JOBS.services}/${s.namespace}/${s.port}`;
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    // Split into parts past a file's size (splitJob): the claims grow with the services.
    return splitJob(n === 1 ? base : `${base}/${n}`, members, (jobName, claimed) => ({
      job_name: jobName,
      scrape_interval: spec.interval,
      scrape_timeout: spec.timeout,
      metrics_path: '/probe',
      params: { module: [MODULES.service] },
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [s.namespace] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Unknown', action: 'drop' },
        keepPort(s.port),
        ...claimRules(claimed),
        { source_labels: ['__tmp_service'], regex: '', action: 'drop' },
        { source_labels: ['__address__'], target_label: '__param_target', replacement: `${s.scheme}://$1${path}` },
        { source_labels: ['__tmp_service'], target_label: 'service' },
        { target_label: 'job', replacement: BLACKBOX_JOBS.services },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ...probeThrough(exporter),
      ],
    }));
  });
}

/** One job probing every Ingress host; the module (TLS verified, 401 allowed behind basic auth) rides on each target. */
export function ingressProbeJob(
  hosts: readonly { host: string; basicAuth: boolean }[],
  tls: boolean,
  spec: ProbeTiming,
  exporter: string,
): ScrapeConfig | undefined {
  if (hosts.length === 0) return undefined;
  const moduleOf = (basicAuth: boolean) => (!tls ? MODULES.http : basicAuth ? MODULES.httpsAuth : MODULES.https);
  const groups = [false, true]
    .map((basicAuth) => ({ basicAuth, targets: hosts.filter((h) => h.basicAuth === basicAuth) }))
    .filter((g) => g.targets.length);
  return {
    job_name: BLACKBOX_JOBS.ingress,
    scrape_interval: spec.interval,
    scrape_timeout: spec.timeout,
    metrics_path: '/probe',
    static_configs: groups.map((g) => ({
      targets: g.targets.map((h) => `${tls ? 'https' : 'http'}://${h.host}/`),
      labels: { __param_module: moduleOf(g.basicAuth) },
    })),
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], regex: 'https?://([^/:]+).*', target_label: 'host', replacement: '$1' },
      ...probeThrough(exporter),
    ],
  };
}

// --- The construct ----------------------------------------------------------------------------------------------

/**
 * The blackbox exporter and its probe jobs. Nothing of the stack's spec: the stack maps `spec.blackboxExporter`,
 * `spec.services` and the exposed hosts onto these in one step (`blackboxExporterProps`, index.ts).
 */
export interface BlackboxExporterProps {
  /** Namespace of the Deployment (Pod Security "restricted" is enough). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** Image, pinned to a version. @default IMAGES.blackboxExporter */
  readonly image?: string;
  /** Container requests and limits. @default BLACKBOX_RESOURCES (50m/64Mi requested, 500m/128Mi limit) */
  readonly resources?: Resources;
  /** Probe interval (the scrape interval of the probe jobs). @default BLACKBOX_INTERVAL ('30s') */
  readonly interval?: string;
  /** Probe timeout (module and scrape timeout), at most the interval. @default BLACKBOX_TIMEOUT ('10s') */
  readonly timeout?: string;
  /** Services whose pods are probed over HTTP. @default [] */
  readonly services?: readonly ProbedService[];
  /** HTTP path probed per service name, instead of its `path`. @default {} */
  readonly servicePaths?: Readonly<Record<string, string>>;
  /** Hosts probed through the ingress controller: UI name -> host (`grafana` has its own login; the others sit behind basic auth). @default {} */
  readonly ingressHosts?: Readonly<Partial<Record<string, string>>>;
  /** Probe the hosts over HTTPS (verified certificates) rather than HTTP. @default true */
  readonly tls?: boolean;
  /** cert-manager's controller, scraped as job cert-manager. @default none (not scraped) */
  readonly certManager?: CertManagerTarget;
  /** Where its scrape jobs and the probe jobs' files are added. @default none: add `scrapeConfigs` and `scrapeConfigFiles` yourself */
  readonly prometheus?: Pick<IPrometheus, 'addScrapeConfig' | 'addScrapeConfigFiles'>;
}

export class BlackboxExporter extends Construct implements IScrapeTarget {
  public readonly serviceName = BLACKBOX_NAME;
  public readonly namespace: string;
  public readonly port = BLACKBOX_PORT;
  public readonly config: BlackboxConfig;
  public readonly jobs: string[] = [];
  public readonly deployment: k8s.KubeDeployment;
  /** Its own job, the Ingress hosts' probe job and cert-manager's (those that apply). */
  public readonly scrapeConfigs: readonly ScrapeConfig[];
  /** The services' probe jobs, as scrape config files (they grow with the services): file name -> jobs. */
  public readonly scrapeConfigFiles: ReadonlyMap<string, readonly ScrapeConfig[]>;

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    const ns = props.namespace;
    this.namespace = ns;
    const instance = props.instance ?? 'monitoring';
    const timing: ProbeTiming = { interval: props.interval ?? BLACKBOX_INTERVAL, timeout: props.timeout ?? BLACKBOX_TIMEOUT };
    const image = props.image ?? IMAGES.blackboxExporter;
    const labels = recommendedLabels({ name: BLACKBOX_NAME, instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels(BLACKBOX_NAME, instance);
    this.config = blackboxConfig(timing);
    this.deployment = this.createWorkload({ ns, image, labels, selector, resources: props.resources ?? BLACKBOX_RESOURCES });

    const exporter = `${BLACKBOX_NAME}.${ns}.svc:${BLACKBOX_PORT}`;
    const hosts = Object.entries(props.ingressHosts ?? {}).flatMap(([ui, host]) => (host ? [{ host, basicAuth: ui !== 'grafana' }] : []));
    // The services' probe jobs grow with the services: scrape config files in bounded ConfigMaps (charts/components/prometheus).
    const probeJobs = servicesProbeJobs(props.services ?? [], { ...timing, servicePaths: props.servicePaths }, exporter);
    this.scrapeConfigFiles = scrapeFilesOf(probeJobs);
    props.prometheus?.addScrapeConfigFiles(this.scrapeConfigFiles);
    this.jobs.push(...probeJobs.map((j) => j.job_name));
    const cm = props.certManager;
    this.scrapeConfigs = [
      podJob({ jobName: BLACKBOX_JOBS.exporter, namespace: ns, selector, port: 'http' }),
      ingressProbeJob(hosts, props.tls ?? true, timing, exporter),
      cm ? podJob({ jobName: BLACKBOX_JOBS.certManager, namespace: cm.namespace, selector: { ...cm.selector }, port: cm.port }) : undefined,
    ].filter((j): j is ScrapeConfig => j !== undefined);
    for (const job of this.scrapeConfigs) {
      props.prometheus?.addScrapeConfig(job);
      this.jobs.push(job.job_name);
    }
  }

  /** The config map, Service and Deployment. */
  private createWorkload(o: {
    ns: string;
    image: string;
    labels: Record<string, string>;
    selector: Record<string, string>;
    resources: Resources;
  }): k8s.KubeDeployment {
    const { labels, selector } = o;
    const metadata = { name: BLACKBOX_NAME, namespace: o.ns, labels };
    const configText = renderBlackboxConfig(this.config);
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { ...metadata, name: `${BLACKBOX_NAME}-config` },
      data: { 'blackbox.yml': configText },
    });
    new k8s.KubeService(this, 'service', {
      metadata,
      spec: { selector, ports: [{ name: 'http', port: BLACKBOX_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }] },
    });
    return new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(configText) } },
          spec: {
            automountServiceAccountToken: false, // probes only: no Kubernetes API access
            securityContext: podSecurity(UID),
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            terminationGracePeriodSeconds: 10,
            containers: [
              {
                name: BLACKBOX_NAME,
                image: o.image,
                imagePullPolicy: 'IfNotPresent',
                args: [`--config.file=${CONFIG_DIR}/blackbox.yml`, `--web.listen-address=:${BLACKBOX_PORT}`],
                ports: [{ name: 'http', containerPort: BLACKBOX_PORT, protocol: 'TCP' }],
                resources: resources(o.resources),
                securityContext: containerSecurity(),
                livenessProbe: httpProbe('/-/healthy', 'http', { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
                readinessProbe: httpProbe('/-/healthy', 'http', { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: `${BLACKBOX_NAME}-config` } }],
          },
        },
      },
    });
  }
}
