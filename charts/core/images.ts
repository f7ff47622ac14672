/**
 * Every container image the stack deploys, pinned to an exact version in one
 * place. Users override one with `spec.<component>.image`; `latest` is refused
 * by the spec schema and by the security gate over dist/.
 */
export const IMAGES = {
  /** Prometheus 3.5 is the 2025 long-term-support line. */
  prometheus: 'quay.io/prometheus/prometheus:v3.5.0',
  nodeExporter: 'quay.io/prometheus/node-exporter:v1.9.1',
  cadvisor: 'gcr.io/cadvisor/cadvisor:v0.52.1',
  /** DCGM exporter 4.4.2-4.7.1 (DCGM 4.4.2); the ubuntu22.04 variant ships the linker cache the 4.x startup check reads. */
  dcgmExporter: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.4.2-4.7.1-ubuntu22.04',
  /**
   * kube-state-metrics 2.17: /livez on the metrics port, /readyz on the telemetry port (since 2.13),
   * --auto-gomemlimit (since 2.13). Not 2.18+: kube-state-metrics issue #2867 (open) reports more
   * than twice the memory of 2.17 on the same cluster.
   */
  kubeStateMetrics: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0',
  /** Loki 3.7, single binary (tsdb + v13 schema). */
  loki: 'docker.io/grafana/loki:3.7.8',
  /** The last Promtail release: Grafana published no Promtail image after 3.6.11 (end of life 2 March 2026). */
  promtail: 'docker.io/grafana/promtail:3.6.11',
  /** Grafana Alloy, Promtail's successor (`spec.logs.collector: alloy`). */
  alloy: 'docker.io/grafana/alloy:v1.20.1',
  /** 0.28 is the first release with msteamsv2_configs (Teams Workflows). */
  alertmanager: 'quay.io/prometheus/alertmanager:v0.28.1',
  /** 1.5.x posts Adaptive Cards to Teams Workflows webhooks. */
  prometheusMsteams: 'quay.io/prometheusmsteams/prometheus-msteams:v1.5.2',
  /** Init container of the Teams bridge: renders the connectors file from the webhook Secrets (sh + awk). */
  busybox: 'docker.io/library/busybox:1.37.0',
  /**
   * The volumesnapshot backup CronJob (spec.backup): Kubernetes' own kubectl image, on debian-base with bash,
   * coreutils, grep, sed, jq (build/server-image/kubectl/Dockerfile); any kubectl within one minor of the API server.
   */
  kubectl: 'registry.k8s.io/kubectl:v1.34.2',
  /** Last 12.x minor (Grafana 13 saves dashboards in the v2 schema; file provisioning here ships v1 JSON). */
  grafana: 'docker.io/grafana/grafana:12.4.3',
} as const;

export type ImageKey = keyof typeof IMAGES;

/** The tag of an image reference (`v3.5.0`), or `digest` for digest-only references. */
export function imageVersion(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(colon + 1) : 'digest';
}
