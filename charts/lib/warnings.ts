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
