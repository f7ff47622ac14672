/**
 * An independent reading of what charts/core/cluster-rules.ts promises: in a
 * rewritten expression every aggregation groups by `cluster` (or uses
 * `without` without naming it) and every `on (...)` list holds `cluster`.
 * Returns the places that do not, for tests.
 */
import { parser } from '@prometheus-io/lezer-promql';

export function clusterProblems(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      const text = expr.slice(n.from, n.to);
      if (n.type.name === 'AggregateExpr') {
        const mod = n.node.getChild('AggregateModifier');
        const labels = mod?.getChild('GroupingLabels')?.getChildren('LabelName').map((l) => expr.slice(l.from, l.to)) ?? [];
        // the rewrite's own guard "does any series carry a cluster label?" is fleet-wide on purpose
        if (!mod) {
          if (text !== 'group (up{cluster!=""})') out.push(`aggregation without grouping: ${text}`);
        } else if (mod.getChild('By') && !labels.includes('cluster')) out.push(`by without cluster: ${text}`);
      }
      if (n.type.name === 'MatchingModifierClause' && n.node.getChild('On')) {
        const on = n.node.getChild('GroupingLabels');
        const labels = on?.getChildren('LabelName').map((l) => expr.slice(l.from, l.to)) ?? [];
        // `on ()` is allowed only in the rewrite's own "no cluster exists" guard: `unless on () group (up{cluster!=""})`
        const guard = text === 'on ()' && expr.slice(n.to).startsWith(' group (up{cluster!=""})');
        if (!labels.includes('cluster') && !guard) out.push(`on without cluster: ${text}`);
      }
      return true;
    },
  });
  return out;
}
