/**
 * Spec loader: YAML text -> validated MonitoringStack with defaults applied.
 * Every problem becomes one line naming the field path, what was expected
 * and what was found; unknown fields get a "did you mean" suggestion.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { withDerivedSizing } from './section-sizing';
import { API_VERSION, KIND, monitoringStackSchema, MonitoringStackInput, MonitoringStackSpec } from './schema';
import { findSecretLiterals } from './secrets';

export class SpecError extends Error {
  constructor(public readonly source: string, public readonly problems: string[]) {
    super(`${source}: invalid MonitoringStack spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

/** The built-in spec used when no file is given: a sensible stack with no user services. */
export const DEFAULT_SPEC: MonitoringStackInput = {
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { name: 'ai-monitoring' },
  spec: {},
};

export function parseSpecYaml(text: string, source = 'spec'): MonitoringStackSpec {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length === 0) throw new SpecError(source, ['the file is empty: expected one MonitoringStack document']);
  if (docs.length > 1) throw new SpecError(source, [`expected one YAML document, found ${docs.length}`]);
  const doc = docs[0];
  if (doc.errors.length > 0) {
    // Later syntax errors are usually consequences of the first: report that one.
    throw new SpecError(source, [`YAML syntax: ${doc.errors[0].message.split('\n')[0]}`]);
  }
  return validateSpec(doc.toJS(), source);
}

export function validateSpec(input: unknown, source = 'spec'): MonitoringStackSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SpecError(source, [`expected a MonitoringStack object (apiVersion, kind, metadata, spec), found ${input === null ? 'nothing' : Array.isArray(input) ? 'a list' : typeof input}`]);
  }
  // Prometheus, Loki and kube-state-metrics sizes the spec leaves unset follow spec.sizing (charts/core/sizing.ts).
  const { doc } = withDerivedSizing(input);
  const result = monitoringStackSchema.safeParse(doc);
  if (!result.success) {
    throw new SpecError(source, result.error.issues.flatMap((issue) => formatIssue(issue, doc)));
  }
  const secrets = findSecretLiterals(input);
  if (secrets.length > 0) throw new SpecError(source, secrets);
  return result.data;
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
      const hint = best ? `; did you mean "${best}"?` : known.length ? `; valid fields: ${known.join(', ')}` : '';
      return `${pathText([...issue.path, key])}: unknown field${hint}`;
    });
  }
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return [`${at}: required field is missing (expected ${issue.expected})`];
  }
  if (issue.code === 'invalid_type') {
    return [`${at}: ${issue.message.startsWith('expected') ? issue.message : `expected ${issue.expected}, found ${describeValue(valueAt(input, issue.path))}`}`];
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const found = valueAt(input, issue.path);
    const best = typeof found === 'string' ? closest(found, issue.values.map(String)) : undefined;
    return [`${at}: ${issue.message}${best ? `; did you mean "${best}"?` : ''}`];
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return [`${at}: ${issue.message}, found ${describeValue(valueAt(input, issue.path))}`];
  }
  return [`${at}: ${issue.message}`];
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
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
    if (def.type === 'object') s = (def.shape as Record<string, z.core.$ZodType>)[String(p)];
    else if (def.type === 'array') s = def.element as z.core.$ZodType;
    else if (def.type === 'record') s = def.valueType as z.core.$ZodType;
    else return [];
  }
  s = s && unwrap(s);
  const def = s?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(s: z.core.$ZodType): z.core.$ZodType {
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type as string)) s = def.innerType as z.core.$ZodType;
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
    if (d < bestDist) { best = c; bestDist = d; }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
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
