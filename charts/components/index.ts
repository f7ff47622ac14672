/**
 * The public exports of every component folder: its construct and the construct's props (part of the registry:
 * one line per component, beside charts/registry.ts). Internal constants stay in their folder.
 */
export { Alertmanager, type AlertmanagerProps } from './alertmanager/construct';
export { AlloyEvents, type AlloyEventsProps } from './alloy-events/construct';
export { Alloy, type AlloyProps } from './alloy/construct';
export { ArgoCdApplication, type ArgoCdApplicationProps } from './argocd/construct';
export { Backup, type BackupProps } from './backup/construct';
export { BlackboxExporter, type BlackboxExporterProps, type CertManagerTarget, type ProbedService } from './blackbox-exporter/construct';
export { Cadvisor, type CadvisorProps } from './cadvisor/construct';
export { AcmeClusterIssuer, type AcmeClusterIssuerProps } from './cluster-issuer/construct';
export { DcgmExporter, type DcgmExporterProps } from './dcgm-exporter/construct';
export {
  type CreatedGateway,
  type GatewayParentRef,
  GatewayProxyPolicy,
  type GatewayProxyPolicyProps,
  GatewayRoutes,
  type GatewayRoutesProps,
} from './gateway/construct';
export { Grafana, GrafanaDashboards, type GrafanaDashboardsProps, type GrafanaProps } from './grafana/construct';
export { Ingresses, type IngressesProps } from './ingress/construct';
export { KubeStateMetrics, type KubeStateMetricsProps } from './kube-state-metrics/construct';
export { ExternalLoki, Loki, type LokiProps } from './loki/construct';
export { Namespaces, type NamespacesProps } from './namespaces/construct';
export { NetworkPolicies, type NetworkPoliciesProps } from './network-policies/construct';
export { NodeExporter, type NodeExporterProps } from './node-exporter/construct';
export { Operator, type OperatorProps } from './operator/construct';
export { CriticalPodsQuota, type PlatformObjectsProps } from './platform/construct';
export { PrometheusMsTeams, type PrometheusMsTeamsProps } from './prometheus-msteams/construct';
export { Prometheus, type PrometheusProps } from './prometheus/construct';
export { Promtail, type PromtailProps } from './promtail/construct';
