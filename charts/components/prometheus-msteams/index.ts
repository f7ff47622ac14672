/** Registry entry: the Microsoft Teams bridge, when an alerting receiver is of type msteams. */
import { ext, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { PrometheusMsTeams } from './construct';

export * from './construct';
export const specSections = {};

export const component: ComponentDef<Spec> = {
  name: 'prometheus-msteams',
  workload: true,
  image: 'prometheusMsteams',
  files: ['12-prometheus-msteams'],
  ports: { http: PORTS.msteams },
  jobs: [JOBS.msteams],
  flows: [
    { from: 'prometheus', to: 'prometheus-msteams', ports: tcp(PORTS.msteams), why: 'scrape' },
    { from: 'alertmanager', to: 'prometheus-msteams', ports: tcp(PORTS.msteams), why: 'Teams notifications through the bridge' },
    { from: 'prometheus-msteams', to: ext('internet'), ports: tcp(443), why: 'Teams webhooks' },
  ],
  enabled: (spec) => spec.alerting.enabled && spec.alerting.receivers.some((r) => r.type === 'msteams'),
  build: ({ chart, context, spec, prometheus }) => new PrometheusMsTeams(chart('12-prometheus-msteams', 'prometheus-msteams'), 'prometheus-msteams', {
    context, spec: spec.alerting, prometheus,
  }),
};
