/**
 * Every fix a spec error suggests is itself valid: the suggested value, put
 * back where the bad one was, passes the loader ("5 seconds" once suggested
 * "5seconds", which the next run rejected).
 */
import { SpecError, validateSpec } from '../../charts/spec-load';

const base = () => ({
  apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1',
  kind: 'MonitoringStack',
  metadata: { name: 'demo' },
  spec: {} as Record<string, any>,
});

function withValue(path: string[], value: unknown) {
  const doc = base();
  let at: Record<string, any> = doc as any;
  for (const p of path.slice(0, -1)) at = at[p] = at[p] ?? {};
  at[path[path.length - 1]] = value;
  return doc;
}

function problemsAt(path: string[], value: unknown): string[] {
  try {
    validateSpec(withValue(path, value), 'hint test');
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.filter((p) => p.startsWith(path.join('.')));
  }
}

/** The values a problem tells the user to write: `write "X"`, `: "X"` at the end, `e.g. "X"`. */
function suggestions(problem: string): string[] {
  const hint = problem.slice(problem.indexOf(';') + 1);
  if (problem.indexOf(';') < 0) return [];
  return [...hint.matchAll(/(?:write|e\.g\.|remove the spaces:|lowercase:|no "B"\):|:) "([^"]+)"/g)].map((m) => m[1]);
}

const CASES: { field: string[]; bad: unknown[] }[] = [
  {
    field: ['spec', 'prometheus', 'scrapeInterval'],
    bad: [
      '5 seconds',
      '5seconds',
      '1 hour 30 mins',
      '1.5h',
      '5S',
      '1h30',
      '10',
      5,
      1.5,
      '5 sec',
      '2 days',
      ' 5s',
      '15 d',
      '1h 30m',
      '30sec',
      '0.5m',
      '10 Minutes',
    ],
  },
  { field: ['spec', 'prometheus', 'retention'], bad: ['30 days', '1 week', '4W', '2.5d', '720'] },
  { field: ['spec', 'prometheus', 'storage', 'size'], bad: ['50GB', '50 Gi', '50 GB', '1.5gb', '50gb', '10mb', '2 TiB'] },
  {
    field: ['spec', 'grafana', 'domain'],
    bad: ['https://Grafana.Example.com:443/x', 'Grafana.Example.COM', 'grafana.example.com.', 'http://grafana.example.com/'],
  },
];

describe('fix hints are valid values', () => {
  for (const { field, bad } of CASES) {
    test(`${field.join('.')}: every suggested value is accepted`, () => {
      let suggested = 0;
      for (const v of bad) {
        const problems = problemsAt(field, v);
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) {
          for (const s of suggestions(p)) {
            suggested++;
            expect({ bad: v, suggested: s, problems: problemsAt(field, s) }).toEqual({ bad: v, suggested: s, problems: [] });
          }
        }
      }
      // The cases above are ones a hint exists for: most of them get one.
      expect(suggested).toBeGreaterThanOrEqual(bad.length - 1);
    });
  }

  test('"5 seconds" suggests "5s"', () => {
    expect(problemsAt(['spec', 'prometheus', 'scrapeInterval'], '5 seconds').join('\n')).toContain('write "5s"');
  });
});
