/**
 * The layers of the code (README "Architecture", docs/architecture.md): charts/core is a leaf;
 * rules/ and dashboards/ read charts/core and the spec types only, never a construct, a component folder,
 * the registry or the stack; spec/ imports no component; lib/ does not import the stack (the app-layer files
 * aside); a component folder reaches the registry and the stack never. Every folder under charts/, dashboards/
 * and rules/ is covered by a rule, and the folder graph of the imports that load code has no loop (beyond the
 * known ones in KNOWN_LOOPS, which can only shrink).
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

interface Import {
  readonly file: string;
  readonly target: string;
  readonly typeOnly: boolean;
}

/** `import { type A, type B } from ...`: only types, erased when compiled. */
const onlyTypes = (clause: string | undefined) =>
  !!clause &&
  /^\s*\{[^}]*\}\s*$/.test(clause) &&
  clause
    .replace(/[{}]/g, '')
    .split(',')
    .filter((x) => x.trim())
    .every((x) => /^\s*type\s/.test(x));

/** Relative imports and re-exports of `file`, resolved to repository paths. */
export function importsOf(file: string, text = fs.readFileSync(file, 'utf8')): Import[] {
  const out: Import[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?([^'";]*?)from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|require\(\s*['"](\.[^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[4] ?? m[5] ?? m[6] ?? m[7];
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).replace(/\\/g, '/');
    out.push({ file: path.relative(ROOT, file).replace(/\\/g, '/'), target, typeOnly: Boolean(m[2]) || onlyTypes(m[3]) });
  }
  return out;
}

/** Panel and rule builders shared by dashboards/, rules/, the kinds and the components: a node of their own in the folder graph. */
const TOOLKIT = ['dashboards/lib', 'dashboards/panels', 'rules/helpers'];

/** A rule: files under `from` may import only what `allowed` accepts. */
interface LayerRule {
  readonly from: string;
  readonly allowed: (i: Import) => boolean;
  readonly why: string;
}

const under = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

export const LAYER_RULES: LayerRule[] = [
  {
    from: 'charts/core',
    allowed: (i) =>
      under(i.target, 'charts/core') || under(i.target, 'charts/spec/formats') || (i.typeOnly && under(i.target, 'charts/spec')),
    why: 'charts/core is the leaf: it imports only itself, the format helpers and spec types',
  },
  {
    from: 'charts/spec/formats.ts',
    allowed: () => false,
    why: 'charts/spec/formats.ts is a leaf (zod only): core and the rule areas use its duration/quantity parsers',
  },
  ...['rules', 'dashboards'].map((dir): LayerRule => ({
    from: dir,
    allowed: (i) =>
      under(i.target, dir) ||
      under(i.target, 'charts/core') ||
      under(i.target, 'charts/spec/formats') ||
      under(i.target, 'charts/kinds') ||
      (under(i.target, 'charts/spec') && (i.typeOnly || ['charts/spec-load', 'charts/spec-schema'].includes(i.target))),
    why: `${dir}/ imports charts/core, the service kinds (charts/kinds) and the spec layer only (components reach it by injection from the stack)`,
  })),
  {
    from: 'charts/kinds',
    allowed: (i) =>
      ['charts/core', 'charts/kinds', 'charts/spec/formats'].some((d) => under(i.target, d)) ||
      TOOLKIT.some((t) => under(i.target, t)) ||
      (i.typeOnly && (under(i.target, 'charts/spec') || under(i.target, 'dashboards') || under(i.target, 'rules'))),
    why: "a service kind (charts/kinds/<kind>) imports charts/core, the other kinds' shared helpers and the dashboard and rule toolkits only",
  },
  ...TOOLKIT.map((t): LayerRule => ({
    from: t === 'dashboards/panels' ? t : `${t}.ts`,
    allowed: (i) => i.typeOnly || ['charts/core', 'charts/spec/formats', ...TOOLKIT].some((d) => under(i.target, d)),
    why: `${t} is a toolkit (panel and rule builders) that the kinds and the components use: it imports charts/core only`,
  })),
  {
    from: 'charts/kinds',
    allowed: (i) =>
      under(i.target, 'charts/kinds') ||
      under(i.target, 'charts/core') ||
      under(i.target, 'charts/spec/formats') ||
      under(i.target, 'dashboards/lib') ||
      under(i.target, 'dashboards/panels') ||
      (i.typeOnly && (under(i.target, 'charts/spec') || under(i.target, 'dashboards'))),
    why: "charts/kinds/ (the service kinds) imports charts/core, the dashboards' model and panels, and spec types only",
  },
];

/**
 * App-layer files in charts/lib (the CLI's output, swap, upgrade check, prerequisites, stack metadata): they may read the
 * stack. (warnings.ts is a construct helper: constructs call its warn(), and it imports no stack.)
 */
export const APP_LAYER_LIB = ['swap', 'upgrade-check', 'prerequisites', 'stack-metadata', 'scrape-target'].map((f) => `charts/lib/${f}.ts`);
const SPEC_COMPOSITION = ['charts/spec-schema', 'charts/spec-load', 'charts/spec-json-schema'];
const TOP = (t: string) =>
  ['charts/stack', 'charts/registry', 'charts/index', 'charts/components/index', ...SPEC_COMPOSITION].includes(t) || under(t, 'charts/app');

LAYER_RULES.push(
  {
    from: 'charts/spec',
    allowed: (i) =>
      !under(i.target, 'charts/components') &&
      !['charts/stack', 'charts/index'].includes(i.target) &&
      !under(i.target, 'dashboards') &&
      !under(i.target, 'rules'),
    why: 'charts/spec imports no component (the registry composes their sections and prefill hooks), nor the stack, dashboards or rules',
  },
  {
    from: 'charts/lib',
    allowed: (i) =>
      APP_LAYER_LIB.includes(i.file) ||
      under(i.target, 'charts/core') ||
      under(i.target, 'charts/spec') ||
      (under(i.target, 'charts/lib') && !APP_LAYER_LIB.includes(`${i.target}.ts`)),
    why: 'charts/lib (construct helpers) imports core, spec and lib only; the app-layer files (APP_LAYER_LIB) may read the stack',
  },
  {
    from: 'charts/logs',
    allowed: (i) =>
      ['charts/core', 'charts/spec', 'charts/logs'].some((d) => under(i.target, d)) || (i.typeOnly && under(i.target, 'charts/components')),
    why: 'charts/logs (log pipeline builders) imports core, spec and component types only',
  },
  {
    from: 'charts/components',
    allowed: (i) =>
      (!TOP(i.target) &&
        !APP_LAYER_LIB.includes(`${i.target}.ts`) &&
        ((!under(i.target, 'dashboards') && !under(i.target, 'rules')) || TOOLKIT.some((t) => under(i.target, t)))) ||
      i.file === 'charts/components/index.ts',
    why: 'a component folder reaches other components through interfaces, never the registry, the stack, the app layer, dashboards/ or rules/ (their toolkits aside)',
  },
);

/**
 * Loops left: none. The spec composition (charts/spec-schema.ts, spec-load.ts, spec-json-schema.ts compose every
 * component's section through charts/registry.ts) sits at the top beside the registry, the app-layer files (output,
 * MonitoringApp) live in charts/app, and the package root (charts/index.ts) is its own node above the app layer.
 */
const KNOWN_LOOPS: string[][] = [];

/** Folders no rule covers because they are the top: the registry, the stack, the package root and the app layer. */
const TOP_FOLDERS = ['charts', 'charts/app', 'charts/app/live', 'charts/app/operator'];

/** The node of the folder graph a file belongs to. */
export function folderOf(file: string): string {
  const toolkit = TOOLKIT.find((t) => under(file.replace(/\.ts$/, ''), t));
  if (toolkit) return `${toolkit.split('/')[0]}/toolkit`;
  if (file === 'charts/index.ts') return 'package root';
  const p = file.replace(/\.ts$/, '').split('/');
  if (p[0] !== 'charts') return p[0];
  if (p[1] === 'kinds') return 'charts/kinds';
  if (p.length === 2) return 'charts';
  if (p[1] === 'components') return p.length === 3 ? 'charts/components' : `charts/components/${p[2]}`;
  if (p[1] === 'spec' && p[2] === 'formats') return 'charts/spec/formats';
  return `charts/${p[1]}`;
}

/** Loops of the folder graph of `imports` that load code (type-only imports are erased): each loop's folders, sorted. */
export function folderLoops(imports: readonly Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    if (i.typeOnly) continue;
    const a = folderOf(i.file);
    const b = folderOf(i.target);
    if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
  }
  // Tarjan's strongly connected components.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) loops.push(c.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return loops.sort((x, y) => x[0].localeCompare(y[0]));
}

const filesOf = (p: string): string[] => (p.endsWith('.ts') ? [path.join(ROOT, p)] : tsFiles(path.join(ROOT, p)));

/** A rule's verdict; the spec types (charts/spec-schema.ts) may be imported as types anywhere (erased when compiled). */
export const allowedBy = (r: LayerRule, i: Import) => r.allowed(i) || (i.typeOnly && SPEC_COMPOSITION.includes(i.target));

export function violations(rules: readonly LayerRule[], files: (dir: string) => string[] = filesOf): string[] {
  return rules.flatMap((r) =>
    files(r.from)
      .flatMap((f) => importsOf(f))
      .filter((i) => !allowedBy(r, i))
      .map((i) => `${i.file} imports ${i.target}: ${r.why}`),
  );
}

describe('layers', () => {
  const all = ['charts', 'dashboards', 'rules'].flatMap((d) => tsFiles(path.join(ROOT, d)));

  test('every folder imports nothing above its layer', () => {
    expect(violations(LAYER_RULES)).toEqual([]);
  });

  test('every folder of charts/, dashboards/ and rules/ is covered by a layer rule (or is the top)', () => {
    const folders = [...new Set(all.map((f) => path.relative(ROOT, path.dirname(f)).replace(/\\/g, '/')))];
    const covered = (d: string) =>
      TOP_FOLDERS.includes(d) || LAYER_RULES.some((r) => under(d, r.from) || (under(r.from, d) && r.from.endsWith('.ts')));
    expect(folders.filter((d) => !covered(d))).toEqual([]);
  });

  test('the folder graph has no loop but the known ones (charts <-> dashboards and charts <-> rules are gone)', () => {
    const loops = folderLoops(all.flatMap((f) => importsOf(f)));
    for (const loop of loops) expect(loop.filter((d) => d === 'dashboards' || d === 'rules')).toEqual([]);
    expect(loops).toEqual(KNOWN_LOOPS);
  });

  test('a loop is found: dashboards importing the stack that imports dashboards', () => {
    const imp = (file: string, target: string): Import => ({ file, target, typeOnly: false });
    expect(folderLoops([imp('charts/stack.ts', 'dashboards/index'), imp('dashboards/x.ts', 'charts/stack')])).toEqual([
      ['charts', 'dashboards'],
    ]);
    expect(
      folderLoops([imp('charts/stack.ts', 'dashboards/index'), { ...imp('dashboards/x.ts', 'charts/stack'), typeOnly: true }]),
    ).toEqual([]);
  });

  test('the check fails on a forbidden import (a rule area importing a construct)', () => {
    const fake = path.join(ROOT, 'rules', 'fake.ts');
    const text =
      "import { KSM_JOB } from '../charts/components/kube-state-metrics/construct';\nimport type { Spec } from '../charts/spec-schema';\n";
    const imports = importsOf(fake, text);
    const rule = LAYER_RULES.find((r) => r.from === 'rules')!;
    expect(imports.filter((i) => !allowedBy(rule, i)).map((i) => i.target)).toEqual(['charts/components/kube-state-metrics/construct']);
  });

  test('a core module importing a component is caught', () => {
    const fake = path.join(ROOT, 'charts', 'core', 'fake.ts');
    const rule = LAYER_RULES.find((r) => r.from === 'charts/core')!;
    expect(importsOf(fake, "export { X } from '../components/loki/construct';").filter((i) => !rule.allowed(i))).toHaveLength(1);
    expect(importsOf(fake, "import type { X } from './names';").filter((i) => !rule.allowed(i))).toHaveLength(0);
  });
});
