/** Registry entry: Gateway API exposure (spec.exposure: gateway): HTTPRoutes, optionally the stack's own Gateway. */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { exposedHosts } from '../ingress/spec';
import { GatewayProxyPolicy, GatewayRoutes } from './construct';
import { gatewayCrossChecks } from './spec';

export * from './construct';
export * from './spec';

export const component: ComponentDef<Spec> = {
  name: 'gateway',
  files: ['52-gateway-network-policy', '92-gateway'],
  specChecks: (spec, ctx) => gatewayCrossChecks(spec, ctx),
  enabled: (spec) => spec.exposure === 'gateway' && Object.keys(exposedHosts(spec.ingress)).length > 0,
  build: ({ chart, context, spec }) => {
    const routes = new GatewayRoutes(chart('92-gateway', 'gateway'), 'gateway', { context, ingress: spec.ingress, gateway: spec.gateway });
    // The created Gateway's proxies may run in the stack namespace, under its default deny.
    if (spec.networkPolicies.enabled && spec.gateway.create && !spec.networkPolicies.ingressControllerNamespaceSelector) {
      new GatewayProxyPolicy(chart('52-gateway-network-policy', 'gateway-network-policy'), 'gateway-network-policy', {
        context, gatewayName: spec.gateway.create.name, hosts: routes.hosts,
      });
    }
    return routes;
  },
};
