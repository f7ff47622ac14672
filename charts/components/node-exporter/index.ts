/** Registry entry: node-exporter. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { NodeExporter } from './construct';
import { ExternalScrapePolicy, externalJob } from '../../lib/external-scrape';
import { hostRules } from './rules';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'node-exporter',
  workload: true,
  image: 'nodeExporter',
  files: ['20-node-exporter'],
  ports: { metrics: PORTS.nodeExporter },
  jobs: [JOBS.nodeExporter],
  ruleAreas: [hostRules],
  flows: [
    { from: 'prometheus', to: { external: 'nodes' }, ports: tcp(PORTS.nodeExporter), why: 'node-exporter on the host network', requires: 'node-exporter' },
  ],
  enabled: (spec) => spec.nodeExporter.enabled,
  build: ({ chart, context, spec, prometheus }) => {
    if (spec.nodeExporter.mode === 'external') {
      // Another stack's node-exporter, scraped as job node-exporter with instance = node (as ours): the host rules and
      // dashboards select on those. It usually runs on the host network: reached on the nodes' addresses.
      prometheus.addScrapeConfig(externalJob({ jobName: JOBS.nodeExporter, target: spec.nodeExporter.external, instance: 'node', podLabels: true }));
      if (spec.networkPolicies.enabled) {
        new ExternalScrapePolicy(chart('20-node-exporter', 'node-exporter'), 'external', {
          context, name: 'node-exporter', target: spec.nodeExporter.external, nodeCidrs: spec.networkPolicies.nodeCidrs,
        });
      }
      return undefined;
    }
    return new NodeExporter(chart('20-node-exporter', 'node-exporter'), 'node-exporter', { context, spec: spec.nodeExporter, prometheus });
  },
};
