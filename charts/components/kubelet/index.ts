/** Registry entry: the kubelets as a scrape target (volume stats); no workload of its own. */
import { ext, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { kubeletJob } from './construct';

export * from './construct';
export { specSections } from './spec';

export const component: ComponentDef<Spec> = {
  name: 'kubelet',
  ports: { metrics: PORTS.kubelet },
  jobs: [JOBS.kubelet],
  flows: [{ from: 'prometheus', to: ext('nodes'), ports: tcp(PORTS.kubelet), why: 'kubelet /metrics and /metrics/cadvisor' }],
  enabled: (spec) => spec.kubelet.volumeStats.enabled,
  build: ({ spec, prometheus }) => prometheus.addScrapeConfig(kubeletJob(spec.kubelet)),
};
