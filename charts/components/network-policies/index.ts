/**
 * Registry entry: NetworkPolicies. Built after every workload (it scans the
 * construct tree); its flow table and known components come from the registry.
 */
import type { ComponentDef } from '../../core/component';
import type { ServiceSpec, Spec } from '../../spec/schema';
import type { Ingresses } from '../ingress/construct';
import { annotationDiscoveryNamespaces } from '../prometheus/spec';
import { NetworkPolicies } from './construct';
import { controllerPeer } from '../ingress/spec';

export * from './construct';
export { specSections } from './spec';

export const component: ComponentDef<Spec> = {
  name: 'network-policies',
  files: ['51-network-policies'],
  enabled: (spec) => spec.networkPolicies.enabled,
  build: ({ chart, context, spec, root, get, lookup, registry }) => new NetworkPolicies(chart('51-network-policies', 'network-policies'), 'network-policies', {
    context,
    spec: spec.networkPolicies,
    root,
    // The UIs exposed by the Ingresses or the HTTPRoutes (spec.exposure), reached from the controller's pods.
    exposed: Object.keys(get<Ingresses>('ingress')?.hosts ?? get<Pick<Ingresses, 'hosts'>>('gateway')?.hosts ?? {}) as (keyof Ingresses['hosts'])[],
    controllerPeer: controllerPeer(spec),
    // Other pods Prometheus scrapes like a user service (Velero's, with spec.backup.method velero).
    services: [...spec.services, ...(lookup<ServiceSpec[]>('extra-scrape-targets') ?? [])],
    annotationNamespaces: annotationDiscoveryNamespaces(spec),
    stackSpec: spec,
    components: registry,
  }),
};
