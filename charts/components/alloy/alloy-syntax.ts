/**
 * A small serializer for the Alloy configuration syntax (formerly River):
 * the Alloy config is built as typed blocks and attributes, then rendered,
 * never assembled from string templates.
 *
 *   block:      name "label" { body }
 *   attribute:  key = value
 *   values:     strings, numbers, booleans, lists, objects, expressions
 *
 * Expressions (component references such as
 * `discovery.kubernetes.pods.targets`, function calls such as
 * `sys.env("NODE_NAME")`) are wrapped in `expr()` so a plain string is always
 * rendered as a quoted string literal.
 */

/** A raw Alloy expression: a reference, a function call or an operator expression. */
export class AlloyExpr {
  constructor(public readonly text: string) {
    if (!/^[A-Za-z_]/.test(text) && !/^"/.test(text)) throw new Error(`not an Alloy expression: ${text}`);
  }
}

export function expr(text: string): AlloyExpr {
  return new AlloyExpr(text);
}

export type AlloyValue = string | number | boolean | AlloyExpr | AlloyValue[] | { [key: string]: AlloyValue };

export interface AlloyBlock {
  /** Block name, possibly dotted: `discovery.kubernetes`, `rule`, `stage.cri`. */
  readonly name: string;
  /** Component label (`"pods"`); omitted for nested blocks. */
  readonly label?: string;
  readonly body: AlloyStatement[];
}

export interface AlloyAttribute {
  readonly attr: string;
  readonly value: AlloyValue;
}

export type AlloyStatement = AlloyBlock | AlloyAttribute;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BLOCK_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function block(name: string, label: string | undefined, body: AlloyStatement[]): AlloyBlock {
  if (!BLOCK_NAME.test(name)) throw new Error(`invalid Alloy block name "${name}"`);
  if (label !== undefined && !IDENT.test(label)) throw new Error(`invalid Alloy block label "${label}" (letters, digits, "_")`);
  return { name, label, body };
}

export function attr(name: string, value: AlloyValue | undefined): AlloyAttribute[] {
  if (value === undefined) return [];
  if (!IDENT.test(name)) throw new Error(`invalid Alloy attribute name "${name}"`);
  return [{ attr: name, value }];
}

/** A string literal: Alloy strings use Go-style escapes, which JSON's are a subset of. */
export function stringLiteral(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function renderValue(v: AlloyValue, indent: string): string {
  if (v instanceof AlloyExpr) return v.text;
  if (typeof v === 'string') return stringLiteral(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`Alloy numbers must be finite, found ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${inner}${renderValue(x, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${IDENT.test(k) ? k : stringLiteral(k)} = ${renderValue(x, inner)},`).join('\n')}\n${indent}}`;
}

function renderStatement(s: AlloyStatement, indent: string): string {
  if ('attr' in s) return `${indent}${s.attr} = ${renderValue(s.value, indent)}`;
  const head = `${indent}${s.name}${s.label !== undefined ? ` ${stringLiteral(s.label)}` : ''} {`;
  if (s.body.length === 0) return `${head}}`;
  return `${head}\n${s.body.map((x) => renderStatement(x, `${indent}  `)).join('\n')}\n${indent}}`;
}

/** Render top-level blocks, separated by blank lines, with an optional leading comment. */
export function renderAlloy(blocks: AlloyBlock[], comment?: string): string {
  const header = comment
    ? `${comment
        .split('\n')
        .map((l) => `// ${l}`.trimEnd())
        .join('\n')}\n\n`
    : '';
  return `${header}${blocks.map((b) => renderStatement(b, '')).join('\n\n')}\n`;
}
