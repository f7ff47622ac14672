/**
 * Issue 12: with spec.cluster set, every dashboard gets a `cluster` variable
 * (first in the bar) and every query selects `cluster=~"$cluster"`, so the
 * same dashboards read one cluster or all of them in a shared store (Mimir,
 * Thanos, VictoriaMetrics, a shared Loki). "All" is `.*`, which also matches
 * series without the label: the local Prometheus stores no external labels.
 */
import { addMatcher } from '../charts/core/query-check';
import type { DashboardDef, Panel, Variable } from './lib';

export const CLUSTER_MATCHER = 'cluster=~"$cluster"';

export const CLUSTER_VARIABLE: Variable = {
  kind: 'query',
  name: 'cluster',
  label: 'cluster',
  query: 'label_values(up, cluster)',
  allValue: '.*',
};

function scopePanel(p: Panel): Panel {
  const lang = p.type === 'logs' || ('datasource' in p && p.datasource === 'loki') ? 'LogQL' : 'PromQL';
  return { ...p, queries: p.queries.map((q) => ({ ...q, expr: addMatcher(lang, q.expr, 'cluster', CLUSTER_MATCHER) })) };
}

export function scopeToCluster(d: DashboardDef): DashboardDef {
  if (d.variables.some((v) => v.name === 'cluster')) return d;
  return {
    ...d,
    variables: [CLUSTER_VARIABLE, ...d.variables],
    rows: d.rows.map((r) => ({ ...r, panels: r.panels.map(scopePanel) })),
  };
}
