/**
 * SLOs: for each service and objective of spec.services[].slos[], the SLI over
 * its window, the objective, the error budget left and the burn rates of the
 * multiwindow alerts (rules/slo.ts), per service with a variable.
 */
import { BURN_ALERTS, SLO_RECORDING as R } from '../charts/core/slo-catalog';
import { type DashboardModule, lowIsBad, type MetricPanel, type Query, type Row, warnCrit } from './lib';

const SEL = 'job=~"$service", slo=~"$slo"';
const LEGEND = '{{job}} {{slo}}';

/** Burn rate over a window: its error ratio divided by the budget (1 - objective). */
function burnRate(window: string): Query {
  return {
    expr: `${R.errorRatio(window)}{job=~"$service"} / on (job, sli) group_left (slo) (1 - ${R.objective}{${SEL}})`,
    legend: `${LEGEND} ${window}`,
  };
}

function burnPanel(title: string, action: 'page' | 'ticket', description: string): MetricPanel {
  const pairs = BURN_ALERTS.filter((b) => b.action === action);
  const windows = [...new Set(pairs.flatMap((b) => [b.short, b.long]))];
  const factors = pairs.map((b) => b.factor).sort((a, b) => a - b);
  return {
    type: 'timeseries',
    title,
    unit: 'short',
    min: 0,
    width: 12,
    thresholds: warnCrit(factors[0], factors[factors.length - 1]),
    description: `${description} Burn rate = error ratio over the window / error budget (1 - objective); 1 spends the budget exactly over the SLO window. The alert thresholds: ${pairs.map((b) => `${b.factor}x over ${b.long} and ${b.short}`).join(', ')}.`,
    queries: windows.map(burnRate),
  };
}

/** Objectives: the SLI over the SLO window, the objective and the error budget left, as stats. */
const objectivesRow = (): Row => ({
  title: 'Objectives',
  panels: [
    {
      type: 'stat',
      title: 'SLI',
      unit: 'percentunit',
      decimals: 3,
      width: 8,
      thresholds: lowIsBad(0.99, 0.999),
      description: "Share of good requests over each SLO's window (28d or 30d): 1 - slo:sli_error:ratio_window.",
      queries: [{ expr: `1 - ${R.errorRatioWindow}{${SEL}}`, legend: LEGEND, instant: true }],
    },
    {
      type: 'stat',
      title: 'Objective',
      unit: 'percentunit',
      decimals: 3,
      width: 8,
      thresholds: [[null, 'blue']],
      description: 'The objective declared in spec.services[].slos[].objective.',
      queries: [{ expr: `max by (job, slo) (${R.objective}{${SEL}})`, legend: LEGEND, instant: true }],
    },
    {
      type: 'stat',
      title: 'Error budget remaining',
      unit: 'percentunit',
      decimals: 1,
      width: 8,
      thresholds: lowIsBad(0, 0.25),
      description: 'Share of the error budget not yet spent over the window: 1 - errors / allowed errors. Below 0 the objective is missed.',
      queries: [{ expr: `${R.budgetRemaining}{${SEL}}`, legend: LEGEND, instant: true }],
    },
  ],
});

/** Burn rates: the windows of the paging alert, then those of the ticket alert. */
const burnRatesRow = (): Row => ({
  title: 'Burn rates',
  panels: [
    burnPanel('Burn rate (fast windows)', 'page', 'Short and long windows of the paging alert.'),
    burnPanel('Burn rate (slow windows)', 'ticket', 'Short and long windows of the ticket alert.'),
  ],
});

/** Over time: the error budget left and the SLI over 1h against the objective. */
const overTimeRow = (): Row => ({
  title: 'Over time',
  panels: [
    {
      type: 'timeseries',
      title: 'Error budget remaining over time',
      unit: 'percentunit',
      width: 12,
      thresholds: lowIsBad(0, 0.25),
      description: 'How the budget was spent: a steep drop is an incident, a slope a steady burn.',
      queries: [{ expr: `${R.budgetRemaining}{${SEL}}`, legend: LEGEND }],
    },
    {
      type: 'timeseries',
      title: 'SLI over 1h',
      unit: 'percentunit',
      width: 12,
      thresholds: lowIsBad(0.99, 0.999),
      showThresholds: false,
      description: 'Share of good requests over the last hour, against the objective (dashed).',
      queries: [
        {
          expr: `1 - ${R.errorRatio('1h')}{job=~"$service"} * on (job, sli) group_left (slo) group by (job, sli, slo) (${R.objective}{${SEL}})`,
          legend: `${LEGEND} SLI`,
        },
        { expr: `max by (job, slo) (${R.objective}{${SEL}})`, legend: `${LEGEND} objective` },
      ],
    },
  ],
});

export const sloDashboard: DashboardModule = {
  uid: 'slo',
  include: (ctx) => ctx.spec.services.some((s) => (s.slos ?? []).length > 0),
  build: () => ({
    uid: 'slo',
    title: 'SLOs',
    description:
      'Service level objectives of spec.services[].slos[]: SLI over the SLO window, objective, error budget left, and the burn rates behind the SLOErrorBudgetBurnFast (page) and SLOErrorBudgetBurnSlow (ticket) alerts.',
    folder: 'ai-services',
    tags: ['ai-services', 'slo'],
    from: 'now-7d',
    refresh: '1m',
    variables: [
      // From the recorded objectives, so the dashboard does not grow with the services.
      { kind: 'query', name: 'service', label: 'service', query: `label_values(${R.objective}, job)` },
      { kind: 'query', name: 'slo', label: 'SLO', query: `label_values(${R.objective}{job=~"$service"}, slo)` },
    ],
    rows: [objectivesRow(), burnRatesRow(), overTimeRow()],
  }),
};
