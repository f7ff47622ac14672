/**
 * Registry entry: the Kubernetes events collector (one Alloy replica,
 * `spec.logs.events`, with collector alloy), in dist/32-alloy-events.yaml.
 * With Promtail, which has no events source, the synth warns instead.
 */
import { ext, remoteFlow, tcp, logPushOf, type ComponentDef, type ILogPush } from '../../core/component';
import { EVENTS_NAME, eventsShipped, eventsWarning } from '../../core/events';
import { PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { AlloyEvents, type AlloyEventsProps } from './construct';

export * from './construct';
export { eventsConfigBlocks, renderEventsConfig } from './config';
export const specSections = {};

/** The typed step from the parsed spec (spec.logs, spec.cluster) to the construct's props; `loki`: where it pushes. */
export function alloyEventsProps(spec: Spec, context: StackContext, loki: ILogPush): Omit<AlloyEventsProps, 'prometheus'> {
  return {
    namespace: context.namespace,
    instance: context.instance,
    loki,
    image: spec.logs.alloy.image,
    resources: spec.logs.events.resources,
    cluster: spec.cluster,
  };
}

export const component: ComponentDef<Spec> = {
  name: EVENTS_NAME,
  workload: true,
  image: 'alloy',
  files: ['32-alloy-events'],
  ports: { http: PORTS.alloy },
  jobs: [EVENTS_NAME],
  flows: [
    { from: 'prometheus', to: EVENTS_NAME, ports: tcp(PORTS.alloy), why: 'scrape' },
    { from: EVENTS_NAME, to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'Kubernetes events push (spec.logs.events)' },
    { from: EVENTS_NAME, to: ext('api-server'), ports: tcp(443, 6443), why: 'watches Kubernetes events' },
  ],
  warnings: (spec) => {
    const w = eventsWarning(spec);
    return w ? [w] : [];
  },
  specFlows: (spec) =>
    spec.loki.mode === 'external' && spec.loki.external
      ? [remoteFlow(EVENTS_NAME, spec.loki.external.pushUrl, 'Kubernetes events push to the external Loki (spec.loki.external.pushUrl)')]
      : [],
  enabled: (spec) => eventsShipped(spec),
  build: ({ chart, context, spec, prometheus, offered }) =>
    new AlloyEvents(chart('32-alloy-events', 'alloy-events'), 'alloy-events', {
      ...alloyEventsProps(spec, context, logPushOf(offered)),
      prometheus,
    }),
};
