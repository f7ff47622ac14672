/**
 * Spec loader: YAML text -> validated MonitoringStack with defaults applied.
 * Every problem becomes one line naming the field path, what was expected
 * and what was found; unknown fields get a "did you mean" suggestion.
 */
import * as fs from 'fs';
import { Document, isAlias, isNode, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import { z } from 'zod';
import { withDerivedSizing } from './spec/section-sizing';
import { API_VERSION, KIND, monitoringStackSchema, MonitoringStackInput, MonitoringStackSpec } from './spec-schema';
import { findSecretLiterals, SECRET_VALUE_PATTERNS } from './spec/secrets';
import { COMPONENTS } from './registry';
import { isLabelKey, isLabelValue } from './spec/formats';
import { rawInputProblems, specProblems } from './spec/semantic';

/** At most this many problems are listed (then a count of the rest). */
export const MAX_PROBLEMS_SHOWN = 20;
/** Quoted values in messages are cut to this many characters. */
export const MAX_VALUE_CHARS = 80;
/** A spec file larger than this is refused before it is parsed. */
export const MAX_SPEC_BYTES = 1024 * 1024;

export class SpecError extends Error {
  /** Every problem, sanitized (values cut, secret-looking values hidden); the message lists the first MAX_PROBLEMS_SHOWN. */
  public readonly problems: string[];
  constructor(
    public readonly source: string,
    problems: string[],
  ) {
    const clean = problems.map(sanitizeProblem);
    const shown = clean.slice(0, MAX_PROBLEMS_SHOWN);
    const more = clean.length - shown.length;
    super(
      `${source}: invalid MonitoringStack spec (${clean.length} problem${clean.length === 1 ? '' : 's'}):\n${shown.map((p) => `  - ${p}`).join('\n')}${more > 0 ? `\n  ... and ${more} more problem${more === 1 ? '' : 's'} (fix these first)` : ''}`,
    );
    this.name = 'SpecError';
    this.problems = clean;
  }
}

/**
 * A problem line as shown: every quoted value longer than MAX_VALUE_CHARS is
 * cut, values that look like secrets are replaced by what they look like, and
 * a line stays under 400 characters whatever it embeds.
 */
/** A URL carrying a long token in its query or fragment, or a long random-looking token (mixed case and digits). */
function looksLikeCredential(s: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\/\S*[?#]\S*[A-Za-z0-9_-]{16,}/i.test(s)) return true;
  return /^[A-Za-z0-9+/_=-]{32,}$/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

export function sanitizeProblem(p: string): string {
  let out = p.replace(/"(?:[^"\\]|\\.)*"/g, (q) => {
    let inner: string;
    try {
      inner = JSON.parse(q) as string;
    } catch {
      inner = q.slice(1, -1);
    }
    const hit = SECRET_VALUE_PATTERNS.find((s) => s.re.test(inner));
    if (hit) return `(${hit.what}, not shown)`;
    if (looksLikeCredential(inner)) return '(a value that looks like a credential, not shown)';
    return inner.length > MAX_VALUE_CHARS ? `${JSON.stringify(inner.slice(0, MAX_VALUE_CHARS))}... (${inner.length} characters)` : q;
  });
  // Control characters are what this escapes.
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  out = out.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return out.length > 400 ? `${out.slice(0, 400)}... (cut)` : out;
}

/** The built-in spec used when no file is given: a sensible stack with no user services. */
export const DEFAULT_SPEC: MonitoringStackInput = {
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { name: 'ai-monitoring' },
  spec: {},
};

/** Read and parse a spec file: refused at once when over MAX_SPEC_BYTES or not UTF-8. */
export function readSpecFile(file: string): MonitoringStackSpec {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new SpecError(file, ['file not found']);
  }
  if (size > MAX_SPEC_BYTES) throw new SpecError(file, [tooLarge(size)]);
  const bytes = fs.readFileSync(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SpecError(file, ['the file is not valid UTF-8 text; save it as UTF-8']);
  }
  return parseSpecYaml(text, file);
}

function tooLarge(bytes: number): string {
  return `the file is too large: it is ${bytes} bytes, over the ${MAX_SPEC_BYTES}-byte (1 MiB) limit for a spec; a MonitoringStack spec is a few kilobytes (is this the right file?)`;
}

export function parseSpecYaml(text: string, source = 'spec'): MonitoringStackSpec {
  if (text.length > MAX_SPEC_BYTES || Buffer.byteLength(text) > MAX_SPEC_BYTES)
    throw new SpecError(source, [tooLarge(Buffer.byteLength(text))]);
  // uniqueKeys is off: the yaml library's check compares every key with every
  // other key of its map (quadratic); duplicateKeys() does it with a Set.
  const all = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  // Documents with nothing in them (a leading or trailing "---", a "..." end marker, comments) do not count.
  const docs = (Array.isArray(all) ? all : []).filter(
    (d) => d.errors.length > 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)),
  );
  if (docs.length === 0)
    throw new SpecError(source, ['the file is empty: expected one MonitoringStack document (apiVersion, kind, metadata, spec)']);
  if (docs.length > 1)
    throw new SpecError(source, [
      `expected one YAML document, found ${docs.length}: a spec file holds one MonitoringStack; remove the extra "---" documents (one file per stack)`,
    ]);
  const doc = docs[0];
  if (doc.errors.length > 0) {
    // Later syntax errors are usually consequences of the first: report that one.
    throw new SpecError(source, [yamlSyntaxProblem(doc.errors[0], text)]);
  }
  const dups = duplicateKeys(doc, text);
  if (dups.length > 0) throw new SpecError(source, dups);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new SpecError(source, [`YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  return validateSpec(value, source);
}

/** What to do about each kind of YAML syntax error (codes of the yaml library's YAMLParseError). */
const YAML_FIXES: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces, never tabs',
  BAD_INDENT: 'align the key with the other keys of its section (spaces only), or check the line above',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation of this line and the one above',
  MULTILINE_IMPLICIT_KEY: 'a key and its ":" go on one line; check the indentation of this line and the one above',
  MISSING_CHAR: 'add the missing character',
  DUPLICATE_KEY: 'remove one of the two keys',
  UNEXPECTED_TOKEN: 'check the punctuation on this line (quotes, brackets, ":")',
  BAD_ALIAS: 'an alias (*name) needs an anchor (&name) defined before it',
};

/** A "key:value" line (no space after the colon) at or before `line`: YAML reads it as one string, not a field. */
function missingSpaceAfterColon(text: string, line: number): { line: number; key: string; value: string } | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = /^\s*(?:-\s+)?([A-Za-z_][\w./-]*):([^\s:/#"'][^#]*?)\s*(?:#.*)?$/.exec(lines[i]);
    if (m) return { line: i + 1, key: m[1], value: m[2] };
  }
  return undefined;
}

function yamlSyntaxProblem(
  err: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] },
  text: string,
): string {
  const first = err.message.split('\n')[0].replace(/:$/, '');
  if (/Maximum call stack/.test(first))
    return 'YAML syntax: the document nests lists or maps hundreds of levels deep; a spec is a few levels deep (is this the right file?)';
  const line = err.linePos?.[0].line;
  if (line !== undefined) {
    const m = missingSpaceAfterColon(text, line);
    if (m)
      return `YAML syntax: "${m.key}:${m.value}" on line ${m.line} needs a space after ":" (write "${m.key}: ${m.value}"), else YAML reads the line as a string, not a field (the parser stopped at line ${line})`;
  }
  const fix = YAML_FIXES[err.code];
  return `YAML syntax: ${first}${fix ? `; ${fix}` : ''}`;
}

/** The tags of YAML 1.2's core schema (what plain YAML resolves to); anything else is refused. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

function tagProblem(tag: string, line: number | undefined): string {
  const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
  return `YAML: the tag "${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}"${line ? ` on line ${line}` : ''} is not a plain YAML type; a spec holds plain strings, numbers, booleans, lists and maps: remove the tag`;
}

/** Keys given twice in one mapping, one line each, in linear time; keys that are not plain names; tags beyond the core schema. */
function duplicateKeys(doc: Document.Parsed, text: string): string[] {
  const out: string[] = [];
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  visit(doc, {
    Scalar(_key, node) {
      // Tags beyond YAML's core types (!!binary, !!timestamp, !custom, !!js/...) are refused: a spec holds plain values.
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag))
        out.push(tagProblem(node.tag, node.range ? lineOf(node.range[0]) : undefined));
    },
    Map(_key, map, ancestors) {
      if (map.tag !== undefined && map.tag !== 'tag:yaml.org,2002:map')
        out.push(tagProblem(map.tag, map.range ? lineOf(map.range[0]) : undefined));
      const seen = new Map<string, number>();
      for (const item of map.items) {
        const k0 = item.key;
        // An alias as a key is the anchored key's text: a duplicate hidden behind *name is still a duplicate.
        const k = isAlias(k0) ? k0.resolve(doc) : k0;
        const at = isNode(k0) && k0.range ? k0.range[0] : -1;
        if (isNode(k) && !isScalar(k)) {
          out.push(
            `${yamlPath(ancestors, map)}: a key on line ${at >= 0 ? lineOf(at) : '?'} is a list or a map ("? ..." or an alias of one); field names are plain words: rewrite it as "name: value"`,
          );
          continue;
        }
        const name = isScalar(k) ? String(k.value) : k === null || k === undefined ? '' : `\u0000${JSON.stringify(k)}`;
        if (name === '<<') {
          out.push(
            `${yamlPath(ancestors, map)}: "<<" (a YAML 1.1 merge key, line ${at >= 0 ? lineOf(at) : '?'}) is not supported in YAML 1.2 specs: write the fields out, or anchor a whole value (selector: &sel {...}, then selector: *sel)`,
          );
          continue;
        }
        if (seen.has(name)) {
          out.push(
            `${yamlPath(ancestors, map)}: duplicate key ${JSON.stringify(name)} (line ${at >= 0 ? lineOf(at) : '?'}, first on line ${seen.get(name)}); YAML keeps only one of them: remove the other`,
          );
        } else seen.set(name, at >= 0 ? lineOf(at) : 0);
      }
    },
  });
  return out;
}

/** The dotted field path of `map` within the document, from visit()'s ancestors. */
function yamlPath(ancestors: readonly unknown[], map: unknown): string {
  const path: PropertyKey[] = [];
  const chain = [...ancestors, map];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(child) && isScalar(child.key)) path.push(String(child.key.value));
    else if (isSeq(parent)) path.push(parent.items.indexOf(child));
  }
  return pathText(path);
}

export function validateSpec(input: unknown, source = 'spec'): MonitoringStackSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const found = input === null ? 'nothing' : Array.isArray(input) ? 'a list' : `${typeof input} ${JSON.stringify(input)}`;
    throw new SpecError(source, [
      `the document is ${found}: expected a MonitoringStack object (apiVersion, kind, metadata, spec)${Array.isArray(input) ? '; one stack per file, without a leading "- "' : ''}`,
    ]);
  }
  const top = input as Record<string, unknown>;
  if (top.apiVersion !== API_VERSION && top.kind !== KIND && (top.apiVersion !== undefined || top.kind !== undefined)) {
    // Another kind of document altogether (a Kubernetes manifest, another tool's config): one line, not one per field.
    throw new SpecError(source, [
      `apiVersion: this is not a MonitoringStack spec (apiVersion ${JSON.stringify(top.apiVersion)}, kind ${JSON.stringify(top.kind)}): a spec starts with "apiVersion: ${API_VERSION}" and "kind: ${KIND}"; is this the right file?`,
    ]);
  }
  // Secret literals and raw-text problems are reported with the schema's, so a
  // webhook URL under a misspelled field is flagged as a secret, never echoed.
  const early = [...findSecretLiterals(input), ...rawInputProblems(input).map((p) => `${pathText(p.path)}: ${p.message}`)];
  // The components' derived values wherever the spec sets none (ComponentDef.prefill: spec.platform's profiles), then
  // the Prometheus, Loki and kube-state-metrics sizes the spec (or the platform) leaves unset, from spec.sizing (charts/core/sizing.ts).
  const prefilled = COMPONENTS.reduce<unknown>((d, c) => (c.prefill ? c.prefill(d) : d), input);
  const { doc } = withDerivedSizing(prefilled);
  const result = monitoringStackSchema.safeParse(doc);
  if (!result.success) {
    // One line per field: a schema issue on a field also flagged early carries both messages.
    const byPath = new Map(early.map((p) => [p.slice(0, p.indexOf(':')), p]));
    // Cross-field checks (ComponentDef.specChecks) see defaults where a field is wrong or misspelt, so
    // they are consequences while any field is wrong: report them once the fields are fixed.
    const own = result.error.issues.filter((i) => !isCrossCheck(i));
    const reported = own.length > 0 ? own : result.error.issues;
    const issues = mergeMisspeltRequired(reported.flatMap((issue) => formatIssue(issue, doc))).map((p) => {
      const at = p.slice(0, p.indexOf(':'));
      const also = byPath.get(at);
      if (also === undefined) return p;
      byPath.delete(at);
      return `${p}; ${also.slice(at.length + 2)}`;
    });
    throw new SpecError(source, [...byPath.values(), ...issues]);
  }
  const flagged = new Set(early.map((p) => p.slice(0, p.indexOf(':'))));
  const semantic = specProblems(result.data.spec, ['spec'])
    .map((p) => `${pathText(p.path)}: ${p.message}`)
    .filter((p) => !flagged.has(p.slice(0, p.indexOf(':'))));
  const late = [...early, ...metadataProblems(result.data.metadata), ...semantic];
  if (late.length > 0) throw new SpecError(source, late);
  return result.data;
}

function isCrossCheck(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { crossCheck?: boolean } | undefined)?.crossCheck === true;
}

/**
 * A misspelt required field is one problem, not two: the unknown field with its
 * suggestion carries the "required field is missing" of the field it suggests.
 */
function mergeMisspeltRequired(lines: string[]): string[] {
  const UNKNOWN = /^(.*): unknown field; did you mean "([^"]+)"\?/;
  const missingLine = (l: string): string | undefined => {
    const m = UNKNOWN.exec(l);
    if (!m) return undefined;
    const dot = m[1].lastIndexOf('.');
    return `${dot < 0 ? '' : m[1].slice(0, dot + 1)}${m[2]}: required field is missing`;
  };
  const missing = lines.map(missingLine).filter((m): m is string => m !== undefined && lines.some((l) => l.startsWith(m)));
  return lines
    .filter((l) => !missing.some((m) => l.startsWith(m)))
    .map((l) => {
      const m = missingLine(l);
      return m && missing.includes(m) ? l.replace(/did you mean "([^"]+)"\?/, 'did you mean "$1"? (a required field)') : l;
    });
}

/**
 * metadata.labels and metadata.annotations are applied to every object the
 * stack renders (charts/lib/stack-metadata.ts); keys the stack or Kubernetes
 * owns are refused, since overriding them would break selectors or tooling.
 */
const RESERVED_PREFIXES = [
  'app.kubernetes.io/',
  'kubernetes.io/',
  'k8s.io/',
  'argocd.argoproj.io/',
  'cert-manager.io/',
  'kubectl.kubernetes.io/',
];

function metadataProblems(m: { labels?: Record<string, string>; annotations?: Record<string, string> }): string[] {
  const out: string[] = [];
  for (const kind of ['labels', 'annotations'] as const) {
    for (const [k, v] of Object.entries(m[kind] ?? {})) {
      const at = `metadata.${kind}.${k}`;
      const reserved = RESERVED_PREFIXES.find((p) => k.startsWith(p) || k.split('/')[0].endsWith(`.${p.slice(0, -1)}`));
      if (!isLabelKey(k))
        out.push(
          `${at}: "${k}" is not a valid ${kind === 'labels' ? 'label' : 'annotation'} key (optional DNS prefix and "/", then at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`,
        );
      else if (reserved)
        out.push(
          `${at}: keys under "${reserved}" are set by the stack or by Kubernetes tools; choose your own prefix such as "example.com/${k.split('/').pop()}"`,
        );
      else if (kind === 'labels' && !isLabelValue(v))
        out.push(`${at}: "${v}" is not a valid label value (at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`);
    }
  }
  const annotationBytes = Object.entries(m.annotations ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
  if (annotationBytes > 16 * 1024)
    out.push(
      `metadata.annotations: ${annotationBytes} bytes in total; annotations are copied to every object (each under 256 KiB), keep them under 16 KiB`,
    );
  return out;
}

function pathText(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const at = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => {
      const best = closest(key, known);
      const hint = best
        ? `; did you mean "${best}"?`
        : (misplacedHint(key, issue.path) ?? (known.length ? `; valid fields: ${known.join(', ')}` : ''));
      return `${pathText([...issue.path, key])}: unknown field${hint}${keyOddity(key)}`;
    });
  }
  const found = valueAt(input, issue.path);
  if (found === undefined && issue.path.length > 0 && issue.code !== 'custom') {
    const expected =
      issue.code === 'invalid_type'
        ? ` (expected ${issue.expected})`
        : issue.code === 'invalid_value' && 'values' in issue
          ? ` (expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')})`
          : '';
    return [`${at}: required field is missing${expected}`];
  }
  if (issue.code === 'invalid_type') {
    const own = !issue.message.startsWith('Invalid input');
    const expected = issue.expected === 'int' ? 'a whole number' : issue.expected === 'record' ? 'a map of key: value' : issue.expected;
    const text = own ? issue.message : `expected ${expected}, found ${describeValue(found)}`;
    const full = `${text}${own && !/found /.test(text) ? `, found ${describeValue(found)}` : ''}`;
    return [`${at}: ${full}${/found [^;]*; /.test(full) && found !== null ? '' : typeHint(issue.expected, found)}`];
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const best = typeof found === 'string' ? closest(found, issue.values.map(String)) : undefined;
    return [`${at}: ${issue.message}${best ? `; did you mean "${best}"?` : ''}`];
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number' && issue.message.startsWith('Too ')) {
    const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    const word = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'greater than') : issue.inclusive ? 'at most' : 'less than';
    return [`${at}: must be ${word} ${String(bound)}, found ${describeValue(found)}`];
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && found === '') {
    return [`${at}: is empty (""): give it a value`];
  }
  if (
    (issue.code === 'too_small' || issue.code === 'too_big') &&
    (issue.origin === 'string' || issue.origin === 'array') &&
    issue.message.startsWith('Too ')
  ) {
    const unit = issue.origin === 'string' ? 'characters' : 'items';
    const small = issue.code === 'too_small';
    const bound = small ? issue.minimum : issue.maximum;
    return [
      `${at}: must have ${small ? 'at least' : 'at most'} ${String(bound)} ${unit}, found ${describeValue(found)}; ${small ? 'add to it' : 'shorten it'}`,
    ];
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return [`${at}: ${issue.message}, found ${describeValue(found)}`];
  }
  return [`${at}: ${issue.message}`];
}

/** What to write instead, when a value has the wrong type. */
function typeHint(expected: string, found: unknown): string {
  if (found === null) return '; the field is empty (null): remove it to use the default, or give it a value (are its lines commented out?)';
  if (expected === 'string' && (typeof found === 'number' || typeof found === 'boolean')) return `; quote it: "${String(found)}"`;
  if (
    (expected === 'number' || expected === 'int') &&
    typeof found === 'string' &&
    found.trim() !== '' &&
    Number.isFinite(Number(found.replace(/%$/, '')))
  ) {
    return `; write the number without quotes${found.endsWith('%') ? ' and without "%"' : ''}: ${Number(found.replace(/%$/, ''))}`;
  }
  if (expected === 'boolean' && typeof found === 'string') return '; write true or false (without quotes)';
  if ((expected === 'record' || expected === 'object') && Array.isArray(found))
    return '; write key: value lines (or { key: value }), not a list: remove the "- "';
  if (expected === 'array' && found !== null && typeof found === 'object') return '; write a list: one "- " line per item (or [a, b])';
  return '';
}

/** A field name that holds a character one cannot see or tell apart (pasted from a web page or chat). */
function keyOddity(key: string): string {
  if (/^ | $/.test(key)) return ' (the name has a leading or trailing space: remove it, or the quotes around the name)';
  const odd = /[^\x21-\x7e]/.exec(key);
  if (!odd) return '';
  const cp = `U+${odd[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const what = /[\s\u00a0\u200b-\u200d\u2060\ufeff]/.test(odd[0])
    ? 'an invisible space'
    : 'a non-ASCII character that looks like a Latin letter';
  return ` (the name contains ${cp}, ${what}: retype the name)`;
}

/** A known field at the wrong depth: "services" under spec.logs, "retention" directly under spec. */
function misplacedHint(key: string, path: PropertyKey[]): string | undefined {
  for (let up = path.length - 1; up >= 0; up--) {
    const anc = path.slice(0, up);
    if (knownKeys(anc).includes(key))
      return `; did you mean ${pathText([...anc, key])}? "${key}" is a field of ${pathText(anc)}, not of ${pathText(path)}: check its indentation`;
  }
  const below = knownKeys(path)
    .filter((f) => knownKeys([...path, f]).includes(key))
    .map((f) => pathText([...path, f, key]));
  if (below.length > 0) return `; did you mean ${below.join(' or ')}? (indent it under its section)`;
  return undefined;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v === 'bigint' ? `bigint ${v.toString()}` : typeof v;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** The field names the schema accepts at `path` (for "did you mean"). */
export function knownKeys(path: PropertyKey[]): string[] {
  let s: z.core.$ZodType | undefined = monitoringStackSchema;
  for (const p of path) {
    s = s && unwrap(s);
    if (!s) return [];
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'union') s = unionObject(def, p);
    else if (def.type === 'object') s = (def.shape as Record<string, z.core.$ZodType>)[String(p)];
    else if (def.type === 'array') s = def.element as z.core.$ZodType;
    else if (def.type === 'record') s = def.valueType as z.core.$ZodType;
    else return [];
  }
  s = s && unwrap(s);
  const def = s?._zod.def as unknown as Record<string, unknown> | undefined;
  if (def?.type === 'union')
    return [
      ...new Set(
        (def.options as z.core.$ZodType[]).flatMap((o) => {
          const d = unwrap(o)._zod.def as unknown as Record<string, unknown>;
          return d.type === 'object' ? Object.keys(d.shape as object) : [];
        }),
      ),
    ];
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** The field `p` in whichever object option of a union has it (the first). */
function unionObject(def: Record<string, unknown>, p: PropertyKey): z.core.$ZodType | undefined {
  for (const o of def.options as z.core.$ZodType[]) {
    const d = unwrap(o)._zod.def as unknown as Record<string, unknown>;
    if (d.type === 'object' && String(p) in (d.shape as object)) return (d.shape as Record<string, z.core.$ZodType>)[String(p)];
    if (d.type === 'array' && typeof p === 'number') return d.element as z.core.$ZodType;
  }
  return undefined;
}

function unwrap(s: z.core.$ZodType): z.core.$ZodType {
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type as string))
      s = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') s = def.in as z.core.$ZodType;
    else return s;
  }
}

/** The candidate closest to `word` by edit distance, if it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  if (best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3))) return best;
  // A prefix of the other ("vllm-server" for "vllm", "webhookUrl" for "webhookUrlSecretRef").
  const w = word.toLowerCase();
  const prefixed = candidates.filter(
    (c) => c.length >= 3 && w.length >= 3 && (w.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(w)),
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
