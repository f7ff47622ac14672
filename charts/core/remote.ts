/**
 * Egress to remote URLs (issue 12 with spec.networkPolicies): remote write,
 * its token endpoints, object storage, an external Loki, Grafana's central
 * datasources. A component's `specFlows` turn each URL it calls into a Flow
 * to `{ external: 'remote', host }` on the URL's port; the NetworkPolicies
 * construct resolves the host:
 *
 * - an in-cluster Service name (`<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local`
 *   or `<svc>.<ns>`): the namespace `<ns>` (namespaceSelector
 *   kubernetes.io/metadata.name), on that port;
 * - an IP literal: that address (/32 or /128), link-local excepted;
 * - any other name: `spec.networkPolicies.remoteCidrs`, or while none are
 *   declared every address except link-local, with one synth warning.
 *
 * A two-label host (`mimir.metrics`) is read as `<svc>.<ns>`: with the pods'
 * `ndots:5` the cluster resolver tries the search domains first, so a Service
 * of that name wins over a public domain; public stores have longer names
 * (`mimir.example.com`). A public two-label domain is written as a fully
 * qualified name with its trailing dot (`https://example.com./...`), which no
 * search domain is appended to.
 *
 * Leaf module (charts/core): no imports.
 */

/** Port of a URL: the explicit one, else the scheme's default (https 443, http 80). */
export function urlPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The namespace of an in-cluster Service host name, or undefined for any other host. */
export function inClusterNamespace(host: string): string | undefined {
  if (host.endsWith('.')) return undefined; // fully qualified: no search domain applies
  const labels = host.toLowerCase().split('.');
  if (!labels.every((l) => DNS_LABEL.test(l))) return undefined;
  if (labels.every((l) => /^\d+$/.test(l))) return undefined; // an IPv4 address
  if (labels.length === 2) return labels[1];
  if (labels[2] === 'svc' && (labels.length === 3 || (labels.length === 5 && labels[3] === 'cluster' && labels[4] === 'local')))
    return labels[1];
  return undefined;
}

/** The single-address CIDR of an IP-literal host (`10.0.0.5`, `[fd00::1]`), or undefined for a name. */
export function ipLiteralCidr(host: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `${host}/32`;
  const v6 = /^\[([0-9a-f:.]+)\]$/i.exec(host);
  return v6 ? `${v6[1]}/128` : undefined;
}

/** Whether an IP-literal host is link-local (169.254.0.0/16, fe80::/10): never opened. */
export function isLinkLocalHost(host: string): boolean {
  return /^169\.254\./.test(host) || /^\[fe[89ab][0-9a-f]?:/i.test(host);
}

/** A remote destination: the host a component calls, resolved by the NetworkPolicies construct. */
export interface RemoteHost {
  readonly external: 'remote';
  readonly host: string;
}

/** The destination and TCP port of a URL (`https://mimir.example.com` -> mimir.example.com, 443). */
export function remoteTarget(url: string): { to: RemoteHost; port: number } {
  const u = new URL(url);
  return { to: { external: 'remote', host: u.hostname }, port: urlPort(u) };
}

/** The URL of an S3 endpoint given as `host[:port]` (insecure: plain HTTP, port 80 by default). */
export function endpointUrl(endpoint: string, insecure: boolean): string {
  return `${insecure ? 'http' : 'https'}://${endpoint}`;
}

/**
 * The warning for credentials fetched from the link-local metadata address (Azure managed identity, AWS
 * instance roles and EKS Pod Identity, GKE Workload Identity's metadata server), which the NetworkPolicies
 * never open: `uses` names each field, `fix` what to set instead.
 */
export function metadataCredentialsWarning(uses: readonly string[], fix: string): string[] {
  if (uses.length === 0) return [];
  return [
    `${uses.join(', ')} ${uses.length === 1 ? 'gets its' : 'get their'} credentials from the cloud metadata address (169.254.0.0/16), which spec.networkPolicies never opens: ${fix}, or set spec.networkPolicies.enabled: false`,
  ];
}
