/**
 * Log-based alert rules evaluated by Loki's ruler (`spec.loki.ruler`): the
 * same file format as Prometheus alerting rules, with LogQL expressions.
 * Firing alerts go to Alertmanager like every other alert of the stack.
 *
 * Every expression is parsed at synth time; a broken one fails the synth
 * naming the rule (and the spec field it came from).
 */
import { toYaml } from '../../core/yaml';
import { checkLogQL } from '../../core/query-check';
import { keepLogClustersApart } from '../../core/cluster-rules';
import type { LokiRulerSpec } from './spec';
import { runbookUrl, type Runbook } from '../../core/rule-types';
import { EVENT_RUNBOOKS, eventAlertRules } from '../../core/events';

/** The ruler, off (as `spec.loki.ruler` defaults it). */
export const LOKI_DEFAULT_RULER: LokiRulerSpec = {
  enabled: false,
  evaluationInterval: '1m',
  rules: [],
  errorRate: {
    enabled: true,
    namespaces: '.+',
    containers: '.+',
    filter: 'error',
    window: '1m',
    thresholdPerMinute: 10,
    for: '5m',
    severity: 'warning',
  },
};

export interface LogAlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'warning' | 'critical'; [k: string]: string };
  annotations: { summary: string; description: string; runbook_url?: string };
}

export interface LogRuleGroup {
  name: string;
  interval?: string;
  rules: LogAlertRule[];
}

export interface LogRuleFile {
  fileName: string;
  groups: LogRuleGroup[];
}

export const LOG_ERROR_RATE_ALERT = 'LogErrorRateHigh';

/** Runbooks of the built-in log alerts, for docs/runbooks.md. */
export const LOG_RULE_RUNBOOKS: Record<string, Runbook> = {
  ...EVENT_RUNBOOKS,
  [LOG_ERROR_RATE_ALERT]: {
    meaning:
      'A container writes more error lines per minute than spec.loki.ruler.errorRate.thresholdPerMinute, for longer than its `for` duration.',
    check:
      'Open Grafana Explore on Loki with `{namespace="<namespace>", container="<container>"} |~ "(?i)error"` around the alert time; compare with the container\'s restarts and the service\'s error-rate panels.',
    fix: 'Fix the failing dependency or request shown in the lines. If the lines are expected noise (an "error" word in normal output), narrow spec.loki.ruler.errorRate.filter or containers, or raise thresholdPerMinute.',
  },
};

function quote(s: string): string {
  return JSON.stringify(s);
}

/** The seed's error rate per container, as an alert: error lines per minute above the threshold. */
export function errorRateRule(r: LokiRulerSpec['errorRate']): LogAlertRule {
  const selector = `{namespace=~${quote(r.namespaces)}, container=~${quote(r.containers)}}`;
  return {
    alert: LOG_ERROR_RATE_ALERT,
    expr: `sum by (namespace, container) (rate(${selector} |~ ${quote(`(?i)${r.filter}`)} [${r.window}])) * 60 > ${r.thresholdPerMinute}`,
    for: r.for,
    labels: { severity: r.severity },
    annotations: {
      summary: 'Container {{ $labels.namespace }}/{{ $labels.container }} logs many errors',
      description: `{{ $labels.namespace }}/{{ $labels.container }} writes {{ printf "%.1f" $value }} error lines per minute (threshold ${r.thresholdPerMinute}, lines matching "(?i)${r.filter}").`,
      runbook_url: runbookUrl(LOG_ERROR_RATE_ALERT),
    },
  };
}

/**
 * The ruler's rule file, every expression parsed (throws naming the rule). With `cluster` (spec.cluster)
 * every aggregation keeps the streams' `cluster` label (charts/core/cluster-rules.ts).
 */
export function logRuleFile(spec: LokiRulerSpec, opts: { eventAlerts?: boolean; cluster?: string } = {}): LogRuleFile {
  const rules: LogAlertRule[] = [];
  if (spec.errorRate.enabled) rules.push(errorRateRule(spec.errorRate));
  // Kubernetes events (charts/core/events.ts), with the Alloy events pipeline.
  if (opts.eventAlerts) rules.push(...eventAlertRules());
  spec.rules.forEach((r) =>
    rules.push({
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      labels: { ...r.labels, severity: r.severity },
      annotations: { summary: r.summary, description: r.description, ...(r.runbookUrl ? { runbook_url: r.runbookUrl } : {}) },
    }),
  );
  const names = new Set<string>();
  rules.forEach((r, i) => {
    const where =
      i < rules.length - spec.rules.length
        ? `Loki ruler built-in alert ${r.alert} (${r.alert === LOG_ERROR_RATE_ALERT ? 'spec.loki.ruler.errorRate' : 'charts/logs/events.ts'})`
        : `Loki ruler alert ${r.alert} (spec.loki.ruler.rules[${i - (rules.length - spec.rules.length)}])`;
    checkLogQL(r.expr, where);
    if (names.has(r.alert)) throw new Error(`${where}: two Loki ruler alerts are named ${r.alert}`);
    names.add(r.alert);
    if (opts.cluster) r.expr = keepLogClustersApart(r.expr, where);
  });
  return { fileName: 'log-alerts.yaml', groups: [{ name: 'log-alerts', interval: spec.evaluationInterval, rules }] };
}

export function renderLogRuleFile(f: LogRuleFile): string {
  return toYaml({ groups: f.groups });
}
