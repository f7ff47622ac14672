/**
 * Five-field cron schedules (minute hour day-of-month month day-of-week, as
 * Kubernetes CronJobs and Velero read them): parsing, and the longest gap
 * between two runs, from which the backup alert derives "older than twice
 * the schedule".
 */
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`${f.name} "${part}" is not a number, range, list or step`);
    const lo = m[1] === '*' ? f.min : Number(m[2]);
    const hi = m[1] === '*' ? f.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < f.min || hi > f.max || lo > hi || step < 1) throw new Error(`${f.name} "${part}" is outside ${f.min}-${f.max}`);
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

export interface Cron {
  readonly fields: Set<number>[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

export function parseCron(text: string): Cron {
  const expanded = MACROS[text.trim()] ?? text.trim();
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new Error(`${parts.length} fields`);
  return { fields: parts.map((p, i) => parseField(p, FIELDS[i])), domStar: parts[2] === '*', dowStar: parts[4] === '*' };
}

function dayMatches(c: Cron, d: Date): boolean {
  const [, , dom, month, dow] = c.fields;
  if (!month.has(d.getUTCMonth() + 1)) return false;
  const domOk = dom.has(d.getUTCDate());
  const dowOk = dow.has(d.getUTCDay());
  // Both restricted: either matches (cron's rule); otherwise the restricted one decides.
  if (!c.domStar && !c.dowStar) return domOk || dowOk;
  return domOk && dowOk;
}

/** The longest gap between two consecutive runs over two years, in minutes. */
export function cronIntervalMinutes(text: string): number {
  const c = parseCron(text);
  const minutesOfDay = [...c.fields[1]].sort((a, b) => a - b).flatMap((h) => [...c.fields[0]].sort((a, b) => a - b).map((m) => h * 60 + m));
  const start = Date.UTC(2027, 0, 1);
  let runs = 0;
  let last: number | undefined;
  let gap = 0;
  for (let day = 0; day < 2 * 365; day++) {
    if (!dayMatches(c, new Date(start + day * 86400e3))) continue;
    for (const m of minutesOfDay) {
      const t = day * 1440 + m;
      if (last !== undefined) gap = Math.max(gap, t - last);
      last = t;
      runs++;
    }
  }
  if (runs === 0) throw new Error('it never runs');
  return runs === 1 ? 2 * 365 * 1440 : gap;
}
