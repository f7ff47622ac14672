/**
 * The registry finished (issue 25): everything about a component lives in its folder
 * (charts/components/<name>/), so no source file outside it names the component: not its name
 * (`node-exporter`), its identifier forms (`nodeExporter`, `NodeExporter`) nor its spec section key.
 * The registry (charts/registry.ts, and charts/components/index.ts, the public exports of every folder) and the image
 * table (charts/core/images.ts) are the exceptions. Comments do not count: code and string literals do.
 *
 * Components not yet moved keep today's count in ALLOWED: it can only shrink (the test fails when a count
 * grows, and when it shrinks so the allowlist is lowered with it).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIRS = ['charts', 'dashboards', 'rules', 'scripts', 'bench'];
const SOURCE_FILES = ['main.ts'];
const EXEMPT = ['charts/registry.ts', 'charts/components/index.ts', 'charts/core/images.ts'];

/**
 * Files outside its folder that name each component today: lower these as components move into their folders.
 * (Raised once, at the merge of the live commands, the service kinds and OTLP: the app layer and the kinds name them.)
 */
const ALLOWED: Record<string, number> = {
  // node-exporter and blackbox-exporter: 0 (finished). Generic words (ingress, services, prometheus) count every use.
  alertmanager: 38,
  alloy: 12,
  'alloy-events': 2,
  argocd: 8,
  backup: 7,
  cadvisor: 10,
  'cluster-issuer': 8,
  'dcgm-exporter': 4,
  gateway: 12,
  grafana: 27,
  ingress: 26,
  'kube-state-metrics': 16,
  kubelet: 17,
  loki: 56,
  namespaces: 24,
  'network-policies': 13,
  platform: 4,
  prometheus: 79,
  'prometheus-msteams': 4,
  promtail: 6,
  services: 40,
  genai: 2,
  // A generic word: label selectors' `operator` field, the NVIDIA GPU operator, charts/app/operator (the program the component runs).
  operator: 15,
  'web-auth': 11,
};

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Identifiers and string/template literal texts of a file (comments left out). */
export function codeWords(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) out.push(n.text);
    else if (ts.isStringLiteralLike(n) || ts.isTemplateLiteralToken(n)) out.push(n.text);
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^./, (c) => c.toUpperCase());
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ComponentNames {
  readonly name: string;
  readonly folder: string;
  readonly pattern: RegExp;
}

/** Every component folder with the names that identify it: its name, camelCase, PascalCase and spec section keys. */
export function componentNames(): ComponentNames[] {
  const base = path.join(ROOT, 'charts', 'components');
  return fs
    .readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const mod = require(path.join(base, e.name)) as { component: { name: string }; specSections?: Record<string, unknown> };
      const name = mod.component.name;
      const words = [...new Set([name, camel(name), pascal(name), ...Object.keys(mod.specSections ?? {})])];
      return { name, folder: `charts/components/${e.name}`, pattern: new RegExp(`(?<![\\w-])(${words.map(escape).join('|')})(?![\\w-])`) };
    });
}

/** The source files outside `folder` (and the exempt files) whose code names the component. */
export function filesNaming(c: ComponentNames, files: readonly string[]): string[] {
  return files
    .filter((f) => !f.startsWith(`${c.folder}/`) && !EXEMPT.includes(f))
    .filter((f) => codeWords(path.join(ROOT, f)).some((w) => c.pattern.test(w)));
}

describe('a component is named only in its folder (and the registry and the image table)', () => {
  const files = [...SOURCE_DIRS.flatMap((d) => tsFiles(path.join(ROOT, d))), ...SOURCE_FILES.map((f) => path.join(ROOT, f))].map((f) =>
    path.relative(ROOT, f).replace(/\\/g, '/'),
  );
  const components = componentNames();

  test.each(components.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const naming = filesNaming(c, files);
    const allowed = ALLOWED[name] ?? 0;
    if (naming.length > allowed)
      throw new Error(
        `${name} is named outside ${c.folder}/ in ${naming.length} files (allowed ${allowed}): ${naming.join(', ')}; move what names it into its folder`,
      );
    expect({ name, count: naming.length }).toEqual({ name, count: allowed }); // shrank: lower ALLOWED
  });

  test('the check sees a name in code and a string, not in a comment', () => {
    const c: ComponentNames = {
      name: 'x-exporter',
      folder: 'charts/components/x-exporter',
      pattern: /(?<![\w-])(x-exporter|xExporter|XExporter)(?![\w-])/,
    };
    const words = (text: string) => codeWords('f.ts', text).some((w) => c.pattern.test(w));
    expect(words("const a = 'x-exporter';")).toBe(true);
    expect(words('const a = spec.xExporter.enabled;')).toBe(true);
    expect(words('import { XExporter } from "./y";')).toBe(true);
    expect(words('// the x-exporter\n/** xExporter */ const a = 1;')).toBe(false);
    expect(words("const a = 'prometheus-x-exporter';")).toBe(false);
  });
});
