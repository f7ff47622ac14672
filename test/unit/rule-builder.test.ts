/** The one rule-area builder (charts/core/rule-builder.ts). */
import { alert, RuleAreaBuilder } from '../../charts/core/rule-builder';
import { runbookUrl } from '../../charts/core/names';

const rb = { meaning: 'm', check: 'c', fix: 'f' };
const a = (name: string, severity: 'warning' | 'critical' = 'warning') =>
  alert({ name, expr: 'up == 0', severity, summary: 's', description: 'd' });

test('add(runbook, ...alerts) files the runbook under the alert name and keeps the rules in order', () => {
  const area = new RuleAreaBuilder();
  area.add(rb, a('X', 'warning'), a('X', 'critical'));
  area.add(rb, a('Y'));
  expect(area.rules.map((r) => `${r.alert}/${r.labels.severity}`)).toEqual(['X/warning', 'X/critical', 'Y/warning']);
  expect(Object.keys(area.runbooks)).toEqual(['X', 'Y']);
  expect(area.rules[0].annotations.runbook_url).toBe(runbookUrl('X'));
});

test('one runbook cannot cover two alert names, nor none', () => {
  const area = new RuleAreaBuilder();
  expect(() => area.add(rb, a('X'), a('Y'))).toThrow(/one runbook covers one alert name, found X, Y/);
  expect(() => area.add(rb)).toThrow(/no alert given/);
});

test('builders of one area can share its runbooks', () => {
  const runbooks = {};
  new RuleAreaBuilder(runbooks).add(rb, a('X'));
  new RuleAreaBuilder(runbooks).add(rb, a('Y'));
  expect(Object.keys(runbooks)).toEqual(['X', 'Y']);
});
