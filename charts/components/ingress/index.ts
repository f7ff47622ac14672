/** Registry entry: one Ingress per exposed UI (spec.ingress). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { Ingresses, ingressWarnings } from './construct';
import { exposedHosts, exposureCrossChecks, ingressController } from './spec';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'ingress',
  files: ['50-ingress', '91-traefik-middlewares'],
  enabled: (spec) => spec.exposure === 'ingress',
  warnings: (spec) => (spec.exposure === 'ingress' ? ingressWarnings(spec.ingress) : []),
  specChecks: (spec, ctx) => exposureCrossChecks(spec, ctx),
  build: ({ chart, context, spec }) => {
    const traefik = ingressController(spec.ingress) === 'traefik' && spec.ingress.tls.enabled && Object.keys(exposedHosts(spec.ingress)).length > 0;
    return new Ingresses(chart('50-ingress', 'ingress'), 'ingress', {
      context, spec: spec.ingress, middlewareScope: traefik ? chart('91-traefik-middlewares', 'traefik-middlewares') : undefined,
    });
  },
};
