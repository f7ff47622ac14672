/**
 * Scraping an exporter another stack already runs (spec `external` sections,
 * charts/spec/external-target.ts): the scrape job, under the stack's own job
 * name so dashboards and alerts keep working, and the NetworkPolicy that lets
 * Prometheus reach it (the stack's default deny would cut it off otherwise).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { StackContext } from '../core/context';
import { recommendedLabels, selectorLabels } from '../core/labels';
import type { RelabelConfig, ScrapeConfig } from '../core/prometheus-config';
import type { ExternalTarget } from '../spec/external-target';
import { keepPort, selectorString } from './scrape';

export interface ExternalJobOptions {
  readonly jobName: string;
  readonly target: ExternalTarget;
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
    metrics_path: t.path,
    scheme: t.scheme,
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
  readonly context: StackContext;
  /** The component whose exporter is external (names the policy: `prometheus-to-<name>`). */
  readonly name: string;
  readonly target: ExternalTarget;
  /** spec.networkPolicies.nodeCidrs, for host-network exporters (empty: any address on the port). */
  readonly nodeCidrs: readonly string[];
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
    const { context: ctx, target: t } = props;
    const portNumber = t.targetPort ?? (typeof t.port === 'number' ? t.port : undefined);
    const ports = portNumber !== undefined
      ? [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(portNumber) }]
      : t.selector !== undefined ? [{ protocol: 'TCP', port: k8s.IntOrString.fromString(String(t.port)) }] : undefined;
    const to: k8s.NetworkPolicyPeer[] | undefined = t.hostNetwork
      ? (props.nodeCidrs.length ? props.nodeCidrs.map((cidr) => ({ ipBlock: { cidr } })) : undefined)
      : [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.namespace } },
        ...(Object.keys(t.podSelector).length || t.selector
          ? { podSelector: { matchLabels: Object.keys(t.podSelector).length ? t.podSelector : t.selector } }
          : {}),
      }];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: {
        name: `prometheus-to-${props.name}`,
        namespace: ctx.namespace,
        labels: recommendedLabels({ name: 'network-policies', instance: ctx.instance, component: 'network-policy' }),
      },
      spec: {
        podSelector: { matchLabels: selectorLabels('prometheus', ctx.instance) },
        policyTypes: ['Egress'],
        egress: [{ ...(to ? { to } : {}), ...(ports ? { ports } : {}) }],
      },
    });
  }
}
