/**
 * Cross-cutting names every layer agrees on (for the components not yet moved into their folder; a moved
 * component keeps its names in its folder's names.ts): component names
 * (app.kubernetes.io/name), Prometheus job names (the `job` label rules and
 * panels select), ports, Grafana datasource uids and folders, and where
 * runbook links point. A leaf module: it imports nothing.
 */

/** app.kubernetes.io/name of each component's workloads: the key of its NetworkPolicy. */
export const COMPONENT_NAMES = {
  prometheus: 'prometheus',
  cadvisor: 'cadvisor',
  kubeStateMetrics: 'kube-state-metrics',
  loki: 'loki',
  promtail: 'promtail',
  alloy: 'alloy',
  alertmanager: 'alertmanager',
  msteams: 'prometheus-msteams',
  grafana: 'grafana',
} as const;

/**
 * Prometheus scrape job names (the `job` label): a component's job is its name (COMPONENT_NAMES), plus the jobs
 * that are not a workload of their own.
 */
export const JOBS = {
  ...COMPONENT_NAMES,
  /** kube-state-metrics' own process and list/watch metrics (the object metrics are job kube-state-metrics). */
  kubeStateMetricsTelemetry: 'kube-state-metrics-telemetry',
  kubelet: 'kubelet',
} as const;

/** Container/Service ports. */
export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  alertmanagerCluster: 9094,
  msteams: 2000,
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  cadvisor: 8080,
  kubelet: 10250,
  lokiHttp: 3100,
  lokiGrpc: 9095,
  lokiMemberlist: 7946,
  promtail: 3101,
  alloy: 12345,
  grafana: 3000,
} as const;

export const KSM_NAME = COMPONENT_NAMES.kubeStateMetrics;
export const KSM_JOB = JOBS.kubeStateMetrics;
export const KSM_TELEMETRY_JOB = JOBS.kubeStateMetricsTelemetry;
export const KSM_METRICS_PORT = PORTS.kubeStateMetrics;
export const KSM_TELEMETRY_PORT = PORTS.kubeStateMetricsTelemetry;
export const KUBELET_JOB = JOBS.kubelet;

/** Grafana datasource uids (provisioned by the grafana component, referenced by every dashboard). */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', loki: 'loki', alertmanager: 'alertmanager' } as const;

/** Grafana folders, one dashboard provider each. */
export const FOLDERS = {
  infrastructure: 'Infrastructure',
  gpu: 'GPU',
  'ai-services': 'AI services',
  'data-stores': 'Data stores',
  logs: 'Logs',
  'monitoring-stack': 'Monitoring stack',
} as const;
export type FolderId = keyof typeof FOLDERS;

/** Where runbook_url annotations point: a section of docs/runbooks.md (anchor = lowercased alert name). */
export const RUNBOOK_BASE_URL = 'https://github.com/cdk8s-ai/cdk8s-ai-monitoring/blob/main/docs/runbooks.md';

export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE_URL}#${alert.toLowerCase()}`;
}
