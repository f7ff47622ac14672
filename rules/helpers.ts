/** Small builders shared by the rule areas: one alert with its runbook, percentages, durations. */
import { durationMs } from '../charts/spec/formats';
import { type AlertRule, runbookUrl, type Severity } from '../charts/core/rule-types';

export interface AlertDef {
  readonly name: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  readonly summary: string;
  /** Names the instance (or job/pod) and shows `{{ $value }}`. */
  readonly description: string;
  readonly labels?: Record<string, string>;
}

export function alert(d: AlertDef): AlertRule {
  return {
    alert: d.name,
    expr: d.expr,
    ...(d.for && d.for !== '0s' ? { for: d.for } : {}),
    labels: { severity: d.severity, ...(d.labels ?? {}) },
    annotations: { summary: d.summary, description: d.description, runbook_url: runbookUrl(d.name) },
  };
}

/** 85 -> "0.85" (no floating-point noise in expressions). */
export function ratio(percent: number): string {
  return String(Number((percent / 100).toPrecision(6)));
}

/** "5m" -> 300 */
export function seconds(duration: string): number {
  return (durationMs(duration) ?? 0) / 1000;
}

/** A regex alternation of label values that are DNS labels (job names): no regex metacharacters to escape. */
export function anyOf(values: string[]): string {
  for (const v of values) if (!/^[a-z0-9-]+$/.test(v)) throw new Error(`anyOf: "${v}" is not a DNS label`);
  return values.join('|');
}
