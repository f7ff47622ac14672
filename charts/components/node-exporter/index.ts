/** Registry entry: node-exporter. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { NodeExporter } from './construct';
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
  build: ({ chart, context, spec, prometheus }) => new NodeExporter(chart('20-node-exporter', 'node-exporter'), 'node-exporter', {
    context, spec: spec.nodeExporter, prometheus,
  }),
};
