/**
 * Scrape job builders. Every job discovers its targets through the
 * Kubernetes API and relabels so series carry `job`, `namespace`, `pod`,
 * `container` and `node` (where they apply).
 */
import { durationMs } from '../spec/formats';
import type { BasicAuthConfig, RelabelConfig, ScrapeConfig } from '../core/prometheus-config';

export const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SA_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** `k1=v1,k2=v2`: the label selector syntax Kubernetes service discovery passes to the API server. */
export function selectorString(sel: Record<string, string>): string {
  return Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');
}

/** 32-bit FNV-1a: a stable hash for assigning services to parts and files to ConfigMaps. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Only running pods: a pending or finished pod has no endpoint to scrape. */
const RUNNING_PODS: RelabelConfig = { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Unknown', action: 'drop' };

/** Target labels describing the pod that serves the metrics. */
export const POD_LABELS: RelabelConfig[] = [
  { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
  { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
  { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
];

/** Keep only the discovered container port with this name or number. */
export function keepPort(port: string | number): RelabelConfig {
  return typeof port === 'number'
    ? { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(port), action: 'keep' }
    : { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: port, action: 'keep' };
}

/** Scrape timeout: the global timeout, capped at the interval (Prometheus rejects timeout > interval). */
export function timeoutFor(interval: string, globalTimeout: string): string {
  return (durationMs(interval) ?? 0) < (durationMs(globalTimeout) ?? 0) ? interval : globalTimeout;
}

export interface PodJobOptions {
  readonly jobName: string;
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly port: string | number;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
  readonly interval?: string;
  readonly timeout?: string;
  /** Extra relabelling after the standard pod labels. */
  readonly relabel?: RelabelConfig[];
  readonly metricRelabel?: RelabelConfig[];
  /** Attach the exporter pod's namespace/pod/container labels. @default true */
  readonly podLabels?: boolean;
  readonly honorLabels?: boolean;
  /** Credentials of a target that enforces basic auth (Prometheus, Alertmanager). */
  readonly basicAuth?: BasicAuthConfig;
}

/** A job that scrapes the pods matching a selector in one namespace. */
export function podJob(o: PodJobOptions): ScrapeConfig {
  const job: ScrapeConfig = {
    job_name: o.jobName,
    ...(o.honorLabels ? { honor_labels: true } : {}),
    ...(o.interval ? { scrape_interval: o.interval } : {}),
    ...(o.timeout ? { scrape_timeout: o.timeout } : {}),
    metrics_path: o.path ?? '/metrics',
    scheme: o.scheme ?? 'http',
    ...(o.basicAuth ? { basic_auth: o.basicAuth } : {}),
    kubernetes_sd_configs: [{
      role: 'pod',
      namespaces: { names: [o.namespace] },
      // No selector: every pod of the namespace (spec.services groups select by relabelling).
      ...(Object.keys(o.selector).length ? { selectors: [{ role: 'pod', label: selectorString(o.selector) }] } : {}),
    }],
    relabel_configs: [
      RUNNING_PODS,
      keepPort(o.port),
      ...(o.podLabels === false
        ? [{ source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' }]
        : POD_LABELS),
      ...(o.relabel ?? []),
    ],
  };
  if (o.metricRelabel?.length) job.metric_relabel_configs = o.metricRelabel;
  return job;
}

/** Use the node name as `instance`: node agents are identified by the node they watch. */
export const INSTANCE_IS_NODE: RelabelConfig = { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance' };

/** Pods annotated `prometheus.io/scrape: "true"` (with optional `prometheus.io/path`, `port`, `scheme`). */
export const ANNOTATED_PODS_JOB = 'kubernetes-pods';
export const ANNOTATED_SERVICES_JOB = 'kubernetes-service-endpoints';

export function annotatedPodsJob(namespaces?: readonly string[]): ScrapeConfig {
  return {
    job_name: ANNOTATED_PODS_JOB,
    kubernetes_sd_configs: [{ role: 'pod', ...(namespaces ? { namespaces: { names: [...namespaces] } } : {}) }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
      RUNNING_PODS,
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scheme'], regex: '(https?)', target_label: '__scheme__' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__meta_kubernetes_pod_ip', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
        regex: '(.+);(\\d+)', replacement: '$1:$2', target_label: '__address__',
      },
      ...POD_LABELS,
    ],
  };
}

/** Services annotated `prometheus.io/scrape: "true"`: every ready endpoint behind them. */
export function annotatedServicesJob(namespaces?: readonly string[]): ScrapeConfig {
  return {
    job_name: ANNOTATED_SERVICES_JOB,
    kubernetes_sd_configs: [{ role: 'endpointslice', ...(namespaces ? { namespaces: { names: [...namespaces] } } : {}) }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_endpointslice_endpoint_conditions_ready'], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scheme'], regex: '(https?)', target_label: '__scheme__' },
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__address__', '__meta_kubernetes_service_annotation_prometheus_io_port'],
        regex: '(.+?)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__',
      },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { source_labels: ['__meta_kubernetes_endpointslice_endpoint_node_name'], target_label: 'node' },
    ],
  };
}
