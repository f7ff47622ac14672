/** Registry entry: Prometheus, the hub every other component registers scrape jobs and rules with. */
import { ext, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { externalUrls } from '../ingress/spec';
import { durationMs } from '../../spec/formats';
import { Prometheus } from './construct';

export * from './construct';
export { prometheusSchema, specSections } from './spec';

export const component: ComponentDef<Spec> = {
  name: 'prometheus',
  workload: true,
  image: 'prometheus',
  files: ['10-prometheus'],
  ports: { web: PORTS.prometheus },
  jobs: [JOBS.prometheus],
  ui: { service: 'prometheus', port: PORTS.prometheus },
  flows: [
    { from: 'prometheus', to: 'prometheus', ports: tcp(PORTS.prometheus), why: 'self-monitoring of every replica' },
    { from: 'prometheus', to: ext('api-server'), ports: tcp(443, 6443), why: 'Kubernetes service discovery' },
    { from: 'prometheus', to: ext('annotated-pods'), ports: [{ protocol: 'TCP' }], why: 'pods annotated prometheus.io/scrape in any namespace (spec.prometheus.annotationDiscovery; their ports are not known in advance)' },
  ],
  specChecks: (spec, ctx) => {
    const p = spec.prometheus;
    if ((durationMs(p.scrapeTimeout) ?? 0) > (durationMs(p.scrapeInterval) ?? 0)) {
      ctx.addIssue({ code: 'custom', path: ['prometheus', 'scrapeTimeout'], message: `must not exceed scrapeInterval (${p.scrapeInterval}), found "${p.scrapeTimeout}"` });
    }
  },
  build: ({ chart, context, spec }) => new Prometheus(chart('10-prometheus', 'prometheus'), 'prometheus', {
    context, spec: { ...spec.prometheus, externalUrl: spec.prometheus.externalUrl ?? externalUrls(spec.ingress).prometheus },
  }),
};
