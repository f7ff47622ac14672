/** Registry entry: the cert-manager ACME ClusterIssuer (needs cert-manager's CRDs: its own file, applied last). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { AcmeClusterIssuer } from './construct';
import { http01ParentRefs } from '../gateway/construct';

export * from './construct';
export const specSections = {};

export const component: ComponentDef<Spec> = {
  name: 'cluster-issuer',
  files: ['90-cluster-issuer'],
  enabled: (spec) => Boolean(spec.ingress.tls.createClusterIssuer),
  build: ({ chart, context, spec }) => new AcmeClusterIssuer(chart('90-cluster-issuer', 'cluster-issuer'), 'cluster-issuer', {
    context, spec: spec.ingress,
    ...(spec.exposure === 'gateway' ? { gatewayParentRefs: http01ParentRefs(context.namespace, spec.gateway) } : {}),
  }),
};
