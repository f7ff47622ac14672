/** Registry entry: Promtail, the log collector when spec.logs.collector is "promtail" (deployed with Loki). */
import { ext, remoteFlow, tcp, logPushOf, type ComponentDef, type ILogPush } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { Promtail, type PromtailProps } from './construct';

export * from './construct';
export const specSections = {};

/** Kept for existing users; never the default (docs/logs.md: moving to Alloy). */
export const PROMTAIL_END_OF_LIFE =
  'spec.logs.collector is promtail, which reached end of life on 2 March 2026 (3.6.11 is its last release, no security fixes since): set spec.logs.collector: alloy, the same pipeline with the same labels (docs/logs.md)';

/** The typed step from the parsed spec (spec.logs, spec.cluster) to the construct's props; `loki`: where it pushes. */
export function promtailProps(spec: Spec, context: StackContext, loki: ILogPush): Omit<PromtailProps, 'prometheus'> {
  const l = spec.logs;
  return {
    namespace: context.agentNamespace,
    instance: context.instance,
    loki,
    image: l.promtail.image,
    resources: l.promtail.resources,
    jsonNamespaces: l.jsonNamespaces,
    jsonApps: l.jsonApps,
    jsonFields: l.jsonFields,
    cluster: spec.cluster,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'promtail',
  workload: true,
  image: 'promtail',
  files: ['31-promtail'],
  ports: { http: PORTS.promtail },
  jobs: [JOBS.promtail],
  flows: [
    { from: 'prometheus', to: 'promtail', ports: tcp(PORTS.promtail), why: 'scrape' },
    { from: 'promtail', to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'log push' },
    { from: 'promtail', to: ext('api-server'), ports: tcp(443, 6443), why: 'pod discovery' },
  ],
  specFlows: (spec) =>
    spec.loki.mode === 'external' && spec.loki.external
      ? [remoteFlow('promtail', spec.loki.external.pushUrl, 'log push to the external Loki (spec.loki.external.pushUrl)')]
      : [],
  enabled: (spec) => spec.loki.enabled && spec.logs.collector === 'promtail',
  warnings: (spec) => (spec.loki.enabled && spec.logs.collector === 'promtail' ? [PROMTAIL_END_OF_LIFE] : []),
  build: ({ chart, context, spec, prometheus, offered }) =>
    new Promtail(chart('31-promtail', 'promtail'), 'promtail', {
      ...promtailProps(spec, context, logPushOf(offered)),
      prometheus,
    }),
};
