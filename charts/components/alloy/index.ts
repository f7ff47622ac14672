/** Registry entry: Alloy, the log collector when spec.logs.collector is "alloy" (deployed with Loki). */
import { ext, remoteFlow, tcp, logPushOf, type ComponentDef, type ILogPush } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { Alloy, type AlloyProps } from './construct';

export * from './construct';
export * as alloySyntax from './alloy-syntax';
export const specSections = {};

/** The typed step from the parsed spec (spec.logs, spec.cluster) to the construct's props; `loki`: where it pushes. */
export function alloyProps(spec: Spec, context: StackContext, loki: ILogPush): Omit<AlloyProps, 'prometheus'> {
  const l = spec.logs;
  return {
    namespace: context.agentNamespace,
    instance: context.instance,
    loki,
    image: l.alloy.image,
    resources: l.alloy.resources,
    jsonNamespaces: l.jsonNamespaces,
    jsonApps: l.jsonApps,
    jsonFields: l.jsonFields,
    cluster: spec.cluster,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'alloy',
  workload: true,
  image: 'alloy',
  files: ['31-alloy'],
  ports: { http: PORTS.alloy },
  jobs: [JOBS.alloy],
  flows: [
    { from: 'prometheus', to: 'alloy', ports: tcp(PORTS.alloy), why: 'scrape' },
    { from: 'alloy', to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'log push' },
    { from: 'alloy', to: ext('api-server'), ports: tcp(443, 6443), why: 'pod discovery' },
  ],
  specFlows: (spec) =>
    spec.loki.mode === 'external' && spec.loki.external
      ? [remoteFlow('alloy', spec.loki.external.pushUrl, 'log push to the external Loki (spec.loki.external.pushUrl)')]
      : [],
  enabled: (spec) => spec.loki.enabled && spec.logs.collector === 'alloy',
  build: ({ chart, context, spec, prometheus, offered }) =>
    new Alloy(chart('31-alloy', 'alloy'), 'alloy', {
      ...alloyProps(spec, context, logPushOf(offered)),
      prometheus,
    }),
};
