/**
 * The rewrite that keeps clusters apart in a central ruler
 * (charts/core/cluster-rules.ts), on inputs that are easy to get wrong.
 * Its results are evaluated by the real promtool in test/config/cluster-rules.test.ts.
 */
import { ClusterRuleError, keepClustersApart as k, keepLogClustersApart } from '../../charts/core/cluster-rules';
import { checkLogQL, checkPromQL } from '../../charts/core/query-check';
import { logRuleFile } from '../../charts/components/loki/ruler';
import { validateSpec } from '../../charts/spec-load';
import { stackDoc } from '../lib/synth';
import { perCluster } from '../../rules';
import { clusterProblems } from '../lib/cluster-check';

const V = (s: string) => `(${s} * group by (cluster) (up{cluster!=""}) or (vector(${s}) unless on () group (up{cluster!=""})))`;

const CASES: [string, string][] = [
  // aggregations: by-list gets cluster first, none becomes by (cluster), the modifier may follow the body
  ['sum(rate(x[5m]))', 'sum by (cluster) (rate(x[5m]))'],
  ['sum (x)', 'sum by (cluster) (x)'],
  ['sum by (a, b) (x)', 'sum by (cluster, a, b) (x)'],
  ['sum(x) by (a)', 'sum(x) by (cluster, a)'],
  ['sum by () (x)', 'sum by (cluster) (x)'],
  ['sum by (a, cluster) (x)', 'sum by (a, cluster) (x)'],
  ['avg without (cpu, mode) (x)', 'avg without (cpu, mode) (x)'],
  ['sum without (cluster) (x)', 'sum without (cluster) (x)'],
  // nested aggregations, each level
  [
    'max by (node) (sum by (node, gpu) (x)) / count(sum by (node) (x))',
    'max by (cluster, node) (sum by (cluster, node, gpu) (x)) / count by (cluster) (sum by (cluster, node) (x))',
  ],
  // parameterised aggregations
  ['topk(5, sum by (job) (rate(x[5m])))', 'topk by (cluster) (5, sum by (cluster, job) (rate(x[5m])))'],
  ['topk by (ns) (3, x)', 'topk by (cluster, ns) (3, x)'],
  ['bottomk(1, x)', 'bottomk by (cluster) (1, x)'],
  ['count_values("version", build_info)', 'count_values by (cluster) ("version", build_info)'],
  ['count_values by (job) ("version", build_info)', 'count_values by (cluster, job) ("version", build_info)'],
  ['quantile(0.9, x)', 'quantile by (cluster) (0.9, x)'],
  // vector matching
  ['a / on (job) group_left (slo) b', 'a / on (cluster, job) group_left (slo) b'],
  ['a and on () b', 'a and on (cluster) b'],
  ['a > on() group_left() b', 'a > on(cluster) group_left() b'],
  ['a * on (x) group_right (cluster, y) b', 'a * on (cluster, x) group_right (y) b'],
  ['a unless ignoring (z) b', 'a unless ignoring (z) b'],
  ['a / b', 'a / b'],
  ['a > bool on (j) b', 'a > bool on (cluster, j) b'],
  // subqueries: the inner expression is rewritten
  ['max_over_time(sum(rate(x[1m]))[1h:5m])', 'max_over_time(sum by (cluster) (rate(x[1m]))[1h:5m])'],
  ['max_over_time((a / on (j) b)[30m:])', 'max_over_time((a / on (cluster, j) b)[30m:])'],
  // constants become one sample per cluster
  ['vector(2)', V('2')],
  ['vector(1 + 1)', V('(1 + 1)').replace('vector((1 + 1))', 'vector(1 + 1)')],
  ['count(up{job="x"} == 0) or vector(0)', `count by (cluster) (up{job="x"} == 0) or ${V('0')}`],
  // absent(): per cluster with the selector's equality labels; a selector scoped to one cluster is left alone
  [
    'absent(up{job="x", a=~"b"})',
    '((absent(up{job="x", a=~"b"}) unless on () group (up{cluster!=""})) or label_replace((group by (cluster) (up{cluster!=""}) unless on (cluster) group by (cluster) (up{job="x", a=~"b"})), "job", "x", "", ""))',
  ],
  [
    'absent_over_time(x{job="a$1"}[5m])',
    '((absent_over_time(x{job="a$1"}[5m]) unless on () group (up{cluster!=""})) or label_replace((group by (cluster) (up{cluster!=""}) unless on (cluster) group by (cluster) (count_over_time(x{job="a$1"}[5m]))), "job", "a$$1", "", ""))',
  ],
  ['absent(up{cluster="a"})', 'absent(up{cluster="a"})'],
  // already per cluster
  ['sum by (cluster, job) (x) / on (cluster, job) group_left () y', 'sum by (cluster, job) (x) / on (cluster, job) group_left () y'],
];

test.each(CASES)('%s', (input, expected) => {
  const out = k(input);
  expect(out).toBe(expected);
  expect(() => checkPromQL(out, 'rewritten')).not.toThrow();
  expect(clusterProblems(out)).toEqual([]);
});

test('the independent check finds what the rewrite would have fixed', () => {
  expect(clusterProblems('sum by (job) (x) / on (job) y + count(z)')).toEqual([
    'by without cluster: sum by (job) (x)',
    'on without cluster: on (job)',
    'aggregation without grouping: count(z)',
  ]);
});

test('scalar() is refused with the rule named', () => {
  expect(() => k('x > scalar(sum(y))', 'rule file a.yaml, alert A')).toThrow(ClusterRuleError);
  expect(() => k('x > scalar(sum(y))', 'rule file a.yaml, alert A')).toThrow(
    /^rule file a\.yaml, alert A: scalar\(\) cannot keep clusters apart/,
  );
});

test('an expression that does not parse is refused', () => {
  expect(() => k('sum by (job (x)', 'r')).toThrow(/^r: invalid PromQL/);
});

test('perCluster rewrites every rule of a file and names the rule in errors', () => {
  const file = {
    fileName: 'a.yaml',
    title: 't',
    runbooks: {},
    groups: [
      {
        name: 'g',
        rules: [
          { record: 'r:x', expr: 'sum(x)' },
          { record: 'r:y', expr: 'scalar(y)' },
        ],
      },
    ],
  };
  expect(() => perCluster(file)).toThrow(/^rule file a\.yaml, group g, recording rule r:y: scalar\(\)/);
  expect(perCluster({ ...file, groups: [{ name: 'g', rules: [file.groups[0].rules[0]] }] }).groups[0].rules[0].expr).toBe(
    'sum by (cluster) (x)',
  );
});

const LOGQL: [string, string][] = [
  [
    'sum by (namespace, container) (rate({namespace=~"a"} |~ "(?i)error" [5m])) * 60 > 10',
    'sum by (cluster, namespace, container) (rate({namespace=~"a"} |~ "(?i)error" [5m])) * 60 > 10',
  ],
  ['sum(rate({a="c"}[1m])) by (x,y)', 'sum(rate({a="c"}[1m])) by (cluster, x, y)'],
  ['sum by () (rate({a="b"}[5m]))', 'sum by (cluster) (rate({a="b"}[5m]))'],
  ['sum(rate({a="b"}[1m]))', 'sum by (cluster) (rate({a="b"}[1m]))'],
  ['topk(3, sum by (app) (count_over_time({a="b"}[1m])))', 'topk by (cluster) (3, sum by (cluster, app) (count_over_time({a="b"}[1m])))'],
  [
    'count_over_time({a="b"}[5m]) > on () group_left (q, cluster) sum(count_over_time({a="b"}[5m]))',
    'count_over_time({a="b"}[5m]) > on (cluster) group_left (q) sum by (cluster) (count_over_time({a="b"}[5m]))',
  ],
  ['quantile_over_time(0.9, {a="b"} | unwrap d [5m]) by (p)', 'quantile_over_time(0.9, {a="b"} | unwrap d [5m]) by (cluster, p)'],
  ['sum without (q) (rate({a="b"}[1m]))', 'sum without (q) (rate({a="b"}[1m]))'],
  ['rate({a="b"}[1m]) and ignoring (x) rate({a="c"}[1m])', 'rate({a="b"}[1m]) and ignoring (x) rate({a="c"}[1m])'],
  ['sum by (cluster, a) (rate({a="b"}[1m]))', 'sum by (cluster, a) (rate({a="b"}[1m]))'],
];

test.each(LOGQL)('LogQL %s', (input, expected) => {
  const out = keepLogClustersApart(input);
  expect(out).toBe(expected);
  expect(() => checkLogQL(out, 'rewritten')).not.toThrow();
});

test('the Loki ruler keeps the cluster label with spec.cluster, and writes the rules as given without it', () => {
  const ruler = (cluster?: string) =>
    validateSpec(
      stackDoc({
        ...(cluster ? { cluster } : {}),
        loki: {
          ruler: {
            enabled: true,
            rules: [
              { alert: 'PaymentErrors', expr: 'sum(count_over_time({app="pay"} |= "error" [5m])) > 3', summary: 's', description: 'd' },
            ],
          },
        },
      }),
    ).spec.loki.ruler;
  const exprs = (cluster?: string) => logRuleFile(ruler(cluster), { eventAlerts: true, cluster }).groups[0].rules.map((r) => r.expr);
  const plain = exprs();
  const apart = exprs('gpu-eu-1');
  expect(plain).toContain('sum(count_over_time({app="pay"} |= "error" [5m])) > 3');
  expect(apart).toContain('sum by (cluster) (count_over_time({app="pay"} |= "error" [5m])) > 3');
  expect(apart).toHaveLength(plain.length);
  for (const e of apart) expect(e).toMatch(/^sum by \(cluster[,)]/);
});
