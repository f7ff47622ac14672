/**
 * Value formats shared by the spec schema: Prometheus durations and sizes,
 * Kubernetes quantities, names and label selectors. Each validator returns a
 * zod schema whose error message says what was expected, with an example.
 */
import { isIP } from 'net';
import { z } from 'zod';

/** Prometheus duration: `15d`, `200h`, `1h30m`, `500ms` (units y, w, d, h, m, s, ms). */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

/** Milliseconds in a Prometheus duration, or undefined when the text is not one. */
export function durationMs(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  return m.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * DURATION_UNITS_MS[i] : 0), 0);
}

/** Words people write for duration units, to the Prometheus unit. */
const DURATION_WORDS: [RegExp, string][] = [
  [/^(?:y|yr|yrs|year|years)$/, 'y'],
  [/^(?:w|wk|wks|week|weeks)$/, 'w'],
  [/^(?:d|day|days)$/, 'd'],
  [/^(?:h|hr|hrs|hour|hours)$/, 'h'],
  [/^(?:m|min|mins|minute|minutes)$/, 'm'],
  [/^(?:s|sec|secs|second|seconds)$/, 's'],
  [/^(?:ms|msec|msecs|millisecond|milliseconds)$/, 'ms'],
];

const validDuration = (s: string) => (durationMs(s) ?? 0) > 0;

/** A whole-number duration for `ms` milliseconds in the largest unit that divides it. */
function wholeDuration(ms: number): string | undefined {
  const unit = (
    [
      ['d', 86400e3],
      ['h', 3600e3],
      ['m', 60e3],
      ['s', 1e3],
      ['ms', 1],
    ] as const
  ).find(([, f]) => Number.isInteger(ms / f));
  return unit && ms > 0 ? `${ms / unit[1]}${unit[0]}` : undefined;
}

/** "5 seconds", "1 hour 30 mins", "1.5h", "5S": the Prometheus duration meant, when one is clear. */
function durationMeant(v: string): string | undefined {
  const t = v.trim().toLowerCase();
  if (!/^(?:\d*\.?\d+\s*[a-z]+\s*,?\s*(?:and\s+)?)+$/.test(t)) return undefined;
  const parts = [...t.matchAll(/(\d*\.?\d+)\s*([a-z]+)/g)];
  let ms = 0;
  for (const [, num, word] of parts) {
    const unit = DURATION_WORDS.find(([re]) => re.test(word))?.[1];
    if (!unit) return undefined;
    ms += Number(num) * DURATION_UNITS_MS[['y', 'w', 'd', 'h', 'm', 's', 'ms'].indexOf(unit)];
  }
  const exact = parts.every(([, num]) => /^\d+$/.test(num))
    ? parts.map(([, num, word]) => `${num}${DURATION_WORDS.find(([re]) => re.test(word))![1]}`).join('')
    : undefined;
  if (exact && validDuration(exact)) return exact;
  return wholeDuration(ms);
}

/**
 * What to write instead of a text that is not a Prometheus duration (an empty
 * string when there is no better hint). Every value it suggests is itself a
 * valid duration (test/unit/hints.test.ts feeds each one back).
 */
export function durationHint(v: unknown): string {
  if (typeof v === 'number') {
    if (!(v > 0)) return '; it must be greater than zero, with a unit, e.g. "30s"';
    return Number.isInteger(v)
      ? `; add a unit, e.g. "${v}s" or "${v}m"`
      : `; add a unit and use whole numbers, e.g. "${wholeDuration(v * 1000) ?? '1s'}" for ${v} seconds`;
  }
  if (typeof v !== 'string') return '';
  if (/^[0-9]+$/.test(v.trim()))
    return Number(v) > 0
      ? `; add a unit, e.g. "${Number(v)}s", "${Number(v)}m" or "${Number(v)}d"`
      : '; it must be greater than zero, e.g. "30s"';
  if (durationMs(v) === 0) return '; it must be greater than zero';
  const meant = durationMeant(v);
  if (meant && meant !== v) {
    if (v !== v.trim() || /\s/.test(v)) return `; no spaces, units y, w, d, h, m, s, ms: write "${meant}"`;
    if (/\./.test(v)) return `; durations take whole numbers: write "${meant}"`;
    if (v !== v.toLowerCase() && meant === v.toLowerCase()) return `; units are lowercase: "${meant}"`;
    return `; units are y, w, d, h, m, s, ms: write "${meant}"`;
  }
  if (/\./.test(v)) return '; durations take whole numbers of a smaller unit';
  if (/^[0-9]+[a-z]+[0-9]+$/.test(v) && validDuration(`${v}m`)) return `; every number needs its unit, e.g. "${v}m"`;
  return '';
}

export const duration = () =>
  z
    .string({ error: (i) => `expected a duration such as "15d", "200h" or "30s", found ${describe(i.input)}${durationHint(i.input)}` })
    .refine(
      (s) => {
        const ms = durationMs(s);
        return ms !== undefined && ms > 0;
      },
      {
        error: (i) =>
          `expected a duration such as "15d", "200h" or "30s" (units: y, w, d, h, m, s, ms; no spaces), found ${describe(i.input)}${durationHint(i.input)}`,
      },
    );

/** Prometheus byte size (`--storage.tsdb.retention.size`): `42GB`, `500MB`. Units are powers of 1024. */
const PROM_SIZE_RE = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/;
const PROM_SIZE_EXP: Record<string, number> = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4, PB: 5, EB: 6 };

export function promSizeBytes(text: string): number | undefined {
  const m = PROM_SIZE_RE.exec(text);
  return m ? Number(m[1]) * 1024 ** PROM_SIZE_EXP[m[2]] : undefined;
}

export const promSize = () =>
  z
    .string({ error: (i) => `expected a size such as "42GB" or "500MB", found ${describe(i.input)}` })
    .refine((s) => (promSizeBytes(s) ?? 0) > 0, {
      error: (i) => `expected a Prometheus size such as "42GB" or "500MB" (units B, KB, MB, GB, TB, PB, EB), found ${describe(i.input)}`,
    });

/** Kubernetes quantity (`50Gi`, `500m`, `1.5`). */
const QUANTITY_RE = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function quantityValue(text: string): number | undefined {
  const m = QUANTITY_RE.exec(text);
  if (!m || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) return undefined;
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return Number(m[1] + suffix);
  return Number(m[1]) * QUANTITY_FACTORS[suffix];
}

/** What to write instead of a text that is not a Kubernetes quantity ("50GB" -> "50Gi"). */
export function quantityHint(v: unknown): string {
  if (typeof v !== 'string') return '';
  const t = v.trim();
  if (t !== v || /\s/.test(t)) {
    const joined = t.replace(/\s+/g, '');
    if ((quantityValue(joined) ?? 0) > 0) return `; remove the spaces: "${joined}"`;
    return joined !== t ? quantityHint(joined).replace(/^; /, '; remove the spaces; ') : '';
  }
  const m = /^([0-9.]+)\s*([kKmMgGtTpPeE])(i?)([bB]?)$/.exec(t);
  if (m && (m[3] || m[4])) {
    const fixed = `${m[1]}${m[2] === 'k' || m[2] === 'K' ? 'K' : m[2].toUpperCase()}i`;
    if (fixed !== t && (quantityValue(fixed) ?? 0) > 0)
      return `; Kubernetes writes binary units as Ki, Mi, Gi, Ti (case matters, no "B"): "${fixed}"`;
  }
  if (/^[0-9.]+[eE][0-9]+[A-Za-z]+$/.test(t))
    return '; an exponent takes no unit suffix: write the number in a unit, such as "1000Gi" or "1Ti"';
  return '';
}

export const quantity = (example = '50Gi') =>
  z
    .union([z.string(), z.number()], { error: (i) => `expected a Kubernetes quantity such as "${example}", found ${describe(i.input)}` })
    .transform((v) => String(v))
    .refine((s) => quantityValue(s) !== undefined, {
      error: (i) =>
        `expected a Kubernetes quantity such as "${example}" (suffixes Ki, Mi, Gi, Ti, m, k, M, G), found ${describe(i.input)}${quantityHint(i.input)}`,
    })
    .refine((s) => (quantityValue(s) ?? 1) > 0, {
      error: (i) =>
        `expected a positive Kubernetes quantity such as "${example}", found ${describe(i.input)}${/^-/.test(String(i.input)) ? ': remove the minus sign' : ''}`,
    });

/** RFC 1123 DNS label: names of namespaces, services, jobs. */
export const dnsLabel = () =>
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      error: (i) =>
        `expected a lowercase DNS label (a-z, 0-9, "-", starting and ending with a letter or digit), found ${describe(i.input)}`,
    })
    .max(63, { error: 'must be at most 63 characters' });

/** Kubernetes label key (`app.kubernetes.io/name`). */
const LABEL_NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export function isLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length > 253 || !LABEL_PREFIX_RE.test(parts[0]))) return false;
  return LABEL_NAME_RE.test(name);
}
export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME_RE.test(value);
}

/** A matchLabels-style selector: at least one valid key and value. */
export const labelSelector = () =>
  z
    .record(z.string(), z.string({ error: (i) => `label values are strings (quote numbers and booleans), found ${describe(i.input)}` }))
    .superRefine((sel, ctx) => {
      if (Object.keys(sel).length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected at least one label, e.g. { app.kubernetes.io/name: vllm }; an empty selector would scrape every pod',
        });
      }
      for (const [k, v] of Object.entries(sel)) {
        if (!isLabelKey(k))
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `"${k}" is not a valid label key (optional DNS prefix and "/", then at most 63 of A-Z a-z 0-9 - _ .)`,
          });
        else if (!isLabelValue(v))
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `"${v}" is not a valid label value (at most 63 of A-Z a-z 0-9 - _ ., starting and ending alphanumeric)`,
          });
      }
    });

/** A container port: a number 1-65535 or an IANA service name (the container port's name). */
const PORT_ERROR = (input: unknown) =>
  `expected a port number 1-65535 or a container port name such as "http" (at most 15 lowercase letters, digits, "-"), found ${describe(input)}${portHint(input)}`;

function portHint(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? '' : '; a port is a whole number';
  if (typeof v !== 'string') return '';
  if (v.trim() !== v || /\s/.test(v)) return `; remove the space${/\s.*\s/.test(v) ? 's' : ''}: "${v.replace(/\s+/g, '')}"`;
  if (/^[0-9]+$/.test(v)) return `; a port number is written without quotes: port: ${Number(v)}`;
  if (/[A-Z]/.test(v) && /^[a-z0-9-]{1,15}$/.test(v.toLowerCase())) return `; port names are lowercase: "${v.toLowerCase()}"`;
  if (v.length > 15)
    return `; a container port name has at most 15 characters (${v.length} here): use the name declared in the pod spec, or its number`;
  return '';
}
export const port = () =>
  z
    .union([z.number(), z.string()], { error: (i) => PORT_ERROR(i.input) })
    .refine(
      (v) =>
        (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) ||
        (typeof v === 'string' && /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(v)),
      { error: (i) => PORT_ERROR(i.input) },
    );

export const httpPath = () =>
  z.string().regex(/^\/[^\s?#]*$/, { error: (i) => `expected an absolute URL path such as "/metrics", found ${describe(i.input)}` });

/** DNS-1123 subdomain names of cluster objects the spec names (StorageClass, IngressClass). */
export const className = (kind: string, example: string) =>
  z
    .string()
    .max(253, { error: 'must be at most 253 characters' })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: (i) =>
        `expected the name of a${/^[aeiou]/i.test(kind) ? 'n' : ''} ${kind} such as "${example}" (lowercase letters, digits, "-" and "."), found ${describe(i.input)}`,
    });

/**
 * Why `s` is not a CIDR the API server takes for an ipBlock without surprise
 * (undefined when it is one): IPv4 octets 0-255 and prefix 0-32, IPv6 with
 * prefix 0-128, and no address bits set beyond the prefix ("10.0.0.1/8" is
 * ambiguous: did you mean 10.0.0.0/8 or 10.0.0.1/32?).
 */
export function cidrProblem(s: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return `expected a CIDR such as "10.0.0.0/8" or "fd00::/8" (an address, "/", a prefix length), found ${describe(s)}`;
  const bits = Number(m[2]);
  if (isIP(m[1]) === 4) {
    if (bits > 32) return `an IPv4 prefix length is at most 32, found ${describe(s)}`;
    const n = m[1].split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & ~mask) >>> 0 !== 0) {
      const base = (n & mask) >>> 0;
      return `${describe(s)} has address bits set beyond /${bits}; write "${[24, 16, 8, 0].map((sh) => (base >>> sh) & 255).join('.')}/${bits}" for the network, or "${m[1]}/32" for the one address`;
    }
    return undefined;
  }
  if (isIP(m[1]) === 6) return bits > 128 ? `an IPv6 prefix length is at most 128, found ${describe(s)}` : undefined;
  return `${describe(m[1])} is not an IPv4 or IPv6 address (octets 0-255), in ${describe(s)}`;
}

export const cidr = () =>
  z.string({ error: (i) => `expected a CIDR such as "10.0.0.0/8", found ${describe(i.input)}` }).superRefine((s, ctx) => {
    const p = cidrProblem(s);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });

/** An absolute http(s) URL (external URLs of the UIs: links in alerts and notifications). */
export const httpUrl = (example = 'https://prometheus.example.com/') =>
  z.string({ error: (i) => `expected an absolute http(s) URL such as "${example}", found ${describe(i.input)}` }).refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    {
      error: (i) => `expected an absolute http(s) URL such as "${example}", found ${describe(i.input)}`,
    },
  );

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v === 'bigint' ? `bigint ${v.toString()}` : typeof v;
}

/** A lowercase DNS name with at least one dot (RFC 1123 subdomain): the host fields' format. */
export const HOST_RE = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** What to write instead of a text that is not a lowercase DNS host name (a URL, a trailing dot, a port, capitals). */
export function hostHint(v: unknown): string {
  if (typeof v !== 'string') return '';
  let h = v.trim();
  const why: string[] = [];
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(h);
  if (scheme) {
    h = h.slice(scheme[0].length);
    why.push(`no scheme (remove "${scheme[0]}")`);
  }
  if (/[/?#]/.test(h)) {
    h = h.replace(/[/?#].*$/, '');
    why.push('no path');
  }
  if (/:\d+$/.test(h)) {
    h = h.replace(/:\d+$/, '');
    why.push('no port (the Ingress serves 80 and 443)');
  }
  if (h.endsWith('.')) {
    h = h.replace(/\.+$/, '');
    why.push('no trailing dot');
  }
  if (h !== h.toLowerCase()) {
    h = h.toLowerCase();
    why.push('lowercase');
  }
  return why.length && h !== v && HOST_RE.test(h) ? `; ${why.join(', ')}: write "${h}"` : '';
}
