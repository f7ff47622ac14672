/**
 * The registry of service kinds (charts/kinds): each kind is one folder and
 * one entry of charts/kinds/index.ts, and nothing else names it.
 *
 * The rule, precisely: in the source files (every .ts under charts/,
 * dashboards/, rules/, scripts/, bench/, and main.ts; not test/ nor the
 * generated imports/), a string or template literal whose text is exactly a
 * kind's name, or a literal containing the matcher `service_kind="<name>"`,
 * may appear only under charts/kinds/<name>/ and in the registry
 * (charts/kinds/index.ts, its name in NAMES). A kind whose name is also a
 * common word of the code (`http`, the URL scheme) is checked where a kind is
 * meant: the value of a `kind` property, an argument of the kind-taking
 * helpers (jobsOf, jobVariable, latencySteps, workloadStatusRow, servicesUpPanel,
 * kindOf), or a comparison with something named `kind`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { KINDS, SERVICE_KINDS } from '../../charts/kinds';
import { SpecError, validateSpec } from '../../charts/spec-load';
import { buildRuleFiles } from '../../rules';
import { stackDoc } from '../lib/synth';

function problems(s: Record<string, unknown>): string[] {
  try {
    validateSpec(stackDoc(s), 'case.yaml');
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}
const svc = (kind: string, extra: Record<string, unknown> = {}) => ({
  name: `my-${kind}`,
  kind,
  namespace: 'ai',
  selector: { app: kind },
  port: 8000,
  ...extra,
});

const ROOT = path.join(__dirname, '..', '..');
const KIND_DIR = path.join(ROOT, 'charts', 'kinds');
/** The registry: the one file that lists every kind's name. */
const REGISTRY = path.join('charts', 'kinds', 'index.ts');
/** Kind names that are also ordinary words of the code: checked only where a kind is meant. */
const COMMON_WORDS = new Set(['http']);
/** Literals that are a kind's name but mean something else, by file: what they are. */
const NOT_A_KIND: Record<string, Record<string, string>> = {
  'charts/core/images.ts': { 'rq-exporter': 'the PyPI package and binary the real-data tests install' },
};
const KIND_HELPERS = new Set(['jobsOf', 'jobVariable', 'latencySteps', 'workloadStatusRow', 'servicesUpPanel', 'kindOf']);

function sourceFiles(): string[] {
  const out: string[] = [path.join(ROOT, 'main.ts')];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  for (const d of ['charts', 'dashboards', 'rules', 'scripts', 'bench']) if (fs.existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
  return out;
}

function kindMeant(node: ts.Node): boolean {
  const p = node.parent;
  if (ts.isPropertyAssignment(p) && p.initializer === node && p.name.getText() === 'kind') return true;
  if (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) {
    const callee = p.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText();
    if (KIND_HELPERS.has(name)) return true;
  }
  if (
    ts.isBinaryExpression(p) &&
    [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(p.operatorToken.kind)
  ) {
    const other = p.left === node ? p.right : p.left;
    if (/kind$/i.test(other.getText())) return true;
  }
  return false;
}

/** `file:line: "<literal>" names kind <k>` for every literal naming a kind outside its folder. */
export function kindNameUses(file: string, text: string, kinds: readonly string[]): string[] {
  const rel = path.relative(ROOT, file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    let lit: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) lit = node.text;
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) lit = node.text;
    if (lit !== undefined) {
      for (const k of kinds) {
        if (rel === REGISTRY || rel.startsWith(path.join('charts', 'kinds', k) + path.sep) || NOT_A_KIND[rel]?.[lit]) continue;
        const exact = lit === k && (!COMMON_WORDS.has(k) || kindMeant(node));
        if (exact || lit.includes(`service_kind="${k}"`)) {
          out.push(`${rel}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${JSON.stringify(lit)} names kind ${k}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('service kinds registry', () => {
  test('each kind is a folder with index.ts and README.md, and the registry lists exactly the folders', () => {
    const folders = fs
      .readdirSync(KIND_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...SERVICE_KINDS].sort()).toEqual(folders);
    for (const k of folders) {
      expect(fs.existsSync(path.join(KIND_DIR, k, 'index.ts'))).toBe(true);
      expect(fs.readFileSync(path.join(KIND_DIR, k, 'README.md'), 'utf8')).toMatch(new RegExp(`^# ${k}\\b`));
    }
  });

  test("a kind's name appears in no source file outside its folder", () => {
    const uses = sourceFiles().flatMap((f) => kindNameUses(f, fs.readFileSync(f, 'utf8'), SERVICE_KINDS));
    expect(uses).toEqual([]);
  });

  test('the rule catches a kind named outside its folder, and leaves the scheme word alone', () => {
    const f = path.join(ROOT, 'dashboards', 'x.ts');
    expect(
      kindNameUses(
        f,
        "const a = ctx.jobsOf('vllm'); const b = `up{service_kind=\"qdrant\"}`; const c = { scheme: 'http' }; const d = { kind: 'http' };",
        ['vllm', 'qdrant', 'http'],
      ),
    ).toEqual([
      'dashboards/x.ts:1: "vllm" names kind vllm',
      'dashboards/x.ts:1: "up{service_kind=\\"qdrant\\"}" names kind qdrant',
      'dashboards/x.ts:1: "http" names kind http',
    ]);
    expect(kindNameUses(path.join(KIND_DIR, 'vllm', 'dashboard.ts'), "ctx.jobsOf('vllm')", ['vllm'])).toEqual([]);
  });

  test('every kind has a title, a scrape path, metrics, and a dashboard module named after its folder file', () => {
    for (const k of KINDS) {
      expect(k.title).not.toBe('');
      expect(k.scrape.path).toMatch(/^\//);
      expect(k.metrics.length).toBeGreaterThan(3);
      if (k.dashboard) expect(k.dashboard.file).toBe(`charts/kinds/${k.name}/dashboard.ts`);
    }
  });

  test("a kind's scrape path is the default: nim at /v1/metrics, the others at /metrics; a path set wins", () => {
    const spec = validateSpec(stackDoc({ services: [svc('nim'), svc('sglang'), svc('triton', { path: '/custom' })] }), 'case.yaml').spec;
    expect(spec.services.map((s) => s.path)).toEqual(['/v1/metrics', '/metrics', '/custom']);
  });

  test('LLM thresholds: one error naming the field when the kind has no such signal', () => {
    expect(problems({ services: [svc('qdrant', { llm: { queuedRequests: 10 } })] })).toEqual([
      "spec.services[0].llm: kind qdrant has no LLM serving alerts; remove llm (it applies to the LLM engines' kinds)",
    ]);
    expect(problems({ services: [svc('triton', { llm: { prefixCacheHitRatio: 0.5, queuedRequests: 10 } })] })).toEqual([
      'spec.services[0].llm.prefixCacheHitRatio: kind triton does not expose the signal prefixCacheHitRatio is a threshold of (see charts/kinds/triton/README.md); remove it',
    ]);
    expect(problems({ services: [svc('vllm', { llm: { kvCacheUsage: 1.5 } })] })[0]).toMatch(/^spec\.services\[0\]\.llm\.kvCacheUsage: /);
  });

  test("LLM alerts grow by kind, not by service; a service's own threshold is one record", () => {
    const many = Array.from({ length: 50 }, (_, i) => svc('sglang', { name: `sglang-${i}`, selector: { app: `s${i}` } }));
    const rules = (services: unknown[]) =>
      buildRuleFiles({ spec: validateSpec(stackDoc({ services }), 'case.yaml').spec }).find((f) => f.fileName === 'llm-serving.yaml')!;
    const one = rules([many[0]]);
    const fifty = rules(many);
    expect(fifty.groups).toEqual(one.groups);
    expect(one.groups[0].rules.map((r) => ('alert' in r ? r.alert : r.record))).toEqual([
      'LLMHighErrorRate',
      'LLMSlowTimeToFirstToken',
      'LLMKVCacheNearlyFull',
      'LLMRequestsQueued',
      'LLMPrefixCacheHitRateLow',
      'LLMRequestsPreempted',
    ]);
    const tuned = rules([...many.slice(0, 49), { ...many[49], llm: { errorRatioPercent: 2 } }]);
    expect(tuned.groups[0]).toEqual({
      name: 'llm-thresholds',
      rules: [{ record: 'service:llm_threshold', expr: 'vector(0.02)', labels: { job: 'sglang-49', signal: 'error_ratio' } }],
    });
    expect(rules([svc('qdrant')])).toBeUndefined();
  });
});
