/**
 * Metric facts shared by constructs, rules and dashboards: what the exporters
 * expose (kube-state-metrics' allowlist, the kubelet series kept) and the
 * PromQL of kubelet volume usage. Leaf module: imports only charts/core.
 */
import { KUBELET_JOB } from './names';

/**
 * The metric families kube-state-metrics exposes (`--metric-allowlist`), by
 * kind. Each is read by an alert in charts/components/kube-state-metrics/rules.ts, a panel in
 * dashboards/panels/kube-state.ts, or is a standard dashboard input
 * (requests/limits, node allocatable and conditions). Anything else: add it
 * to `spec.kubeStateMetrics.extraMetrics`.
 */
export const KSM_METRICS: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'kube_pod_info',
    'kube_pod_owner',
    'kube_pod_labels',
    'kube_pod_status_phase',
    'kube_pod_status_ready',
    'kube_pod_container_info',
    'kube_pod_container_status_ready',
    'kube_pod_container_status_restarts_total',
    'kube_pod_container_status_waiting_reason',
    'kube_pod_container_status_last_terminated_reason',
    'kube_pod_container_resource_requests',
    'kube_pod_container_resource_limits',
  ],
  deployments: [
    'kube_deployment_labels',
    'kube_deployment_spec_replicas',
    'kube_deployment_status_replicas_available',
    'kube_deployment_status_replicas_unavailable',
    'kube_deployment_status_replicas_updated',
  ],
  statefulsets: [
    'kube_statefulset_labels',
    'kube_statefulset_replicas',
    'kube_statefulset_status_replicas_ready',
    'kube_statefulset_status_replicas_updated',
  ],
  daemonsets: [
    'kube_daemonset_status_desired_number_scheduled',
    'kube_daemonset_status_current_number_scheduled',
    'kube_daemonset_status_number_misscheduled',
    'kube_daemonset_status_number_ready',
  ],
  jobs: ['kube_job_owner', 'kube_job_failed', 'kube_job_status_active', 'kube_job_status_start_time'],
  cronjobs: [
    'kube_cronjob_spec_suspend',
    'kube_cronjob_status_active',
    'kube_cronjob_status_last_schedule_time',
    'kube_cronjob_status_last_successful_time',
  ],
  nodes: ['kube_node_info', 'kube_node_spec_unschedulable', 'kube_node_status_condition', 'kube_node_status_allocatable'],
  persistentvolumeclaims: [
    'kube_persistentvolumeclaim_info',
    'kube_persistentvolumeclaim_status_phase',
    'kube_persistentvolumeclaim_resource_requests_storage_bytes',
  ],
  namespaces: ['kube_namespace_status_phase'],
};

/** Metric names kept from the kubelet's /metrics (an RE2 regex, anchored by Prometheus): the volume stats only. */
export const KUBELET_KEPT_METRICS = 'kubelet_volume_stats_.+';

/** Components of the stack that own PersistentVolumeClaims in spec.namespace (data-prometheus-0, storage-loki-0, ...). */
export const STACK_VOLUME_COMPONENTS = ['prometheus', 'loki', 'alertmanager', 'grafana'] as const;

/** Claim names of the stack's components: the component name as a whole dash-separated word. */
export const STACK_PVC_REGEX = `(.+-)?(${STACK_VOLUME_COMPONENTS.join('|')})(-.+)?`;

const KUBELET = `job="${KUBELET_JOB}"`;

/** Usage ratio (0-1) of every claim, one series per claim even when several nodes mount it. */
export function volumeUsageExpr(matchers = ''): string {
  const sel = `${KUBELET}${matchers ? `,${matchers}` : ''}`;
  return `max by (namespace, persistentvolumeclaim) (1 - kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}})`;
}

export function stackVolumeMatchers(namespace: string): string {
  return `namespace="${namespace}",persistentvolumeclaim=~"${STACK_PVC_REGEX}"`;
}
