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
import { configMapData, readManifests } from '../lib/dist';
import { run, tempFiles } from '../lib/promtool';
import { ruleTestFiles } from '../lib/rule-tests';
import { clusterProblems } from '../lib/cluster-check';
import { synth } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const monitoring = parse(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec;
const rulesOf = (spec: Record<string, unknown>) => configMapData(synth(spec).objects, 'prometheus-rules');

/** dist/: monitoring.yaml, no cluster. */
const single = configMapData(readManifests(path.join(ROOT, 'dist')).map((d) => d.object), 'prometheus-rules');
const central = rulesOf({ ...monitoring, cluster: 'gpu-eu-1' });
const scaleOut = rulesOf(parse(fs.readFileSync(path.join(ROOT, 'examples', 'scale-out.yaml'), 'utf8')).spec);

interface R { alert?: string; record?: string; expr: string }
const rules = (files: Record<string, string>) => Object.keys(files).sort().flatMap((f) =>
  (parse(files[f]).groups as { name: string; rules: R[] }[]).flatMap((g) => g.rules.map((r) => ({ where: `${f} ${g.name} ${r.alert ?? r.record}`, ...r }))));

const TWO_CLUSTERS = path.join(__dirname, 'cluster-rules', 'two-clusters.test.yaml');

describe('rule files for a central ruler (spec.cluster)', () => {
  test('the same files and rules as for one Prometheus, every expression kept apart by cluster', () => {
    expect(Object.keys(central).sort()).toEqual(Object.keys(single).sort());
    const before = rules(single);
    const after = rules(central);
    expect(after.map((r) => r.where)).toEqual(before.map((r) => r.where));
    // rewritten: every rule that aggregates, matches on labels or uses vector()
    const changed = after.filter((r, i) => r.expr !== before[i].expr);
    expect(changed.length).toBeGreaterThan(100);
    // every constant is per cluster: vector(s) only inside the rewrite's "no cluster yet" fallback
    expect(after.filter((r) => /vector\(/.test(r.expr) && !/\(vector\([^()]*\) unless on \(\) group \(up\{cluster!=""\}\)\)/.test(r.expr)).map((r) => r.where)).toEqual([]);
    expect(after.flatMap((r) => clusterProblems(r.expr).map((p) => `${r.where}: ${p}`))).toEqual([]);
    expect(rules(scaleOut).flatMap((r) => clusterProblems(r.expr).map((p) => `${r.where}: ${p}`))).toEqual([]);
  });

  test.each([['monitoring.yaml with spec.cluster', central], ['examples/scale-out.yaml', scaleOut]] as const)('promtool check rules: %s', (_name, files) => {
    const dir = tempFiles(files);
    const r = run('promtool', ['check', 'rules', ...Object.keys(files).sort().map((f) => path.join(dir, f))]);
    expect(r.stdout + r.stderr).not.toMatch(/FAILED/);
    expect(r.status).toBe(0);
  });

  const tests = ruleTestFiles();
  const dir = tempFiles({ ...central, ...Object.fromEntries(Object.entries(tests).map(([n, p]) => [n, fs.readFileSync(p, 'utf8')])), 'two-clusters.test.yaml': fs.readFileSync(TWO_CLUSTERS, 'utf8') });

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
    for (const name of ['ServiceHighErrorRate', 'ServiceHighLatency', 'ContainerHighMemory', 'slo:sli_error:ratio_rate5m', 'service:latency_threshold_seconds']) expect(out).toContain(name);
  });
});
