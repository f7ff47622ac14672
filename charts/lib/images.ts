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
