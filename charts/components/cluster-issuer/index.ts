/** Registry entry: the cert-manager ACME ClusterIssuer (needs cert-manager's CRDs: its own file, applied last). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { AcmeClusterIssuer, type AcmeClusterIssuerProps } from './construct';
import { clusterIssuerName } from '../ingress/construct';
import { http01ParentRefs } from '../gateway/construct';

export * from './construct';
export const specSections = {};

/** The typed step from the parsed spec (spec.ingress.tls.createClusterIssuer, the exposure) to the construct's props. */
export function clusterIssuerProps(spec: Spec, context: StackContext): AcmeClusterIssuerProps {
  const acme = spec.ingress.tls.createClusterIssuer;
  if (!acme) throw new Error('AcmeClusterIssuer needs spec.ingress.tls.createClusterIssuer');
  return {
    instance: context.instance,
    name: clusterIssuerName(spec.ingress),
    email: acme.email,
    server: acme.server,
    ingressClassName: spec.ingress.ingressClassName,
    ...(spec.exposure === 'gateway' ? { gatewayParentRefs: http01ParentRefs(context.namespace, spec.gateway) } : {}),
  };
}

export const component: ComponentDef<Spec> = {
  name: 'cluster-issuer',
  files: ['90-cluster-issuer'],
  enabled: (spec) => Boolean(spec.ingress.tls.createClusterIssuer),
  build: ({ chart, context, spec }) =>
    new AcmeClusterIssuer(chart('90-cluster-issuer', 'cluster-issuer'), 'cluster-issuer', clusterIssuerProps(spec, context)),
};
