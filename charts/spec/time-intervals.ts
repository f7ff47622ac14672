/**
 * Alertmanager time interval checks beyond the shape of each field, as
 * Alertmanager v0.28.1 applies them when it loads its configuration
 * (timeinterval/timeinterval.go, UnmarshalYAML of TimeRange, WeekdayRange,
 * DayOfMonthRange, MonthRange, YearRange): ranges are case-insensitive and
 * must not run backwards, and a time range must end after it starts.
 * Facts carried over from that file; the code is ours.
 */
export interface TimeIntervalInput {
  readonly times?: readonly { readonly startTime: string; readonly endTime: string }[];
  readonly weekdays?: readonly string[];
  readonly daysOfMonth?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
}

export interface TimeIntervalProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const minutes = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
};

function range(s: string, member: (x: string) => number | undefined): [number, number] | undefined {
  const parts = s.toLowerCase().split(':');
  const a = member(parts[0]);
  const b = member(parts[parts.length - 1]);
  return a === undefined || b === undefined ? undefined : [a, b];
}

export function timeIntervalProblems(ti: TimeIntervalInput): TimeIntervalProblem[] {
  const out: TimeIntervalProblem[] = [];
  (ti.times ?? []).forEach((t, i) => {
    if (minutes(t.startTime) >= minutes(t.endTime)) {
      out.push({
        path: ['times', i, 'endTime'],
        message: `must be after startTime (${t.startTime}), found "${t.endTime}"; Alertmanager rejects a range that crosses midnight: use two ranges such as 22:00-24:00 and 00:00-06:00`,
      });
    }
  });
  (ti.weekdays ?? []).forEach((w, i) => {
    const r = range(w, (x) => {
      const n = WEEKDAYS.indexOf(x);
      return n < 0 ? undefined : n;
    });
    if (r && r[0] > r[1])
      out.push({
        path: ['weekdays', i],
        message: `"${w}" runs backwards (weeks start on sunday for Alertmanager); split it, e.g. "friday:saturday" and "sunday:monday"`,
      });
  });
  (ti.daysOfMonth ?? []).forEach((d, i) => {
    const r = range(d, (x) => (/^-?\d+$/.test(x) ? Number(x) : undefined));
    if (!r) return;
    if (r[0] < 0 && r[1] > 0)
      out.push({
        path: ['daysOfMonth', i],
        message: `"${d}": the end day must be negative when the start day is (count both from the end of the month, e.g. "-7:-1")`,
      });
    else if ((r[0] < 0 ? 28 + r[0] : r[0]) > (r[1] < 0 ? 28 + r[1] : r[1]))
      out.push({ path: ['daysOfMonth', i], message: `"${d}": the end day is always before the start day` });
  });
  (ti.months ?? []).forEach((m, i) => {
    const r = range(m, (x) => {
      const n = MONTHS.indexOf(x);
      return n >= 0 ? n + 1 : /^\d+$/.test(x) ? Number(x) : undefined;
    });
    if (r && r[0] > r[1])
      out.push({
        path: ['months', i],
        message: `"${m}" runs backwards; split it at the year end, e.g. "november:december" and "january:february"`,
      });
  });
  (ti.years ?? []).forEach((y, i) => {
    const r = range(y, (x) => (/^\d+$/.test(x) ? Number(x) : undefined));
    if (r && r[0] > r[1]) out.push({ path: ['years', i], message: `"${y}": the end year is before the start year` });
  });
  return out;
}
