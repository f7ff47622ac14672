/** When the blackbox exporter runs and when it scrapes cert-manager (shared by the entry, the rules and the catalog). */
import type { Spec } from '../../spec-schema';

export const blackboxEnabled = (spec: Spec): boolean => spec.blackboxExporter.enabled;

/** The stack uses cert-manager when its Ingresses name an Issuer or ClusterIssuer (or it creates one); spec.blackboxExporter.certManager.enabled overrides. */
export function certManagerEnabled(spec: Spec): boolean {
  if (!blackboxEnabled(spec)) return false;
  const tls = spec.ingress.tls;
  return spec.blackboxExporter.certManager.enabled ?? (tls.enabled && Boolean(tls.clusterIssuer || tls.issuer || tls.createClusterIssuer));
}
