/**
 * Constructs with their own props (issue 25): the blackbox exporter, kube-state-metrics and the Gateway API routes
 * each build alone in a plain cdk8s Chart from their props, without the spec parser, from the package root. The
 * objects are checked against the Kubernetes schema and CRDs (test/lib/checks.ts), and the construct files of the
 * converted components import nothing from charts/spec (the zod sections) but the Resources type.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  BlackboxExporter,
  GatewayProxyPolicy,
  GatewayRoutes,
  IMAGES,
  KubeStateMetrics,
  type BlackboxExporterProps,
  type GatewayRoutesProps,
  type ScrapeConfig,
} from '../../charts';
import { DEFAULT_SIZING } from '../../charts/core/sizing';
import { allProblems } from '../lib/checks';
import type { K8sObject } from '../lib/k8s-validate';

const ROOT = path.join(__dirname, '..', '..');

/** A Prometheus stand-in collecting what the constructs add (the constructs only need these two methods). */
function collector() {
  const jobs: ScrapeConfig[] = [];
  const files = new Map<string, readonly ScrapeConfig[]>();
  return {
    jobs,
    files,
    addScrapeConfig: (job: ScrapeConfig) => void jobs.push(job),
    addScrapeConfigFiles: (f: ReadonlyMap<string, readonly ScrapeConfig[]>) => f.forEach((v, k) => files.set(k, v)),
  };
}

function chart(): Chart {
  return new Chart(new App(), 'user-chart', { disableResourceNameHashes: true });
}

const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`).sort();
const find = (objects: K8sObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (!name || o.metadata?.name === name)) as any;

describe('BlackboxExporter from its props alone', () => {
  test('only the namespace is required: the exporter, its config and its own scrape job, with the documented defaults', () => {
    const c = chart();
    const bb = new BlackboxExporter(c, 'probes', { namespace: 'probes' });
    const objects = Testing.synth(c) as K8sObject[];
    expect(ids(objects)).toEqual([
      'ConfigMap/probes/blackbox-exporter-config',
      'Deployment/probes/blackbox-exporter',
      'Service/probes/blackbox-exporter',
    ]);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].image).toBe(IMAGES.blackboxExporter);
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    expect(find(objects, 'Deployment').metadata.labels['app.kubernetes.io/instance']).toBe('monitoring');
    // The default timeout (10s) rides on every module.
    expect(Object.values(bb.config.modules).map((m) => m.timeout)).toEqual(['10s', '10s', '10s', '10s']);
    expect(bb.scrapeConfigs.map((j) => j.job_name)).toEqual(['blackbox-exporter']);
    expect(bb.scrapeConfigFiles.size).toBe(0);
    expect(allProblems(objects)).toEqual([]);
  });

  test('every prop is honoured: services, their paths, the hosts (basic auth or not), cert-manager, the given Prometheus', () => {
    const c = chart();
    const prometheus = collector();
    const props: BlackboxExporterProps = {
      namespace: 'obs',
      instance: 'prod',
      interval: '1m',
      timeout: '20s',
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
      services: [
        { name: 'api', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'api' }, port: 'http', scheme: 'http', path: '/metrics' },
        { name: 'llm', namespace: 'ai', selector: { app: 'llm' }, port: 8000, scheme: 'http', path: '/metrics' },
      ],
      servicePaths: { llm: '/health' },
      ingressHosts: { grafana: 'grafana.example.org', prometheus: 'prometheus.example.org' },
      certManager: { namespace: 'cert-manager', selector: { app: 'cert-manager' }, port: 9402 },
      prometheus,
    };
    const bb = new BlackboxExporter(c, 'probes', props);
    const objects = Testing.synth(c) as K8sObject[];
    expect(find(objects, 'Deployment').metadata.labels['app.kubernetes.io/instance']).toBe('prod');
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].resources).toEqual(props.resources);
    expect(prometheus.jobs.map((j) => j.job_name)).toEqual(['blackbox-exporter', 'blackbox-ingress', 'cert-manager']);
    expect(prometheus.jobs).toEqual(bb.scrapeConfigs);
    const ingress = prometheus.jobs[1];
    expect(ingress.scrape_interval).toBe('1m');
    // Grafana has its own login (2xx); Prometheus sits behind basic auth (401 accepted); both over verified TLS.
    expect(ingress.static_configs).toEqual([
      { targets: ['https://grafana.example.org/'], labels: { __param_module: 'https_2xx' } },
      { targets: ['https://prometheus.example.org/'], labels: { __param_module: 'https_2xx_or_401' } },
    ]);
    expect(prometheus.jobs[2].kubernetes_sd_configs?.[0].namespaces).toEqual({ names: ['cert-manager'] });
    const probes = [...prometheus.files.values()].flat();
    expect(probes.length).toBeGreaterThan(0);
    const targets = probes
      .flatMap((j) => j.relabel_configs ?? [])
      .filter((r) => r.target_label === '__param_target')
      .map((r) => r.replacement);
    expect(targets.sort()).toEqual(['http://$1/health', 'http://$1/metrics']);
    expect(probes.every((j) => j.relabel_configs?.some((r) => r.replacement === 'blackbox-exporter.obs.svc:9115'))).toBe(true);
    expect(allProblems(objects)).toEqual([]);
  });

  test('without TLS the hosts are probed over plain HTTP', () => {
    const bb = new BlackboxExporter(chart(), 'probes', { namespace: 'probes', tls: false, ingressHosts: { grafana: 'g.example.org' } });
    expect(bb.scrapeConfigs[1].static_configs).toEqual([{ targets: ['http://g.example.org/'], labels: { __param_module: 'http_2xx' } }]);
  });
});

describe('KubeStateMetrics from its props alone', () => {
  test('only the namespace is required: RBAC, Service, Deployment and two scrape jobs, with the documented defaults', () => {
    const c = chart();
    const ksm = new KubeStateMetrics(c, 'ksm', { namespace: 'state' });
    const objects = Testing.synth(c) as K8sObject[];
    expect(ids(objects)).toEqual([
      'ClusterRole//monitoring-kube-state-metrics',
      'ClusterRoleBinding//monitoring-kube-state-metrics',
      'Deployment/state/kube-state-metrics',
      'Service/state/kube-state-metrics',
      'ServiceAccount/state/kube-state-metrics',
    ]);
    const container = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.image).toBe(IMAGES.kubeStateMetrics);
    expect(container.resources).toEqual(DEFAULT_SIZING.kubeStateMetrics.resources);
    expect(container.args).toContain(
      '--metric-labels-allowlist=pods=[app.kubernetes.io/name],deployments=[app.kubernetes.io/name],statefulsets=[app.kubernetes.io/name]',
    );
    expect(ksm.scrapeConfigs.map((j) => j.job_name)).toEqual(['kube-state-metrics', 'kube-state-metrics-telemetry']);
    expect(ksm.scrapeConfigs[0].honor_labels).toBe(true);
    expect(allProblems(objects)).toEqual([]);
  });

  test('extra metrics and pod labels reach the arguments; a given Prometheus receives both jobs', () => {
    const c = chart();
    const prometheus = collector();
    new KubeStateMetrics(c, 'ksm', {
      namespace: 'state',
      instance: 'prod',
      extraMetrics: ['kube_pod_start_time'],
      podLabels: ['team'],
      prometheus,
    });
    const objects = Testing.synth(c) as K8sObject[];
    const args: string[] = find(objects, 'Deployment').spec.template.spec.containers[0].args;
    expect(args.find((a) => a.startsWith('--metric-allowlist='))).toMatch(/,kube_pod_start_time$/);
    expect(args).toContain(
      '--metric-labels-allowlist=pods=[app.kubernetes.io/name,team],deployments=[app.kubernetes.io/name],statefulsets=[app.kubernetes.io/name]',
    );
    expect(find(objects, 'ClusterRole').metadata.name).toBe('prod-kube-state-metrics');
    expect(prometheus.jobs.map((j) => j.job_name)).toEqual(['kube-state-metrics', 'kube-state-metrics-telemetry']);
    expect(prometheus.jobs[0].kubernetes_sd_configs?.[0].namespaces).toEqual({ names: ['state'] });
  });
});

describe('GatewayRoutes from its props alone', () => {
  const hosts = { grafana: 'grafana.example.org', alertmanager: 'alerts.example.org' };

  test('create: a Gateway with one HTTPS listener per host, the routes on them, HTTP redirected', () => {
    const c = chart();
    const props: GatewayRoutesProps = {
      namespace: 'web',
      hosts,
      create: { name: 'edge', gatewayClassName: 'eg' },
      clusterIssuer: 'letsencrypt',
    };
    const routes = new GatewayRoutes(c, 'gw', props);
    const objects = Testing.synth(c) as K8sObject[];
    expect(ids(objects)).toEqual([
      'Gateway/web/edge',
      'HTTPRoute/web/alertmanager',
      'HTTPRoute/web/grafana',
      'HTTPRoute/web/https-redirect',
    ]);
    const gw = find(objects, 'Gateway');
    expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    expect(gw.spec.listeners.map((l: { name: string; hostname?: string }) => `${l.name}:${l.hostname ?? ''}`)).toEqual([
      'http:',
      'https-grafana:grafana.example.org',
      'https-alertmanager:alerts.example.org',
    ]);
    // The default TLS Secret names.
    expect(gw.spec.listeners[1].tls.certificateRefs[0].name).toBe('grafana-tls');
    const grafana = find(objects, 'HTTPRoute', 'grafana');
    expect(grafana.spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'https-grafana' },
    ]);
    expect(grafana.spec.rules[0].backendRefs[0]).toMatchObject({ name: 'grafana', port: 3000 });
    expect(routes.hosts).toEqual(hosts);
    expect(allProblems(objects)).toEqual([]);
  });

  test('parentRefs: no Gateway, every route attaches to yours; without TLS no redirect', () => {
    const c = chart();
    new GatewayRoutes(c, 'gw', {
      namespace: 'web',
      hosts,
      tls: false,
      parentRefs: [{ name: 'shared', namespace: 'gateways', sectionName: 'https' }],
    });
    const objects = Testing.synth(c) as K8sObject[];
    expect(ids(objects)).toEqual(['HTTPRoute/web/alertmanager', 'HTTPRoute/web/grafana']);
    expect(find(objects, 'HTTPRoute', 'alertmanager').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared', namespace: 'gateways', sectionName: 'https' },
    ]);
  });

  test('exactly one of parentRefs and create', () => {
    expect(() => new GatewayRoutes(chart(), 'gw', { namespace: 'web', hosts })).toThrow(/exactly one of parentRefs .* or create/);
    expect(
      () =>
        new GatewayRoutes(chart(), 'gw', {
          namespace: 'web',
          hosts,
          parentRefs: [{ name: 'a' }],
          create: { name: 'b', gatewayClassName: 'c' },
        }),
    ).toThrow(/exactly one/);
  });

  test('GatewayProxyPolicy lets the proxies reach the exposed UIs only', () => {
    const c = chart();
    new GatewayProxyPolicy(c, 'np', { namespace: 'web', gatewayName: 'edge', hosts: { grafana: 'g.example.org' } });
    const policy = find(Testing.synth(c) as K8sObject[], 'NetworkPolicy');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'edge' } });
    expect(policy.spec.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'monitoring' } } }],
        ports: [{ port: 3000, protocol: 'TCP' }],
      },
    ]);
  });
});

describe('the constructs of these components need no spec parser', () => {
  const CONSTRUCTS = ['blackbox-exporter', 'kube-state-metrics', 'gateway', 'cadvisor'].map((c) => `charts/components/${c}/construct.ts`);

  test.each(CONSTRUCTS)('%s imports nothing of charts/spec or a spec section but the Resources type', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?([^;]*?)from\s+'([^']+)'/gm)].map((m) => ({
      typeOnly: Boolean(m[1]),
      what: m[2].trim(),
      from: m[3],
    }));
    const specImports = imports.filter(
      (i) =>
        /\/spec\/|\/spec$|\/spec-(schema|load)$/.test(i.from) &&
        !(i.typeOnly && i.from.endsWith('spec/common') && i.what === '{ Resources }'),
    );
    expect(specImports).toEqual([]);
  });
});
