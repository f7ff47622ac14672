/**
 * Checks by field-name convention, across the whole spec, so every component
 * section (and every new one) gets them without wiring:
 *
 * - on the raw input (what the user wrote): every string and key is
 *   well-formed Unicode (no unpaired surrogate: YAML and JSON serializers
 *   would write invalid UTF-8); no `{{` outside the fields that are Go
 *   templates (`summary`, `description`), because spec strings are embedded
 *   in Prometheus, Loki and Alertmanager templates where `{{` breaks the
 *   template or injects one; in those template fields, balanced delimiters;
 * - on the validated spec (defaults applied): `resources.requests` <=
 *   `resources.limits` (the API server rejects the pod otherwise);
 *   `*ClassName` fields are DNS-1123 subdomains (StorageClass, IngressClass
 *   names); `externalLabels` keys and alert rule `labels` keys are Prometheus
 *   label names (promtool rejects `cluster-name`); `location` / `timeZone`
 *   fields are IANA time zones (amtool rejects unknown ones).
 *
 * Each problem is `path: what is wrong; the fix`, like the schema's.
 */
import { quantityValue } from './formats';

export interface Problem {
  readonly path: PropertyKey[];
  readonly message: string;
}

/** Fields whose strings are Go templates (alert summaries and descriptions). */
const TEMPLATE_FIELDS = new Set(['summary', 'description']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** Problems in the raw input's strings and keys. */
export function rawInputProblems(input: unknown): Problem[] {
  const out: Problem[] = [];
  const walk = (v: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (hasLoneSurrogate(k))
          out.push({
            path: [...path, k],
            message: 'the field name contains an unpaired UTF-16 surrogate (invalid Unicode, e.g. a "\\ud800" escape); retype it',
          });
        walk(x, [...path, k]);
      }
    } else if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) {
        out.push({
          path,
          message: 'contains an unpaired UTF-16 surrogate (invalid Unicode, e.g. a "\\ud800" escape or half of an emoji); retype the value',
        });
        return;
      }
      const invisible = /[\u200b-\u200d\u2060\ufeff]/.exec(v);
      if (invisible) {
        out.push({
          path,
          message: `contains U+${invisible[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, an invisible zero-width character (pasted from a web page or chat?); retype the value`,
        });
        return;
      }
      // Control characters are what this finds.
      // eslint-disable-next-line no-control-regex
      const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(v);
      if (control) {
        out.push({
          path,
          message: `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (an escape such as "\\0" in a double-quoted YAML string?); remove it`,
        });
        return;
      }
      const key = path[path.length - 1];
      if (typeof key === 'string' && TEMPLATE_FIELDS.has(key)) {
        const problem = templateProblem(v);
        if (problem) out.push({ path, message: problem });
      } else if (v.includes('{{')) {
        out.push({
          path,
          message:
            'contains "{{", which starts a Go template where this value is embedded (Prometheus, Loki and Alertmanager templates); remove it (templates are allowed only in summary and description)',
        });
      }
    }
  };
  walk(input, []);
  return out;
}

/** Balanced `{{ ... }}` delimiters, none empty or nested. */
export function templateProblem(s: string): string | undefined {
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('{{', i);
    const close = s.indexOf('}}', i);
    if (open === -1) {
      return close === -1 ? undefined : 'has "}}" without a matching "{{"; write it as {{ "}}" }} or remove it';
    }
    if (close !== -1 && close < open) return 'has "}}" without a matching "{{"; write it as {{ "}}" }} or remove it';
    const end = s.indexOf('}}', open + 2);
    if (end === -1)
      return 'has "{{" without a closing "}}": a Go template action is {{ ... }} (e.g. {{ $labels.instance }}); to show braces literally write {{ "{{" }}';
    const inner = s.slice(open + 2, end);
    if (inner.includes('{{')) return 'has "{{" inside a template action; close the first action with "}}" before opening another';
    if (inner.trim().replace(/^-|-$/g, '').trim() === '')
      return 'has an empty template action "{{}}"; put a value such as $labels.instance inside or remove it';
    i = end + 2;
  }
  return undefined;
}

/** DNS-1123 subdomain: names of StorageClasses, IngressClasses, RuntimeClasses. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}

/** A Prometheus label name, not reserved (`__` prefix). */
export function isPromLabelName(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s) && !s.startsWith('__');
}

let zonesCache: Set<string> | undefined;

/**
 * Whether `tz` is an IANA time zone name as Go's time.LoadLocation (amtool,
 * Alertmanager) reads it from tzdata: known to the ICU database (Intl), with
 * the exact spelling (LoadLocation opens a file, so case matters).
 */
export function isIanaTimeZone(tz: string): boolean {
  if (tz === 'UTC') return true;
  zonesCache ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zonesCache.has(tz)) return true;
  const lower = tz.toLowerCase();
  for (const z of zonesCache) if (z.toLowerCase() === lower) return false; // a canonical zone in the wrong case
  if (!tz.split('/').every((s) => /^[A-Z][A-Za-z0-9_+-]*$/.test(s))) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true; // a link such as US/Eastern or Etc/GMT+5
  } catch {
    return false;
  }
}

function closestZone(tz: string): string | undefined {
  zonesCache ??= new Set(Intl.supportedValuesOf('timeZone'));
  const lower = tz.toLowerCase();
  for (const z of zonesCache) if (z.toLowerCase() === lower) return z;
  const tail = lower.split('/').pop() ?? lower;
  for (const z of zonesCache) if (z.toLowerCase().endsWith(`/${tail}`)) return z;
  return undefined;
}

const TIME_ZONE_FIELDS = new Set(['location', 'timeZone', 'timezone']);

/** Problems in the validated spec (defaults applied). */
export function specProblems(spec: unknown, base: PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  const walk = (v: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const key = path[path.length - 1];
    if (key === 'resources') out.push(...resourceProblems(o, path));
    if (key === 'externalLabels') {
      for (const [k, val] of Object.entries(o)) {
        if (!isPromLabelName(k))
          out.push({
            path: [...path, k],
            message: `"${k}" is not a Prometheus label name (letters, digits and "_", not starting with a digit or "__"); promtool rejects it: use e.g. "${promLabelFix(k)}"`,
          });
        else if (val === '')
          out.push({ path: [...path, k], message: 'an empty label value removes the label; give it a value or remove the field' });
        else if (k === 'job' || k === 'instance')
          out.push({
            path: [...path, k],
            message: `every series already has a "${k}" label, which wins over an external label of the same name, so this one would never be sent; name it for what it says, e.g. "cluster" or "environment"`,
          });
      }
    }
    if (key === 'labels' && path.length >= 2 && isRuleLike(path, spec, base)) {
      for (const k of Object.keys(o)) {
        if (!isPromLabelName(k))
          out.push({
            path: [...path, k],
            message: `"${k}" is not a Prometheus label name (letters, digits and "_", not starting with a digit or "__"); use e.g. "${promLabelFix(k)}"`,
          });
        else if (['alertname', 'severity'].includes(k))
          out.push({ path: [...path, k], message: `"${k}" is set by the stack; use the rule's own field instead of a label` });
      }
    }
    for (const [k, x] of Object.entries(o)) {
      if (typeof x === 'string' && (k === 'size' || k === 'storageSize') && (quantityValue(x) ?? Infinity) < 2 ** 20) {
        out.push({
          path: [...path, k],
          message: `a volume of ${JSON.stringify(x)} is ${quantityValue(x)} bytes (a quantity without a unit counts bytes): add a unit, e.g. "${/^\d+$/.test(x) ? x : '10'}Gi"`,
        });
      }
      if (typeof x === 'string' && /ClassName$/.test(k) && !isDns1123Subdomain(x)) {
        out.push({
          path: [...path, k],
          message: `${JSON.stringify(x)} is not a valid ${k.replace(/Name$/, '')} name: lowercase letters, digits, "-" and "." (a DNS-1123 subdomain, like "${dnsFix(x)}"); list them with kubectl get ${k === 'ingressClassName' ? 'ingressclass' : k === 'storageClassName' ? 'storageclass' : k.replace(/ClassName$/, 'class').toLowerCase()}`,
        });
      }
      if (typeof x === 'string' && TIME_ZONE_FIELDS.has(k) && !isIanaTimeZone(x)) {
        const hint = closestZone(x);
        out.push({
          path: [...path, k],
          message: `${JSON.stringify(x)} is not an IANA time zone such as "Europe/Paris" or "UTC" (case matters)${hint ? `; did you mean "${hint}"?` : ''}`,
        });
      }
      walk(x, [...path, k]);
    }
  };
  walk(spec, base);
  return out;
}

/** A `labels` record inside an alert rule (an object with `alert` and `expr`). */
function isRuleLike(path: PropertyKey[], root: unknown, base: PropertyKey[]): boolean {
  let cur: unknown = root;
  for (const p of path.slice(base.length, -1)) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur !== null && typeof cur === 'object' && 'alert' in cur && 'expr' in cur;
}

function resourceProblems(r: Record<string, unknown>, path: PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  const req = r.requests as Record<string, unknown> | undefined;
  const lim = r.limits as Record<string, unknown> | undefined;
  if (!req || !lim || typeof req !== 'object' || typeof lim !== 'object') return out;
  for (const res of ['cpu', 'memory']) {
    const a = typeof req[res] === 'string' ? quantityValue(req[res]) : undefined;
    const b = typeof lim[res] === 'string' ? quantityValue(lim[res]) : undefined;
    if (a !== undefined && b !== undefined && a > b) {
      out.push({
        path: [...path, 'requests', res],
        message: `request ${JSON.stringify(req[res])} is above the limit ${JSON.stringify(lim[res])} (the API server rejects the pod): lower requests.${res} or raise limits.${res}`,
      });
    }
  }
  return out;
}

function promLabelFix(k: string): string {
  const s = k
    .replace(/[^a-zA-Z0-9_]/g, '_')
    .replace(/^__+/, '')
    .replace(/__+$/, '');
  return /^[0-9]/.test(s) ? `_${s}` : s || 'cluster';
}

function dnsFix(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '') || 'standard'
  );
}
