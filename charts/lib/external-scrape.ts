/**
 * Scraping an exporter another stack already runs (spec `external` sections,
 * charts/spec/external-target.ts): the scrape job, under the stack's own job
 * name so dashboards and alerts keep working, and the NetworkPolicy that lets
 * Prometheus reach it (the stack's default deny would cut it off otherwise).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { recommendedLabels, selectorLabels } from '../core/labels';
import type { RelabelConfig, ScrapeConfig } from '../core/prometheus-config';
import { keepPort, selectorString } from './scrape';

/** Where an exporter another stack runs is: a Service (its endpoints) or a pod selector, in one namespace, and the port. */
export interface ExternalExporter {
  /** The namespace it runs in. */
  readonly namespace: string;
  /** Its Service: every ready endpoint behind it is scraped. Set this or `selector`. */
  readonly service?: string;
  /** Or the labels of its pods (pod discovery), when it has no Service. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Labels of its pods, for the NetworkPolicy. @default `selector`, else any pod of the namespace */
  readonly podSelector?: Readonly<Record<string, string>>;
  /** The metrics port: its name or number on the Service (with service) or the container (with selector). */
  readonly port: string | number;
  /** Container port number behind a named port, for the NetworkPolicy. @default none: every port of the selected pods */
  readonly targetPort?: number;
  /** Its pods run on the host network: reached on the nodes' addresses. @default false */
  readonly hostNetwork?: boolean;
  /** @default 'http' */
  readonly scheme?: 'http' | 'https';
  /** @default '/metrics' */
  readonly path?: string;
}

export interface ExternalJobOptions {
  readonly jobName: string;
  readonly target: ExternalExporter;
  /** `node`: instance is the node name (node agents); a string: a fixed instance (kube-state-metrics). */
  readonly instance: 'node' | (string & {});
  /** Attach the exporter pod's namespace and pod as target labels (false where the exposed labels are the workload's). */
  readonly podLabels: boolean;
  readonly honorLabels?: boolean;
  readonly metricRelabel?: RelabelConfig[];
}

/**
 * The scrape job for an external exporter: endpointslice discovery of its
 * Service (EndpointSlices carry kubernetes.io/service-name, so the API server
 * filters them), or pod discovery by its labels, in its namespace only. The
 * `job` label is the stack's job name, whatever the other stack calls it.
 */
export function externalJob(o: ExternalJobOptions): ScrapeConfig {
  const t = o.target;
  const bySvc = t.service !== undefined;
  const nodeMeta = bySvc ? '__meta_kubernetes_endpointslice_endpoint_node_name' : '__meta_kubernetes_pod_node_name';
  const relabel: RelabelConfig[] = bySvc
    ? [
      { source_labels: ['__meta_kubernetes_service_name'], regex: t.service, action: 'keep' },
      { source_labels: ['__meta_kubernetes_endpointslice_endpoint_conditions_ready'], regex: 'true', action: 'keep' },
      typeof t.port === 'number'
        ? { source_labels: ['__meta_kubernetes_endpointslice_port'], regex: String(t.port), action: 'keep' }
        : { source_labels: ['__meta_kubernetes_endpointslice_port_name'], regex: t.port, action: 'keep' },
    ]
    : [
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Unknown', action: 'drop' },
      keepPort(t.port),
    ];
  relabel.push({ target_label: 'job', replacement: o.jobName });
  if (o.instance === 'node') {
    // Node agents: node and instance are the node the exporter runs on.
    relabel.push({ source_labels: [nodeMeta], target_label: 'node' }, { source_labels: [nodeMeta], target_label: 'instance' });
  } else {
    // A cluster-wide exporter: a fixed instance, and no node label (its series name their own node, if any).
    relabel.push({ target_label: 'instance', replacement: o.instance });
  }
  if (o.podLabels) {
    relabel.push({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' });
    relabel.push({ source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' });
  }
  const job: ScrapeConfig = {
    job_name: o.jobName,
    ...(o.honorLabels ? { honor_labels: true } : {}),
    metrics_path: t.path ?? '/metrics',
    scheme: t.scheme ?? 'http',
    kubernetes_sd_configs: [{
      role: bySvc ? 'endpointslice' : 'pod',
      namespaces: { names: [t.namespace] },
      selectors: bySvc
        ? [{ role: 'endpointslice', label: `kubernetes.io/service-name=${t.service}` }]
        : [{ role: 'pod', label: selectorString(t.selector as Record<string, string>) }],
    }],
    relabel_configs: relabel,
  };
  if (o.metricRelabel?.length) job.metric_relabel_configs = o.metricRelabel;
  return job;
}

export interface ExternalScrapePolicyProps {
  /** Prometheus' namespace (where the policy selects its pods). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of the policy and of Prometheus' pods. @default 'monitoring' */
  readonly instance?: string;
  /** The component whose exporter is external (names the policy: `prometheus-to-<name>`). */
  readonly name: string;
  readonly target: ExternalExporter;
  /** Node addresses, for host-network exporters. @default []: any address on the port */
  readonly nodeCidrs?: readonly string[];
}

/**
 * Egress from Prometheus to an external exporter. NetworkPolicies add up:
 * this one only widens Prometheus' own policy (charts/components/network-policies)
 * by the one destination. Host-network exporters are reached on the nodes'
 * addresses (a pod selector never matches host-network pods).
 */
export class ExternalScrapePolicy extends Construct {
  constructor(scope: Construct, id: string, props: ExternalScrapePolicyProps) {
    super(scope, id);
    const t = props.target;
    const instance = props.instance ?? 'monitoring';
    const nodeCidrs = props.nodeCidrs ?? [];
    const podSelector = t.podSelector ?? {};
    const portNumber = t.targetPort ?? (typeof t.port === 'number' ? t.port : undefined);
    const ports = portNumber !== undefined
      ? [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(portNumber) }]
      : t.selector !== undefined ? [{ protocol: 'TCP', port: k8s.IntOrString.fromString(String(t.port)) }] : undefined;
    const to: k8s.NetworkPolicyPeer[] | undefined = t.hostNetwork
      ? (nodeCidrs.length ? nodeCidrs.map((cidr) => ({ ipBlock: { cidr } })) : undefined)
      : [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.namespace } },
        ...(Object.keys(podSelector).length || t.selector
          ? { podSelector: { matchLabels: { ...(Object.keys(podSelector).length ? podSelector : t.selector) } } }
          : {}),
      }];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: {
        name: `prometheus-to-${props.name}`,
        namespace: props.namespace,
        labels: recommendedLabels({ name: 'network-policies', instance, component: 'network-policy' }),
      },
      spec: {
        podSelector: { matchLabels: selectorLabels('prometheus', instance) },
        policyTypes: ['Egress'],
        egress: [{ ...(to ? { to } : {}), ...(ports ? { ports } : {}) }],
      },
    });
  }
}
