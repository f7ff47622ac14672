/**
 * NetworkPolicies evaluated as a CNI would (test/lib/netpol.ts): every flow
 * the stack needs is allowed, unrelated flows are denied. Two setups:
 * the real stack as synthesized (components of this branch), and every
 * component of the flow table as stand-in workloads, so the policies of
 * components merged later are tested too.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { recommendedLabels, selectorLabels } from '../../charts/core/labels';
import { flowTable, NetworkPolicies, SERVICES_PER_NAMESPACE_PRECISE } from '../../charts/components/network-policies/construct';
import { COMPONENTS, KNOWN_COMPONENTS } from '../../charts/registry';
import type { ServiceSpec } from '../../charts/spec-schema';
import { networkPoliciesSchema, type ExposedUi } from '../../charts/components/ingress/spec';
import type { K8sObject } from '../lib/k8s-validate';
import { podTemplates } from '../lib/dist';
import { Endpoint, PolicySet } from '../lib/netpol';
import { find, stackDoc, synth } from '../lib/synth';
import { validateSpec } from '../../charts/spec-load';

const I = 'test-stack';
const NS = 'monitoring';
const AG = 'monitoring-agents';
const NODE_IP = '192.168.10.21';
const API_IP = '10.96.0.1';
const INTERNET_IP = '52.112.0.10';

/** Where each component runs (the fixed table), and whether it uses the host network. */
/** Where each component's pods run; a component not listed runs in spec.namespace without host networking. */
const PLACEMENT: Record<string, { ns: string; hostNetwork?: boolean }> = {
  prometheus: { ns: NS },
  alertmanager: { ns: NS },
  'prometheus-msteams': { ns: NS },
  'kube-state-metrics': { ns: NS },
  loki: { ns: NS },
  grafana: { ns: NS },
  'node-exporter': { ns: AG, hostNetwork: true },
  cadvisor: { ns: AG },
  'dcgm-exporter': { ns: AG },
  promtail: { ns: AG },
  alloy: { ns: AG },
  backup: { ns: NS },
  'alloy-events': { ns: NS },
};

const pod = (name: string): Endpoint => ({
  namespace: PLACEMENT[name]?.ns ?? NS,
  labels: recommendedLabels({ name, instance: I, component: 'x' }),
});
const ingressController: Endpoint = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
const dnsPod: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const node: Endpoint = { ip: NODE_IP };
const apiServer: Endpoint = { ip: API_IP };
const internet: Endpoint = { ip: INTERNET_IP };

const SERVICES: ServiceSpec[] = [
  {
    name: 'whisper-api',
    kind: 'whisper-api',
    namespace: 'ai',
    selector: { 'app.kubernetes.io/name': 'whisper-api' },
    port: 'http',
    path: '/metrics',
    scheme: 'http',
  },
  {
    name: 'whisperx-rq',
    kind: 'rq-exporter',
    namespace: 'ai',
    selector: { 'app.kubernetes.io/name': 'rq-exporter' },
    port: 9726,
    path: '/metrics',
    scheme: 'http',
  },
];
const whisperApi: Endpoint = { namespace: 'ai', labels: { 'app.kubernetes.io/name': 'whisper-api' }, namedPorts: { http: 8000 } };
const rqExporter: Endpoint = { namespace: 'ai', labels: { 'app.kubernetes.io/name': 'rq-exporter' } };

interface FakeOptions {
  readonly components?: string[];
  readonly exposed?: ExposedUi[];
  readonly annotationDiscovery?: boolean;
  readonly spec?: Record<string, unknown>;
  /** The stack spec whose spec-dependent flows are added (default: e-mail and webhook receivers, an ACME issuer). */
  readonly stackSpec?: Record<string, unknown>;
}

const FULL_STACK_SPEC = {
  ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } },
  alerting: {
    receivers: [
      { name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' } },
      { name: 'mail', type: 'email', to: 'ops@example.org', from: 'am@example.org', smarthost: 'smtp.example.org:587' },
      { name: 'hook', type: 'webhook', urlSecretRef: { name: 'hook', key: 'url' } },
    ],
  },
};

/** Stand-in workloads for `components` and the NetworkPolicies built over them. */
function fakeStack(o: FakeOptions = {}): K8sObject[] {
  const chart = new Chart(new App(), 'fake', { disableResourceNameHashes: true });
  for (const name of o.components ?? KNOWN_COMPONENTS) {
    const place = PLACEMENT[name] ?? { ns: NS };
    new k8s.KubeDeployment(chart, name, {
      metadata: { name, namespace: place.ns, labels: recommendedLabels({ name, instance: I, component: 'x' }) },
      spec: {
        selector: { matchLabels: selectorLabels(name, I) },
        template: {
          metadata: { labels: selectorLabels(name, I) },
          spec: { hostNetwork: place.hostNetwork, containers: [{ name, image: `example/${name}:1.0.0` }] },
        },
      },
    });
  }
  const {
    enabled: _enabled,
    ingressControllerNamespaceSelector,
    ingressControllerPodSelector,
    ...np
  } = networkPoliciesSchema.parse(o.spec ?? {});
  new NetworkPolicies(chart, 'np', {
    instance: I,
    namespace: NS,
    agentNamespace: AG,
    ...np,
    // As the stack does without a controller peer: the spec's selectors, else ingress-nginx's namespace.
    ...(ingressControllerNamespaceSelector
      ? { controllerPeer: { namespaceSelectors: [ingressControllerNamespaceSelector], podSelector: ingressControllerPodSelector } }
      : {}),
    root: chart,
    exposed: o.exposed ?? ['grafana', 'prometheus', 'alertmanager'],
    services: SERVICES,
    annotationNamespaces: o.annotationDiscovery ? 'all' : undefined,
    flows: flowTable(COMPONENTS, validateSpec(stackDoc(o.stackSpec ?? FULL_STACK_SPEC)).spec),
    components: COMPONENTS,
  });
  return chart.toJson();
}

type Case = [string, Endpoint, Endpoint, number, ('TCP' | 'UDP')?];

/** Flows every component needs (all components present, all UIs exposed). */
const NEEDED: Case[] = [
  ['ingress controller -> grafana', ingressController, pod('grafana'), 3000],
  ['ingress controller -> prometheus', ingressController, pod('prometheus'), 9090],
  ['ingress controller -> alertmanager', ingressController, pod('alertmanager'), 9093],
  ['grafana -> prometheus', pod('grafana'), pod('prometheus'), 9090],
  ['grafana -> loki', pod('grafana'), pod('loki'), 3100],
  ['grafana -> alertmanager', pod('grafana'), pod('alertmanager'), 9093],
  ['prometheus -> prometheus (other replica)', pod('prometheus'), pod('prometheus'), 9090],
  ['prometheus -> alertmanager', pod('prometheus'), pod('alertmanager'), 9093],
  ['prometheus -> prometheus-msteams', pod('prometheus'), pod('prometheus-msteams'), 2000],
  ['prometheus -> kube-state-metrics', pod('prometheus'), pod('kube-state-metrics'), 8080],
  ['prometheus -> kube-state-metrics telemetry', pod('prometheus'), pod('kube-state-metrics'), 8081],
  ['prometheus -> cadvisor', pod('prometheus'), pod('cadvisor'), 8080],
  ['prometheus -> dcgm-exporter', pod('prometheus'), pod('dcgm-exporter'), 9400],
  ['prometheus -> loki', pod('prometheus'), pod('loki'), 3100],
  ['prometheus -> promtail', pod('prometheus'), pod('promtail'), 3101],
  ['prometheus -> alloy', pod('prometheus'), pod('alloy'), 12345],
  ['prometheus -> grafana', pod('prometheus'), pod('grafana'), 3000],
  ['prometheus -> node-exporter (host network)', pod('prometheus'), node, 9100],
  ['prometheus -> kubelet', pod('prometheus'), node, 10250],
  ['prometheus -> API server 443', pod('prometheus'), apiServer, 443],
  ['prometheus -> API server 6443', pod('prometheus'), apiServer, 6443],
  ['prometheus -> user service on a named port', pod('prometheus'), whisperApi, 8000],
  ['prometheus -> user service on a numbered port', pod('prometheus'), rqExporter, 9726],
  ['alertmanager -> prometheus-msteams', pod('alertmanager'), pod('prometheus-msteams'), 2000],
  ['alertmanager -> peer gossip TCP', pod('alertmanager'), pod('alertmanager'), 9094, 'TCP'],
  ['alertmanager -> peer gossip UDP', pod('alertmanager'), pod('alertmanager'), 9094, 'UDP'],
  ['alertmanager -> SMTP submission', pod('alertmanager'), internet, 587],
  ['prometheus-msteams -> Teams (internet 443)', pod('prometheus-msteams'), internet, 443],
  ['promtail -> loki', pod('promtail'), pod('loki'), 3100],
  ['alloy -> loki', pod('alloy'), pod('loki'), 3100],
  ['promtail -> API server', pod('promtail'), apiServer, 443],
  ['alloy -> API server', pod('alloy'), apiServer, 6443],
  ['kube-state-metrics -> API server', pod('kube-state-metrics'), apiServer, 443],
  ['loki ruler -> alertmanager', pod('loki'), pod('alertmanager'), 9093],
  ['backup CronJob -> API server', pod('backup'), apiServer, 443],
  ['alloy-events -> loki push', pod('alloy-events'), pod('loki'), 3100],
  ['alloy-events -> API server', pod('alloy-events'), apiServer, 443],
  ...KNOWN_COMPONENTS.filter((c) => !PLACEMENT[c]?.hostNetwork).flatMap((c): Case[] => [
    [`${c} -> DNS (UDP)`, pod(c), dnsPod, 53, 'UDP'],
    [`${c} -> DNS (TCP)`, pod(c), dnsPod, 53, 'TCP'],
  ]),
];

/** Flows nothing needs. */
const UNRELATED: Case[] = [
  ['a pod of another namespace -> prometheus', { namespace: 'default', labels: { app: 'random' } }, pod('prometheus'), 9090],
  ['a pod of another namespace -> loki', { namespace: 'ai', labels: { app: 'random' } }, pod('loki'), 3100],
  ['a pod of the stack namespace -> prometheus', { namespace: NS, labels: { app: 'debug' } }, pod('prometheus'), 9090],
  ['grafana -> node-exporter', pod('grafana'), node, 9100],
  ['grafana -> cadvisor', pod('grafana'), pod('cadvisor'), 8080],
  ['grafana -> internet', pod('grafana'), internet, 443],
  ['prometheus-msteams -> loki', pod('prometheus-msteams'), pod('loki'), 3100],
  ['prometheus-msteams -> a private address', pod('prometheus-msteams'), { ip: '10.20.30.40' }, 443],
  ['prometheus-msteams -> internet on port 80', pod('prometheus-msteams'), internet, 80],
  ['ingress controller -> loki', ingressController, pod('loki'), 3100],
  ['ingress controller -> prometheus on another port', ingressController, pod('prometheus'), 9091],
  ['promtail -> prometheus', pod('promtail'), pod('prometheus'), 9090],
  ['promtail -> internet on port 80', pod('promtail'), internet, 80],
  ['cadvisor -> loki', pod('cadvisor'), pod('loki'), 3100],
  ['dcgm-exporter -> API server', pod('dcgm-exporter'), apiServer, 443],
  ['loki -> prometheus', pod('loki'), pod('prometheus'), 9090],
  ['prometheus -> user service namespace, other pod', pod('prometheus'), { namespace: 'ai', labels: { app: 'other' } }, 9726],
  [
    'prometheus -> user service namespace, a port no service declares',
    pod('prometheus'),
    { namespace: 'ai', labels: { app: 'other' } },
    5432,
  ],
  [
    'prometheus -> a pod of another namespace (no annotation discovery)',
    pod('prometheus'),
    { namespace: 'default', labels: { app: 'x' } },
    8080,
  ],
  ['grafana -> DNS on another port', pod('grafana'), dnsPod, 443],
  ['alertmanager -> loki', pod('alertmanager'), pod('loki'), 3100],
];

const render = (c: Case) => `${c[0]} (${c[3]}/${c[4] ?? 'TCP'})`;

describe('NetworkPolicies with every component of the flow table', () => {
  const policies = new PolicySet(fakeStack());

  test.each(NEEDED.map((c) => [render(c), c] as const))('allows %s', (_n, c) => {
    expect(policies.allowed({ from: c[1], to: c[2], port: c[3], protocol: c[4] })).toBe(true);
  });

  test.each(UNRELATED.map((c) => [render(c), c] as const))('denies %s', (_n, c) => {
    expect(policies.allowed({ from: c[1], to: c[2], port: c[3], protocol: c[4] })).toBe(false);
  });

  test('default deny and DNS in both namespaces, one policy per component off the host network', () => {
    const objects = fakeStack();
    const names = objects.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).filter((n) => !n.startsWith('undefined'));
    for (const ns of [NS, AG]) expect(names).toEqual(expect.arrayContaining([`${ns}/default-deny`, `${ns}/allow-dns`]));
    const perComponent = objects.filter((o) => o.kind === 'NetworkPolicy' && KNOWN_COMPONENTS.includes(o.metadata?.name as string));
    expect(perComponent.map((o) => o.metadata?.name).sort()).toEqual(KNOWN_COMPONENTS.filter((c) => c !== 'node-exporter').sort());
  });
});

describe('NetworkPolicies follow the spec', () => {
  test('an unexposed UI is closed to the ingress controller', () => {
    const policies = new PolicySet(fakeStack({ exposed: ['grafana'] }));
    expect(policies.allowed({ from: ingressController, to: pod('grafana'), port: 3000 })).toBe(true);
    expect(policies.allowed({ from: ingressController, to: pod('prometheus'), port: 9090 })).toBe(false);
    expect(policies.allowed({ from: ingressController, to: pod('alertmanager'), port: 9093 })).toBe(false);
  });

  test('the ingress controller namespace selector is settable', () => {
    const policies = new PolicySet(
      fakeStack({ spec: { ingressControllerNamespaceSelector: { 'kubernetes.io/metadata.name': 'traefik' } } }),
    );
    expect(policies.allowed({ from: ingressController, to: pod('grafana'), port: 3000 })).toBe(false);
    expect(policies.allowed({ from: { namespace: 'traefik', labels: {} }, to: pod('grafana'), port: 3000 })).toBe(true);
  });

  test('annotation discovery opens Prometheus egress to pods of every namespace, and only then', () => {
    const target: Endpoint = { namespace: 'default', labels: { app: 'x' } };
    expect(new PolicySet(fakeStack({ annotationDiscovery: true })).allowed({ from: pod('prometheus'), to: target, port: 8080 })).toBe(true);
    expect(new PolicySet(fakeStack({ annotationDiscovery: false })).allowed({ from: pod('prometheus'), to: target, port: 8080 })).toBe(
      false,
    );
  });

  test('apiServerCidrs and nodeCidrs narrow the API server and node rules', () => {
    const policies = new PolicySet(fakeStack({ spec: { apiServerCidrs: [`${API_IP}/32`], nodeCidrs: ['192.168.10.0/24'] } }));
    expect(policies.allowed({ from: pod('prometheus'), to: apiServer, port: 443 })).toBe(true);
    expect(policies.allowed({ from: pod('prometheus'), to: internet, port: 443 })).toBe(false);
    expect(policies.allowed({ from: pod('promtail'), to: internet, port: 443 })).toBe(false);
    expect(policies.allowed({ from: pod('prometheus'), to: node, port: 9100 })).toBe(true);
    expect(policies.allowed({ from: pod('prometheus'), to: { ip: '172.20.0.5' }, port: 10250 })).toBe(false);
  });

  test('a flow is emitted only when both components are present', () => {
    const objects = fakeStack({ components: ['prometheus', 'grafana'] });
    expect(
      objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['acme-http01-solver', 'allow-dns', 'allow-dns', 'default-deny', 'default-deny', 'grafana', 'prometheus']);
    const grafana = objects.find((o) => o.metadata?.name === 'grafana' && o.kind === 'NetworkPolicy') as any;
    expect(JSON.stringify(grafana.spec.egress)).not.toContain('loki');
  });

  test('a workload missing from the flow table fails the synth with the fix', () => {
    const chart = new Chart(new App(), 'fake');
    new k8s.KubeDeployment(chart, 'x', {
      metadata: { name: 'tempo', namespace: NS, labels: { 'app.kubernetes.io/name': 'tempo' } },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } },
      },
    });
    expect(
      () =>
        new NetworkPolicies(chart, 'np', {
          instance: I,
          namespace: NS,
          agentNamespace: AG,
          root: chart,
          exposed: [],
          services: [],
          components: COMPONENTS,
        }),
    ).toThrow(/tempo have no entry in the NetworkPolicy flow table.*charts\/registry\.ts.*spec\.networkPolicies\.enabled: false/);
  });
});

describe('NetworkPolicies of the synthesized stack', () => {
  const stackSpec = { services: SERVICES.map(({ path: _p, scheme: _s, ...s }) => s), prometheus: { annotationDiscovery: false } };
  const { objects } = synth(stackSpec);
  const policies = new PolicySet(objects);

  test('at least 5 policies, in 51-network-policies', () => {
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').length).toBeGreaterThanOrEqual(5);
  });

  test.each([
    ['prometheus -> cadvisor', pod('prometheus'), pod('cadvisor'), 8080],
    ['prometheus -> node-exporter', pod('prometheus'), node, 9100],
    ['prometheus -> user service', pod('prometheus'), whisperApi, 8000],
    ['prometheus -> API server', pod('prometheus'), apiServer, 6443],
    ['prometheus -> DNS', pod('prometheus'), dnsPod, 53],
    ['cadvisor -> DNS', pod('cadvisor'), dnsPod, 53],
  ] as Case[])('allows %s', (_n, from, to, port) => {
    expect(policies.allowed({ from, to, port })).toBe(true);
  });

  test.each([
    ['a random pod -> prometheus', { namespace: 'default', labels: { app: 'x' } }, pod('prometheus'), 9090],
    ['cadvisor -> prometheus', pod('cadvisor'), pod('prometheus'), 9090],
    ['cadvisor -> internet', pod('cadvisor'), internet, 443],
    ['prometheus -> internet on 80', pod('prometheus'), internet, 80],
  ] as Case[])('denies %s', (_n, from, to, port) => {
    expect(policies.allowed({ from, to, port })).toBe(false);
  });

  test('spec.networkPolicies.enabled: false emits none', () => {
    expect(synth({ networkPolicies: { enabled: false } }).objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

/** Endpoints of the synthesized workloads, by app.kubernetes.io/name (labels and named ports from the pod template). */
function workloadEndpoints(objects: K8sObject[]): Record<string, Endpoint> {
  const out: Record<string, Endpoint> = {};
  for (const { object, podSpec, podMetadata } of podTemplates(objects)) {
    const namedPorts: Record<string, number> = {};
    for (const c of podSpec.containers ?? []) for (const p of c.ports ?? []) if (p.name) namedPorts[p.name] = p.containerPort;
    const name = (object.metadata?.labels as Record<string, string>)['app.kubernetes.io/name'];
    out[name] = {
      namespace: object.metadata?.namespace,
      labels: podMetadata.labels,
      namedPorts,
      hostNetwork: podSpec.hostNetwork === true,
    };
  }
  return out;
}

describe('NetworkPolicies over every component merged into the stack', () => {
  for (const collector of ['promtail', 'alloy'] as const) {
    const spec = {
      logs: { collector },
      loki: { ruler: { enabled: true } },
      alerting: {
        receivers: [{ name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' } }],
      },
      ingress: { domain: 'example.org', prometheus: { enabled: true }, alertmanager: { enabled: true } },
    };
    const { objects } = synth(spec);
    const policies = new PolicySet(objects);
    const ep = workloadEndpoints(objects);
    const present = Object.keys(ep);

    test(`${collector}: a policy selects every workload off the host network`, () => {
      for (const [name, e] of Object.entries(ep)) {
        if (e.hostNetwork) continue;
        const selecting = objects.filter(
          (o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === e.namespace && o.metadata?.name === name,
        );
        expect([name, selecting.length]).toEqual([name, 1]);
      }
    });

    // Every row has the protocol: jest passes a done callback in place of a missing last argument.
    const needed: [string, string, number, 'TCP' | 'UDP'][] = [
      ['prometheus', 'alertmanager', 9093, 'TCP'],
      ['prometheus', 'prometheus-msteams', 2000, 'TCP'],
      ['prometheus', 'kube-state-metrics', 8080, 'TCP'],
      ['prometheus', 'dcgm-exporter', 9400, 'TCP'],
      ['prometheus', 'loki', 3100, 'TCP'],
      ['prometheus', collector, collector === 'promtail' ? 3101 : 12345, 'TCP'],
      ['prometheus', 'cadvisor', 8080, 'TCP'],
      ['alertmanager', 'prometheus-msteams', 2000, 'TCP'],
      ['alertmanager', 'alertmanager', 9094, 'UDP'],
      [collector, 'loki', 3100, 'TCP'],
      ['loki', 'alertmanager', 9093, 'TCP'],
      ['grafana', 'prometheus', 9090, 'TCP'],
      ['grafana', 'loki', 3100, 'TCP'],
      ['grafana', 'alertmanager', 9093, 'TCP'],
      ['prometheus', 'grafana', 3000, 'TCP'],
    ];
    test.each(needed)(`${collector}: allows %s -> %s:%d/%s`, (from, to, port, protocol) => {
      expect(present).toEqual(expect.arrayContaining([from, to]));
      expect(policies.allowed({ from: ep[from], to: ep[to], port, protocol })).toBe(true);
    });

    test.each([
      [collector, 'prometheus', 9090],
      ['prometheus-msteams', 'loki', 3100],
      ['dcgm-exporter', 'loki', 3100],
      ['kube-state-metrics', 'alertmanager', 9093],
      ['cadvisor', 'prometheus', 9090],
      ['grafana', 'cadvisor', 8080],
      ['grafana', 'kube-state-metrics', 8080],
      [collector, 'grafana', 3000],
    ] as [string, string, number][])(`${collector}: denies %s -> %s:%d`, (from, to, port) => {
      expect(policies.allowed({ from: ep[from], to: ep[to], port })).toBe(false);
    });

    test(`${collector}: the ingress controller reaches the exposed Grafana, Prometheus and Alertmanager, a random pod does not`, () => {
      expect(policies.allowed({ from: ingressController, to: ep.grafana, port: 3000 })).toBe(true);
      expect(policies.allowed({ from: { namespace: 'default', labels: { app: 'x' } }, to: ep.grafana, port: 3000 })).toBe(false);
      expect(policies.allowed({ from: ingressController, to: ep.prometheus, port: 9090 })).toBe(true);
      expect(policies.allowed({ from: ingressController, to: ep.alertmanager, port: 9093 })).toBe(true);
      expect(policies.allowed({ from: { namespace: 'default', labels: { app: 'x' } }, to: ep.alertmanager, port: 9093 })).toBe(false);
    });
  }
});

describe('many services in one namespace', () => {
  test("past SERVICES_PER_NAMESPACE_PRECISE, one egress rule for the namespace on the services' ports", () => {
    const many = Array.from({ length: SERVICES_PER_NAMESPACE_PRECISE + 1 }, (_, i) => ({
      name: `svc-${i}`,
      kind: 'http',
      namespace: 'big',
      selector: { 'app.kubernetes.io/name': `svc-${i}` },
      port: i % 2 ? 'http' : 8080,
    }));
    const few = [{ name: 'one', kind: 'http', namespace: 'small', selector: { app: 'one' }, port: 'http' }];
    const np = find(synth({ services: [...many, ...few] }).objects, 'NetworkPolicy', 'prometheus');
    const toNs = (ns: string) =>
      np.spec.egress.filter((r: any) => JSON.stringify(r.to ?? []).includes(`"kubernetes.io/metadata.name":"${ns}"`));
    expect(toNs('big')).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'big' } } }],
        ports: [
          { port: 8080, protocol: 'TCP' },
          { port: 'http', protocol: 'TCP' },
        ],
      },
    ]);
    expect(toNs('small')).toEqual([
      {
        to: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'small' } }, podSelector: { matchLabels: { app: 'one' } } },
        ],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
  });
});

describe('Loki simple-scalable: one policy for the write, read and backend workloads', () => {
  const S3 = {
    type: 's3',
    s3: { bucket: 'loki-chunks', endpoint: 'minio.storage.svc:9000', forcePathStyle: true, credentials: { name: 'loki-s3' } },
  };
  const { objects } = synth({ loki: { mode: 'simple-scalable', storage: S3, ruler: { enabled: true } } });
  const policies = new PolicySet(objects);
  const pods = Object.fromEntries(
    podTemplates(objects).map(({ object, podMetadata }) => [
      object.metadata?.name as string,
      { namespace: object.metadata?.namespace, labels: podMetadata.labels },
    ]),
  );

  test("the policy selects the labels every target shares, not the first target's", () => {
    expect(find(objects, 'NetworkPolicy', 'loki').spec.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': I },
    });
  });

  test.each([
    ['grafana', 'loki-read', 3100],
    ['alloy', 'loki-write', 3100],
    ['alloy-events', 'loki-write', 3100],
    ['prometheus', 'loki-backend', 3100],
    ['loki-read', 'loki-backend', 9095],
    ['loki-write', 'loki-read', 7946],
    ['loki-backend', 'alertmanager', 9093],
  ] as [string, string, number][])('allows %s -> %s:%d', (from, to, port) => {
    expect(policies.allowed({ from: pods[from], to: pods[to], port })).toBe(true);
  });

  test.each([
    ['alloy', 'loki-read', 9095],
    ['grafana', 'loki-write', 9095],
    ['loki-read', 'grafana', 3000],
  ] as [string, string, number][])('denies %s -> %s:%d', (from, to, port) => {
    expect(policies.allowed({ from: pods[from], to: pods[to], port })).toBe(false);
  });
});
