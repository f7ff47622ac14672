/**
 * Kubernetes quantities in the form the API server writes them back
 * (k8s.io/apimachinery resource.Quantity: parse, then CanonicalizeBytes), so a
 * manifest reads the same as the live object and a second `kubectl apply`
 * changes nothing: `1024Mi` → `1Gi`, `1000m` → `1`, `0.5` → `500m`,
 * `1.5Gi` → `1536Mi`, `2000` → `2k`, `0.0001` → `1m` (resource lists are kept to
 * milli precision, rounded up).
 *
 * The rules: the suffix picks the format (binary Ki..Ei, decimal m/k/M/G/T/P/E
 * or none, or an exponent e/E); zero is `0`; a decimal value is written as an
 * integer mantissa with the largest power of 1000 that keeps it whole; a
 * binary value as an integer with the largest power of 1024 that keeps it
 * whole, except below 1024 or when it is not a whole number of bytes, where
 * the decimal form is used.
 */

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIX = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s])) as Record<number, string>;
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** value = mantissa × 10^exp10, mantissa without trailing zeros (0 has exp10 0). */
function normalize(mantissa: bigint, exp10: number): { m: bigint; e: number } {
  if (mantissa === 0n) return { m: 0n, e: 0 };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp10 += 1;
  }
  return { m: mantissa, e: exp10 };
}

/** The API server's canonical form of a quantity; throws on text Kubernetes would not parse. */
export function canonicalQuantity(text: string | number): string {
  const s = String(text).trim();
  const match = QUANTITY.exec(s);
  if (!match || (match[2] === '' && (match[3] ?? '') === ''))
    throw new Error(`"${s}" is not a Kubernetes quantity (e.g. 500m, 1, 256Mi, 10Gi)`);
  const [, sign, whole, frac = '', suffix, exponent] = match;
  const neg = sign === '-';
  let { m, e } = normalize(BigInt(`${whole || '0'}${frac}`), -frac.length);
  if (m === 0n) return '0';
  let format: 'decimal' | 'binary' | 'exponent' = 'decimal';
  if (exponent !== undefined) {
    format = 'exponent';
    e += Number(exponent);
  } else if (suffix && suffix in BINARY) {
    format = 'binary';
    m *= 1024n ** BigInt(BINARY[suffix]);
    ({ m, e } = normalize(m, e));
  } else e += DECIMAL[suffix ?? ''];
  // The API server rounds the quantities of a resource list (requests, limits, storage) up to milli precision.
  if (e < -3) {
    const div = 10n ** BigInt(-3 - e);
    m = m / div + (m % div === 0n ? 0n : 1n);
    ({ m, e } = normalize(m, -3));
  }
  if (format === 'binary') {
    const whole = e >= 0;
    const bytes = whole ? m * 10n ** BigInt(e) : 0n;
    if (whole && bytes >= 1024n) {
      let n = bytes;
      let k = 0;
      while (n % 1024n === 0n && k < 6) {
        n /= 1024n;
        k += 1;
      }
      return `${neg ? '-' : ''}${n}${BINARY_SUFFIX[k]}`;
    }
    format = 'decimal';
  }
  // Largest exponent that is a multiple of 3 and keeps the mantissa whole.
  const e3 = Math.floor(e / 3) * 3;
  const mantissa = m * 10n ** BigInt(e - e3);
  const out = `${neg ? '-' : ''}${mantissa}`;
  if (format === 'exponent') return e3 === 0 ? out : `${out}e${e3}`;
  if (e3 > 18) return `${out}e${e3}`;
  return `${out}${DECIMAL_SUFFIX[e3]}`;
}
