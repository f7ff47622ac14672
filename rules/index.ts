/**
 * The service-kind rule areas (from spec.services) and the builder of every
 * rule file. Component-owned areas (host, containers, GPU, Kubernetes, logs)
 * live beside their construct in charts/components/<name>/rules.ts and are
 * injected by the caller (the stack passes the registry's areas). Add a
 * service-kind area: write rules/<area>.ts exporting a RuleArea, add it
 * here, add rules/tests/<area>.test.yaml.
 */
import { toYaml } from '../charts/core/yaml';
import { checkPromQL } from '../charts/core/query-check';
import { keepClustersApart } from '../charts/core/cluster-rules';
import { applicationRules } from './applications';
import { availabilityRules } from './availability';
import { datastoreRules } from './datastores';
import { sloRules } from './slo';
import { llmRules } from '../charts/kinds/llm';
import { isAlert, runbookUrl, type RuleArea, type RuleFile, type RulesContext } from '../charts/core/rule-types';

/** The service-kind (and stack-wide) rule areas, in file order after the components' areas. */
export const RULE_AREAS: RuleArea[] = [availabilityRules, applicationRules, datastoreRules, llmRules, sloRules];

/**
 * Every rule file for the spec: the injected component areas first (registry order), then RULE_AREAS.
 * With `spec.cluster` the files are meant for a central ruler that holds many clusters: every
 * expression is rewritten once here to keep `cluster` apart (charts/core/cluster-rules.ts), so
 * no area writes `cluster` by hand and, without `spec.cluster`, the files are as the areas wrote them.
 */
export function buildRuleFiles(ctx: RulesContext, componentAreas: readonly RuleArea[] = []): RuleFile[] {
  const built = [...componentAreas, ...RULE_AREAS].map((area) => area(ctx)).filter((f): f is RuleFile => f !== undefined);
  const files = ctx.spec.cluster ? built.map(perCluster) : built;
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.fileName)) throw new Error(`two rule areas write ${f.fileName}`);
    names.add(f.fileName);
    checkRuleFile(f);
  }
  return files;
}

/** The file with every expression kept apart by `cluster` (the rule named in an error). */
export function perCluster(f: RuleFile): RuleFile {
  return {
    ...f,
    groups: f.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => ({
        ...r,
        expr: keepClustersApart(
          r.expr,
          `rule file ${f.fileName}, group ${g.name}, ${isAlert(r) ? `alert ${r.alert}` : `recording rule ${r.record}`}`,
        ),
      })),
    })),
  };
}

export function renderRuleFile(f: RuleFile): string {
  return toYaml({ groups: f.groups });
}

/** Every expression parses; every alert has severity, summary, description, a runbook and its runbook_url. */
export function checkRuleFile(f: RuleFile): void {
  for (const g of f.groups) {
    for (const r of g.rules) {
      const name = isAlert(r) ? `alert ${r.alert}` : `recording rule ${r.record}`;
      checkPromQL(r.expr, `rule file ${f.fileName}, group ${g.name}, ${name}`);
      if (!isAlert(r)) continue;
      const where = `rule file ${f.fileName}, alert ${r.alert}`;
      if (!['warning', 'critical'].includes(r.labels.severity)) throw new Error(`${where}: severity must be warning or critical`);
      for (const a of ['summary', 'description', 'runbook_url'] as const)
        if (!r.annotations[a]) throw new Error(`${where}: missing annotation ${a}`);
      if (!f.runbooks[r.alert]) throw new Error(`${where}: no runbook entry in the area's runbooks`);
      if (r.annotations.runbook_url !== runbookUrl(r.alert)) throw new Error(`${where}: runbook_url must be runbookUrl('${r.alert}')`);
    }
  }
}
