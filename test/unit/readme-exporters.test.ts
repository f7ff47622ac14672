/**
 * README "Only the exporters you want": the snippet builds a chart holding only the exporters, from their own
 * props (no spec). This test takes the snippet from README.md, type-checks it against the package root
 * (charts/index.ts, as `cdk8s-ai-monitoring`) with the project's compiler options, runs it, and checks what it printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const SECTION = '### Only the exporters you want';

/** The first ```ts block under `heading` in README.md. */
export function snippetUnder(readme: string, heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!m) throw new Error(`README.md section "${heading}" has no \`\`\`ts block`);
  return m[1];
}

const PACKAGE_ROOT = path.join(ROOT, 'charts', 'index.ts');
const SNIPPET_FILE = path.join(ROOT, '__readme_snippet__.ts');

function typeErrors(code: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  const options: ts.CompilerOptions = { ...config!.options, noEmit: true, baseUrl: ROOT, paths: { 'cdk8s-ai-monitoring': [PACKAGE_ROOT] } };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === SNIPPET_FILE ? code : read(f));
  host.fileExists = (f) => path.resolve(f) === SNIPPET_FILE || ts.sys.fileExists(f);
  host.getSourceFile = (f, v, ...rest) =>
    path.resolve(f) === SNIPPET_FILE ? ts.createSourceFile(f, code, v) : getSourceFile(f, v, ...rest);
  const program = ts.createProgram([SNIPPET_FILE], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(SNIPPET_FILE))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** Runs the snippet as CommonJS, `cdk8s-ai-monitoring` resolved to the package root; returns what it logged. */
function run(code: string): string[] {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const logged: string[] = [];
  const req = (id: string): unknown => (id === 'cdk8s-ai-monitoring' ? require(PACKAGE_ROOT) : require(id));
  const fakeConsole = {
    log: (...a: unknown[]) => {
      logged.push(a.map(String).join(' '));
    },
  };
  const moduleObj = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', 'console', js)(req, moduleObj, moduleObj.exports, fakeConsole);
  return logged;
}

describe('README: a chart with only the exporters, from their props', () => {
  const snippet = snippetUnder(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), SECTION);

  test('type-checks against the package root', () => {
    expect(typeErrors(snippet)).toEqual([]);
  });

  test("runs: the chart holds the two exporters' objects only, and their scrape jobs reach the given Prometheus", () => {
    const [yamlText, jobs] = run(snippet);
    const objects = parseAllDocuments(yamlText).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/monitoring-agents/dcgm-exporter-counters',
      'DaemonSet/monitoring-agents/dcgm-exporter',
      'DaemonSet/monitoring-agents/node-exporter',
      'ServiceAccount/monitoring-agents/dcgm-exporter',
      'ServiceAccount/monitoring-agents/node-exporter',
    ]);
    expect(jobs).toBe('scrape jobs: node-exporter, dcgm-exporter');
  });

  test('a snippet that misuses the props fails the type check', () => {
    expect(
      typeErrors(
        "import { NodeExporter } from 'cdk8s-ai-monitoring';\nimport { Chart } from 'cdk8s';\ndeclare const c: Chart;\nnew NodeExporter(c, 'n', { namespaces: 'x' });\n",
      ).join('\n'),
    ).toMatch(/namespaces/);
  });
});
