/** Registry entry: Alertmanager (routes, receivers, inhibitions), fed by Prometheus and the Loki ruler. */
import { ext, tcp, type ComponentDef, type IEndpoint } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { externalUrls } from '../ingress/spec';
import { Alertmanager } from './construct';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'alertmanager',
  workload: true,
  image: 'alertmanager',
  files: ['11-alertmanager'],
  ports: { web: PORTS.alertmanager, cluster: PORTS.alertmanagerCluster },
  jobs: [JOBS.alertmanager],
  ui: { service: 'alertmanager', port: PORTS.alertmanager },
  flows: [
    { from: 'prometheus', to: 'alertmanager', ports: tcp(PORTS.alertmanager), why: 'alert delivery and scrape' },
    { from: 'alertmanager', to: 'alertmanager', ports: [...tcp(PORTS.alertmanager, PORTS.alertmanagerCluster), { port: PORTS.alertmanagerCluster, protocol: 'UDP' }], why: 'cluster gossip between replicas' },
    { from: 'alertmanager', to: ext('internet'), ports: tcp(443, 25, 465, 587), why: 'native receivers (HTTPS webhooks) and e-mail (SMTP, SMTPS, submission)' },
  ],
  enabled: (spec) => spec.alerting.enabled,
  build: ({ chart, context, spec, prometheus, get }) => new Alertmanager(chart('11-alertmanager', 'alertmanager'), 'alertmanager', {
    // Links in notifications point at Alertmanager's Ingress when it is exposed.
    context,
    spec: { ...spec.alerting, alertmanager: { ...spec.alerting.alertmanager, externalUrl: spec.alerting.alertmanager.externalUrl ?? externalUrls(spec.ingress).alertmanager } },
    prometheus, msteamsBridge: get<IEndpoint>('prometheus-msteams'),
  }),
};
