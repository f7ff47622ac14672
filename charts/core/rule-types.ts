/**
 * Typed Prometheus rule files (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/).
 * Every area of rules is a TypeScript module in rules/ that builds a RuleFile
 * from the spec (so thresholds and `for` durations are settable); the stack
 * serializes each into the `prometheus-rules` ConfigMap, loaded through
 * `rule_files`. promtool unit tests live beside each area (charts/components/<name>/rules.test.yaml, rules/tests/).
 */
import type { MonitoringStackSpec } from '../spec-schema';

export type Severity = 'warning' | 'critical';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: { severity: Severity; [k: string]: string };
  annotations: { summary: string; description: string; runbook_url: string; [k: string]: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** The runbook section of one alert: docs/runbooks.md is generated from these. */
export interface Runbook {
  /** What the alert means. */
  meaning: string;
  /** How to confirm and investigate (commands, queries). */
  check: string;
  /** How to fix or mitigate. */
  fix: string;
}

export interface RuleFile {
  /** File name inside the rules ConfigMap, e.g. `host.yaml`. */
  fileName: string;
  /** One-line title of the area, for generated docs. */
  title: string;
  groups: RuleGroup[];
  /** Runbook of every alert in this file, by alert name. */
  runbooks: Record<string, Runbook>;
}

export { RUNBOOK_BASE_URL, runbookUrl } from './names';

/** What a rule area receives: the whole validated spec. */
export interface RulesContext {
  readonly spec: MonitoringStackSpec['spec'];
}

/** A rule area: returns its file, or undefined when the components it watches are disabled. */
export type RuleArea = (ctx: RulesContext) => RuleFile | undefined;

export function isAlert(r: Rule): r is AlertRule {
  return 'alert' in r;
}
