/**
 * NetworkPolicies: default deny (ingress and egress) in the stack and agent
 * namespaces, then only the flows the stack needs, from one flow table
 * built from the flows every registered component declares (charts/registry.ts).
 *
 * The construct is created LAST by MonitoringStack: it scans the construct
 * tree for workloads (Deployment, StatefulSet, DaemonSet), reads their
 * `app.kubernetes.io/name`, namespace and selector, and emits one policy per
 * component present. A component added to the registry gets its policy
 * without touching this file; a workload whose name no registered component
 * declares fails the synth (it would be cut off by the default deny).
 *
 * Policies do not apply to host-network pods (node-exporter): Prometheus
 * reaches those through an egress rule to the nodes' addresses.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ext, tcp, type ComponentFacts, type Flow, type FlowPort } from '../../core/component';
import { advise, warn } from '../../lib/warnings';
import { StackContext } from '../../core/context';
import { recommendedLabels } from '../../core/labels';
import { inClusterNamespace, ipLiteralCidr, isLinkLocalHost } from '../../core/remote';
import type { ServiceSpec } from '../../spec/schema';
import type { ControllerPeer, ExposedUi, NetworkPoliciesSpec } from '../ingress/spec';

export type { External, Flow, FlowPort } from '../../core/component';

/** Up to this many services in a namespace, Prometheus' egress names each one's pods; beyond, the namespace. */
export const SERVICES_PER_NAMESPACE_PRECISE = 10;

/** Private address ranges excluded from "internet" egress. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

/** The flow table: every registered component's flows (and, given a spec, its spec-dependent flows), in registry order. */
export function flowTable(components: readonly ComponentFacts[], spec?: unknown): Flow[] {
  return components.flatMap((c) => [...(c.flows ?? []), ...(spec !== undefined && c.specFlows ? c.specFlows(spec) : [])]);
}

/** Link-local ranges (cloud metadata at 169.254.169.254, fd00:ec2::254 aside): never reachable, even by an open rule. */
export const LINK_LOCAL_V4 = '169.254.0.0/16';
export const LINK_LOCAL_V6 = 'fe80::/10';

/** cert-manager's HTTP-01 solver pods (v1.21 pkg/issuer/acme/http/pod.go): label and listen port. */
export const ACME_HTTP01_SOLVER_LABELS = { 'acme.cert-manager.io/http01-solver': 'true' };
export const ACME_HTTP01_SOLVER_PORT = 8089;

/**
 * ipBlock peers for declared CIDRs, each with the link-local range excepted
 * when it contains it; with no CIDRs, every address except link-local (IPv4
 * and IPv6), which the caller reports as a synth warning.
 */
export function ipBlockPeers(cidrs: readonly string[]): k8s.NetworkPolicyPeer[] {
  if (cidrs.length === 0) {
    return [{ ipBlock: { cidr: '0.0.0.0/0', except: [LINK_LOCAL_V4] } }, { ipBlock: { cidr: '::/0', except: [LINK_LOCAL_V6] } }];
  }
  return cidrs.map((cidr) => {
    const [addr, b] = cidr.split('/');
    const bits = Number(b);
    let contains: string | undefined;
    if (!addr.includes(':')) {
      const [o1, o2] = addr.split('.').map(Number);
      if (bits <= 16 && ((((o1 << 8) | o2) ^ ((169 << 8) | 254)) >>> (16 - bits)) === 0) contains = LINK_LOCAL_V4;
    } else if (bits <= 10) {
      const first = parseInt(addr.split(':')[0] || '0', 16);
      if (((first ^ 0xfe80) >>> (16 - bits)) === 0) contains = LINK_LOCAL_V6;
    }
    return { ipBlock: { cidr, ...(contains ? { except: [contains] } : {}) } };
  });
}

/** Components the stack may hold (registered with `workload: true`); a workload with another name fails the synth. */
export function knownComponents(components: readonly ComponentFacts[]): string[] {
  return components.filter((c) => c.workload).map((c) => c.name);
}

/** A workload found in the construct tree. */
export interface PresentComponent {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly hostNetwork: boolean;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob']);

/** Every workload under `root`, by app.kubernetes.io/name. */
/** The parts of a synthesized workload (Deployment, StatefulSet, DaemonSet, CronJob) the policies read. */
interface PodTemplateJson { readonly metadata?: { readonly labels?: Record<string, string> }; readonly spec?: { readonly hostNetwork?: boolean } }
interface WorkloadJson {
  readonly spec?: {
    readonly template?: PodTemplateJson;
    readonly jobTemplate?: { readonly spec?: { readonly template?: PodTemplateJson } };
    readonly selector?: { readonly matchLabels?: Record<string, string> };
  };
}

export function findComponents(root: IConstruct): PresentComponent[] {
  const out = new Map<string, PresentComponent>();
  for (const node of root.node.findAll()) {
    if (!(node instanceof ApiObject) || !WORKLOAD_KINDS.has(node.kind)) continue;
    const name = node.metadata.getLabel('app.kubernetes.io/name');
    const json = node.toJson() as WorkloadJson;
    if (!name) throw new Error(`${node.kind} ${node.name} has no app.kubernetes.io/name label: NetworkPolicies cannot select it`);
    const template = node.kind === 'CronJob' ? json.spec?.jobTemplate?.spec?.template : json.spec?.template;
    const podSpec = template?.spec ?? {};
    const selectorOf: Record<string, string> = json.spec?.selector?.matchLabels ?? {};
    // A CronJob has no selector: its pods are selected by their name and instance labels.
    const podLabels: Record<string, string> = template?.metadata?.labels ?? {};
    const selector = node.kind === 'CronJob'
      ? Object.fromEntries(Object.entries(podLabels).filter(([k]) => k === 'app.kubernetes.io/name' || k === 'app.kubernetes.io/instance'))
      : selectorOf;
    const seen = out.get(name);
    if (!seen) {
      out.set(name, {
        name,
        namespace: node.metadata.namespace ?? '',
        selector,
        hostNetwork: podSpec.hostNetwork === true,
      });
    } else {
      // Several workloads of one component (Loki's write, read and backend targets): the policy selects the
      // labels they share, not the first one's (which would leave the others under the default deny).
      out.set(name, { ...seen, selector: Object.fromEntries(Object.entries(seen.selector).filter(([k, v]) => selector[k] === v)) });
    }
  }
  return [...out.values()];
}

export interface NetworkPoliciesProps {
  readonly context: StackContext;
  readonly spec: NetworkPoliciesSpec;
  /** The construct whose tree is scanned for workloads (the MonitoringStack). */
  readonly root: IConstruct;
  /** UIs the Ingresses expose: the ingress controller may reach them. */
  readonly exposed: readonly ExposedUi[];
  /** spec.services: Prometheus may reach each on its port. */
  readonly services: readonly ServiceSpec[];
  /** Namespaces whose annotated pods Prometheus scrapes ('all': every namespace; undefined or empty: none). */
  readonly annotationNamespaces?: readonly string[] | 'all';
  /** The validated spec.spec, for the components' spec-dependent flows (ComponentDef.specFlows). */
  readonly stackSpec?: unknown;
  /** The registry (charts/registry.ts COMPONENTS): flows, known components and UI ports come from it. */
  readonly components: readonly ComponentFacts[];
  /** Who reaches the exposed UIs (controllerPeer in ../ingress/spec.ts). @default the namespace selector of the spec */
  readonly controllerPeer?: ControllerPeer;
}

export class NetworkPolicies extends Construct {
  public readonly components: PresentComponent[];
  /** The flows the emitted policies allow (for docs and tests). */
  public readonly flows: Flow[];

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { context: ctx, spec } = props;
    this.components = findComponents(props.root);
    const byName = new Map(this.components.map((c) => [c.name, c]));
    const known = knownComponents(props.components);
    const unknown = this.components.filter((c) => !known.includes(c.name));
    if (unknown.length) {
      throw new Error(`workload(s) ${unknown.map((c) => c.name).join(', ')} have no entry in the NetworkPolicy flow table (register the component in charts/registry.ts with workload: true and its flows), or set spec.networkPolicies.enabled: false`);
    }
    const uiPort = (ui: string): number => {
      const c = props.components.find((x) => x.name === ui);
      if (!c?.ui) throw new Error(`Ingress exposes "${ui}" but no registered component declares that UI (ComponentDef.ui)`);
      return c.ui.port;
    };

    const present = (end: Flow['to']) => typeof end !== 'string' || byName.has(end);
    this.flows = [
      ...props.exposed.map((ui): Flow => ({ from: ext('ingress-controller'), to: ui, ports: tcp(uiPort(ui)), why: `Ingress ${ui}` })),
      ...flowTable(props.components, props.stackSpec)
        .filter((f) => !f.requires || byName.has(f.requires))
        .filter((f) => !(typeof f.to !== 'string' && f.to.external === 'user-services') || props.services.length > 0)
        .filter((f) => !(typeof f.to !== 'string' && f.to.external === 'annotated-pods')
          || props.annotationNamespaces === 'all' || (props.annotationNamespaces?.length ?? 0) > 0),
    ].filter((f) => present(f.from) && present(f.to));
    const openTo = { 'api-server': new Set<string>(), nodes: new Set<string>(), remote: new Set<string>() };
    /** Remote flows to names outside the cluster while spec.remoteCidrs is empty: their hosts and ports, for the warning. */
    const openRemote: { host: string; ports: FlowPort[] }[] = [];

    // Labelled as one application, "network-policies" (not the component each policy selects), so selecting a
    // component's objects by app.kubernetes.io/name finds its own objects only.
    const labels = recommendedLabels({ name: 'network-policies', instance: ctx.instance, component: 'network-policy' });
    const meta = (name: string, namespace: string) => ({ name, namespace, labels });

    // Default deny, then DNS for everyone, in both namespaces.
    for (const [key, ns] of [['stack', ctx.namespace], ['agents', ctx.agentNamespace]] as const) {
      new k8s.KubeNetworkPolicy(this, `${key}-default-deny`, {
        metadata: meta('default-deny', ns),
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
      new k8s.KubeNetworkPolicy(this, `${key}-dns`, {
        metadata: meta('allow-dns', ns),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{
            to: [{ namespaceSelector: { matchLabels: spec.dnsNamespaceSelector } }],
            ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
          }],
        },
      });
    }

    const peersFor = (end: Flow['to'], policyNs: string, service?: ServiceSpec): k8s.NetworkPolicyPeer[] | undefined => {
      if (typeof end === 'string') {
        const c = byName.get(end) as PresentComponent;
        return [{
          podSelector: { matchLabels: c.selector },
          ...(c.namespace !== policyNs ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': c.namespace } } } : {}),
        }];
      }
      switch (end.external) {
        case 'ingress-controller': {
          // Without a peer (a construct built outside the stack): the spec's selector, else ingress-nginx's namespace (the former default).
          const p = props.controllerPeer ?? { namespaceSelectors: [spec.ingressControllerNamespaceSelector ?? { 'kubernetes.io/metadata.name': 'ingress-nginx' }] };
          return p.namespaceSelectors.map((n) => ({ namespaceSelector: { matchLabels: n }, ...(p.podSelector ? { podSelector: { matchLabels: p.podSelector } } : {}) }));
        }
        case 'dns': return [{ namespaceSelector: { matchLabels: spec.dnsNamespaceSelector } }];
        case 'api-server': return ipBlockPeers(spec.apiServerCidrs);
        case 'nodes': return ipBlockPeers(spec.nodeCidrs);
        case 'internet': return [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }];
        case 'annotated-pods': return props.annotationNamespaces === 'all' || props.annotationNamespaces === undefined
          ? [{ namespaceSelector: {} }]
          : [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.annotationNamespaces] }] } }];
        case 'acme-http01-solver': return [{ podSelector: { matchLabels: ACME_HTTP01_SOLVER_LABELS }, ...(policyNs !== ctx.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ctx.namespace } } } : {}) }];
        case 'remote': {
          // charts/core/remote.ts: an in-cluster Service's namespace, an IP literal itself, else the declared CIDRs.
          const host = end.host as string;
          const ns = inClusterNamespace(host);
          if (ns) return [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }];
          const literal = ipLiteralCidr(host);
          if (literal) return ipBlockPeers([literal]);
          return ipBlockPeers(spec.remoteCidrs ?? []);
        }
        case 'user-services': {
          const s = service as ServiceSpec;
          return [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } }, podSelector: { matchLabels: s.selector } }];
        }
      }
    };
    const portsOf = (ports: FlowPort[]): k8s.NetworkPolicyPort[] | undefined => ports.length === 0 ? undefined : ports.map((p) => ({
      protocol: p.protocol,
      ...(p.port !== undefined ? { port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port) } : {}),
    }));

    for (const c of this.components) {
      if (c.hostNetwork) continue; // policies do not apply to host-network pods
      const ingress: k8s.NetworkPolicyIngressRule[] = this.flows.filter((f) => f.to === c.name).map((f) => {
        const from = peersFor(f.from, c.namespace);
        return { ...(from ? { from } : {}), ...(portsOf(f.ports) ? { ports: portsOf(f.ports) } : {}) };
      });
      const remote = new Map<string, k8s.NetworkPolicyEgressRule>();
      const egress: k8s.NetworkPolicyEgressRule[] = this.flows.filter((f) => f.from === c.name).flatMap((f): k8s.NetworkPolicyEgressRule[] => {
        if (typeof f.to !== 'string' && f.to.external === 'remote') {
          // One rule per destination peer (a namespace, an address, the remote CIDRs) with the ports of every URL
          // there, so ten URLs of one store are one rule. A link-local IP literal gets none: it stays denied.
          const host = f.to.host as string;
          if (isLinkLocalHost(host)) return [];
          const to = peersFor(f.to, c.namespace) as k8s.NetworkPolicyPeer[];
          if (!inClusterNamespace(host) && !ipLiteralCidr(host) && (spec.remoteCidrs ?? []).length === 0) {
            openTo.remote.add(c.name);
            openRemote.push({ host, ports: f.ports });
          }
          const key = JSON.stringify(to);
          const rule = remote.get(key);
          if (rule) {
            const have = new Set((rule.ports ?? []).map((p) => JSON.stringify(p)));
            for (const p of portsOf(f.ports) ?? []) if (!have.has(JSON.stringify(p))) (rule.ports as k8s.NetworkPolicyPort[]).push(p);
            return [];
          }
          const created: k8s.NetworkPolicyEgressRule = { to, ports: [...(portsOf(f.ports) ?? [])] };
          remote.set(key, created);
          return [created];
        }
        if (typeof f.to !== 'string' && f.to.external === 'user-services') {
          // Each service's own pods and port while a namespace holds few services; past
          // SERVICES_PER_NAMESPACE_PRECISE, one rule for the namespace (any pod there, on the
          // services' ports), so the policy stays bounded whatever the number of services (issue 11).
          const port = (p: string | number) => ({ port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p), protocol: 'TCP' });
          const byNs = new Map<string, ServiceSpec[]>();
          for (const s of props.services) byNs.set(s.namespace, [...(byNs.get(s.namespace) ?? []), s]);
          return [...byNs.entries()].flatMap(([ns, services]): k8s.NetworkPolicyEgressRule[] => (services.length <= SERVICES_PER_NAMESPACE_PRECISE
            ? services.map((s) => ({ to: peersFor(f.to, c.namespace, s), ports: [port(s.port)] }))
            : [{
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }],
              ports: [...new Set(services.map((s) => s.port))].map(port),
            }]));
        }
        if (typeof f.to !== 'string' && (f.to.external === 'api-server' || f.to.external === 'nodes')) {
          if ((f.to.external === 'api-server' ? spec.apiServerCidrs : spec.nodeCidrs).length === 0) openTo[f.to.external].add(c.name);
        }
        const to = peersFor(f.to, c.namespace);
        return [{ ...(to ? { to } : {}), ...(portsOf(f.ports) ? { ports: portsOf(f.ports) } : {}) }];
      });
      new k8s.KubeNetworkPolicy(this, c.name, {
        metadata: meta(c.name, c.namespace),
        spec: {
          podSelector: { matchLabels: c.selector },
          policyTypes: ['Ingress', 'Egress'],
          ...(ingress.length ? { ingress } : {}),
          ...(egress.length ? { egress } : {}),
        },
      });
    }

    // cert-manager's HTTP-01 solver pods come and go in the stack namespace (one per challenge); the
    // default deny would cut the ingress controller off from them and no certificate would ever issue.
    const toSolver = this.flows.filter((f) => typeof f.to !== 'string' && f.to.external === 'acme-http01-solver');
    if (toSolver.length) {
      new k8s.KubeNetworkPolicy(this, 'acme-http01-solver', {
        metadata: meta('acme-http01-solver', ctx.namespace),
        spec: {
          podSelector: { matchLabels: ACME_HTTP01_SOLVER_LABELS },
          policyTypes: ['Ingress', 'Egress'], // no egress: the solver only answers
          ingress: toSolver.map((f) => {
            const from = peersFor(f.from, ctx.namespace);
            return { ...(from ? { from } : {}), ...(portsOf(f.ports) ? { ports: portsOf(f.ports) } : {}) };
          }),
        },
      });
    }

    const fix = {
      'api-server': 'spec.networkPolicies.apiServerCidrs (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)',
      nodes: 'spec.networkPolicies.nodeCidrs (the nodes\' InternalIP range: kubectl get nodes -o wide)',
      remote: `spec.networkPolicies.remoteCidrs (the addresses of ${[...new Set(openRemote.map((r) => r.host))].sort().join(', ')})`,
    };
    for (const [what, who] of Object.entries(openTo) as [keyof typeof openTo, Set<string>][]) {
      if (who.size === 0) continue;
      const ports = what === 'remote'
        ? [...new Set(openRemote.flatMap((r) => r.ports.map((p) => p.port)))].sort()
        : [...new Set(this.flows.filter((f) => typeof f.to !== 'string' && f.to.external === what && typeof f.from === 'string' && who.has(f.from)).flatMap((f) => f.ports.map((p) => p.port)))].sort();
      // The API server's and nodes' addresses are unknown to every spec at first: advice, not a warning.
      (what === 'remote' ? warn : advise)(this, `${fix[what].split(' ')[0]} is empty, so ${[...who].join(', ')} may reach any address (except link-local) on TCP ${ports.join(', ')}; set ${fix[what]}`);
    }
  }
}

/** A line per flow, for the README and the closing note. */
export function describeFlows(flows: readonly Flow[]): string[] {
  const end = (e: Flow['to']) => (typeof e === 'string' ? e : e.host ? `${e.external}(${e.host})` : e.external);
  return flows.map((f) => `${end(f.from)} -> ${end(f.to)} ${f.ports.length ? f.ports.map((p) => `${p.port ?? 'any'}/${p.protocol}`).join(',') : '(service ports)'}: ${f.why}`);
}
