/**
 * spec.loki and spec.logs: defaults, and bad values rejected with one line
 * per problem naming the field, what was expected and the fix.
 */
import { parseSpecYaml, validateSpec } from '../../charts/spec-load';
import { stackDoc } from '../lib/synth';
import { specProblems } from '../lib/spec-problems';

const problems = specProblems;

test('defaults: Loki on with 7 days, Alloy, no JSON parsing, ruler off', () => {
  const { spec } = validateSpec(stackDoc({}));
  expect(spec.loki).toMatchObject({ enabled: true, mode: 'single-binary', retention: '7d', storage: { type: 'filesystem', size: '10Gi' } }); // size derived from spec.sizing (3 nodes: the 10Gi floor)
  expect(spec.loki.ruler).toMatchObject({ enabled: false, errorRate: { enabled: true, thresholdPerMinute: 10, window: '1m' }, rules: [] });
  expect(spec.logs).toMatchObject({
    collector: 'alloy',
    jsonNamespaces: [],
    jsonApps: [],
    jsonFields: ['level', 'trace_id', 'request_id'],
  });
  expect(spec.logs.promtail.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
});

test.each([
  [{ loki: { retention: '5 days' } }, 'spec.loki.retention: expected a duration in whole days such as "7d", "30d" or "2w", found "5 days"'],
  [
    { loki: { retention: '36h' } },
    'spec.loki.retention: Loki deletes whole 24h index tables: use a whole number of days such as "7d" or "30d", found "36h"',
  ],
  [{ loki: { retentoin: '7d' } }, 'spec.loki.retentoin: unknown field; did you mean "retention"?'],
  [
    { loki: { storage: { type: 's3' } } },
    'spec.loki.storage.s3: storage.type is "s3": add storage.s3 (bucket and, by reference, credentials)',
  ],
  [
    { loki: { mode: 'simple-scalable' } },
    'spec.loki.storage.type: simple-scalable mode shares chunks and index between pods: use object storage (s3, gcs or azure)',
  ],
  [
    { loki: { image: 'grafana/loki:latest' } },
    'spec.loki.image: the "latest" tag is not allowed: pin a version so rollouts are reproducible',
  ],
  [
    { loki: { limits: { perStreamRateLimit: '3 MB' } } },
    'spec.loki.limits.perStreamRateLimit: expected a size such as "3MB" (units B, KB, MB, GB), found "3 MB"',
  ],
  [
    { loki: { ruler: { errorRate: { containers: 'gateway|(worker' } } } },
    'spec.loki.ruler.errorRate.containers: expected a regular expression (RE2) such as "gateway|worker|analysis", found "gateway|(worker"',
  ],
  [{ logs: { collector: 'fluentd' } }, 'spec.logs.collector: expected "promtail" or "alloy", found "fluentd"'],
  [
    { logs: { jsonFields: [] } },
    'spec.logs.jsonFields: expected at least one field name such as "level" (to turn JSON parsing off, empty jsonNamespaces and jsonApps instead), found a list',
  ],
  [
    { logs: { jsonFields: ['trace-id'] } },
    'spec.logs.jsonFields[0]: expected a field name such as "trace_id" (letters, digits, "_"), found "trace-id"',
  ],
])('%j is refused: %s', (spec, message) => {
  expect(problems(spec)).toEqual([message]);
});

test.each([
  ['(?i)gateway|worker', true],
  ['api-.*', true],
  ['a(?:b|c)', true],
  ['(?i:x)y', true],
  ['a(?=b)', false],
  ['(a)\\1', false],
  ['a(', false],
])('RE2 check: %s -> %s', (re, ok) => {
  expect(problems({ loki: { ruler: { errorRate: { containers: re } } } }).length === 0).toBe(ok);
});

test('a broken user LogQL rule names the field and the position', () => {
  const p = problems({ loki: { ruler: { rules: [{ alert: 'X', expr: 'sum(rate({app="a"} |= "x"))', summary: 's', description: 'd' }] } } });
  expect(p).toHaveLength(1);
  expect(p[0]).toMatch(/^spec\.loki\.ruler\.rules\[0\]\.expr: invalid LogQL near character \d+: /);
});

test('the example monitoring.yaml uses the logs sections', () => {
  const text = require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'monitoring.yaml'), 'utf8');
  const { spec } = parseSpecYaml(text, 'monitoring.yaml');
  expect(spec.loki.retention).toBe('7d');
  expect(spec.logs.jsonApps).toEqual(['whisper-api']);
});
