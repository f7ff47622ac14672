/**
 * Registry entry: the declared AI services (spec.services): one scrape job
 * each. Their alerts and dashboards are by kind, in rules/ and dashboards/.
 */
import { ext, type ComponentDef } from '../../core/component';
import { serviceJob } from '../../lib/scrape';
import { durationMs } from '../../spec/formats';
import type { Spec } from '../../spec/schema';
import { sloCrossChecks } from './slos';

export * from './spec';
export { sloCrossChecks, sloName, sloSchema, type SloSpec } from './slos';

export const component: ComponentDef<Spec> = {
  name: 'services',
  flows: [
    { from: 'prometheus', to: ext('user-services'), ports: [], why: 'spec.services: each service\'s namespace, selector and port' },
  ],
  specChecks: (spec, ctx) => {
    const seen = new Map<string, number>();
    spec.services.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name "${s.name}" (also services[${seen.get(s.name)}]): each name becomes a Prometheus job and must be unique` });
      } else seen.set(s.name, i);
    });
    spec.services.forEach((s, i) => {
      if (s.timeout && s.interval && (durationMs(s.timeout) ?? 0) > (durationMs(s.interval) ?? 0)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'timeout'], message: `must not exceed the service's interval (${s.interval}), found "${s.timeout}"` });
      }
    });
    sloCrossChecks(spec, ctx);
  },
  build: ({ spec, prometheus }) => {
    for (const service of spec.services) {
      prometheus.addScrapeConfig(serviceJob(service, spec.prometheus.scrapeInterval, spec.prometheus.scrapeTimeout));
    }
  },
};
