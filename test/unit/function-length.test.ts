/**
 * Shape of the code: no function longer than MAX_LINES lines (first to last line, nested functions included in
 * their parent's count), measured with the TypeScript compiler's syntax tree over the source (not the tests).
 * Functions still over it are listed in ALLOWED with today's length: the list can only shrink (a listed function
 * that grows, or a new long one, fails; a listed one that got short or went away fails until it is removed here).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const MAX_LINES = 80;
const SOURCE_DIRS = ['charts', 'dashboards', 'rules', 'scripts', 'bench'];

/** `file:name` -> lines, for functions over MAX_LINES: empty since every one was split (issue 25); keep it so. */
const ALLOWED: Record<string, number> = {};

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** A readable name for a function node: its own, or that of the variable, property or class member holding it. */
function nameOf(n: ts.Node): string {
  const named = (x: ts.Node): string | undefined => {
    const nm = (x as { name?: ts.Node }).name;
    return nm && (ts.isIdentifier(nm) || ts.isStringLiteral(nm) || ts.isPrivateIdentifier(nm)) ? nm.text : undefined;
  };
  if (ts.isConstructorDeclaration(n)) {
    const cls = n.parent;
    return `${(ts.isClassDeclaration(cls) || ts.isClassExpression(cls)) && cls.name ? cls.name.text : 'class'}.constructor`;
  }
  const own = named(n);
  if (own) return ts.isMethodDeclaration(n) && ts.isClassLike(n.parent) && n.parent.name ? `${n.parent.name.text}.${own}` : own;
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return named(p) ?? '(anonymous)';
    if (ts.isCallExpression(p)) return `(callback of ${p.expression.getText().slice(0, 40)})`;
    if (ts.isSourceFile(p) || ts.isBlock(p)) break;
  }
  return '(anonymous)';
}

export interface LongFunction {
  readonly key: string;
  readonly lines: number;
}

/** Functions longer than `max` lines in `text`, keyed `file:name` (a second one of the same name gets `#2`). */
export function longFunctions(file: string, text: string, max = MAX_LINES): LongFunction[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: LongFunction[] = [];
  const seen = new Map<string, number>();
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && (n as { body?: ts.Node }).body) {
      const lines = sf.getLineAndCharacterOfPosition(n.getEnd()).line - sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
      if (lines > max) {
        const base = `${file}:${nameOf(n)}`;
        const k = (seen.get(base) ?? 0) + 1;
        seen.set(base, k);
        out.push({ key: k === 1 ? base : `${base}#${k}`, lines });
      }
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

describe(`no function over ${MAX_LINES} lines`, () => {
  const found = SOURCE_DIRS.flatMap((d) => tsFiles(path.join(ROOT, d)))
    .concat(path.join(ROOT, 'main.ts'))
    .flatMap((f) => longFunctions(path.relative(ROOT, f).replace(/\\/g, '/'), fs.readFileSync(f, 'utf8')));

  test('none but the allowed ones, none of those longer than today', () => {
    const over = found.filter((f) => ALLOWED[f.key] === undefined || f.lines > ALLOWED[f.key]);
    expect(over.map((f) => `${f.key} (${f.lines} lines${ALLOWED[f.key] ? `, allowed ${ALLOWED[f.key]}` : ''}): split it`)).toEqual([]);
  });

  test('the allowlist only shrinks: every entry is still a long function', () => {
    const keys = new Set(found.map((f) => f.key));
    expect(
      Object.keys(ALLOWED)
        .filter((k) => !keys.has(k))
        .map((k) => `${k}: no longer over ${MAX_LINES} lines, remove it from ALLOWED`),
    ).toEqual([]);
  });

  test("the measure counts a function's lines and names it by what holds it", () => {
    const body = Array.from({ length: 81 }, (_, i) => `  const a${i} = ${i};`).join('\n');
    expect(longFunctions('f.ts', `export const area = (ctx: unknown) => {\n${body}\n};\n`)).toEqual([{ key: 'f.ts:area', lines: 83 }]);
    expect(longFunctions('f.ts', `class C {\n  constructor() {\n${body}\n  }\n}\n`)).toEqual([{ key: 'f.ts:C.constructor', lines: 83 }]);
    expect(longFunctions('f.ts', `function short() {\n  return 1;\n}\n`)).toEqual([]);
  });
});
