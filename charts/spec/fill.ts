/**
 * Filling a raw (unvalidated) spec document with derived values, only where the user set nothing: used by
 * spec.sizing (section-sizing.ts) and spec.platform (components/platform/derive.ts) before validation.
 */
import { quantityValue } from './formats';

export type Raw = Record<string, unknown>;
export const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface DerivedResources {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface SpecFiller {
  /** The object at `path`, created where missing; undefined where the spec holds a non-object (validation reports it). */
  readonly at: (path: string[]) => Raw | undefined;
  /** Sets each of `values` at `path` where the spec has no value (undefined values are skipped). */
  readonly fill: (path: string[], values: Readonly<Record<string, unknown>>) => void;
  /**
   * Derived requests and limits at `<path>.resources`, each only where unset, and never contradicting a value the user
   * set: a derived limit is at least the user's request, a derived request at most the user's limit (requests <=
   * limits, or the API server rejects the pod).
   */
  readonly resources: (path: string[], r: DerivedResources) => void;
}

export function specFiller(spec: Raw): SpecFiller {
  const at = (path: string[]): Raw | undefined => {
    let o: Raw = spec;
    for (const k of path) {
      if (o[k] === undefined) o[k] = {};
      if (!isObj(o[k])) return undefined;
      o = o[k];
    }
    return o;
  };
  const q = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? quantityValue(String(v)) : undefined);
  return {
    at,
    fill: (path, values) => {
      const o = at(path);
      if (o) for (const [k, v] of Object.entries(values)) if (o[k] === undefined && v !== undefined) o[k] = structuredClone(v);
    },
    resources: (path, r) => {
      const req = at([...path, 'resources', 'requests']);
      const lim = at([...path, 'resources', 'limits']);
      if (!req || !lim) return;
      for (const k of new Set([...Object.keys(r.requests), ...Object.keys(r.limits)])) {
        const userReq = req[k];
        const userLim = lim[k];
        const dReq = r.requests[k];
        const dLim = r.limits[k];
        if (userReq === undefined && dReq !== undefined)
          req[k] = userLim !== undefined && (q(userLim) ?? Infinity) < (q(dReq) ?? 0) ? userLim : dReq;
        if (userLim === undefined && dLim !== undefined)
          lim[k] = userReq !== undefined && (q(userReq) ?? 0) > (q(dLim) ?? Infinity) ? userReq : dLim;
      }
    },
  };
}
