/**
 * Synth warnings: something valid but weaker than it should be (an open
 * egress rule while the spec declares no CIDRs). A construct records one with
 * `warn(this, ...)`; `npm run synth` prints every one on stderr after writing,
 * and tests read them with `warningsOf(stack)`.
 */
import type { IConstruct } from 'constructs';

const WARNING = 'cdk8s-ai-monitoring/warning';

export function warn(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message);
}

/** Every warning recorded under `root`, once each, in construct order. */
export function warningsOf(root: IConstruct): string[] {
  const out = new Set<string>();
  for (const c of root.node.findAll()) for (const m of c.node.metadata) if (m.type === WARNING) out.add(String(m.data));
  return [...out];
}

const ADVICE = 'cdk8s-ai-monitoring/advice';

/**
 * Hardening advice: a default that is safe to deploy but could be narrower
 * once the user knows something about the cluster (the API server's and the
 * nodes' addresses for the egress rules). Every spec would print it, so it is
 * not a warning: synth lists it after the prerequisites, under "to tighten".
 */
export function advise(scope: IConstruct, message: string): void {
  scope.node.addMetadata(ADVICE, message);
}

/** Every piece of advice recorded under `root`, once each, in construct order. */
export function adviceOf(root: IConstruct): string[] {
  const out = new Set<string>();
  for (const c of root.node.findAll()) for (const m of c.node.metadata) if (m.type === ADVICE) out.add(String(m.data));
  return [...out];
}
