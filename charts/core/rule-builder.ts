/**
 * The one rule-area builder: alerts with their runbooks (`RuleAreaBuilder.add(runbook, ...alerts)`),
 * plus the small helpers every area uses (one alert, percentages, durations, job alternations).
 */
import { durationMs } from '../spec/formats';
import { type AlertRule, type Runbook, runbookUrl, type Severity } from './rule-types';

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

/**
 * Collects an area's alerts and their runbooks: `add(runbook, ...alerts)` adds
 * the alerts (e.g. the warning and critical rule of one alert name) and files
 * the runbook under their name. One argument order for every area.
 */
export class RuleAreaBuilder {
  public readonly rules: AlertRule[] = [];

  /** @param runbooks the area's runbooks (an area with several groups shares one record between builders). */
  constructor(public readonly runbooks: Record<string, Runbook> = {}) {}

  public add(runbook: Runbook, ...alerts: AlertRule[]): void {
    if (alerts.length === 0) throw new Error('RuleAreaBuilder.add: no alert given with the runbook');
    const names = new Set(alerts.map((a) => a.alert));
    if (names.size !== 1) throw new Error(`RuleAreaBuilder.add: one runbook covers one alert name, found ${[...names].join(', ')}`);
    this.rules.push(...alerts);
    this.runbooks[alerts[0].alert] = runbook;
  }
}
