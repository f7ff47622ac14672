/**
 * Registry entry: NetworkPolicies. Built after every workload (it scans the
 * construct tree); its flow table and known components come from the registry.
 */
import type { ComponentDef } from '../../core/component';
import type { StackContext } from '../../core/context';
import type { Spec } from '../../spec-schema';
import { annotationDiscoveryNamespaces } from '../prometheus/spec';
import { flowTable, NetworkPolicies, type NetworkPoliciesProps } from './construct';
import { controllerPeer, exposedHosts } from '../ingress/spec';

export * from './construct';
export { specSections } from './spec';

/** The typed step from the parsed spec to the construct's props: the flow table of the registry for this spec. */
export function networkPoliciesProps(
  spec: Spec,
  context: StackContext,
  registry: readonly ComponentDef<Spec>[],
): Omit<NetworkPoliciesProps, 'root'> {
  const np = spec.networkPolicies;
  return {
    namespace: context.namespace,
    agentNamespace: context.agentNamespace,
    instance: context.instance,
    components: registry,
    flows: flowTable(registry, spec),
    // The UIs exposed by the Ingresses or the HTTPRoutes (spec.exposure: the same hosts), reached from the controller's pods.
    exposed: Object.keys(exposedHosts(spec.ingress)),
    controllerPeer: controllerPeer(spec),
    // Other pods Prometheus scrapes like a user service (ComponentDef.scrapedPods of the enabled components: Velero's).
    services: [...spec.services, ...registry.filter((c) => !c.enabled || c.enabled(spec)).flatMap((c) => c.scrapedPods?.(spec) ?? [])],
    annotationNamespaces: annotationDiscoveryNamespaces(spec),
    dnsNamespaceSelector: np.dnsNamespaceSelector,
    apiServerCidrs: np.apiServerCidrs,
    nodeCidrs: np.nodeCidrs,
    remoteCidrs: np.remoteCidrs,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'network-policies',
  files: ['51-network-policies'],
  enabled: (spec) => spec.networkPolicies.enabled,
  build: ({ chart, context, spec, root, registry }) =>
    new NetworkPolicies(chart('51-network-policies', 'network-policies'), 'network-policies', {
      ...networkPoliciesProps(spec, context, registry),
      root,
    }),
};
