/** Registry entry: Alertmanager (routes, receivers, inhibitions), fed by Prometheus and the Loki ruler. */
import { ext, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { externalUrls } from '../ingress/spec';
import { stackProps, type StackContext } from '../../core/context';
import { Alertmanager, type AlertmanagerProps } from './construct';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec to the construct's props (links in notifications point at its Ingress when exposed). */
export function alertmanagerProps(spec: Spec, context: StackContext): Omit<AlertmanagerProps, 'prometheus' | 'msteamsBridge'> {
  const a = spec.alerting;
  const am = a.alertmanager;
  return {
    ...stackProps(context),
    receivers: a.receivers,
    route: a.route,
    maintenanceWindows: a.maintenanceWindows,
    image: am.image,
    replicas: am.replicas,
    retention: am.retention,
    externalUrl: am.externalUrl ?? externalUrls(spec.ingress).alertmanager,
    storage: am.storage,
    resources: am.resources,
  };
}

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
    {
      from: 'alertmanager',
      to: 'alertmanager',
      ports: [...tcp(PORTS.alertmanager, PORTS.alertmanagerCluster), { port: PORTS.alertmanagerCluster, protocol: 'UDP' }],
      why: 'cluster gossip between replicas',
    },
  ],
  // Out of the cluster only for the receivers that need it: HTTPS for webhook and msteamsv2 receivers, and
  // each e-mail receiver's smarthost port (no SMTP port is open without an e-mail receiver).
  specFlows: (spec) => {
    if (!spec.alerting.enabled) return [];
    const receivers = spec.alerting.receivers;
    const smtp = [...new Set(receivers.flatMap((r) => (r.type === 'email' ? [Number(r.smarthost.split(':').pop())] : [])))].sort(
      (a, b) => a - b,
    );
    const https = receivers.some((r) => r.type === 'webhook' || r.type === 'msteamsv2');
    return [
      ...(https ? [{ from: 'alertmanager', to: ext('internet'), ports: tcp(443), why: 'webhook and msteamsv2 receivers (HTTPS)' }] : []),
      ...(smtp.length
        ? [{ from: 'alertmanager', to: ext('internet'), ports: tcp(...smtp), why: 'e-mail receivers: their smarthost port' }]
        : []),
    ];
  },
  enabled: (spec) => spec.alerting.enabled,
  build: ({ chart, context, spec, prometheus, offer, offered }) => {
    const alertmanager = new Alertmanager(chart('11-alertmanager', 'alertmanager'), 'alertmanager', {
      ...alertmanagerProps(spec, context),
      prometheus,
      msteamsBridge: offered('msteamsBridge'),
    });
    offer('alertApi', alertmanager);
    return alertmanager;
  },
};
