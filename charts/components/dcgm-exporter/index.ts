/** Registry entry: dcgm-exporter. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { DcgmExporter } from './construct';
import { gpuRules } from './rules';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'dcgm-exporter',
  workload: true,
  image: 'dcgmExporter',
  files: ['22-dcgm-exporter'],
  ports: { metrics: PORTS.dcgmExporter },
  jobs: [JOBS.dcgmExporter],
  ruleAreas: [gpuRules],
  flows: [
    { from: 'prometheus', to: 'dcgm-exporter', ports: tcp(PORTS.dcgmExporter), why: 'scrape' },
  ],
  enabled: (spec) => spec.gpu.enabled,
  build: ({ chart, context, spec, prometheus }) => new DcgmExporter(chart('22-dcgm-exporter', 'dcgm-exporter'), 'dcgm-exporter', {
    context, spec: spec.gpu, prometheus,
  }),
};
