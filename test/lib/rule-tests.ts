/**
 * The promtool unit-test files of the rules (rules/tests/*.test.yaml for the
 * stack-wide areas, charts/components/<name>/rules.test.yaml for a
 * component's own rules, charts/kinds/<kind>/rules.test.yaml for a service
 * kind's), by a unique name: the names under which they sit
 * beside the rule files in a temp folder.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

export function ruleTestFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const testDir = path.join(ROOT, 'rules', 'tests');
  if (fs.existsSync(testDir)) for (const f of fs.readdirSync(testDir).filter((f) => f.endsWith('.test.yaml'))) out[f] = path.join(testDir, f);
  const components = path.join(ROOT, 'charts', 'components');
  for (const c of fs.readdirSync(components)) {
    const file = path.join(components, c, 'rules.test.yaml');
    if (fs.existsSync(file)) out[`component-${c}.test.yaml`] = file;
  }
  const kinds = path.join(ROOT, 'charts', 'kinds');
  for (const k of fs.readdirSync(kinds)) {
    const file = path.join(kinds, k, 'rules.test.yaml');
    if (fs.existsSync(file)) out[`kind-${k}.test.yaml`] = file;
  }
  return out;
}
