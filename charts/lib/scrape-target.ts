/**
 * A scrape target added by a library user, with its network flow: the scrape
 * job (endpointslice discovery of a Service, or pod discovery by labels, in
 * the target's namespace only) and, when the stack's NetworkPolicies are on,
 * the egress policy that lets Prometheus reach it. `prometheus.addScrapeConfig`
 * alone adds a job the default deny then blocks; this adds both.
 *
 *   addScrapeTarget(stack, { jobName: 'my-exporter', namespace: 'default', service: 'my-exporter', port: 9100 });
 */
import { Chart } from 'cdk8s';
import type { MonitoringStack } from '../stack';
import { ExternalScrapePolicy, externalJob, type ExternalExporter } from './external-scrape';

export interface ScrapeTargetOptions {
  /** The job label of the series (a Prometheus job name). */
  readonly jobName: string;
  /** The namespace the target runs in. */
  readonly namespace: string;
  /** Scrape every ready endpoint of this Service... */
  readonly service?: string;
  /** ...or the pods with these labels. */
  readonly selector?: Record<string, string>;
  /** The metrics port: its name or number on the Service (with service) or the container (with selector). */
  readonly port: string | number;
  /** The container port number behind a named port, so the NetworkPolicy names it (else every port of the pods). */
  readonly targetPort?: number;
  /** Labels of the target pods for the NetworkPolicy (default: `selector`, else any pod of the namespace). */
  readonly podSelector?: Record<string, string>;
  readonly path?: string;
  readonly scheme?: 'http' | 'https';
}

export function addScrapeTarget(stack: MonitoringStack, o: ScrapeTargetOptions): void {
  if ((o.service === undefined) === (o.selector === undefined)) throw new Error(`addScrapeTarget ${o.jobName}: set exactly one of service or selector`);
  const target: ExternalExporter = {
    namespace: o.namespace, service: o.service, selector: o.selector, podSelector: o.podSelector ?? {},
    port: o.port, targetPort: o.targetPort, hostNetwork: false, scheme: o.scheme ?? 'http', path: o.path ?? '/metrics',
  };
  const job = externalJob({ jobName: o.jobName, target, instance: '', podLabels: true });
  // Each pod or endpoint is its own instance (its address), as for the stack's own services.
  job.relabel_configs = job.relabel_configs?.filter((r) => r.target_label !== 'instance');
  stack.prometheus.addScrapeConfig(job);
  const policies = stack.networkPolicies;
  if (policies) {
    new ExternalScrapePolicy(Chart.of(policies), `scrape-target-${o.jobName}`, { namespace: stack.context.namespace, instance: stack.context.instance, name: o.jobName, target, nodeCidrs: [] });
  }
}
