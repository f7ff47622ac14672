/**
 * Promtail DaemonSet: tails every container's log files on its node and
 * pushes them to Loki (`spec.logs.collector: promtail`, the default).
 *
 * Promtail reached end of life on 2 March 2026; 3.6.11 is its last release.
 * `spec.logs.collector: alloy` runs the same pipeline in Grafana Alloy
 * (charts/components/alloy/construct.ts) with the same stream labels.
 *
 * Discovery is limited to the node's own pods with the field selector
 * `spec.nodeName=${HOSTNAME}`, HOSTNAME coming from the downward API and
 * `-config.expand-env=true`. That flag runs envsubst over the whole file, so
 * every other `$` (relabel `$1`) and backslash is escaped before writing.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { apiReader } from '../../lib/rbac';
import { checksum, containerSecurity, httpProbe, resources, NODE_AGENT_SCHEDULING, NODE_AGENT_UPDATE_STRATEGY } from '../../lib/workload';
import {
  COLLECTOR_RBAC_RULES,
  LogStage,
  logParsing,
  logStages,
  NODE_NAME_ENV,
  nodeFieldSelector,
  POD_LOG_DIR,
  POD_LOG_RELABEL,
  type LogParsing,
} from '../../logs/pipeline';
import type { ILogPush, IScrapeJobs, IScrapeTarget } from '../../core/component';
import { logPushClient, type LogPushClient } from '../../logs/push';
import type { KubernetesSdConfig, RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { INSTANCE_IS_NODE, podJob } from '../../lib/scrape';
import type { Resources } from '../../spec/common';
import { JOBS, PORTS } from '../../core/names';

export const PROMTAIL_PORT = PORTS.promtail;
const CONFIG_DIR = '/etc/promtail';
/**
 * Positions survive pod restarts and node reboots (a hostPath under /var/lib,
 * on the node's disk; /run is a tmpfs on most distributions and is emptied at
 * boot), so no line is shipped twice or skipped.
 */
const POSITIONS_DIR = '/var/lib/promtail';

/** Typed subset of the Promtail 3.x configuration (https://grafana.com/docs/loki/latest/send-data/promtail/configuration/). */
export interface PromtailConfig {
  server: {
    http_listen_port: number;
    grpc_listen_port: number;
    log_level: 'debug' | 'info' | 'warn' | 'error';
    log_format?: 'logfmt' | 'json';
  };
  positions: { filename: string; sync_period?: string };
  clients: PromtailClient[];
  scrape_configs: PromtailScrapeConfig[];
  target_config?: { sync_period?: string };
}

export interface PromtailClient {
  url: string;
  tenant_id?: string;
  external_labels?: Record<string, string>;
  basic_auth?: { username: string; password_file: string };
  bearer_token_file?: string;
  tls_config?: { ca_file: string };
  batchwait?: string;
  batchsize?: number;
  timeout?: string;
  backoff_config?: { min_period?: string; max_period?: string; max_retries?: number };
}

export type PromtailStage =
  | { cri: Record<string, never> }
  | { match: { selector: string; pipeline_name?: string; stages: PromtailStage[] } }
  | { json: { expressions: Record<string, string> } }
  | { structured_metadata: Record<string, string> }
  | { labeldrop: string[] };

export interface PromtailScrapeConfig {
  job_name: string;
  pipeline_stages: PromtailStage[];
  kubernetes_sd_configs: KubernetesSdConfig[];
  relabel_configs: RelabelConfig[];
}

/** Promtail stages from the collector-neutral pipeline. */
export function promtailStages(stages: readonly LogStage[]): PromtailStage[] {
  return stages.map((s): PromtailStage => {
    switch (s.type) {
      case 'cri':
        return { cri: {} };
      case 'match':
        return { match: { selector: s.selector, stages: promtailStages(s.stages) } };
      case 'json':
        return { json: { expressions: Object.fromEntries(s.fields.map((f) => [f, f])) } };
      case 'structured_metadata':
        return { structured_metadata: Object.fromEntries(s.fields.map((f) => [f, f])) };
      case 'labeldrop':
        return { labeldrop: [...s.labels] };
    }
  });
}

/** Placeholder rendered in place of `${HOSTNAME}` before escaping. */
const NODE_PLACEHOLDER = 'PROMTAIL_NODE_NAME_PLACEHOLDER';

export function promtailConfig(spec: LogParsing, lokiPushUrl: string, push?: LogPushClient): PromtailConfig {
  return {
    server: { http_listen_port: PROMTAIL_PORT, grpc_listen_port: 0, log_level: 'info', log_format: 'logfmt' },
    positions: { filename: `${POSITIONS_DIR}/positions.yaml` },
    clients: [
      {
        url: lokiPushUrl,
        // Scale-out (issue 12): cluster stream label, tenant and credentials by file.
        ...(push?.tenant ? { tenant_id: push.tenant } : {}),
        ...(push && Object.keys(push.externalLabels).length ? { external_labels: push.externalLabels } : {}),
        ...(push?.basic ? { basic_auth: { username: push.basic.username, password_file: push.basic.passwordFile } } : {}),
        ...(push?.bearerTokenFile ? { bearer_token_file: push.bearerTokenFile } : {}),
        ...(push?.caFile ? { tls_config: { ca_file: push.caFile } } : {}),
        batchwait: '1s',
        batchsize: 1048576,
        timeout: '10s',
        // Retry for about 5 minutes while Loki restarts, then drop the batch rather than block the node's logs forever.
        backoff_config: { min_period: '500ms', max_period: '1m', max_retries: 10 },
      },
    ],
    target_config: { sync_period: '10s' },
    scrape_configs: [
      {
        job_name: 'kubernetes-pods',
        pipeline_stages: promtailStages(logStages(spec)),
        kubernetes_sd_configs: [
          {
            role: 'pod',
            selectors: [{ role: 'pod', field: nodeFieldSelector(NODE_PLACEHOLDER) }],
          },
        ],
        relabel_configs: [...POD_LOG_RELABEL],
      },
    ],
  };
}

/**
 * Escape text for Promtail's `-config.expand-env=true` (drone/envsubst):
 * `$$` is a literal `$`, and a backslash before `\` or `/` is dropped, so
 * every `$` and every backslash is doubled.
 */
export function escapeForExpandEnv(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\$/g, '$$$$');
}

/** The promtail.yaml text: escaped for envsubst, with `${HOSTNAME}` as the only variable reference. */
export function renderPromtailConfig(config: PromtailConfig): string {
  const text = escapeForExpandEnv(toYaml(config));
  return text.split(NODE_PLACEHOLDER).join(`\${${NODE_NAME_ENV}}`);
}

/** Requests and limits of the Promtail container. */
export const PROMTAIL_RESOURCES = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } as const;

/**
 * Promtail on every node, pushing the pods' logs to `loki`. Nothing of the stack's spec: the stack maps `spec.logs`
 * onto these in one step (`promtailProps`, index.ts).
 */
export interface PromtailProps {
  /** Namespace of the DaemonSet: it mounts host paths and runs as root, so Pod Security "privileged". */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects (and the suffix of its positions directory on the hosts). @default 'monitoring' */
  readonly instance?: string;
  /** Where the logs are pushed (a Loki construct, or an external Loki's push URL and credentials). */
  readonly loki: ILogPush;
  /** Image, pinned to a version. @default IMAGES.promtail */
  readonly image?: string;
  /** Container requests and limits. @default PROMTAIL_RESOURCES */
  readonly resources?: Resources;
  /** Parse JSON log lines of every pod in these namespaces. @default [] */
  readonly jsonNamespaces?: readonly string[];
  /** Parse JSON log lines of pods whose app label is one of these. @default [] */
  readonly jsonApps?: readonly string[];
  /** JSON fields kept as structured metadata. @default DEFAULT_JSON_FIELDS (level, trace_id, request_id) */
  readonly jsonFields?: readonly string[];
  /** The `cluster` label on every stream. @default none */
  readonly cluster?: string;
  /** Where its scrape job is added. @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

export class Promtail extends Construct implements IScrapeTarget {
  public readonly port = PROMTAIL_PORT;
  public readonly jobs: readonly string[] = [JOBS.promtail];
  public readonly config: PromtailConfig;
  public readonly configText: string;
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** Its scrape job (node name as `instance`). */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: PromtailProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    const image = props.image ?? IMAGES.promtail;
    const labels = recommendedLabels({ name: 'promtail', instance, component: 'log-collector', version: imageVersion(image) });
    const selector = selectorLabels('promtail', instance);
    const metadata = (name: string) => ({ name, namespace: ns, labels });

    const push = logPushClient(props.loki, props.cluster, `${CONFIG_DIR}-refs`);
    this.config = promtailConfig(logParsing(props), props.loki.pushUrl, push);
    this.configText = renderPromtailConfig(this.config);

    // --- RBAC: read-only discovery of pods (and their nodes).
    apiReader(this, { name: 'promtail', namespace: ns, instance, labels, rules: COLLECTOR_RBAC_RULES });

    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('promtail-config'), data: { 'promtail.yaml': this.configText } });

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: metadata('promtail'),
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: NODE_AGENT_UPDATE_STRATEGY,
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(this.configText) } },
          spec: {
            serviceAccountName: 'promtail',
            automountServiceAccountToken: true, // pod discovery calls the Kubernetes API
            ...NODE_AGENT_SCHEDULING,
            terminationGracePeriodSeconds: 30,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'promtail',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [`-config.file=${CONFIG_DIR}/promtail.yaml`, '-config.expand-env=true'],
                env: [{ name: NODE_NAME_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http', containerPort: PROMTAIL_PORT, protocol: 'TCP' }],
                resources: resources(props.resources ?? PROMTAIL_RESOURCES),
                // Root (uid 0) but unprivileged, every capability dropped, read-only root filesystem: the kubelet
                // writes /var/log/pods/*/*/*.log as root:root mode 0640, which only their owner can read, and the
                // positions file lives in a root-owned host directory.
                securityContext: containerSecurity({ runAsRoot: true }),
                readinessProbe: httpProbe('/ready', 'http', { periodSeconds: 10 }),
                livenessProbe: httpProbe('/ready', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 5 }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'positions', mountPath: POSITIONS_DIR },
                  { name: 'pods', mountPath: POD_LOG_DIR, readOnly: true },
                  ...push.refs.mounts(),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'promtail-config' } },
              ...push.refs.volumes(),
              { name: 'positions', hostPath: { path: `${POSITIONS_DIR}-${instance}`, type: 'DirectoryOrCreate' } },
              { name: 'pods', hostPath: { path: POD_LOG_DIR, type: 'Directory' } },
            ],
          },
        },
      },
    });

    this.scrapeConfig = podJob({ jobName: JOBS.promtail, namespace: ns, selector, port: 'http', relabel: [INSTANCE_IS_NODE] });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}
