/**
 * Every rule file of monitoring.yaml exactly as synthesized into dist/ (the
 * prometheus-rules ConfigMap, synthesized by the test) passes `promtool check rules`, and every unit-test file (rules/tests/*.test.yaml for
 * the service-kind areas, charts/components/<name>/rules.test.yaml for a component's own rules)
 * passes `promtool test rules` against those files. Every alert
 * appears in at least one test where it fires and one where it must not.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { run, tempFiles } from '../lib/promtool';
import { ruleTestFiles } from '../lib/rule-tests';
import { synthFile } from '../lib/synth';

const { objects } = synthFile();
const ruleFiles = configMapData(objects, 'prometheus-rules');
const testPaths = ruleTestFiles();
const testFiles = Object.keys(testPaths).sort();

const alertNames = Object.values(ruleFiles).flatMap((text) =>
  (parse(text).groups ?? []).flatMap((g: { rules: { alert?: string }[] }) => g.rules.filter((r) => r.alert).map((r) => r.alert as string)),
);

describe('rule files of monitoring.yaml (dist/)', () => {
  const dir = tempFiles({ ...ruleFiles, ...Object.fromEntries(testFiles.map((f) => [f, fs.readFileSync(testPaths[f], 'utf8')])) });

  test.each(Object.keys(ruleFiles).sort())('promtool check rules %s', (file) => {
    const r = run('promtool', ['check', 'rules', path.join(dir, file)]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  if (testFiles.length) {
    test.each(testFiles)('promtool test rules %s', (file) => {
      const r = run('promtool', ['test', 'rules', path.join(dir, file)]);
      if (r.status !== 0) throw new Error(r.stdout + r.stderr);
      expect(r.stdout).toContain('SUCCESS');
    });
  }

  test('every alert is shown firing and not firing in a promtool test file', () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(fs.readFileSync(testPaths[f], 'utf8'));
      for (const t of doc.tests ?? []) {
        for (const a of t.alert_rule_test ?? []) (a.exp_alerts?.length ? firing : silent).add(a.alertname);
      }
    }
    const missing = alertNames.flatMap((a) => [
      ...(firing.has(a) ? [] : [`${a}: no test where it fires`]),
      ...(silent.has(a) ? [] : [`${a}: no test where it must not fire (exp_alerts empty)`]),
    ]);
    expect(missing).toEqual([]);
  });
});
