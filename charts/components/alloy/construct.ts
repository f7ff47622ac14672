/**
 * Grafana Alloy DaemonSet (`spec.logs.collector: alloy`): Promtail's
 * successor running the same log pipeline (charts/logs/pipeline.ts):
 *
 *   discovery.kubernetes (this node's pods) -> discovery.relabel (same rules
 *   as Promtail) -> local.file_match -> loki.source.file -> loki.process
 *   (stage.cri, JSON match stages, drop filename) -> loki.write (Loki)
 *
 * Tailing files on the node (not `loki.source.kubernetes`) keeps the kubelet
 * and API server out of the log path, like Promtail. The config is rendered
 * from typed blocks (charts/components/alloy/alloy-syntax.ts).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { apiReader } from '../../lib/rbac';
import { checksum, containerSecurity, httpProbe, resources, NODE_AGENT_SCHEDULING, NODE_AGENT_UPDATE_STRATEGY } from '../../lib/workload';
import { attr, block, expr, renderAlloy, stringLiteral, type AlloyBlock, type AlloyStatement } from './alloy-syntax';
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
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { INSTANCE_IS_NODE, podJob } from '../../lib/scrape';
import type { Resources } from '../../spec/common';
import { JOBS, PORTS } from '../../core/names';

export const ALLOY_PORT = PORTS.alloy;
export const CONFIG_DIR = '/etc/alloy';
/** Alloy's storage path holds the read positions of every file: a hostPath, so they survive pod restarts. */
export const STORAGE_DIR = '/var/lib/alloy';

/** A discovery.relabel `rule` block from a Prometheus-style relabel config. */
export function alloyRule(r: RelabelConfig): AlloyBlock {
  return block('rule', undefined, [
    ...attr('source_labels', r.source_labels),
    ...attr('separator', r.separator),
    ...attr('regex', r.regex),
    ...attr('modulus', r.modulus),
    ...attr('target_label', r.target_label),
    ...attr('replacement', r.replacement),
    ...attr('action', r.action),
  ]);
}

/** loki.process stages from the collector-neutral pipeline. */
export function alloyStages(stages: readonly LogStage[]): AlloyBlock[] {
  return stages.map((s): AlloyBlock => {
    switch (s.type) {
      case 'cri':
        return block('stage.cri', undefined, []);
      case 'match':
        return block('stage.match', undefined, [...attr('selector', s.selector), ...alloyStages(s.stages)]);
      case 'json':
        return block('stage.json', undefined, attr('expressions', Object.fromEntries(s.fields.map((f) => [f, f]))));
      case 'structured_metadata':
        return block('stage.structured_metadata', undefined, attr('values', Object.fromEntries(s.fields.map((f) => [f, f]))));
      case 'labeldrop':
        return block('stage.label_drop', undefined, attr('values', [...s.labels]));
    }
  });
}

/** The Alloy configuration as typed blocks. */
export function alloyConfigBlocks(spec: LogParsing, lokiPushUrl: string, push?: LogPushClient): AlloyBlock[] {
  const processBody: AlloyStatement[] = [...alloyStages(logStages(spec)), ...attr('forward_to', [expr('loki.write.loki.receiver')])];
  return [
    block('discovery.kubernetes', 'pods', [
      ...attr('role', 'pod'),
      block('selectors', undefined, [
        ...attr('role', 'pod'),
        ...attr('field', expr(`${stringLiteral(nodeFieldSelector(''))} + sys.env(${stringLiteral(NODE_NAME_ENV)})`)),
      ]),
    ]),
    block('discovery.relabel', 'pod_logs', [
      ...attr('targets', expr('discovery.kubernetes.pods.targets')),
      ...POD_LOG_RELABEL.map(alloyRule),
    ]),
    block('local.file_match', 'pod_logs', [
      ...attr('path_targets', expr('discovery.relabel.pod_logs.output')),
      ...attr('sync_period', '10s'),
    ]),
    block('loki.source.file', 'pod_logs', [
      ...attr('targets', expr('local.file_match.pod_logs.targets')),
      ...attr('forward_to', [expr('loki.process.pod_logs.receiver')]),
    ]),
    block('loki.process', 'pod_logs', processBody),
    lokiWriteBlock(lokiPushUrl, push),
  ];
}

/**
 * The `loki.write "loki"` block every Alloy pipeline of the stack pushes through;
 * with `push` (issue 12) the cluster stream label, the tenant and credentials by file.
 */
export function lokiWriteBlock(lokiPushUrl: string, push?: LogPushClient): AlloyBlock {
  return block('loki.write', 'loki', [
    ...(push && Object.keys(push.externalLabels).length ? attr('external_labels', push.externalLabels) : []),
    block('endpoint', undefined, [
      ...attr('url', lokiPushUrl),
      ...attr('tenant_id', push?.tenant),
      ...(push?.basic
        ? [block('basic_auth', undefined, [...attr('username', push.basic.username), ...attr('password_file', push.basic.passwordFile)])]
        : []),
      ...attr('bearer_token_file', push?.bearerTokenFile),
      ...(push?.caFile ? [block('tls_config', undefined, attr('ca_file', push.caFile))] : []),
      ...attr('batch_wait', '1s'),
      ...attr('batch_size', '1MiB'),
      ...attr('remote_timeout', '10s'),
      ...attr('min_backoff_period', '500ms'),
      ...attr('max_backoff_period', '1m'),
      ...attr('max_backoff_retries', 10),
    ]),
  ]);
}

export function renderAlloyConfig(spec: LogParsing, lokiPushUrl: string, push?: LogPushClient): string {
  return renderAlloy(
    alloyConfigBlocks(spec, lokiPushUrl, push),
    'Generated by cdk8s-ai-monitoring from monitoring.yaml (spec.logs): do not edit.\nSame pipeline and stream labels as the Promtail configuration.',
  );
}

/** Requests and limits of the Alloy container. */
export const ALLOY_RESOURCES = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '384Mi' } } as const;

/**
 * Grafana Alloy on every node, pushing the pods' logs to `loki` (the same pipeline and stream labels as Promtail).
 * Nothing of the stack's spec: the stack maps `spec.logs` onto these in one step (`alloyProps`, index.ts).
 */
export interface AlloyProps {
  /** Namespace of the DaemonSet: it mounts host paths and runs as root, so Pod Security "privileged". */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects (and the suffix of its storage directory on the hosts). @default 'monitoring' */
  readonly instance?: string;
  /** Where the logs are pushed (a Loki construct, or an external Loki's push URL and credentials). */
  readonly loki: ILogPush;
  /** Image, pinned to a version. @default IMAGES.alloy */
  readonly image?: string;
  /** Container requests and limits. @default ALLOY_RESOURCES */
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

export class Alloy extends Construct implements IScrapeTarget {
  public readonly port = ALLOY_PORT;
  public readonly jobs: readonly string[] = [JOBS.alloy];
  public readonly configText: string;
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** Its scrape job (node name as `instance`). */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: AlloyProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    const image = props.image ?? IMAGES.alloy;
    const labels = recommendedLabels({ name: 'alloy', instance, component: 'log-collector', version: imageVersion(image) });
    const selector = selectorLabels('alloy', instance);
    const metadata = (name: string) => ({ name, namespace: ns, labels });

    const push = logPushClient(props.loki, props.cluster, `${CONFIG_DIR}-refs`);
    this.configText = renderAlloyConfig(logParsing(props), props.loki.pushUrl, push);

    apiReader(this, { name: 'alloy', namespace: ns, instance, labels, rules: COLLECTOR_RBAC_RULES });

    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('alloy-config'), data: { 'config.alloy': this.configText } });

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: metadata('alloy'),
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: NODE_AGENT_UPDATE_STRATEGY,
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(this.configText) } },
          spec: {
            serviceAccountName: 'alloy',
            automountServiceAccountToken: true, // discovery.kubernetes calls the Kubernetes API
            ...NODE_AGENT_SCHEDULING,
            terminationGracePeriodSeconds: 30,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'alloy',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  'run',
                  `${CONFIG_DIR}/config.alloy`,
                  `--server.http.listen-addr=0.0.0.0:${ALLOY_PORT}`,
                  `--storage.path=${STORAGE_DIR}`,
                  '--disable-reporting',
                ],
                env: [{ name: NODE_NAME_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'http', containerPort: ALLOY_PORT, protocol: 'TCP' }],
                resources: resources(props.resources ?? ALLOY_RESOURCES),
                // Root (uid 0) but unprivileged, every capability dropped, read-only root filesystem: the kubelet
                // writes container log files root:root mode 0640, readable by their owner only.
                securityContext: containerSecurity({ runAsRoot: true }),
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 10 }),
                livenessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 5 }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'storage', mountPath: STORAGE_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'pods', mountPath: POD_LOG_DIR, readOnly: true },
                  ...push.refs.mounts(),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'alloy-config' } },
              ...push.refs.volumes(),
              { name: 'storage', hostPath: { path: `${STORAGE_DIR}-${instance}`, type: 'DirectoryOrCreate' } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
              { name: 'pods', hostPath: { path: POD_LOG_DIR, type: 'Directory' } },
            ],
          },
        },
      },
    });

    this.scrapeConfig = podJob({ jobName: JOBS.alloy, namespace: ns, selector, port: 'http', relabel: [INSTANCE_IS_NODE] });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}
