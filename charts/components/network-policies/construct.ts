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
import { ext, tcp, type ComponentFacts, type External, type Flow, type FlowPort } from '../../core/component';
import { advise, warn } from '../../lib/warnings';
import { recommendedLabels } from '../../core/labels';
import { inClusterNamespace, ipLiteralCidr, isLinkLocalHost } from '../../core/remote';

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
      if (bits <= 16 && (((o1 << 8) | o2) ^ ((169 << 8) | 254)) >>> (16 - bits) === 0) contains = LINK_LOCAL_V4;
    } else if (bits <= 10) {
      const first = parseInt(addr.split(':')[0] || '0', 16);
      if ((first ^ 0xfe80) >>> (16 - bits) === 0) contains = LINK_LOCAL_V6;
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
interface PodTemplateJson {
  readonly metadata?: { readonly labels?: Record<string, string> };
  readonly spec?: { readonly hostNetwork?: boolean };
}
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
    const selector =
      node.kind === 'CronJob'
        ? Object.fromEntries(
            Object.entries(podLabels).filter(([k]) => k === 'app.kubernetes.io/name' || k === 'app.kubernetes.io/instance'),
          )
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

/** Pods Prometheus scrapes like a declared service: where they are and the port it reaches. */
export interface ScrapedPods {
  readonly namespace: string;
  /** Pod labels (matchLabels). */
  readonly selector: Readonly<Record<string, string>>;
  /** Container port number or name. */
  readonly port: string | number;
}

/** The peer that reaches the exposed UIs: namespace (and pod) labels of the ingress controller or Gateway proxies. */
export interface UiClientPeer {
  readonly namespaceSelectors: readonly Readonly<Record<string, string>>[];
  readonly podSelector?: Readonly<Record<string, string>>;
}

/** The cluster DNS namespace's labels (kube-system). */
export const DEFAULT_DNS_NAMESPACE_SELECTOR: Readonly<Record<string, string>> = { 'kubernetes.io/metadata.name': 'kube-system' };
/** Who reaches the UIs when no peer is given: ingress-nginx's namespace (the former default). */
export const DEFAULT_UI_CLIENT_PEER: UiClientPeer = { namespaceSelectors: [{ 'kubernetes.io/metadata.name': 'ingress-nginx' }] };

/**
 * Default deny in both namespaces plus the flows of the given components. Nothing of the stack's spec: the stack
 * maps `spec.networkPolicies` and the flow table of its registry onto these in one step (`networkPoliciesProps`, index.ts).
 */
export interface NetworkPoliciesProps {
  /** The stack namespace (servers). */
  readonly namespace: string;
  /** The agent namespace (node agents). */
  readonly agentNamespace: string;
  /** app.kubernetes.io/instance of the policies. @default 'monitoring' */
  readonly instance?: string;
  /** The construct whose tree is scanned for workloads (the MonitoringStack, or your chart). */
  readonly root: IConstruct;
  /** The components that may be present (the registry): known workloads and their UI ports. */
  readonly components: readonly ComponentFacts[];
  /** The flow table. @default flowTable(components): their spec-independent flows */
  readonly flows?: readonly Flow[];
  /** UIs the ingress controller (or Gateway proxies) may reach. @default [] */
  readonly exposed?: readonly string[];
  /** Pods Prometheus scrapes on their port (the declared services, Velero's). @default [] */
  readonly services?: readonly ScrapedPods[];
  /** Namespaces whose annotated pods Prometheus scrapes ('all': every namespace). @default none */
  readonly annotationNamespaces?: readonly string[] | 'all';
  /** Who reaches the exposed UIs. @default DEFAULT_UI_CLIENT_PEER (namespace ingress-nginx) */
  readonly controllerPeer?: UiClientPeer;
  /** Labels of the cluster DNS's namespace (UDP and TCP 53). @default DEFAULT_DNS_NAMESPACE_SELECTOR */
  readonly dnsNamespaceSelector?: Readonly<Record<string, string>>;
  /** Where the API server listens. @default []: any address except link-local on its ports, with advice */
  readonly apiServerCidrs?: readonly string[];
  /** Node addresses (host-network exporters, kubelets). @default []: any address except link-local on those ports, with advice */
  readonly nodeCidrs?: readonly string[];
  /** Addresses of remote stores outside the cluster. @default []: any address except link-local on their ports, with a warning */
  readonly remoteCidrs?: readonly string[];
}

/** Props with their defaults applied (what the policy builders read). */
type Resolved = Required<
  Pick<
    NetworkPoliciesProps,
    | 'namespace'
    | 'agentNamespace'
    | 'instance'
    | 'services'
    | 'dnsNamespaceSelector'
    | 'apiServerCidrs'
    | 'nodeCidrs'
    | 'remoteCidrs'
    | 'controllerPeer'
  >
> &
  Pick<NetworkPoliciesProps, 'annotationNamespaces'>;

const toPort = (p: string | number) => (typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p));

const portsOf = (ports: readonly FlowPort[]): k8s.NetworkPolicyPort[] | undefined =>
  ports.length === 0
    ? undefined
    : ports.map((p) => ({
        protocol: p.protocol,
        ...(p.port !== undefined ? { port: toPort(p.port) } : {}),
      }));

/** Addresses left open for lack of CIDRs, for the warnings. */
interface OpenEnds {
  readonly openTo: { 'api-server': Set<string>; nodes: Set<string>; remote: Set<string> };
  /** Remote flows to names outside the cluster while remoteCidrs is empty: their hosts and ports. */
  readonly openRemote: { host: string; ports: readonly FlowPort[] }[];
}

/** The peers of one end of a flow, seen from a policy in `policyNs`. */
function peersFor(
  p: Resolved,
  byName: ReadonlyMap<string, PresentComponent>,
  end: Flow['to'],
  policyNs: string,
  service?: ScrapedPods,
): k8s.NetworkPolicyPeer[] | undefined {
  const nsLabels = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
  if (typeof end === 'string') {
    const c = byName.get(end) as PresentComponent;
    return [
      { podSelector: { matchLabels: c.selector }, ...(c.namespace !== policyNs ? { namespaceSelector: nsLabels(c.namespace) } : {}) },
    ];
  }
  switch (end.external) {
    case 'ingress-controller':
      return p.controllerPeer.namespaceSelectors.map((n) => ({
        namespaceSelector: { matchLabels: { ...n } },
        ...(p.controllerPeer.podSelector ? { podSelector: { matchLabels: { ...p.controllerPeer.podSelector } } } : {}),
      }));
    case 'dns':
      return [{ namespaceSelector: { matchLabels: { ...p.dnsNamespaceSelector } } }];
    case 'api-server':
      return ipBlockPeers(p.apiServerCidrs);
    case 'nodes':
      return ipBlockPeers(p.nodeCidrs);
    case 'internet':
      return [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }];
    case 'annotated-pods':
      return p.annotationNamespaces === 'all' || p.annotationNamespaces === undefined
        ? [{ namespaceSelector: {} }]
        : [
            {
              namespaceSelector: {
                matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...p.annotationNamespaces] }],
              },
            },
          ];
    case 'acme-http01-solver':
      return [
        {
          podSelector: { matchLabels: ACME_HTTP01_SOLVER_LABELS },
          ...(policyNs !== p.namespace ? { namespaceSelector: nsLabels(p.namespace) } : {}),
        },
      ];
    case 'remote': {
      // charts/core/remote.ts: an in-cluster Service's namespace, an IP literal itself, else the declared CIDRs.
      const host = end.host as string;
      const ns = inClusterNamespace(host);
      if (ns) return [{ namespaceSelector: nsLabels(ns) }];
      const literal = ipLiteralCidr(host);
      if (literal) return ipBlockPeers([literal]);
      return ipBlockPeers(p.remoteCidrs);
    }
    case 'namespaces':
      return [
        {
          namespaceSelector: {
            matchExpressions: [
              {
                key: 'kubernetes.io/metadata.name',
                operator: 'In',
                values: [...((end as { namespaces?: readonly string[] }).namespaces ?? [])],
              },
            ],
          },
        },
      ];
    case 'user-services': {
      const s = service as ScrapedPods;
      return [{ namespaceSelector: nsLabels(s.namespace), podSelector: { matchLabels: { ...s.selector } } }];
    }
  }
}

/**
 * The egress rule of one flow to a remote URL: one rule per destination peer (a namespace, an address, the remote
 * CIDRs) with the ports of every URL there (`rules`: the component's rules so far, by peer), so ten URLs of one store
 * are one rule. A link-local IP literal gets none: it stays denied.
 */
function remoteEgress(
  p: Resolved,
  byName: ReadonlyMap<string, PresentComponent>,
  c: PresentComponent,
  f: Flow,
  rules: Map<string, k8s.NetworkPolicyEgressRule>,
  open: OpenEnds,
): k8s.NetworkPolicyEgressRule[] {
  const host = (f.to as { host?: string }).host as string;
  if (isLinkLocalHost(host)) return [];
  const to = peersFor(p, byName, f.to, c.namespace) as k8s.NetworkPolicyPeer[];
  if (!inClusterNamespace(host) && !ipLiteralCidr(host) && p.remoteCidrs.length === 0) {
    open.openTo.remote.add(c.name);
    open.openRemote.push({ host, ports: f.ports });
  }
  const key = JSON.stringify(to);
  const rule = rules.get(key);
  if (rule) {
    const have = new Set((rule.ports ?? []).map((x) => JSON.stringify(x)));
    for (const x of portsOf(f.ports) ?? []) if (!have.has(JSON.stringify(x))) (rule.ports as k8s.NetworkPolicyPort[]).push(x);
    return [];
  }
  const created: k8s.NetworkPolicyEgressRule = { to, ports: [...(portsOf(f.ports) ?? [])] };
  rules.set(key, created);
  return [created];
}

/**
 * Egress to the scraped services: each service's own pods and port while a namespace holds few services; past
 * SERVICES_PER_NAMESPACE_PRECISE, one rule for the namespace (any pod there, on the services' ports), so the policy
 * stays bounded whatever the number of services (issue 11).
 */
function servicesEgress(
  p: Resolved,
  byName: ReadonlyMap<string, PresentComponent>,
  c: PresentComponent,
  f: Flow,
): k8s.NetworkPolicyEgressRule[] {
  const port = (x: string | number) => ({ port: toPort(x), protocol: 'TCP' });
  const byNs = new Map<string, ScrapedPods[]>();
  for (const s of p.services) byNs.set(s.namespace, [...(byNs.get(s.namespace) ?? []), s]);
  return [...byNs.entries()].flatMap(([ns, services]): k8s.NetworkPolicyEgressRule[] =>
    services.length <= SERVICES_PER_NAMESPACE_PRECISE
      ? services.map((s) => ({ to: peersFor(p, byName, f.to, c.namespace, s), ports: [port(s.port)] }))
      : [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }],
            ports: [...new Set(services.map((s) => s.port))].map(port),
          },
        ],
  );
}

export class NetworkPolicies extends Construct {
  public readonly components: PresentComponent[];
  /** The flows the emitted policies allow (for docs and tests). */
  public readonly flows: Flow[];
  private readonly resolved: Resolved;
  private readonly byName: Map<string, PresentComponent>;
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    this.resolved = {
      namespace: props.namespace,
      agentNamespace: props.agentNamespace,
      instance: props.instance ?? 'monitoring',
      services: props.services ?? [],
      annotationNamespaces: props.annotationNamespaces,
      controllerPeer: props.controllerPeer ?? DEFAULT_UI_CLIENT_PEER,
      dnsNamespaceSelector: props.dnsNamespaceSelector ?? DEFAULT_DNS_NAMESPACE_SELECTOR,
      apiServerCidrs: props.apiServerCidrs ?? [],
      nodeCidrs: props.nodeCidrs ?? [],
      remoteCidrs: props.remoteCidrs ?? [],
    };
    this.components = findComponents(props.root);
    this.byName = new Map(this.components.map((c) => [c.name, c]));
    this.flows = this.presentFlows(props);
    // Labelled as one application, "network-policies" (not the component each policy selects), so selecting a
    // component's objects by app.kubernetes.io/name finds its own objects only.
    this.labels = recommendedLabels({ name: 'network-policies', instance: this.resolved.instance, component: 'network-policy' });

    this.defaultDeny();
    const open: OpenEnds = {
      openTo: { 'api-server': new Set<string>(), nodes: new Set<string>(), remote: new Set<string>() },
      openRemote: [],
    };
    for (const c of this.components) {
      if (!c.hostNetwork) this.componentPolicy(c, open); // policies do not apply to host-network pods
    }
    this.solverPolicy();
    this.reportOpenEnds(open);
  }

  private meta(name: string, namespace: string) {
    return { name, namespace, labels: this.labels };
  }

  /** The flows whose ends are both present (after checking every workload is a known component). */
  private presentFlows(props: NetworkPoliciesProps): Flow[] {
    const known = knownComponents(props.components);
    const unknown = this.components.filter((c) => !known.includes(c.name));
    if (unknown.length) {
      throw new Error(
        `workload(s) ${unknown.map((c) => c.name).join(', ')} have no entry in the NetworkPolicy flow table (register the component in charts/registry.ts with workload: true and its flows), or set spec.networkPolicies.enabled: false`,
      );
    }
    const uiPort = (ui: string): number => {
      const c = props.components.find((x) => x.name === ui);
      if (!c?.ui) throw new Error(`Ingress exposes "${ui}" but no registered component declares that UI (ComponentDef.ui)`);
      return c.ui.port;
    };
    const p = this.resolved;
    const present = (end: Flow['to']) => typeof end !== 'string' || this.byName.has(end);
    const external = (f: Flow, e: External) => typeof f.to !== 'string' && f.to.external === e;
    return [
      ...(props.exposed ?? []).map((ui): Flow => ({
        from: ext('ingress-controller'),
        to: ui,
        ports: tcp(uiPort(ui)),
        why: `Ingress ${ui}`,
      })),
      ...(props.flows ?? flowTable(props.components))
        .filter((f) => !f.requires || this.byName.has(f.requires))
        .filter((f) => !external(f, 'user-services') || p.services.length > 0)
        .filter((f) => !external(f, 'annotated-pods') || p.annotationNamespaces === 'all' || (p.annotationNamespaces?.length ?? 0) > 0),
    ].filter((f) => present(f.from) && present(f.to));
  }

  /** Default deny, then DNS for everyone, in both namespaces. */
  private defaultDeny(): void {
    const p = this.resolved;
    for (const [key, ns] of [
      ['stack', p.namespace],
      ['agents', p.agentNamespace],
    ] as const) {
      new k8s.KubeNetworkPolicy(this, `${key}-default-deny`, {
        metadata: this.meta('default-deny', ns),
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
      new k8s.KubeNetworkPolicy(this, `${key}-dns`, {
        metadata: this.meta('allow-dns', ns),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { ...p.dnsNamespaceSelector } } }],
              ports: [
                { port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
                { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
              ],
            },
          ],
        },
      });
    }
  }

  /** The policy of one present component: who may reach it, and where it may go. */
  private componentPolicy(c: PresentComponent, open: OpenEnds): void {
    const p = this.resolved;
    const rule = (to: k8s.NetworkPolicyPeer[] | undefined, ports: readonly FlowPort[]) => ({
      ...(to ? { to } : {}),
      ...(portsOf(ports) ? { ports: portsOf(ports) } : {}),
    });
    const ingress: k8s.NetworkPolicyIngressRule[] = this.flows
      .filter((f) => f.to === c.name)
      .map((f) => {
        const from = peersFor(p, this.byName, f.from, c.namespace);
        return { ...(from ? { from } : {}), ...(portsOf(f.ports) ? { ports: portsOf(f.ports) } : {}) };
      });
    const remote = new Map<string, k8s.NetworkPolicyEgressRule>();
    const egress: k8s.NetworkPolicyEgressRule[] = this.flows
      .filter((f) => f.from === c.name)
      .flatMap((f): k8s.NetworkPolicyEgressRule[] => {
        if (typeof f.to !== 'string' && f.to.external === 'remote') return remoteEgress(p, this.byName, c, f, remote, open);
        if (typeof f.to !== 'string' && f.to.external === 'user-services') return servicesEgress(p, this.byName, c, f);
        if (typeof f.to !== 'string' && (f.to.external === 'api-server' || f.to.external === 'nodes')) {
          if ((f.to.external === 'api-server' ? p.apiServerCidrs : p.nodeCidrs).length === 0) open.openTo[f.to.external].add(c.name);
        }
        return [rule(peersFor(p, this.byName, f.to, c.namespace), f.ports)];
      });
    new k8s.KubeNetworkPolicy(this, c.name, {
      metadata: this.meta(c.name, c.namespace),
      spec: {
        podSelector: { matchLabels: c.selector },
        policyTypes: ['Ingress', 'Egress'],
        ...(ingress.length ? { ingress } : {}),
        ...(egress.length ? { egress } : {}),
      },
    });
  }

  /**
   * cert-manager's HTTP-01 solver pods come and go in the stack namespace (one per challenge); the default deny
   * would cut the ingress controller off from them and no certificate would ever issue.
   */
  private solverPolicy(): void {
    const p = this.resolved;
    const toSolver = this.flows.filter((f) => typeof f.to !== 'string' && f.to.external === 'acme-http01-solver');
    if (!toSolver.length) return;
    new k8s.KubeNetworkPolicy(this, 'acme-http01-solver', {
      metadata: this.meta('acme-http01-solver', p.namespace),
      spec: {
        podSelector: { matchLabels: ACME_HTTP01_SOLVER_LABELS },
        policyTypes: ['Ingress', 'Egress'], // no egress: the solver only answers
        ingress: toSolver.map((f) => {
          const from = peersFor(p, this.byName, f.from, p.namespace);
          return { ...(from ? { from } : {}), ...(portsOf(f.ports) ? { ports: portsOf(f.ports) } : {}) };
        }),
      },
    });
  }

  /** Advice (API server, nodes) or a warning (remote stores) for each kind of address left open. */
  private reportOpenEnds({ openTo, openRemote }: OpenEnds): void {
    const fix = {
      'api-server': 'spec.networkPolicies.apiServerCidrs (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)',
      nodes: "spec.networkPolicies.nodeCidrs (the nodes' InternalIP range: kubectl get nodes -o wide)",
      remote: `spec.networkPolicies.remoteCidrs (the addresses of ${[...new Set(openRemote.map((r) => r.host))].sort().join(', ')})`,
    };
    for (const [what, who] of Object.entries(openTo) as [keyof typeof openTo, Set<string>][]) {
      if (who.size === 0) continue;
      const ports =
        what === 'remote'
          ? [...new Set(openRemote.flatMap((r) => r.ports.map((x) => x.port)))].sort()
          : [
              ...new Set(
                this.flows
                  .filter((f) => typeof f.to !== 'string' && f.to.external === what && typeof f.from === 'string' && who.has(f.from))
                  .flatMap((f) => f.ports.map((x) => x.port)),
              ),
            ].sort();
      // The API server's and nodes' addresses are unknown to every spec at first: advice, not a warning.
      (what === 'remote' ? warn : advise)(
        this,
        `${fix[what].split(' ')[0]} is empty, so ${[...who].join(', ')} may reach any address (except link-local) on TCP ${ports.join(', ')}; set ${fix[what]}`,
      );
    }
  }
}

/** A line per flow, for the README and the closing note. */
export function describeFlows(flows: readonly Flow[]): string[] {
  const end = (e: Flow['to']) => (typeof e === 'string' ? e : e.host ? `${e.external}(${e.host})` : e.external);
  return flows.map(
    (f) =>
      `${end(f.from)} -> ${end(f.to)} ${f.ports.length ? f.ports.map((p) => `${p.port ?? 'any'}/${p.protocol}`).join(',') : '(service ports)'}: ${f.why}`,
  );
}
