/**
 * Maintenance windows: the spec accepts exactly the time intervals amtool
 * accepts. Each case goes through the loader and, as a minimal Alertmanager
 * config, through the real amtool (Debian 0.25) check-config; the two
 * verdicts must agree. Valid cases are also synthesized and checked as the
 * stack writes them.
 */
import * as path from 'path';
import { stringify } from 'yaml';
import { run, tempFiles } from '../lib/promtool';
import { specProblems } from '../lib/spec-problems';
import { find, synth } from '../lib/synth';

interface Interval {
  times?: { startTime: string; endTime: string }[];
  weekdays?: string[];
  daysOfMonth?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

const CASES: [string, Interval][] = [
  ['weekday range', { weekdays: ['monday:friday'] }],
  ['capitalized weekdays', { weekdays: ['Monday:Friday', 'SUNDAY'] }],
  ['weekday range backwards', { weekdays: ['friday:monday'] }],
  ['weekend across the week end', { weekdays: ['saturday:sunday'] }],
  [
    'night',
    {
      times: [
        { startTime: '22:00', endTime: '24:00' },
        { startTime: '00:00', endTime: '06:00' },
      ],
    },
  ],
  ['time range across midnight', { times: [{ startTime: '22:00', endTime: '06:00' }] }],
  ['empty time range', { times: [{ startTime: '10:00', endTime: '10:00' }] }],
  ['last week of the month', { daysOfMonth: ['-7:-1'] }],
  ['negative start, positive end', { daysOfMonth: ['-3:5'] }],
  ['days backwards', { daysOfMonth: ['20:10'] }],
  ['months', { months: ['January:March', '11:12'] }],
  ['months backwards', { months: ['december:january'] }],
  ['years', { years: ['2026:2027'] }],
  ['years backwards', { years: ['2027:2026'] }],
  ['time zone', { weekdays: ['sunday'], location: 'Europe/Paris' }],
  ['time zone link', { weekdays: ['sunday'], location: 'US/Eastern' }],
  ['time zone in the wrong case', { weekdays: ['sunday'], location: 'europe/paris' }],
  ['unknown time zone', { weekdays: ['sunday'], location: 'Mars/Olympus' }],
];

/** The interval as Alertmanager's config spells it. */
function amInterval(i: Interval): Record<string, unknown> {
  return {
    ...(i.times ? { times: i.times.map((t) => ({ start_time: t.startTime, end_time: t.endTime })) } : {}),
    ...(i.weekdays ? { weekdays: i.weekdays } : {}),
    ...(i.daysOfMonth ? { days_of_month: i.daysOfMonth } : {}),
    ...(i.months ? { months: i.months } : {}),
    ...(i.years ? { years: i.years } : {}),
    ...(i.location ? { location: i.location } : {}),
  };
}

function amtoolAccepts(text: string): { ok: boolean; out: string } {
  const dir = tempFiles({ 'alertmanager.yml': text });
  const r = run('amtool', ['check-config', path.join(dir, 'alertmanager.yml')]);
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

const windows = (i: Interval) => ({ alerting: { maintenanceWindows: [{ name: 'w', timeIntervals: [i] }] } });

describe('maintenance windows: the loader and amtool agree', () => {
  test.each(CASES)('%s', (_name, interval) => {
    const problems = specProblems(windows(interval));
    const minimal = stringify({
      route: { receiver: 'x' },
      receivers: [{ name: 'x' }],
      time_intervals: [{ name: 'w', time_intervals: [amInterval(interval)] }],
    });
    const am = amtoolAccepts(minimal);
    expect({ spec: problems.length === 0, problems }).toEqual({
      spec: am.ok,
      problems: am.ok ? [] : [expect.stringContaining('spec.alerting.maintenanceWindows[0].timeIntervals[0].')],
    });
    if (am.ok) {
      const secret = find(synth(windows(interval)).objects, 'Secret', 'alertmanager-config');
      expect(amtoolAccepts(Buffer.from(secret.data['alertmanager.yml'], 'base64').toString('utf8')).out).toContain('SUCCESS');
    }
  });
});
