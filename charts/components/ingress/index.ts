/** Registry entry: one Ingress per exposed UI (spec.ingress). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { Ingresses } from './construct';
import { exposureCrossChecks } from './spec';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'ingress',
  files: ['50-ingress'],
  specChecks: (spec, ctx) => exposureCrossChecks(spec, ctx),
  build: ({ chart, context, spec }) => new Ingresses(chart('50-ingress', 'ingress'), 'ingress', { context, spec: spec.ingress }),
};
