/**
 * Semantic validation (charts/spec/semantic.ts, formats.ts, load.ts): values
 * the schema's shapes accept but the API server or the programs reject, and
 * the loader's limits (size, duplicate keys, capped and sanitized output).
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { MAX_SPEC_BYTES, parseSpecYaml, readSpecFile, SpecError, validateSpec } from '../../charts/spec-load';
import { isIanaTimeZone, templateProblem } from '../../charts/spec/semantic';
import { stackDoc } from '../lib/synth';
import { testTempDir } from '../lib/tmp';

function problems(spec: Record<string, unknown>, doc?: Record<string, unknown>): string[] {
  try {
    validateSpec(doc ?? stackDoc(spec), 'case.yaml');
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

const window = (location: string) => ({
  alerting: { maintenanceWindows: [{ name: 'patch', timeIntervals: [{ weekdays: ['sunday'], location }] }] },
});
const logRule = (extra: Record<string, unknown>) => ({
  loki: {
    ruler: {
      enabled: true,
      rules: [
        {
          alert: 'PaymentErrors',
          expr: 'sum(rate({app="pay"} |= "error" [5m])) > 1',
          summary: 'Payment errors',
          description: 'Errors in {{ $labels.app }}',
          ...extra,
        },
      ],
    },
  },
});

/** [name, spec, the one problem's expected fragments] */
const INVALID: [string, Record<string, unknown>, string[]][] = [
  [
    'negative Loki volume (a number)',
    { loki: { storage: { size: -20 } } },
    ['spec.loki.storage.size: expected a positive Kubernetes quantity', 'remove the minus sign'],
  ],
  [
    '"-50Gi" names storage.size, not retentionSize',
    { prometheus: { storage: { size: '-50Gi' } } },
    ['spec.prometheus.storage.size: expected a positive Kubernetes quantity such as "50Gi", found "-50Gi"'],
  ],
  [
    'zero volume',
    { alerting: { alertmanager: { storage: { size: '0' } } } },
    ['spec.alerting.alertmanager.storage.size: expected a positive'],
  ],
  [
    'zero memory request',
    { prometheus: { resources: { requests: { memory: '0Mi' } } } },
    ['spec.prometheus.resources.requests.memory: expected a positive'],
  ],
  [
    'ingress class with a space and capitals',
    { ingress: { ingressClassName: 'Nginx Public' } },
    ['spec.ingress.ingressClassName: expected the name of an IngressClass such as "nginx"', 'found "Nginx Public"'],
  ],
  [
    'storage class with an underscore',
    { prometheus: { storage: { storageClassName: 'Fast_SSD' } } },
    ['spec.prometheus.storage.storageClassName: "Fast_SSD" is not a valid storageClass name', '"fast-ssd"'],
  ],
  ['Loki storage class', { loki: { storage: { storageClassName: 'SSD' } } }, ['spec.loki.storage.storageClassName:']],
  [
    'Grafana storage class',
    { grafana: { persistence: { enabled: true, storageClassName: 'my class' } } },
    ['spec.grafana.persistence.storageClassName:'],
  ],
  [
    'memory request above the limit',
    { prometheus: { resources: { requests: { memory: '8Gi' }, limits: { memory: '4Gi' } } } },
    ['spec.prometheus.resources.requests.memory: request "8Gi" is above the limit "4Gi"', 'raise limits.memory'],
  ],
  [
    'cpu request above the limit',
    { grafana: { resources: { requests: { cpu: '2' }, limits: { cpu: '1500m' } } } },
    ['spec.grafana.resources.requests.cpu: request "2" is above the limit "1500m"'],
  ],
  [
    'external label with a dash',
    { prometheus: { externalLabels: { 'cluster-name': 'prod' } } },
    ['spec.prometheus.externalLabels.cluster-name: "cluster-name" is not a Prometheus label name', '"cluster_name"'],
  ],
  [
    'reserved external label',
    { prometheus: { externalLabels: { __tenant: 'a' } } },
    ['spec.prometheus.externalLabels.__tenant: "__tenant" is not a Prometheus label name'],
  ],
  [
    'empty external label value',
    { prometheus: { externalLabels: { cluster: '' } } },
    ['spec.prometheus.externalLabels.cluster: an empty label value'],
  ],
  [
    'unknown time zone',
    window('Mars/Olympus'),
    ['spec.alerting.maintenanceWindows[0].timeIntervals[0].location: "Mars/Olympus" is not an IANA time zone'],
  ],
  [
    'time zone in the wrong case',
    window('europe/paris'),
    ['location: "europe/paris" is not an IANA time zone', 'did you mean "Europe/Paris"?'],
  ],
  [
    '"{{" in the ruler error filter',
    { loki: { ruler: { enabled: true, errorRate: { filter: 'error{{ .x }}' } } } },
    ['spec.loki.ruler.errorRate.filter: contains "{{"', 'remove it'],
  ],
  [
    'unclosed template in a description',
    logRule({ description: 'Errors in {{ $labels.app' }),
    ['spec.loki.ruler.rules[0].description: has "{{" without a closing "}}"'],
  ],
  [
    'rule label with a dash',
    logRule({ labels: { 'team-name': 'pay' } }),
    ['spec.loki.ruler.rules[0].labels.team-name: "team-name" is not a Prometheus label name'],
  ],
  [
    'lone surrogate in a value',
    { prometheus: { externalLabels: { cluster: 'prod\uD800' } } },
    ['spec.prometheus.externalLabels.cluster: contains an unpaired UTF-16 surrogate'],
  ],
  [
    'a NUL character from a YAML escape',
    { prometheus: { externalLabels: { cluster: 'pr\u0000od' } } },
    ['spec.prometheus.externalLabels.cluster: contains the control character U+0000'],
  ],
  [
    'lone surrogate in a key',
    { prometheus: { externalLabels: { ['\uDC00x']: 'a' } } },
    ['the field name contains an unpaired UTF-16 surrogate'],
  ],
  // Checks of the component sections (charts/components/<name>/), which used to fail later, in a construct.
  [
    'retentionSize above the volume',
    { prometheus: { retentionSize: '100GB', storage: { size: '50Gi' } } },
    ['spec.prometheus.retentionSize: "100GB" is larger than the 50Gi volume', '(42GB)'],
  ],
  [
    'a service named like a built-in job',
    { services: [{ name: 'node-exporter', kind: 'http', namespace: 'ai', selector: { app: 'x' }, port: 9100 }] },
    ['spec.services[0].name: "node-exporter" is the job of a built-in component'],
  ],
  [
    'two log alerts with one name',
    { loki: { ruler: { enabled: true, rules: [0, 1].map(() => logRule({}).loki.ruler.rules[0]) } } },
    ['spec.loki.ruler.rules[1].alert: duplicate alert name "PaymentErrors"'],
  ],
  [
    'a log alert named like the built-in one',
    logRule({ alert: 'LogErrorRateHigh' }),
    ['spec.loki.ruler.rules[0].alert: "LogErrorRateHigh" is the built-in error-rate alert'],
  ],
  [
    'a namespace too long for its agents namespace',
    { namespace: 'a'.repeat(60) },
    ["spec.namespace: the node agents' namespace defaults to", 'at most 56 characters'],
  ],
  [
    'an external URL that is not http(s)',
    { prometheus: { externalUrl: 'ftp://prometheus.example.com/' } },
    ['spec.prometheus.externalUrl: expected an absolute http(s) URL'],
  ],
];

describe('semantic validation: one problem naming the field', () => {
  test.each(INVALID)('%s', (_name, spec, expected) => {
    const p = problems(spec);
    expect(p).toHaveLength(1);
    for (const e of expected) expect(p[0]).toContain(e);
  });

  test.each(
    [
      ['a time zone link (US/Eastern)', window('US/Eastern')],
      ['UTC', window('UTC')],
      ['Europe/Paris', window('Europe/Paris')],
      [
        'templates in a description and a summary',
        logRule({ summary: 'Errors {{ $value | humanize }}', description: '{{ $labels.app }} / {{ $labels.namespace }}' }),
      ],
      ['a request above the derived limit (the derived limit follows it)', { prometheus: { resources: { requests: { memory: '8Gi' } } } }],
      ['a limit below the derived request (the derived request follows it)', { loki: { resources: { limits: { cpu: '50m' } } } }],
      [
        'requests equal to limits',
        { prometheus: { resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2000m', memory: '4096Mi' } } } },
      ],
      ['dotted storage class', { prometheus: { storage: { storageClassName: 'ebs.gp3-encrypted' } } }],
      ['an emoji (a valid surrogate pair)', { prometheus: { externalLabels: { team: 'ml 🚀' } } }],
      [
        'metadata labels and annotations',
        {},
        {
          ...stackDoc({}),
          metadata: {
            name: 'demo',
            labels: { team: 'ml-platform', 'example.com/tier': 'obs' },
            annotations: { 'example.com/owner': 'sre@example.com' },
          },
        },
      ],
    ].map(([name, spec, doc]) => [name, { spec, doc }]) as [string, { spec: Record<string, unknown>; doc?: Record<string, unknown> }][],
  )('valid: %s', (_name, c) => {
    expect(problems(c.spec, c.doc)).toEqual([]);
  });

  test('metadata labels and annotations: invalid keys/values and keys the stack owns are refused', () => {
    const doc = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
      ...stackDoc({}),
      metadata: { name: 'demo', labels, annotations },
    });
    expect(problems({}, doc({ 'team name': 'x' }))).toEqual([
      expect.stringContaining('metadata.labels.team name: "team name" is not a valid label key'),
    ]);
    expect(problems({}, doc({ team: 'ml platform' }))).toEqual([
      expect.stringContaining('metadata.labels.team: "ml platform" is not a valid label value'),
    ]);
    expect(problems({}, doc({ 'app.kubernetes.io/name': 'x' }))).toEqual([
      expect.stringContaining('keys under "app.kubernetes.io/" are set by the stack'),
    ]);
    expect(problems({}, doc({}, { 'argocd.argoproj.io/sync-wave': '9' }))).toEqual([
      expect.stringContaining('metadata.annotations.argocd.argoproj.io/sync-wave'),
    ]);
  });

  test("IANA zones follow Go's spelling; templates need balanced delimiters", () => {
    expect(isIanaTimeZone('Asia/Kolkata')).toBe(true);
    expect(isIanaTimeZone('Etc/GMT+5')).toBe(true);
    expect(isIanaTimeZone('Local')).toBe(false);
    expect(isIanaTimeZone('EUROPE/PARIS')).toBe(false);
    expect(templateProblem('{{ $labels.a }} and {{ $value }}')).toBeUndefined();
    expect(templateProblem('a }} b')).toContain('without a matching');
    expect(templateProblem('{{ {{ x }}')).toContain('inside a template action');
    expect(templateProblem('{{ }}')).toContain('empty template action');
  });
});

describe('bounded output', () => {
  test('20,000 problems print the first 20 and a count, in a few kilobytes', () => {
    const labels = Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`bad-${i}`, 'x']));
    let err: SpecError | undefined;
    try {
      validateSpec(stackDoc({ prometheus: { externalLabels: labels } }));
    } catch (e) {
      err = e as SpecError;
    }
    expect(err?.problems).toHaveLength(20000);
    const lines = err!.message.split('\n');
    expect(lines.filter((l) => l.startsWith('  - '))).toHaveLength(20);
    expect(lines[lines.length - 1]).toBe('  ... and 19980 more problems (fix these first)');
    expect(err!.message.length).toBeLessThan(8000);
  });

  test('a 1 MB value is cut to 80 characters', () => {
    const p = problems({ prometheus: { retention: 'x'.repeat(1_000_000) } });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`"${'x'.repeat(80)}"... (1000000 characters)`);
    expect(p[0].length).toBeLessThan(400);
  });

  test('a webhook URL under a wrong field is flagged as a secret and never echoed', () => {
    const url = 'https://acme.webhook.office.com/webhookb2/0123456789abcdef/IncomingWebhook/fedcba9876543210';
    for (const receiver of [
      { name: 'teams', type: 'msteams', webhookUrl: url },
      { name: 'teams', type: 'msteams', webhookUrlSecretRef: url },
      { name: 'teams', type: 'webhook', url },
    ]) {
      let err: SpecError | undefined;
      try {
        validateSpec(stackDoc({ alerting: { receivers: [receiver] } }));
      } catch (e) {
        err = e as SpecError;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect(err!.message).not.toContain('webhookb2');
      expect(err!.message).toContain('spec.alerting.receivers[0]');
      expect(err!.message).toMatch(/Microsoft Teams webhook URL|looks like a secret value/);
    }
  });
});

describe('loader limits', () => {
  test('a spec over 1 MiB is refused before parsing, from a file or a string', () => {
    const dir = testTempDir('spec-size-');
    const file = path.join(dir, 'big.yaml');
    fs.writeFileSync(file, `# ${'x'.repeat(50 * 1024 * 1024)}\n`);
    expect(() => readSpecFile(file)).toThrow(/is 52428803 bytes, over the 1048576-byte \(1 MiB\) limit/);
    expect(() => parseSpecYaml('a: 1\n'.padEnd(MAX_SPEC_BYTES + 1, ' '))).toThrow(/1 MiB/);
  });

  test('a file that is not UTF-8 is refused', () => {
    const dir = testTempDir('spec-utf8-');
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(() => readSpecFile(path.join(dir, 'latin1.yaml'))).toThrow(/not valid UTF-8/);
  });

  test('duplicate keys are named with their path and both lines, also in lists', () => {
    const yaml = [
      'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1',
      'kind: MonitoringStack',
      'metadata: { name: demo }',
      'spec:',
      '  prometheus:',
      '    retention: 15d',
      '    retention: 30d',
      '  services:',
      '    - { name: a, kind: vllm, namespace: ai, selector: { app: a }, port: http, port: 8000 }',
    ].join('\n');
    let err: SpecError | undefined;
    try {
      parseSpecYaml(yaml, 'dup.yaml');
    } catch (e) {
      err = e as SpecError;
    }
    expect(err?.problems).toEqual([
      'spec.prometheus: duplicate key "retention" (line 7, first on line 6); YAML keeps only one of them: remove the other',
      'spec.services[0]: duplicate key "port" (line 9, first on line 9); YAML keeps only one of them: remove the other',
    ]);
  });

  test('20,000 distinct keys parse (the duplicate check is linear: see npm run bench)', () => {
    const labels = Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, `v${i}`]));
    const s = parseSpecYaml(stringify(stackDoc({ prometheus: { externalLabels: labels } })));
    expect(Object.keys(s.spec.prometheus.externalLabels)).toHaveLength(20000);
  });
});
