/**
 * Data stores behind the AI services: the alerts of the kinds whose
 * KindDef.alerts join datastores.yaml (the MySQL and Redis exporters'),
 * shipped whatever the services (an exporter found through annotations counts too).
 */
import { KINDS } from '../charts/kinds';
import type { AlertRule, RuleArea, Runbook } from '../charts/core/rule-types';

export const datastoreRules: RuleArea = (ctx) => {
  const runbooks: Record<string, Runbook> = {};
  const rules: AlertRule[] = [];
  for (const k of KINDS) {
    if (k.alerts?.file !== 'datastores') continue;
    for (const { rule, runbook } of k.alerts.build(ctx)) {
      rules.push(rule);
      runbooks[rule.alert] = runbook;
    }
  }
  return {
    fileName: 'datastores.yaml',
    title: 'Data stores (MySQL, Redis)',
    groups: [{ name: 'datastores', rules }],
    runbooks,
  };
};
