/**
 * The log pipeline both collectors run, described once:
 *
 * 1. discover the pods of this node (Kubernetes pod role, field selector
 *    `spec.nodeName=<node>`);
 * 2. relabel each container to `namespace`, `pod`, `container`, `app`,
 *    `node_name`, `job` (`<namespace>/<app>`) and the `__path__` of its log
 *    files under /var/log/pods;
 * 3. parse the CRI line format (adds `stream`: stdout or stderr), optionally
 *    parse JSON lines of chosen namespaces or apps into structured metadata,
 *    and drop the per-file `filename` label (it adds a stream per container
 *    restart and no query needs it).
 *
 * `promtail.ts` renders this as Promtail YAML, `alloy.ts` as Alloy blocks.
 * Because both render the same rules, every LogQL query and dashboard works
 * unchanged whichever collector runs (test/unit/log-collectors.test.ts proves it
 * on the rendered configs).
 */
import { k8s } from 'cdk8s-plus-28';
import type { RelabelConfig } from '../core/prometheus-config';
import { checkLogQL } from '../core/query-check';

/** Where the kubelet writes container logs: /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log */
export const POD_LOG_DIR = '/var/log/pods';

/** Labels every log stream carries (besides `stream`, added by the CRI stage). */
export const STREAM_LABELS = ['namespace', 'pod', 'container', 'app', 'node_name', 'job'] as const;

/** Labels the pipeline stages add or remove, after relabelling. */
export const STAGE_ADDED_LABELS = ['stream'] as const;
export const DROPPED_LABELS = ['filename'] as const;

/** Environment variable holding the node name (downward API `spec.nodeName`). */
export const NODE_NAME_ENV = 'HOSTNAME';

/** What both collectors may read from the API: pods (and their nodes) for discovery; nothing else. */
export const COLLECTOR_RBAC_RULES: k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }];

/** Field selector limiting discovery to the collector's own node. */
export function nodeFieldSelector(nodeNameReference: string): string {
  return `spec.nodeName=${nodeNameReference}`;
}

const META = '__meta_kubernetes_';

/** Relabel rules from a discovered pod container to stream labels and the path of its log files. */
export const POD_LOG_RELABEL: readonly RelabelConfig[] = [
  // Workload name from the owning controller: ReplicaSet names end in the pod-template hash (alphabet bcdf...z2456789).
  {
    source_labels: [`${META}pod_controller_name`],
    regex: '([0-9a-z.-]+?)(-[bcdfghjklmnpqrstvwxz2456789]{6,10})?',
    target_label: '__tmp_controller_name',
  },
  // app: the first of app.kubernetes.io/name, app, the controller's name, the pod's name.
  {
    source_labels: [`${META}pod_label_app_kubernetes_io_name`, `${META}pod_label_app`, '__tmp_controller_name', `${META}pod_name`],
    regex: '^;*([^;]+)(;.*)?$',
    target_label: 'app',
  },
  { source_labels: [`${META}namespace`], target_label: 'namespace' },
  { source_labels: [`${META}pod_name`], target_label: 'pod' },
  { source_labels: [`${META}pod_container_name`], target_label: 'container' },
  { source_labels: [`${META}pod_node_name`], target_label: 'node_name' },
  { source_labels: ['namespace', 'app'], separator: '/', target_label: 'job' },
  {
    source_labels: [`${META}pod_uid`, `${META}pod_container_name`],
    separator: '/',
    replacement: `${POD_LOG_DIR}/*$1/*.log`,
    target_label: '__path__',
  },
  // Static (mirror) pods: the kubelet names their log directory after the config hash, not the API server's uid.
  {
    source_labels: [
      `${META}pod_annotationpresent_kubernetes_io_config_hash`,
      `${META}pod_annotation_kubernetes_io_config_hash`,
      `${META}pod_container_name`,
    ],
    separator: '/',
    regex: 'true/(.*)',
    replacement: `${POD_LOG_DIR}/*$1/*.log`,
    target_label: '__path__',
  },
];

/** Which log lines the collectors parse as JSON, and the fields kept as structured metadata (`spec.logs`). */
export interface LogParsing {
  /** Parse JSON log lines of every pod in these namespaces. */
  readonly jsonNamespaces: readonly string[];
  /** Parse JSON log lines of pods whose app label is one of these. */
  readonly jsonApps: readonly string[];
  /** Top-level JSON fields attached to each parsed line as structured metadata. */
  readonly jsonFields: readonly string[];
}

/** The JSON fields kept by default. */
export const DEFAULT_JSON_FIELDS: readonly string[] = ['level', 'trace_id', 'request_id'];

/** A collector's parsing props, defaulted (no JSON parsing, DEFAULT_JSON_FIELDS). */
export function logParsing(p: Partial<LogParsing>): LogParsing {
  return { jsonNamespaces: p.jsonNamespaces ?? [], jsonApps: p.jsonApps ?? [], jsonFields: p.jsonFields ?? DEFAULT_JSON_FIELDS };
}

/** Collector-neutral pipeline stages. */
export type LogStage =
  | { readonly type: 'cri' }
  | { readonly type: 'match'; readonly selector: string; readonly stages: readonly LogStage[] }
  | { readonly type: 'json'; readonly fields: readonly string[] }
  | { readonly type: 'structured_metadata'; readonly fields: readonly string[] }
  | { readonly type: 'labeldrop'; readonly labels: readonly string[] };

function regexAlternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** LogQL stream selectors of the JSON parsing stages: namespaces first, then apps outside those namespaces. */
export function jsonSelectors(spec: Pick<LogParsing, 'jsonNamespaces' | 'jsonApps'>): string[] {
  const out: string[] = [];
  const ns = regexAlternation(spec.jsonNamespaces);
  if (spec.jsonNamespaces.length) out.push(`{namespace=~${JSON.stringify(ns)}}`);
  if (spec.jsonApps.length) {
    const apps = JSON.stringify(regexAlternation(spec.jsonApps));
    out.push(spec.jsonNamespaces.length ? `{app=~${apps}, namespace!~${JSON.stringify(ns)}}` : `{app=~${apps}}`);
  }
  return out;
}

/** The stages, in order, for a logs spec. Every match selector is parsed as LogQL. */
export function logStages(spec: LogParsing): LogStage[] {
  const json: LogStage[] = [
    { type: 'json', fields: spec.jsonFields },
    { type: 'structured_metadata', fields: spec.jsonFields },
  ];
  const selectors = jsonSelectors(spec);
  selectors.forEach((s, i) => checkLogQL(s, `log pipeline JSON match stage ${i + 1} (spec.logs.jsonNamespaces / jsonApps)`));
  return [
    { type: 'cri' },
    ...selectors.map((selector): LogStage => ({ type: 'match', selector, stages: json })),
    { type: 'labeldrop', labels: DROPPED_LABELS },
  ];
}
