/** Registry entry: cadvisor. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import { containerRecording } from '../../core/recording';
import type { Spec } from '../../spec/schema';
import { Cadvisor } from './construct';
import { containerRules } from './rules';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'cadvisor',
  workload: true,
  image: 'cadvisor',
  files: ['21-cadvisor'],
  ports: { metrics: PORTS.cadvisor },
  jobs: [JOBS.cadvisor],
  ruleAreas: [containerRules],
  flows: [
    { from: 'prometheus', to: 'cadvisor', ports: tcp(PORTS.cadvisor), why: 'scrape' },
  ],
  recording: [containerRecording],
  enabled: (spec) => spec.cadvisor.enabled,
  build: ({ chart, context, spec, prometheus }) => new Cadvisor(chart('21-cadvisor', 'cadvisor'), 'cadvisor', {
    context, spec: spec.cadvisor, prometheus, kubelet: spec.kubelet,
  }),
};
