/**
 * The corpus of realistic mistakes (test/lib/spec-corpus.ts, issue 15 item 9):
 * every invalid file is refused with exactly one problem, which starts with
 * the field path and carries the fix, and never echoes a secret; every valid
 * file (CRLF, BOM, JSON, flow style, markers, the examples) loads.
 * test/e2e/spec-corpus-cli.test.ts runs a sample through the real CLI.
 */
import { parseSpecYaml } from '../../charts/spec-load';
import { problemsOf } from '../lib/spec-problems';
import { INVALID, VALID } from '../lib/spec-corpus';

const load = (text: string) => problemsOf(() => parseSpecYaml(text, 'monitoring.yaml'));

describe('spec corpus', () => {
  test('holds at least 80 realistic mistakes, each with a distinct name', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(80);
    const names = [...INVALID, ...VALID].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  describe('invalid: one problem, at its field, with the fix', () => {
    test.each(INVALID.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const problems = load(c.text);
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(`${c.path}:`)).toBe(true);
      expect(problems[0]).toContain(c.fix);
      for (const h of c.hidden ?? []) expect(problems[0]).not.toContain(h);
      expect(problems[0].length).toBeLessThanOrEqual(420);
    });
  });

  describe('valid but unusual: loads', () => {
    test.each(VALID.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(load(c.text)).toEqual([]);
    });
  });
});
