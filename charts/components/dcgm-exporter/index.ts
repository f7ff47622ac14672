/** Registry entry: dcgm-exporter. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { DcgmExporter } from './construct';
import { ExternalScrapePolicy, externalJob } from '../../lib/external-scrape';
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
  build: ({ chart, context, spec, prometheus }) => {
    if (spec.gpu.exporter === 'external') {
      // The GPU Operator's exporter (or another one): scraped as job dcgm-exporter, none deployed. Its pod,
      // namespace and container labels are the workload's (as with ours), so no exporter pod labels are attached.
      prometheus.addScrapeConfig(externalJob({ jobName: JOBS.dcgmExporter, target: spec.gpu.external, instance: 'node', podLabels: false }));
      if (spec.networkPolicies.enabled) {
        new ExternalScrapePolicy(chart('22-dcgm-exporter', 'dcgm-exporter'), 'external', {
          context, name: 'dcgm-exporter', target: spec.gpu.external, nodeCidrs: spec.networkPolicies.nodeCidrs,
        });
      }
      return undefined;
    }
    return new DcgmExporter(chart('22-dcgm-exporter', 'dcgm-exporter'), 'dcgm-exporter', { context, spec: spec.gpu, prometheus });
  },
};
