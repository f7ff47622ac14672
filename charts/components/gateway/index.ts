/** Registry entry: Gateway API exposure (spec.exposure: gateway): HTTPRoutes, optionally the stack's own Gateway. */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { certIssuers, exposedHosts } from '../ingress/spec';
import { GatewayProxyPolicy, GatewayRoutes, type GatewayRoutesProps } from './construct';
import { gatewayCrossChecks } from './spec';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec (hosts and TLS of spec.ingress, spec.gateway) to the routes' props. */
export function gatewayRoutesProps(spec: Spec, context: StackContext): GatewayRoutesProps {
  const tls = spec.ingress.tls;
  return {
    namespace: context.namespace,
    instance: context.instance,
    hosts: exposedHosts(spec.ingress),
    tls: tls.enabled,
    tlsSecretNames: tls.secretNames,
    ...certIssuers(spec.ingress),
    parentRefs: spec.gateway.parentRefs,
    create: spec.gateway.create,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'gateway',
  files: ['52-gateway-network-policy', '92-gateway'],
  specChecks: (spec, ctx) => gatewayCrossChecks(spec, ctx),
  enabled: (spec) => spec.exposure === 'gateway' && Object.keys(exposedHosts(spec.ingress)).length > 0,
  build: ({ chart, context, spec }) => {
    const routes = new GatewayRoutes(chart('92-gateway', 'gateway'), 'gateway', gatewayRoutesProps(spec, context));
    // The created Gateway's proxies may run in the stack namespace, under its default deny.
    if (spec.networkPolicies.enabled && spec.gateway.create && !spec.networkPolicies.ingressControllerNamespaceSelector) {
      new GatewayProxyPolicy(chart('52-gateway-network-policy', 'gateway-network-policy'), 'gateway-network-policy', {
        namespace: context.namespace,
        instance: context.instance,
        gatewayName: spec.gateway.create.name,
        hosts: routes.hosts,
      });
    }
    return routes;
  },
};
