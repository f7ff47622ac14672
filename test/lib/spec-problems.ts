/** The one helper for spec problems: what SpecError lists for a spec (or a step that validates one). */
import { SpecError, validateSpec } from '../../charts/spec-load';
import { stackDoc } from './synth';

/** The problems `run` is refused with; [] when it succeeds. Any other error is rethrown. */
export function problemsOf(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
}

/** The problems of a MonitoringStack `spec` (wrapped in a valid document); [] when it is valid. */
export function specProblems(spec: Record<string, unknown>): string[] {
  return problemsOf(() => validateSpec(stackDoc(spec)));
}

/** The problems `run` is refused with; fails when it is accepted. */
export function refusedWith(run: () => unknown): string[] {
  const problems = problemsOf(run);
  if (problems.length === 0) throw new Error('expected the spec to be refused');
  return problems;
}
