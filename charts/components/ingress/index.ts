/** Registry entry: one Ingress per exposed UI (spec.ingress). */
import { ext, tcp, type ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { Ingresses, ingressWarnings, type IngressesProps } from './construct';
import { certIssuers, exposedHosts, exposureCrossChecks, ingressController, usesAcmeHttp01 } from './spec';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec (spec.ingress) to the construct's props (the Middleware's chart aside). */
export function ingressesProps(spec: Spec, context: StackContext): Omit<IngressesProps, 'middlewareScope'> {
  const i = spec.ingress;
  return {
    namespace: context.namespace,
    instance: context.instance,
    hosts: exposedHosts(i),
    ingressClassName: i.ingressClassName,
    controller: ingressController(i),
    tls: i.tls.enabled,
    tlsSecretNames: i.tls.secretNames,
    ...certIssuers(i),
  };
}

export const component: ComponentDef<Spec> = {
  name: 'ingress',
  files: ['50-ingress', '91-traefik-middlewares'],
  enabled: (spec) => spec.exposure === 'ingress',
  warnings: (spec) => (spec.exposure === 'ingress' ? ingressWarnings(spec.ingress) : []),
  specChecks: (spec, ctx) => exposureCrossChecks(spec, ctx),
  // cert-manager answers each ACME HTTP-01 challenge from a solver pod in the Ingress's namespace (the
  // stack namespace, under its default deny), reached by the ingress controller on port 8089.
  specFlows: (spec) =>
    usesAcmeHttp01(spec.ingress)
      ? [
          {
            from: ext('ingress-controller'),
            to: ext('acme-http01-solver'),
            ports: tcp(8089),
            why: 'cert-manager ACME HTTP-01 solver (challenge answers for the Ingress hosts)',
          },
        ]
      : [],
  build: ({ chart, context, spec }) => {
    const traefik =
      ingressController(spec.ingress) === 'traefik' && spec.ingress.tls.enabled && Object.keys(exposedHosts(spec.ingress)).length > 0;
    return new Ingresses(chart('50-ingress', 'ingress'), 'ingress', {
      ...ingressesProps(spec, context),
      middlewareScope: traefik ? chart('91-traefik-middlewares', 'traefik-middlewares') : undefined,
    });
  },
};
