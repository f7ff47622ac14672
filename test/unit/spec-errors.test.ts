/**
 * The bad-spec corpus: each entry is a spec a user could plausibly write and
 * the message they must get (field path, what was expected, what was found).
 */
import { parseSpecYaml, validateSpec } from '../../charts/spec-load';
import { problemsOf } from '../lib/spec-problems';
import { stackDoc } from '../lib/synth';

interface Case {
  name: string;
  spec?: Record<string, unknown>;
  doc?: unknown;
  yaml?: string;
  expected: string[];
}

const svc = { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http' };

const CASES: Case[] = [
  {
    name: 'misspelled field',
    spec: { prometheus: { retentoin: '15d' } },
    expected: ['spec.prometheus.retentoin: unknown field; did you mean "retention"?'],
  },
  { name: 'misspelled section', spec: { promethues: {} }, expected: ['spec.promethues: unknown field; did you mean "prometheus"?'] },
  {
    name: 'misspelled nested field',
    spec: { prometheus: { storage: { sise: '10Gi' } } },
    expected: ['spec.prometheus.storage.sise: unknown field; did you mean "size"?'],
  },
  {
    name: 'unknown field far from any name',
    spec: { prometheus: { frobnicate: true } },
    expected: ['spec.prometheus.frobnicate: unknown field; valid fields: image, replicas, retention'],
  },
  {
    name: 'duration with words',
    spec: { prometheus: { retention: '15 days' } },
    expected: ['spec.prometheus.retention: expected a duration such as "15d"', 'found "15 days"'],
  },
  {
    name: 'duration as a number',
    spec: { prometheus: { scrapeInterval: 15 } },
    expected: ['spec.prometheus.scrapeInterval: expected a duration', 'found number 15'],
  },
  {
    name: 'zero duration',
    spec: { prometheus: { evaluationInterval: '0s' } },
    expected: ['spec.prometheus.evaluationInterval: expected a duration'],
  },
  {
    name: 'size in words',
    spec: { prometheus: { retentionSize: '50 gigs' } },
    expected: ['spec.prometheus.retentionSize: expected a Prometheus size such as "42GB"', 'found "50 gigs"'],
  },
  {
    name: 'Kubernetes size for a Prometheus size',
    spec: { prometheus: { retentionSize: '40Gi' } },
    expected: [
      'spec.prometheus.retentionSize: expected a Prometheus size such as "42GB" or "500MB" (units B, KB, MB, GB, TB, PB, EB), found "40Gi"',
    ],
  },
  {
    name: 'bad quantity',
    spec: { prometheus: { storage: { size: '50 gigs' } } },
    expected: ['spec.prometheus.storage.size: expected a Kubernetes quantity such as "50Gi"', 'found "50 gigs"'],
  },
  {
    name: 'bad cpu',
    spec: { prometheus: { resources: { requests: { cpu: 'two' } } } },
    expected: ['spec.prometheus.resources.requests.cpu: expected a Kubernetes quantity such as "100m"'],
  },
  {
    name: 'replicas not a number',
    spec: { prometheus: { replicas: 'two' } },
    expected: ['spec.prometheus.replicas: expected number, found "two"'],
  },
  {
    name: 'replicas zero',
    spec: { prometheus: { replicas: 0 } },
    expected: ['spec.prometheus.replicas: must be at least 1, found number 0'],
  },
  {
    name: 'namespace not a DNS label',
    spec: { namespace: 'Monitoring_NS' },
    expected: ['spec.namespace: expected a lowercase DNS label', 'found "Monitoring_NS"'],
  },
  {
    name: 'port out of range',
    spec: { services: [{ ...svc, port: 70000 }] },
    expected: ['spec.services[0].port: expected a port number 1-65535 or a container port name', 'found number 70000'],
  },
  {
    name: 'port name too long',
    spec: { services: [{ ...svc, port: 'metrics-http-endpoint' }] },
    expected: ['spec.services[0].port: expected a port number 1-65535', 'found "metrics-http-endpoint"'],
  },
  {
    name: 'bad label key in selector',
    spec: { services: [{ ...svc, selector: { 'app name': 'vllm' } }] },
    expected: ['spec.services[0].selector.app name: "app name" is not a valid label key'],
  },
  {
    name: 'bad label value in selector',
    spec: { services: [{ ...svc, selector: { app: 'v llm' } }] },
    expected: ['spec.services[0].selector.app: "v llm" is not a valid label value'],
  },
  {
    name: 'empty selector',
    spec: { services: [{ ...svc, selector: {} }] },
    expected: ['spec.services[0].selector: expected at least one label'],
  },
  {
    name: 'unknown service kind with suggestion',
    spec: { services: [{ ...svc, kind: 'vlm' }] },
    expected: ['spec.services[0].kind: expected one of whisper-api, rq-exporter, vllm, stt', 'found "vlm"; did you mean "vllm"?'],
  },
  {
    name: 'missing service field',
    spec: { services: [{ name: 'vllm', kind: 'vllm', selector: { app: 'vllm' }, port: 'http' }] },
    expected: ['spec.services[0].namespace: required field is missing'],
  },
  {
    name: 'duplicate service names',
    spec: { services: [svc, { ...svc }] },
    expected: ['spec.services[1].name: duplicate service name "vllm" (also services[0])'],
  },
  {
    name: 'relative metrics path',
    spec: { services: [{ ...svc, path: 'metrics' }] },
    expected: ['spec.services[0].path: expected an absolute URL path such as "/metrics", found "metrics"'],
  },
  {
    name: 'service interval in words',
    spec: { services: [{ ...svc, interval: '5 seconds' }] },
    expected: ['spec.services[0].interval: expected a duration', 'found "5 seconds"'],
  },
  {
    name: 'latest image',
    spec: { prometheus: { image: 'quay.io/prometheus/prometheus:latest' } },
    expected: ['spec.prometheus.image: the "latest" tag is not allowed'],
  },
  {
    name: 'unpinned image',
    spec: { nodeExporter: { image: 'quay.io/prometheus/node-exporter' } },
    expected: ['spec.nodeExporter.image: expected an image pinned to a version'],
  },
  { name: 'bad cadvisor mode', spec: { cadvisor: { mode: 'kubelt' } }, expected: ['spec.cadvisor.mode:', 'did you mean "kubelet"?'] },
  {
    name: 'agent namespace equals namespace',
    spec: { namespace: 'mon', agentNamespace: 'mon' },
    expected: ['spec.agentNamespace: must differ from spec.namespace'],
  },
  {
    name: 'scrape timeout above interval',
    spec: { prometheus: { scrapeInterval: '10s', scrapeTimeout: '30s' } },
    expected: ['spec.prometheus.scrapeTimeout: must not exceed scrapeInterval (10s), found "30s"'],
  },
  {
    name: 'webhook URL pasted into the spec',
    spec: { prometheus: { externalLabels: { hook: 'https://acme.webhook.office.com/webhookb2/abc' } } },
    expected: ['spec.prometheus.externalLabels.hook: holds a Microsoft Teams webhook URL; store it in a Kubernetes Secret'],
  },
  {
    name: 'wrong apiVersion',
    doc: { ...stackDoc(), apiVersion: 'monitoring.cdk8s-ai.dev/v1' },
    expected: ['apiVersion: expected "monitoring.cdk8s-ai.dev/v1alpha1", found "monitoring.cdk8s-ai.dev/v1"'],
  },
  { name: 'wrong kind', doc: { ...stackDoc(), kind: 'Monitoring' }, expected: ['kind: expected "MonitoringStack", found "Monitoring"'] },
  { name: 'missing metadata.name', doc: { ...stackDoc(), metadata: {} }, expected: ['metadata.name: required field is missing'] },
  { name: 'spec is a list', doc: { ...stackDoc(), spec: [] }, expected: ['spec: expected object, found a list'] },
  { name: 'YAML syntax error', yaml: 'apiVersion: x\n  kind: : y\n', expected: ['YAML syntax:'] },
  { name: 'empty file', yaml: '', expected: ['the file is empty'] },
  { name: 'two documents', yaml: 'a: 1\n---\nb: 2\n', expected: ['expected one YAML document, found 2'] },
];

function caseProblems(c: Case): string[] {
  return problemsOf(() =>
    c.yaml !== undefined ? parseSpecYaml(c.yaml, 'case.yaml') : validateSpec(c.doc ?? stackDoc(c.spec), 'case.yaml'),
  );
}

describe('bad spec corpus', () => {
  test('holds at least 20 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const problems = caseProblems(c);
    expect(problems).toHaveLength(1); // one clear message per problem, not a cascade
    for (const e of c.expected) expect(problems[0]).toContain(e);
  });

  test('several problems are all reported, one line each', () => {
    const p = caseProblems({
      name: 'many',
      spec: { prometheus: { retentoin: '1d', scrapeInterval: 'soon' }, cadvisor: { mode: 'x' } },
      expected: [],
    });
    expect(p).toHaveLength(3);
  });

  test('a valid spec passes and gets defaults', () => {
    const s = validateSpec(stackDoc({ services: [svc] }));
    expect(s.spec.prometheus.retention).toBe('15d');
    expect(s.spec.services[0].path).toBe('/metrics');
    expect(s.spec.namespace).toBe('monitoring');
  });
});
