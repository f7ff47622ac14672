/** Registry entry: one Ingress per exposed UI (spec.ingress). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { Ingresses } from './construct';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'ingress',
  files: ['50-ingress'],
  build: ({ chart, context, spec }) => new Ingresses(chart('50-ingress', 'ingress'), 'ingress', { context, spec: spec.ingress }),
};
