/** Registry entry: the Microsoft Teams bridge, when an alerting receiver is of type msteams. */
import { ext, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { PrometheusMsTeams, type MsTeamsReceiver, type PrometheusMsTeamsProps } from './construct';

export * from './construct';
export const specSections = {};

/** The typed step from the parsed spec to the construct's props: the msteams receivers and the bridge settings. */
export function msteamsProps(spec: Spec, context: StackContext): Omit<PrometheusMsTeamsProps, 'prometheus'> {
  const bridge = spec.alerting.msteams;
  return {
    namespace: context.namespace,
    instance: context.instance,
    receivers: spec.alerting.receivers.filter((r): r is MsTeamsReceiver => r.type === 'msteams'),
    image: bridge.image,
    initImage: bridge.initImage,
    workflows: bridge.workflows,
    resources: bridge.resources,
  };
}

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
  build: ({ chart, context, spec, prometheus, offer }) => {
    const bridge = new PrometheusMsTeams(chart('12-prometheus-msteams', 'prometheus-msteams'), 'prometheus-msteams', {
      ...msteamsProps(spec, context),
      prometheus,
    });
    offer('msteamsBridge', bridge);
    return bridge;
  },
};
