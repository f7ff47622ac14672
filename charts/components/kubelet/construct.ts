/**
 * The kubelets as a scrape target: persistent volume usage
 * (`kubelet_volume_stats_*`, by namespace and claim) exists nowhere else.
 *
 * Every node's kubelet is discovered through the API (role node: address
 * InternalIP:10250) and scraped over HTTPS with Prometheus' ServiceAccount
 * token; the kubelet authorizes it through the `nodes/metrics` subresource of
 * Prometheus' ClusterRole. Only the series alerts and panels read are kept:
 * the kubelet's /metrics holds hundreds of families (REST client, runtime
 * operation histograms, ...) we would otherwise pay for on every node.
 */
import type { RelabelConfig, ScrapeConfig, TlsConfig } from '../../core/prometheus-config';
import { SA_CA, SA_TOKEN } from '../../lib/scrape';
import { KUBELET_JOB } from '../../core/names';
import { KUBELET_KEPT_METRICS } from '../../core/metrics';

export { KUBELET_JOB, KUBELET_KEPT_METRICS };

/** How Prometheus checks the kubelets' serving certificates (`spec.kubelet.tlsInsecureSkipVerify`). */
export interface KubeletTlsOptions {
  /** Skip verification (kubelets serving self-signed certificates). */
  readonly tlsInsecureSkipVerify: boolean;
}

/**
 * TLS to the kubelets: verified against the cluster CA unless the user opts
 * out. kubeadm kubelets serve a self-signed certificate unless
 * `serverTLSBootstrap: true` is set in their KubeletConfiguration (then the
 * kubelet-serving CSRs must be approved); without one of the two the scrape
 * fails with "x509: certificate signed by unknown authority".
 */
export function kubeletTls(k: KubeletTlsOptions): TlsConfig {
  return { ca_file: SA_CA, ...(k.tlsInsecureSkipVerify ? { insecure_skip_verify: true } : {}) };
}

/** Target labels of a kubelet: `node` and `instance` are the node name. */
export const KUBELET_TARGET_LABELS: RelabelConfig[] = [
  { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
  { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
];

/** Keep only the volume stats (metric_relabel_configs, applied to every scraped sample). */
export const KUBELET_METRIC_RELABEL: RelabelConfig[] = [{ source_labels: ['__name__'], regex: KUBELET_KEPT_METRICS, action: 'keep' }];

export function kubeletJob(k: KubeletTlsOptions): ScrapeConfig {
  return {
    job_name: KUBELET_JOB,
    scheme: 'https',
    metrics_path: '/metrics',
    authorization: { credentials_file: SA_TOKEN },
    tls_config: kubeletTls(k),
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: KUBELET_TARGET_LABELS,
    metric_relabel_configs: KUBELET_METRIC_RELABEL,
  };
}
