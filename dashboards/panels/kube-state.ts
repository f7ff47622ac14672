/**
 * Panels fed by kube-state-metrics and the kubelets' volume stats, in the
 * dashboards' own model (MetricPanel, Row), and the rows the dashboards place:
 *
 * - `workloadStatusRow`: UP/DOWN of the declared services, one tile per job
 *   (scrape targets), and of the Deployments and StatefulSets of their
 *   namespaces (the seeds' "État Services"), on the Monitoring stack
 *   dashboard (every service) and on each service kind's dashboard (its own);
 * - `containerStateRow`: restarts, OOM kills and waiting containers, on the
 *   Containers dashboard;
 * - `volumesRow`: the stack's own volumes and the fullest claims, on the
 *   Monitoring stack dashboard.
 *
 * Gating: `kubeStatePanels(spec)` returns no kube-state panel unless
 * spec.kubeStateMetrics.enabled and no volume panel unless
 * spec.kubelet.volumeStats.enabled; the catalog (sources `kube-state-metrics`
 * and `kubelet`) gates the same panels again by the metrics they read, and
 * the synth-time checks parse every expression.
 */
import { KSM_JOB } from '../../charts/core/names';
import { SERVICE_KIND_LABEL } from '../../charts/core/service-kind';
import type { Spec } from '../../charts/spec-schema';
import { stackVolumeMatchers, volumeUsageExpr } from '../../charts/core/metrics';
import type { ServiceKind } from '../catalog';
import { type MetricPanel, type Row, upDown, upDownMappings, warnCrit } from '../lib';

const KSM = `job="${KSM_JOB}"`;
/** Kubernetes label whose value names the workload of a service (exposed by --metric-labels-allowlist). */
export const NAME_LABEL = 'app.kubernetes.io/name';
const NAME_LABEL_PROM = 'label_app_kubernetes_io_name';
const RATE = '$__rate_interval';

function sel(...matchers: string[]): string {
  return matchers.filter((m) => m !== '').join(', ');
}

/** Prometheus string literal of a label value (the spec already restricts values to [A-Za-z0-9_.-]). */
function quote(v: string): string {
  return JSON.stringify(v);
}

/** Matcher of the series of declared services: all of them, or those of one kind. */
function serviceKindMatcher(kind?: ServiceKind): string {
  return kind === undefined ? `${SERVICE_KIND_LABEL}!=""` : `${SERVICE_KIND_LABEL}=${quote(kind)}`;
}

/**
 * UP or DOWN for every declared service (of one kind), one tile per job: at
 * least one of its scrape targets answered the last scrape. Its size does not
 * depend on the number of services: the tiles come from the query, filtered
 * by the dashboard's $job variable.
 */
export function servicesUpPanel(kind?: ServiceKind): MetricPanel {
  return {
    type: 'stat',
    title: 'Services UP/DOWN',
    description:
      'One tile per declared service (job): UP when at least one of its pods answered the last scrape. A service with no running pod has no target, hence no tile: see the workloads panel.',
    unit: 'none',
    width: 12,
    thresholds: upDown(),
    mappings: upDownMappings(),
    noValue: 'no scrape target',
    queries: [{ expr: `max by (job) (up{${serviceKindMatcher(kind)}, job=~"$job"})`, legend: '{{job}}', instant: true }],
  };
}

/**
 * UP (at least one ready replica) or DOWN for every Deployment and
 * StatefulSet of the namespaces the selected services run in ($namespace),
 * one tile per workload named by its app.kubernetes.io/name (the seeds'
 * "État Services"): a workload scaled to zero or whose pods never start is
 * DOWN here while it has no scrape target at all.
 */
export function workloadsReadyPanel(): MetricPanel {
  const ns = 'namespace=~"$namespace"';
  const named = `${NAME_LABEL_PROM}!=""`;
  return {
    type: 'stat',
    title: 'Workloads UP/DOWN',
    description: `Deployments and StatefulSets labelled ${NAME_LABEL} in the namespaces of the selected services: UP when at least one replica is available (kube-state-metrics).`,
    unit: 'none',
    width: 12,
    thresholds: upDown(),
    mappings: upDownMappings(),
    noValue: 'no workload found',
    queries: [
      {
        expr: `max by (namespace, ${NAME_LABEL_PROM}) (kube_deployment_status_replicas_available{${sel(KSM, ns)}} * on (namespace, deployment) group_left (${NAME_LABEL_PROM}) kube_deployment_labels{${sel(KSM, ns, named)}}) > bool 0`,
        legend: `{{namespace}}/{{${NAME_LABEL_PROM}}}`,
        instant: true,
      },
      {
        expr: `max by (namespace, ${NAME_LABEL_PROM}) (kube_statefulset_status_replicas_ready{${sel(KSM, ns)}} * on (namespace, statefulset) group_left (${NAME_LABEL_PROM}) kube_statefulset_labels{${sel(KSM, ns, named)}}) > bool 0`,
        legend: `{{namespace}}/{{${NAME_LABEL_PROM}}}`,
        instant: true,
      },
    ],
  };
}

/** Extra matchers, e.g. the Containers dashboard's `namespace=~"$namespace", pod=~"$pod"`. */
export function restartsPanel(matchers = ''): MetricPanel {
  return {
    type: 'timeseries',
    title: 'Container restarts',
    description:
      'Restarts per container in each interval (kube-state-metrics; cAdvisor cannot see restarts). Only containers that restarted are drawn.',
    unit: 'short',
    min: 0,
    thresholds: [
      [null, 'green'],
      [1, 'orange'],
    ],
    queries: [
      {
        expr: `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${sel(KSM, matchers)}}[${RATE}])) > 0`,
        legend: '{{namespace}}/{{pod}}/{{container}}',
      },
    ],
  };
}

export function oomKillsPanel(matchers = ''): MetricPanel {
  return {
    type: 'timeseries',
    title: 'OOM kills',
    description:
      'Restarts whose termination reason was OOMKilled: the container used more memory than its limit. Compare with the memory working set against the limit.',
    unit: 'short',
    min: 0,
    thresholds: [
      [null, 'green'],
      [1, 'red'],
    ],
    queries: [
      {
        expr: `sum by (namespace, pod, container) ((increase(kube_pod_container_status_restarts_total{${sel(KSM, matchers)}}[${RATE}]) > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${sel(KSM, 'reason="OOMKilled"', matchers)}} == 1))`,
        legend: '{{namespace}}/{{pod}}/{{container}}',
      },
    ],
  };
}

export function waitingContainersPanel(matchers = ''): MetricPanel {
  return {
    type: 'timeseries',
    title: 'Containers waiting, by reason',
    description:
      'Containers that are not running and why: CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError, ... (kube-state-metrics).',
    unit: 'short',
    min: 0,
    thresholds: [
      [null, 'green'],
      [1, 'orange'],
    ],
    queries: [
      {
        expr: `sum by (namespace, pod, container, reason) (kube_pod_container_status_waiting_reason{${sel(KSM, matchers)}}) > 0`,
        legend: '{{namespace}}/{{pod}}/{{container}}: {{reason}}',
      },
    ],
  };
}

/** Usage of the stack's own volumes (Prometheus, Loki, Alertmanager, Grafana claims in spec.namespace). */
export function stackVolumesPanel(spec: Pick<Spec, 'namespace' | 'kubelet'>): MetricPanel {
  const v = spec.kubelet.volumeStats;
  return {
    type: 'timeseries',
    title: 'Monitoring volumes usage',
    description: `Used fraction of the stack's own volumes (kubelet volume stats). Prometheus holds its volume near spec.prometheus.retentionSize (85% by default); MonitoringStackVolumeFull fires above ${v.criticalPercent}% or when the 6h trend fills a volume within ${v.fullWithin}.`,
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: warnCrit(v.warningPercent / 100, v.criticalPercent / 100),
    queries: [{ expr: volumeUsageExpr(stackVolumeMatchers(spec.namespace)), legend: '{{persistentvolumeclaim}}' }],
  };
}

/** The fullest claims of the cluster. */
export function volumesPanel(spec: Pick<Spec, 'kubelet'>, top = 10): MetricPanel {
  const v = spec.kubelet.volumeStats;
  return {
    type: 'timeseries',
    title: `Persistent volumes usage (top ${top})`,
    description: `Used fraction of the fullest PersistentVolumeClaims (kubelet volume stats; only mounted claims report). Warning above ${v.warningPercent}%, critical above ${v.criticalPercent}%.`,
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: warnCrit(v.warningPercent / 100, v.criticalPercent / 100),
    queries: [{ expr: `topk(${top}, ${volumeUsageExpr()})`, legend: '{{namespace}}/{{persistentvolumeclaim}}' }],
  };
}

/**
 * workloads: UP/DOWN per workload of the services' namespaces; containers: restarts, OOM kills,
 * waiting containers (both kube-state-metrics); stack: the stack's own
 * volumes; cluster: the fullest claims (both kubelet volume stats).
 */
export type KubeStatePanels = Readonly<Record<'workloads' | 'containers' | 'stack' | 'cluster', MetricPanel[]>>;

/**
 * Every panel of this module for a spec, empty where the spec switches the
 * source off. `containerMatchers` narrows the container panels (the
 * Containers dashboard's variables).
 */
export function kubeStatePanels(spec: Spec, containerMatchers = ''): KubeStatePanels {
  const ksm = spec.kubeStateMetrics.enabled;
  const vol = spec.kubelet.volumeStats.enabled;
  return {
    workloads: ksm && spec.services.length ? [workloadsReadyPanel()] : [],
    containers: ksm ? [restartsPanel(containerMatchers), oomKillsPanel(containerMatchers), waitingContainersPanel(containerMatchers)] : [],
    stack: vol ? [stackVolumesPanel(spec)] : [],
    cluster: vol ? [volumesPanel(spec)] : [],
  };
}

// --- Rows the dashboards place (an empty row is dropped) ----------------------

export const WORKLOAD_STATUS_ROW = 'Workload status';
export const CONTAINER_STATE_ROW = 'Restarts and terminations';
export const VOLUMES_ROW = 'Persistent volumes';

/**
 * UP/DOWN of the declared services, or of those of one kind (a service
 * dashboard): by job from the scrape targets, by workload from
 * kube-state-metrics. Two panels whatever the number of services.
 */
export function workloadStatusRow(spec: Spec, kind?: ServiceKind): Row {
  const any = kind === undefined ? spec.services.length > 0 : spec.services.some((s) => s.kind === kind);
  return { title: WORKLOAD_STATUS_ROW, panels: any ? [servicesUpPanel(kind), ...kubeStatePanels(spec).workloads] : [] };
}

/** Restarts, OOM kills and waiting containers, a third of the width each. */
export function containerStateRow(spec: Spec, containerMatchers = ''): Row {
  return { title: CONTAINER_STATE_ROW, panels: kubeStatePanels(spec, containerMatchers).containers.map((p) => ({ ...p, width: 8 })) };
}

/** The stack's own volumes, then the fullest claims of the cluster. */
export function volumesRow(spec: Spec): Row {
  const { stack, cluster } = kubeStatePanels(spec);
  return { title: VOLUMES_ROW, panels: [...stack, ...cluster] };
}
