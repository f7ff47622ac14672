/**
 * The rule areas the stack ships, in file order. Add an area: write
 * rules/<area>.ts exporting a RuleArea, add it here, add rules/tests/<area>.test.yaml.
 */
import { toYaml } from '../charts/lib/yaml';
import { checkPromQL } from '../charts/lib/query-check';
import { gpuRules } from './gpu';
import { kubernetesRules } from './kubernetes';
import { logsRules } from './logs';
import { applicationRules } from './applications';
import { availabilityRules } from './availability';
import { containerRules } from './containers';
import { datastoreRules } from './datastores';
import { hostRules } from './host';
import { recordingRules } from './recording';
import { sloRules } from './slo';
import { backupRules } from '../charts/components/backup/rules';
import { isAlert, runbookUrl, type RuleArea, type RuleFile, type RulesContext } from './types';

export const RULE_AREAS: RuleArea[] = [
  recordingRules,
  gpuRules,
  kubernetesRules,
  logsRules,
  availabilityRules,
  hostRules,
  containerRules,
  applicationRules,
  datastoreRules,
  sloRules,
  backupRules,
];

export function buildRuleFiles(ctx: RulesContext): RuleFile[] {
  const files = RULE_AREAS.map((area) => area(ctx)).filter((f): f is RuleFile => f !== undefined);
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.fileName)) throw new Error(`two rule areas write ${f.fileName}`);
    names.add(f.fileName);
    checkRuleFile(f);
  }
  return files;
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
      for (const a of ['summary', 'description', 'runbook_url'] as const) if (!r.annotations[a]) throw new Error(`${where}: missing annotation ${a}`);
      if (!f.runbooks[r.alert]) throw new Error(`${where}: no runbook entry in the area's runbooks`);
      if (r.annotations.runbook_url !== runbookUrl(r.alert)) throw new Error(`${where}: runbook_url must be runbookUrl('${r.alert}')`);
    }
  }
}
