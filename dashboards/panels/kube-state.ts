/**
 * Panels fed by kube-state-metrics and the kubelets' volume stats, as plain
 * typed definitions for the dashboards to place:
 *
 * - `workloadStatusPanels`: UP/DOWN of the Deployments and StatefulSets of
 *   each declared service (the seeds' "État Services");
 * - `restartsPanel`, `oomKillsPanel`, `waitingContainersPanel`: the
 *   Containers dashboard;
 * - `stackVolumesPanel` (Monitoring stack dashboard) and `volumesPanel`.
 *
 * The shapes follow the dashboards' MetricPanel (type, title, description,
 * unit, thresholds as [value, colour] steps, queries); `mappings` and
 * `noValue` are extra display hints for stat panels. Every expression is
 * parsed by test/kube-state.test.ts.
 */
import { KSM_JOB } from '../../charts/kube-state-metrics';
import type { ServiceSpec, Spec } from '../../charts/spec/schema';
import { stackVolumeMatchers, volumeUsageExpr } from '../../rules/kubernetes';

export type Steps = readonly (readonly [number | null, string])[];

export interface KsmQuery {
  readonly expr: string;
  readonly legend?: string;
  /** Evaluate at the end of the range only (stat panels). */
  readonly instant?: boolean;
}

export interface KsmPanel {
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  /** Grafana unit id. */
  readonly unit: string;
  readonly thresholds: Steps;
  readonly queries: readonly KsmQuery[];
  readonly min?: number;
  readonly max?: number;
  /** Value -> text (and colour) for stat panels. */
  readonly mappings?: readonly { readonly value: number; readonly text: string; readonly color: string }[];
  /** Text shown when a query returns nothing. */
  readonly noValue?: string;
}

const KSM = `job="${KSM_JOB}"`;
/** Kubernetes label whose value names the workload of a service (exposed by --metric-labels-allowlist). */
export const NAME_LABEL = 'app.kubernetes.io/name';
const NAME_LABEL_PROM = 'label_app_kubernetes_io_name';
const RATE = '$__rate_interval';

const UP_DOWN: KsmPanel['mappings'] = [
  { value: 0, text: 'DOWN', color: 'red' },
  { value: 1, text: 'UP', color: 'green' },
];

function sel(...matchers: string[]): string {
  return matchers.filter((m) => m !== '').join(', ');
}

/** Prometheus string literal of a label value (the spec already restricts values to [A-Za-z0-9_.-]). */
function quote(v: string): string {
  return JSON.stringify(v);
}

/**
 * UP (at least one ready replica) or DOWN, for every Deployment and
 * StatefulSet of a service: those in its namespace whose
 * app.kubernetes.io/name label equals the value its selector uses. A
 * selector without app.kubernetes.io/name falls back to the service's scrape
 * targets (`up`).
 */
export function workloadStatusPanel(s: ServiceSpec): KsmPanel {
  const name = s.selector[NAME_LABEL];
  if (name === undefined) {
    return {
      type: 'stat',
      title: s.name,
      description: `Scrape targets of job ${s.name} (its selector has no ${NAME_LABEL}, so its workloads cannot be matched): UP when at least one target answers.`,
      unit: 'none',
      thresholds: [[null, 'red'], [1, 'green']],
      mappings: UP_DOWN,
      noValue: 'DOWN',
      queries: [{ expr: `max(up{job=${quote(s.name)}})`, legend: 'scrape targets', instant: true }],
    };
  }
  const ns = `namespace=${quote(s.namespace)}`;
  const byName = `${NAME_LABEL_PROM}=${quote(name)}`;
  return {
    type: 'stat',
    title: s.name,
    description: `Deployments and StatefulSets labelled ${NAME_LABEL}=${name} in namespace ${s.namespace}: UP when at least one replica is available (kube-state-metrics).`,
    unit: 'none',
    thresholds: [[null, 'red'], [1, 'green']],
    mappings: UP_DOWN,
    noValue: 'no workload found',
    queries: [
      {
        expr: `max by (namespace, deployment) (kube_deployment_status_replicas_available{${sel(KSM, ns)}} * on (namespace, deployment) group_left () kube_deployment_labels{${sel(KSM, ns, byName)}}) > bool 0`,
        legend: '{{deployment}}',
        instant: true,
      },
      {
        expr: `max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{${sel(KSM, ns)}} * on (namespace, statefulset) group_left () kube_statefulset_labels{${sel(KSM, ns, byName)}}) > bool 0`,
        legend: '{{statefulset}}',
        instant: true,
      },
    ],
  };
}

export function workloadStatusPanels(spec: Pick<Spec, 'services'>): KsmPanel[] {
  return spec.services.map(workloadStatusPanel);
}

/** Extra matchers, e.g. the Containers dashboard's `namespace=~"$namespace", pod=~"$pod"`. */
export function restartsPanel(matchers = ''): KsmPanel {
  return {
    type: 'timeseries',
    title: 'Container restarts',
    description: 'Restarts per container in each interval (kube-state-metrics; cAdvisor cannot see restarts). Only containers that restarted are drawn.',
    unit: 'short',
    min: 0,
    thresholds: [[null, 'green'], [1, 'orange']],
    queries: [{
      expr: `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${sel(KSM, matchers)}}[${RATE}])) > 0`,
      legend: '{{namespace}}/{{pod}}/{{container}}',
    }],
  };
}

export function oomKillsPanel(matchers = ''): KsmPanel {
  return {
    type: 'timeseries',
    title: 'OOM kills',
    description: 'Restarts whose termination reason was OOMKilled: the container used more memory than its limit. Compare with the memory working set against the limit.',
    unit: 'short',
    min: 0,
    thresholds: [[null, 'green'], [1, 'red']],
    queries: [{
      expr: `sum by (namespace, pod, container) ((increase(kube_pod_container_status_restarts_total{${sel(KSM, matchers)}}[${RATE}]) > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${sel(KSM, 'reason="OOMKilled"', matchers)}} == 1))`,
      legend: '{{namespace}}/{{pod}}/{{container}}',
    }],
  };
}

export function waitingContainersPanel(matchers = ''): KsmPanel {
  return {
    type: 'timeseries',
    title: 'Containers waiting, by reason',
    description: 'Containers that are not running and why: CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError, ... (kube-state-metrics).',
    unit: 'short',
    min: 0,
    thresholds: [[null, 'green'], [1, 'orange']],
    queries: [{
      expr: `sum by (namespace, pod, container, reason) (kube_pod_container_status_waiting_reason{${sel(KSM, matchers)}}) > 0`,
      legend: '{{namespace}}/{{pod}}/{{container}}: {{reason}}',
    }],
  };
}

/** Usage of the stack's own volumes (Prometheus, Loki, Alertmanager, Grafana claims in spec.namespace). */
export function stackVolumesPanel(spec: Pick<Spec, 'namespace' | 'kubelet'>): KsmPanel {
  const v = spec.kubelet.volumeStats;
  return {
    type: 'timeseries',
    title: 'Monitoring volumes usage',
    description: `Used fraction of the stack's own volumes (kubelet volume stats). Prometheus holds its volume near spec.prometheus.retentionSize (85% by default); MonitoringStackVolumeFull fires above ${v.criticalPercent}% or when the 6h trend fills a volume within ${v.fullWithin}.`,
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: [[null, 'green'], [v.warningPercent / 100, 'orange'], [v.criticalPercent / 100, 'red']],
    queries: [{ expr: volumeUsageExpr(stackVolumeMatchers(spec.namespace)), legend: '{{persistentvolumeclaim}}' }],
  };
}

/** The fullest claims of the cluster. */
export function volumesPanel(spec: Pick<Spec, 'kubelet'>, top = 10): KsmPanel {
  const v = spec.kubelet.volumeStats;
  return {
    type: 'timeseries',
    title: `Persistent volumes usage (top ${top})`,
    description: `Used fraction of the fullest PersistentVolumeClaims (kubelet volume stats; only mounted claims report). Warning above ${v.warningPercent}%, critical above ${v.criticalPercent}%.`,
    unit: 'percentunit',
    min: 0,
    max: 1,
    thresholds: [[null, 'green'], [v.warningPercent / 100, 'orange'], [v.criticalPercent / 100, 'red']],
    queries: [{ expr: `topk(${top}, ${volumeUsageExpr()})`, legend: '{{namespace}}/{{persistentvolumeclaim}}' }],
  };
}

/** Every panel of this module for a spec (for checks and for the dashboards to pick from). */
export function kubeStatePanels(spec: Spec): { workloads: KsmPanel[]; containers: KsmPanel[]; stack: KsmPanel[]; cluster: KsmPanel[] } {
  return {
    workloads: spec.kubeStateMetrics.enabled ? workloadStatusPanels(spec) : [],
    containers: spec.kubeStateMetrics.enabled ? [restartsPanel(), oomKillsPanel(), waitingContainersPanel()] : [],
    stack: spec.kubelet.volumeStats.enabled ? [stackVolumesPanel(spec)] : [],
    cluster: spec.kubelet.volumeStats.enabled ? [volumesPanel(spec)] : [],
  };
}
