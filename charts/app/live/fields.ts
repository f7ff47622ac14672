/**
 * Field-level comparison of two forms of one object (live and the server's
 * dry run of the desired object): one line per differing leaf, named by its
 * path (`spec.template.spec.containers[name=grafana].image`). Server
 * bookkeeping (managedFields, resourceVersion, generation, uid, timestamps,
 * status) is left out: it is not configuration.
 */

const IGNORED_METADATA = new Set([
  'managedFields',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'uid',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]);

/** The object without server bookkeeping. */
export function configOf(o: any): any {
  if (!o || typeof o !== 'object') return o;
  const { status: _status, metadata, ...rest } = o;
  const md = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => !IGNORED_METADATA.has(k)));
  return { ...rest, metadata: md };
}

export interface FieldChange {
  readonly path: string;
  readonly live: unknown;
  readonly desired: unknown;
}

function keyedBy(list: unknown[]): string | undefined {
  for (const k of ['name', 'containerPort', 'port', 'mountPath', 'key', 'ip']) {
    if (
      list.length > 0 &&
      list.every((x) => x && typeof x === 'object' && (x as any)[k] !== undefined) &&
      new Set(list.map((x) => String((x as any)[k]))).size === list.length
    )
      return k;
  }
  return undefined;
}

function walk(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const k = keyedBy(a) !== undefined && keyedBy(a) === keyedBy(b) ? keyedBy(a) : undefined;
    if (k) {
      const ma = new Map(a.map((x: any) => [String(x[k]), x]));
      const mb = new Map(b.map((x: any) => [String(x[k]), x]));
      if ([...ma.keys()].join('\u0000') === [...mb.keys()].join('\u0000') || ma.size !== a.length) {
        for (const key of new Set([...ma.keys(), ...mb.keys()])) walk(`${path}[${k}=${key}]`, ma.get(key), mb.get(key), out);
        return;
      }
    }
    if (a.length === b.length) {
      for (let i = 0; i < a.length; i++) walk(`${path}[${i}]`, a[i], b[i], out);
      return;
    }
    out.push({ path, live: a, desired: b });
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      walk(path ? `${path}.${key}` : key, (a as any)[key], (b as any)[key], out);
    }
    return;
  }
  out.push({ path, live: a, desired: b });
}

/** Differences between `live` and `desired` (both full objects), bookkeeping excluded. */
export function fieldChanges(live: unknown, desired: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk('', configOf(live), configOf(desired), out);
  return out;
}

export function shortValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}
