/**
 * The layers of the code (README "Architecture"): charts/core is a leaf;
 * rules/ and dashboards/ read charts/core and the spec layer only, never a
 * construct, a component folder, the registry or the stack. Every relative
 * import of those folders is resolved and checked.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

interface Import { readonly file: string; readonly target: string; readonly typeOnly: boolean }

/** Relative imports and re-exports of `file`, resolved to repository paths. */
export function importsOf(file: string, text = fs.readFileSync(file, 'utf8')): Import[] {
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|require\(\s*['"](\.[^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).replace(/\\/g, '/');
    out.push({ file: path.relative(ROOT, file).replace(/\\/g, '/'), target, typeOnly: Boolean(m[2]) });
  }
  return out;
}

/** A rule: files under `from` may import only what `allowed` accepts. */
interface LayerRule { readonly from: string; readonly allowed: (i: Import) => boolean; readonly why: string }

const under = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

export const LAYER_RULES: LayerRule[] = [
  {
    from: 'charts/core',
    allowed: (i) => under(i.target, 'charts/core') || under(i.target, 'charts/spec/formats') || (i.typeOnly && under(i.target, 'charts/spec')),
    why: 'charts/core is the leaf: it imports only itself, the format helpers and spec types',
  },
  {
    from: 'charts/spec/formats.ts',
    allowed: () => false,
    why: 'charts/spec/formats.ts is a leaf (zod only): core and the rule areas use its duration/quantity parsers',
  },
  ...['rules', 'dashboards'].map((dir): LayerRule => ({
    from: dir,
    // charts/kinds: the service kinds' rules and dashboards, moved out of rules/ and dashboards/ into one folder per kind.
    allowed: (i) => under(i.target, dir) || under(i.target, 'charts/core') || under(i.target, 'charts/spec/formats') || under(i.target, 'charts/kinds')
      || (under(i.target, 'charts/spec') && (i.typeOnly || ['charts/spec/load', 'charts/spec/schema'].includes(i.target))),
    why: `${dir}/ imports charts/core, the service kinds and the spec layer only (components reach it by injection from the stack)`,
  })),
  {
    from: 'charts/kinds',
    allowed: (i) => under(i.target, 'charts/kinds') || under(i.target, 'charts/core') || under(i.target, 'charts/spec/formats')
      || under(i.target, 'dashboards/lib') || under(i.target, 'dashboards/panels') || (i.typeOnly && (under(i.target, 'charts/spec') || under(i.target, 'dashboards'))),
    why: 'charts/kinds/ (the service kinds) imports charts/core, the dashboards\' model and panels, and spec types only',
  },
];

const filesOf = (p: string): string[] => (p.endsWith('.ts') ? [path.join(ROOT, p)] : tsFiles(path.join(ROOT, p)));

export function violations(rules: readonly LayerRule[], files: (dir: string) => string[] = filesOf): string[] {
  return rules.flatMap((r) => files(r.from).flatMap((f) => importsOf(f)).filter((i) => !r.allowed(i)).map((i) => `${i.file} imports ${i.target}: ${r.why}`));
}

describe('layers', () => {
  test('charts/core, rules/ and dashboards/ import nothing above their layer', () => {
    expect(violations(LAYER_RULES)).toEqual([]);
  });

  test('the check fails on a forbidden import (a rule area importing a construct)', () => {
    const fake = path.join(ROOT, 'rules', 'fake.ts');
    const text = "import { KSM_JOB } from '../charts/components/kube-state-metrics/construct';\nimport type { Spec } from '../charts/spec/schema';\n";
    const imports = importsOf(fake, text);
    const rule = LAYER_RULES.find((r) => r.from === 'rules')!;
    expect(imports.filter((i) => !rule.allowed(i)).map((i) => i.target)).toEqual(['charts/components/kube-state-metrics/construct']);
  });

  test('a core module importing a component is caught', () => {
    const fake = path.join(ROOT, 'charts', 'core', 'fake.ts');
    const rule = LAYER_RULES.find((r) => r.from === 'charts/core')!;
    expect(importsOf(fake, "export { X } from '../components/loki/construct';").filter((i) => !rule.allowed(i))).toHaveLength(1);
    expect(importsOf(fake, "import type { X } from './names';").filter((i) => !rule.allowed(i))).toHaveLength(0);
  });
});
