/**
 * Rule files for a central ruler (spec.cluster set), checked by the real
 * promtool: charts/core/cluster-rules.ts rewrites every expression so that
 * the series of many clusters (each with its `cluster` external label) are
 * never merged.
 * - `promtool check rules` accepts the rewritten files (monitoring.yaml with a
 *   cluster, and examples/scale-out.yaml);
 * - every existing promtool unit test of the rules passes against the
 *   rewritten files (series without a cluster label give the same results);
 * - two clusters with the same job, namespace, instance and pod
 *   (cluster-rules/two-clusters.test.yaml): the alert fires for the failing
 *   cluster only, with its cluster label, and the ratios are per cluster. The
 *   same tests fail against the files written for one Prometheus (dist/).
 * - without spec.cluster the files are as the areas wrote them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { run, tempFiles } from '../lib/promtool';
import { ruleTestFiles } from '../lib/rule-tests';
import { clusterProblems } from '../lib/cluster-check';
import { synth, synthFile } from '../lib/synth';
import { keepClustersApart } from '../../charts/core/cluster-rules';
import { stringify } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const monitoring = parse(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec;
const rulesOf = (spec: Record<string, unknown>) => configMapData(synth(spec).objects, 'prometheus-rules');

/** monitoring.yaml (dist/), no cluster. */
const single = configMapData(synthFile().objects, 'prometheus-rules');
const central = rulesOf({ ...monitoring, cluster: 'gpu-eu-1' });
const scaleOut = configMapData(synthFile('examples/scale-out.yaml').objects, 'prometheus-rules');

interface R {
  alert?: string;
  record?: string;
  expr: string;
}
const rules = (files: Record<string, string>) =>
  Object.keys(files)
    .sort()
    .flatMap((f) =>
      (parse(files[f]).groups as { name: string; rules: R[] }[]).flatMap((g) =>
        g.rules.map((r) => ({ where: `${f} ${g.name} ${r.alert ?? r.record}`, ...r })),
      ),
    );

const TWO_CLUSTERS = path.join(__dirname, 'cluster-rules', 'two-clusters.test.yaml');

describe('rule files for a central ruler (spec.cluster)', () => {
  test('the same files and rules as for one Prometheus, every expression kept apart by cluster', () => {
    expect(Object.keys(central).sort()).toEqual(Object.keys(single).sort());
    const before = rules(single);
    const after = rules(central);
    expect(after.map((r) => r.where)).toEqual(before.map((r) => r.where));
    // rewritten: exactly the rules that aggregate without cluster, match on () lists or use vector();
    // the others (plain selectors, without (...), ignoring (...)) keep cluster already and stay as written
    const needs = (e: string) => clusterProblems(e).length > 0 || /\bvector\(/.test(e);
    expect(after.filter((r, i) => (r.expr !== before[i].expr) !== needs(before[i].expr)).map((r) => r.where)).toEqual([]);
    expect(before.filter((r) => needs(r.expr)).length).toBeGreaterThan(0);
    // every constant is per cluster: vector(s) only inside the rewrite's "no cluster yet" fallback
    expect(
      after
        .filter((r) => /vector\(/.test(r.expr) && !/\(vector\([^()]*\) unless on \(\) group \(up\{cluster!=""\}\)\)/.test(r.expr))
        .map((r) => r.where),
    ).toEqual([]);
    expect(after.flatMap((r) => clusterProblems(r.expr).map((p) => `${r.where}: ${p}`))).toEqual([]);
    expect(rules(scaleOut).flatMap((r) => clusterProblems(r.expr).map((p) => `${r.where}: ${p}`))).toEqual([]);
  });

  test.each([
    ['monitoring.yaml with spec.cluster', central],
    ['examples/scale-out.yaml', scaleOut],
  ] as const)('promtool check rules: %s', (_name, files) => {
    const dir = tempFiles(files);
    const r = run('promtool', [
      'check',
      'rules',
      ...Object.keys(files)
        .sort()
        .map((f) => path.join(dir, f)),
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/FAILED/);
    expect(r.status).toBe(0);
  });

  const tests = ruleTestFiles();
  const dir = tempFiles({
    ...central,
    ...Object.fromEntries(Object.entries(tests).map(([n, p]) => [n, fs.readFileSync(p, 'utf8')])),
    'two-clusters.test.yaml': fs.readFileSync(TWO_CLUSTERS, 'utf8'),
  });

  test.each(Object.keys(tests).sort())('the existing promtool tests pass against the rewritten files: %s', (file) => {
    const r = run('promtool', ['test', 'rules', path.join(dir, file)]);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    expect(r.stdout).toContain('SUCCESS');
  });

  test('two clusters: the failing cluster alerts alone, with its label; ratios and thresholds per cluster', () => {
    const r = run('promtool', ['test', 'rules', path.join(dir, 'two-clusters.test.yaml')]);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    expect(r.stdout).toContain('SUCCESS');
  });

  test('the same two-cluster tests fail against the files written for one Prometheus: the clusters merge', () => {
    const plain = tempFiles({ ...single, 'two-clusters.test.yaml': fs.readFileSync(TWO_CLUSTERS, 'utf8') });
    const r = run('promtool', ['test', 'rules', path.join(plain, 'two-clusters.test.yaml')]);
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    // merged: 2.3% errors (no alert), one p95 for both clusters, a many-to-many memory join, one SLO ratio
    for (const name of [
      'ServiceHighErrorRate',
      'ServiceHighLatency',
      'ContainerHighMemory',
      'slo:sli_error:ratio_rate5m',
      'service:latency_threshold_seconds',
    ])
      expect(out).toContain(name);
  });
});

/** The rewrite's tricky cases evaluated by promtool: per cluster with two clusters, as written without cluster labels. */
describe('rewritten expressions evaluated by promtool', () => {
  const RULES: Record<string, string> = {
    'r:absent': 'absent(x{job="j"})',
    'r:const': 'vector(3)',
    'r:count_or_zero': 'count(x{job="j"}) or vector(0)',
    'r:topk': 'topk(1, y)',
    'r:count_values': 'count_values("v", y)',
    'r:subquery': 'max_over_time(sum(rate(z[2m]))[5m:1m])',
    'r:on_empty': 'y > on () group_left () (vector(4))',
  };
  const file = {
    groups: [{ name: 'tricky', rules: Object.entries(RULES).map(([record, expr]) => ({ record, expr: keepClustersApart(expr, record) })) }],
  };
  const sample = (labels: string, value: number) => ({ labels, value });
  const at = (expr: string, exp: { labels: string; value: number }[]) => ({ expr, eval_time: '10m', exp_samples: exp });
  const tests = {
    rule_files: ['tricky.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        // two clusters: b sends up but no x; y and z differ per cluster
        interval: '1m',
        input_series: [
          { series: 'up{cluster="a",job="k"}', values: '1x10' },
          { series: 'up{cluster="b",job="k"}', values: '1x10' },
          { series: 'x{cluster="a",job="j"}', values: '1x10' },
          { series: 'y{cluster="a",i="1"}', values: '5x10' },
          { series: 'y{cluster="a",i="2"}', values: '7x10' },
          { series: 'y{cluster="b",i="1"}', values: '1x10' },
          { series: 'z{cluster="a"}', values: '0+60x10' },
          { series: 'z{cluster="b"}', values: '0+120x10' },
        ],
        promql_expr_test: [
          at('r:absent', [sample('r:absent{cluster="b",job="j"}', 1)]),
          at('r:const', [sample('r:const{cluster="a"}', 3), sample('r:const{cluster="b"}', 3)]),
          at('r:count_or_zero', [sample('r:count_or_zero{cluster="a"}', 1), sample('r:count_or_zero{cluster="b"}', 0)]),
          at('r:topk', [sample('r:topk{cluster="a",i="2"}', 7), sample('r:topk{cluster="b",i="1"}', 1)]),
          at('r:count_values', [
            sample('r:count_values{cluster="a",v="5"}', 1),
            sample('r:count_values{cluster="a",v="7"}', 1),
            sample('r:count_values{cluster="b",v="1"}', 1),
          ]),
          at('r:subquery', [sample('r:subquery{cluster="a"}', 1), sample('r:subquery{cluster="b"}', 2)]),
          at('r:on_empty', [sample('r:on_empty{cluster="a",i="1"}', 5), sample('r:on_empty{cluster="a",i="2"}', 7)]),
        ],
      },
      {
        // no cluster label anywhere: what the expressions gave before the rewrite
        interval: '1m',
        input_series: [
          { series: 'up{job="k"}', values: '1x10' },
          { series: 'y{i="1"}', values: '5x10' },
          { series: 'y{i="2"}', values: '7x10' },
          { series: 'z', values: '0+60x10' },
        ],
        promql_expr_test: [
          at('r:absent', [sample('r:absent{job="j"}', 1)]),
          at('r:const', [sample('r:const', 3)]),
          at('r:count_or_zero', [sample('r:count_or_zero', 0)]),
          at('r:topk', [sample('r:topk{i="2"}', 7)]),
          at('r:count_values', [sample('r:count_values{v="5"}', 1), sample('r:count_values{v="7"}', 1)]),
          at('r:subquery', [sample('r:subquery', 1)]),
          at('r:on_empty', [sample('r:on_empty{i="1"}', 5), sample('r:on_empty{i="2"}', 7)]),
        ],
      },
    ],
  };

  test('absent, vector, count or vector(0), topk, count_values, a subquery and on () per cluster; unchanged without cluster labels', () => {
    const dir = tempFiles({ 'tricky.yaml': stringify(file), 'tricky.test.yaml': stringify(tests) });
    const check = run('promtool', ['check', 'rules', path.join(dir, 'tricky.yaml')]);
    expect(check.status).toBe(0);
    const r = run('promtool', ['test', 'rules', path.join(dir, 'tricky.test.yaml')]);
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    expect(r.stdout).toContain('SUCCESS');
  });
});
