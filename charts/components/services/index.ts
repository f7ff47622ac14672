/**
 * Registry entry: the declared AI services (spec.services): one scrape job
 * each. Their alerts and dashboards are by kind, in rules/ and dashboards/.
 */
import { ext, type ComponentDef } from '../../core/component';
import { serviceJob } from '../../lib/scrape';
import type { Spec } from '../../spec/schema';

export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'services',
  flows: [
    { from: 'prometheus', to: ext('user-services'), ports: [], why: 'spec.services: each service\'s namespace, selector and port' },
  ],
  build: ({ spec, prometheus }) => {
    for (const service of spec.services) {
      prometheus.addScrapeConfig(serviceJob(service, spec.prometheus.scrapeInterval, spec.prometheus.scrapeTimeout));
    }
  },
};
