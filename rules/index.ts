/**
 * The rule areas the stack ships, in file order. Add an area: write
 * rules/<area>.ts exporting a RuleArea, add it here, add rules/tests/<area>.test.yaml.
 */
import { stringify } from 'yaml';
import type { RuleArea, RuleFile, RulesContext } from './types';

export const RULE_AREAS: RuleArea[] = [];

export function buildRuleFiles(ctx: RulesContext): RuleFile[] {
  const files = RULE_AREAS.map((area) => area(ctx)).filter((f): f is RuleFile => f !== undefined);
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.fileName)) throw new Error(`two rule areas write ${f.fileName}`);
    names.add(f.fileName);
  }
  return files;
}

export function renderRuleFile(f: RuleFile): string {
  return stringify({ groups: f.groups }, { lineWidth: 0 });
}
