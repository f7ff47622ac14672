/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics), to test
 * the synthesized policies as a CNI would enforce them:
 *
 * - a pod is isolated for egress (ingress) when some policy of its namespace
 *   selects it and lists Egress (Ingress) in policyTypes; an isolated pod
 *   allows only what the union of those policies' rules allows;
 * - a connection needs the source's egress AND the destination's ingress;
 * - a rule with no `to`/`from` matches every peer, with no `ports` every port;
 * - peers: podSelector (the policy's namespace), namespaceSelector (every
 *   pod of the matching namespaces), both (pods of the matching namespaces),
 *   ipBlock (addresses outside the pod network: nodes, API server, internet);
 * - a named port matches the destination container port of that name;
 * - host-network pods and external addresses are never isolated.
 */
import type { K8sObject } from './k8s-validate';

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** One end of a connection: a pod (namespace + labels) or an external address. */
export interface Endpoint {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  /** IPv4 address: nodes, the API server, the internet. */
  readonly ip?: string;
  readonly hostNetwork?: boolean;
  /** Named container ports of a destination pod. */
  readonly namedPorts?: Record<string, number>;
}

export interface Connection {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  if (cidr.includes(':') || ip.includes(':')) return false; // IPv6 is not modelled
  const [base, b] = cidr.split('/');
  const bits = Number(b);
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(base) & mask) >>> 0);
}

export class PolicySet {
  private readonly policies: any[];
  private readonly namespaceLabels: Map<string, Record<string, string>>;

  /** `objects`: the synthesized manifests (NetworkPolicies and Namespaces are read from them). */
  constructor(objects: K8sObject[], extraNamespaces: Record<string, Record<string, string>> = {}) {
    this.policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    this.namespaceLabels = new Map();
    for (const o of objects.filter((x) => x.kind === 'Namespace')) {
      const name = o.metadata?.name as string;
      this.namespaceLabels.set(name, { ...((o.metadata?.labels as Record<string, string>) ?? {}), 'kubernetes.io/metadata.name': name });
    }
    for (const [name, labels] of Object.entries(extraNamespaces)) {
      this.namespaceLabels.set(name, { ...labels, 'kubernetes.io/metadata.name': name });
    }
  }

  private nsLabels(ns: string): Record<string, string> {
    return this.namespaceLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  }

  private peerMatches(peer: any, policyNs: string, ep: Endpoint): boolean {
    if (peer.ipBlock) {
      if (!ep.ip) return false;
      return inCidr(ep.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(ep.ip as string, c));
    }
    if (ep.namespace === undefined) return false; // selectors only match pods
    const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, this.nsLabels(ep.namespace)) : ep.namespace === policyNs;
    const podOk = peer.podSelector ? selects(peer.podSelector, ep.labels ?? {}) : true;
    return nsOk && podOk;
  }

  private portMatches(ports: any[] | undefined, c: Connection): boolean {
    if (!ports || ports.length === 0) return true;
    const protocol = c.protocol ?? 'TCP';
    return ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      const port = typeof p.port === 'number' ? p.port : c.to.namedPorts?.[p.port];
      if (port === undefined) return false;
      return p.endPort ? c.port >= port && c.port <= p.endPort : c.port === port;
    });
  }

  private isolating(ep: Endpoint, type: 'Ingress' | 'Egress'): any[] {
    if (ep.namespace === undefined || ep.hostNetwork) return [];
    return this.policies.filter((p) => p.metadata.namespace === ep.namespace
      && selects(p.spec.podSelector, ep.labels ?? {})
      && (p.spec.policyTypes ?? ['Ingress']).includes(type));
  }

  egressAllowed(c: Connection): boolean {
    const pols = this.isolating(c.from, 'Egress');
    if (pols.length === 0) return true;
    return pols.some((p) => (p.spec.egress ?? []).some((rule: any) =>
      this.portMatches(rule.ports, c) && (!rule.to || rule.to.length === 0 || rule.to.some((peer: any) => this.peerMatches(peer, p.metadata.namespace, c.to)))));
  }

  ingressAllowed(c: Connection): boolean {
    const pols = this.isolating(c.to, 'Ingress');
    if (pols.length === 0) return true;
    return pols.some((p) => (p.spec.ingress ?? []).some((rule: any) =>
      this.portMatches(rule.ports, c) && (!rule.from || rule.from.length === 0 || rule.from.some((peer: any) => this.peerMatches(peer, p.metadata.namespace, c.from)))));
  }

  allowed(c: Connection): boolean {
    return this.egressAllowed(c) && this.ingressAllowed(c);
  }
}
