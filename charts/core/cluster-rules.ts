/**
 * Rules for a central ruler that sees many clusters (issue 12, item 4).
 *
 * With `spec.cluster` set, the rule files are loaded by a central ruler (Mimir
 * ruler, Thanos Ruler) that holds the series of every cluster, each carrying
 * the `cluster` external label. An expression written for one Prometheus
 * (`sum by (namespace, job) (...)`) would merge the clusters there: wrong
 * ratios, one alert for two clusters. `keepClustersApart` rewrites one
 * expression over its parse tree (@prometheus-io/lezer-promql) so that every
 * result stays per cluster:
 *
 * - **Aggregations** (`sum`, `avg`, `count`, `topk`, `count_values`,
 *   `quantile`, ...): `by (a, b)` becomes `by (cluster, a, b)`; an aggregation
 *   without grouping (or with `by ()`) becomes `by (cluster)`, so `topk(5, x)`
 *   is the top 5 of each cluster. `without (...)` already keeps `cluster` and
 *   is left alone, also when it names `cluster` (a deliberate fleet-wide sum).
 * - **Vector matching**: `on (a)` becomes `on (cluster, a)`, `on ()` becomes
 *   `on (cluster)`, so `and`/`unless`/`/` never pair series of two clusters.
 *   `ignoring (...)` and no modifier match on every label, `cluster` included.
 *   `cluster` is removed from a `group_left (...)`/`group_right (...)` list
 *   (Prometheus refuses a label in both `on` and `group_*`; it is equal on both
 *   sides anyway).
 * - **`vector(s)`** (a constant without labels, e.g. a threshold record or
 *   `count(...) or vector(0)`) becomes one sample per cluster that has `up`
 *   series: `(s * group by (cluster) (up{cluster!=""}) or (vector(s) unless on
 *   () group (up{cluster!=""})))`. Series without a cluster label (a single
 *   Prometheus, the promtool tests) see exactly `vector(s)`.
 * - **`absent(v)` / `absent_over_time(m)`** fire for each cluster that reports
 *   `up` but lacks the series (with the labels absent() derives from the
 *   selector's equality matchers, plus `cluster`); the fleet-wide absent() is
 *   kept only while no series carries a cluster label. A selector that already
 *   matches on `cluster` is left alone (it is scoped to one cluster).
 * - **`count(...) == 0`** needs nothing: an empty count is no sample, per
 *   cluster as before; `count(...) or vector(0)` is covered by `vector()`.
 * - **`scalar(v)`** cannot stay per cluster (one number for the whole fleet,
 *   NaN as soon as two clusters answer): refused with an error naming the rule,
 *   rewrite it as a vector match `on (...)`.
 * - Subqueries, function arguments and nested aggregations are rewritten at
 *   every depth; expressions that already group by `cluster` are unchanged.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

export const CLUSTER_LABEL = 'cluster';
/** The series every cluster sends, which says which clusters exist (for vector() and absent()). */
export const CLUSTER_REFERENCE = `up{${CLUSTER_LABEL}!=""}`;

export class ClusterRuleError extends Error {}

function labelsOf(src: string, grouping: SyntaxNode | null): string[] {
  if (!grouping) return [];
  return grouping.getChildren('LabelName').map((l) => src.slice(l.from, l.to));
}

const list = (labels: string[]) => `(${labels.join(', ')})`;

/** The text of a PromQL string literal ("...", '...' or `...`). */
function stringValue(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  const dq = literal.startsWith("'") ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body;
  return JSON.parse(`"${dq}"`) as string;
}

/**
 * `expr` rewritten so that every aggregation, vector match, constant and
 * absent() stays per `cluster` (see the file comment). Throws a
 * ClusterRuleError naming `where` for what cannot be kept apart (scalar()) or
 * an expression that does not parse.
 */
export function keepClustersApart(expr: string, where = 'expression'): string {
  const tree = promqlParser.parse(expr);
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) throw new ClusterRuleError(`${where}: invalid PromQL near character ${n.from + 1} in ${JSON.stringify(expr)}`);
    },
  });
  return new ClusterRewriter(expr, where).emit(tree.topNode);
}

/** Rewrites the syntax tree of one PromQL expression (`src`) node by node, keeping every cluster apart. */
class ClusterRewriter {
  constructor(
    private readonly src: string,
    private readonly where: string,
  ) {}

  public emit(node: SyntaxNode): string {
    switch (node.name) {
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'MatchingModifierClause':
        return this.matching(node);
      case 'FunctionCall':
        return this.call(node);
      default:
        return this.generic(node);
    }
  }

  /** The node's text with every child rewritten (or replaced by what `replace` gives for it). */
  private generic(node: SyntaxNode, replace: (child: SyntaxNode) => string | undefined = () => undefined): string {
    const { src } = this;
    let out = '';
    let pos = node.from;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      out += src.slice(pos, c.from) + (replace(c) ?? this.emit(c));
      pos = c.to;
    }
    return out + src.slice(pos, node.to);
  }

  private text(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  /** `sum by (a)` -> `sum by (cluster, a)`; `sum` -> `sum by (cluster)`; `without` keeps the cluster already. */
  private aggregate(node: SyntaxNode): string {
    const modifier = node.getChild('AggregateModifier');
    if (modifier?.getChild('Without')) return this.generic(node);
    if (modifier) {
      const grouping = modifier.getChild('GroupingLabels');
      const labels = labelsOf(this.src, grouping);
      if (labels.includes(CLUSTER_LABEL)) return this.generic(node);
      return this.generic(node, (c) =>
        c.name === 'AggregateModifier'
          ? this.generic(c, (g) => (g.name === 'GroupingLabels' ? list([CLUSTER_LABEL, ...labels]) : undefined))
          : undefined,
      );
    }
    const op = node.getChild('AggregateOp')!;
    const spaced = /\s/.test(this.src.charAt(op.to));
    return this.generic(node, (c) => (c.name === 'AggregateOp' ? `${this.text(c)} by (${CLUSTER_LABEL})${spaced ? '' : ' '}` : undefined));
  }

  /** `on (a)` -> `on (cluster, a)`; the cluster out of a group_left/group_right list (both sides have it). */
  private matching(node: SyntaxNode): string {
    if (!node.getChild('On')) return this.generic(node);
    let first = true;
    return this.generic(node, (c) => {
      if (c.name !== 'GroupingLabels') return undefined;
      const labels = labelsOf(this.src, c);
      if (first) {
        first = false;
        return labels.includes(CLUSTER_LABEL) ? undefined : list([CLUSTER_LABEL, ...labels]);
      }
      // the group_left/group_right list
      return labels.includes(CLUSTER_LABEL) ? list(labels.filter((l) => l !== CLUSTER_LABEL)) : undefined;
    });
  }

  /** scalar() refused; vector() and absent()/absent_over_time() given one result per cluster; other calls as they are. */
  private call(node: SyntaxNode): string {
    const ident = node.getChild('FunctionIdentifier');
    const name = ident ? this.text(ident) : '';
    const body = node.getChild('FunctionCallBody');
    if (name === 'scalar') {
      throw new ClusterRuleError(
        `${this.where}: scalar() cannot keep clusters apart in a central ruler (one number for every cluster, NaN when two answer); compare vectors with on (...) instead, in ${JSON.stringify(this.src)}`,
      );
    }
    if (name === 'vector' && body) return this.vector(body);
    if ((name === 'absent' || name === 'absent_over_time') && body) return this.absent(node, name, body);
    return this.generic(node);
  }

  /** vector(x): x for every cluster that has targets, and the plain vector(x) only where no cluster does. */
  private vector(body: SyntaxNode): string {
    const inner = this.generic(body).slice(1, -1).trim();
    const s = /^[0-9.eE+-]+$/.test(inner) ? inner : `(${inner})`;
    return `(${s} * group by (${CLUSTER_LABEL}) (${CLUSTER_REFERENCE}) or (vector(${inner}) unless on () group (${CLUSTER_REFERENCE})))`;
  }

  /** absent(v): one series per cluster that has targets but not v, with the labels absent() would give it. */
  private absent(node: SyntaxNode, name: string, body: SyntaxNode): string {
    const arg = body.firstChild;
    if (!arg) return this.generic(node);
    const selector = arg.name === 'VectorSelector' ? arg : arg.name === 'MatrixSelector' ? arg.getChild('VectorSelector') : null;
    const labels = this.absentLabels(selector);
    if (labels === 'scoped') return this.generic(node);
    const inner = this.emit(arg);
    const present =
      name === 'absent' ? `group by (${CLUSTER_LABEL}) (${inner})` : `group by (${CLUSTER_LABEL}) (count_over_time(${inner}))`;
    let perCluster = `(group by (${CLUSTER_LABEL}) (${CLUSTER_REFERENCE}) unless on (${CLUSTER_LABEL}) ${present})`;
    for (const [label, value] of labels)
      perCluster = `label_replace(${perCluster}, ${JSON.stringify(label)}, ${JSON.stringify(value.replace(/\$/g, '$$$$'))}, "", "")`;
    return `((${name}(${inner}) unless on () group (${CLUSTER_REFERENCE})) or ${perCluster})`;
  }

  /** The labels absent() gives its result: the selector's equality matchers (a name matched twice is dropped). */
  private absentLabels(selector: SyntaxNode | null): Map<string, string> | 'scoped' {
    const out = new Map<string, string>();
    const seen = new Set<string>();
    const matchers = selector?.getChild('LabelMatchers');
    for (const m of matchers ? [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')] : []) {
      const nameNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const name = nameNode ? (nameNode.name === 'LabelName' ? this.text(nameNode) : stringValue(this.text(nameNode))) : '';
      if (name === CLUSTER_LABEL) return 'scoped';
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!op || !value || !op.getChild('EqlSingle') || name === '__name__') continue;
      if (seen.has(name)) out.delete(name);
      else out.set(name, stringValue(this.text(value)));
      seen.add(name);
    }
    return out;
  }
}

/**
 * The LogQL counterpart, for the Loki ruler's rules with `spec.cluster` set
 * (every stream carries `cluster` from the collectors' external labels).
 * That ruler reads only its own Loki, one cluster (with `loki.mode: external`
 * the stack emits no log rules), so nothing can merge there; the rewrite keeps
 * the stream's `cluster` label on every log alert, as Prometheus' external
 * label does on the metric alerts: `by (a)` -> `by (cluster, a)`, a vector
 * aggregation without grouping -> `by (cluster)`, `on (a)` -> `on (cluster, a)`
 * (`cluster` dropped from `group_left/right (...)`). `without`, `ignoring` and
 * range aggregations without grouping keep every label already. `vector()` and
 * `absent_over_time()` are left as written: with one cluster per ruler there is
 * no other cluster to tell apart, and LogQL has no cheap series to count clusters by.
 */
export function keepLogClustersApart(expr: string, where = 'expression'): string {
  const edits: { from: number; to: number; text: string }[] = [];
  const names = (text: string) =>
    text
      .replace(/^[^(]*\(|\)\s*$/g, '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
  logqlParser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) throw new ClusterRuleError(`${where}: invalid LogQL near character ${n.from + 1} in ${JSON.stringify(expr)}`);
      if (n.type.name === 'VectorAggregationExpr' || n.type.name === 'RangeAggregationExpr') {
        const grouping = n.node.getChild('Grouping');
        if (grouping) {
          const text = expr.slice(grouping.from, grouping.to);
          const labels = names(text);
          if (/^by\b/.test(text) && !labels.includes(CLUSTER_LABEL))
            edits.push({ from: grouping.from, to: grouping.to, text: `by ${list([CLUSTER_LABEL, ...labels])}` });
        } else if (n.type.name === 'VectorAggregationExpr') {
          const op = n.node.getChild('VectorOp')!;
          edits.push({ from: op.to, to: op.to, text: ` by (${CLUSTER_LABEL})${/\s/.test(expr.charAt(op.to)) ? '' : ' '}` });
        }
      }
      if (n.type.name === 'BinOpModifier') {
        const on = n.node.getChild('OnOrIgnoringModifier');
        const onLabels = on?.getChild('On') ? on.getChild('GroupingLabels') : null;
        if (onLabels) {
          const labels = names(expr.slice(onLabels.from, onLabels.to));
          if (!labels.includes(CLUSTER_LABEL)) edits.push({ from: onLabels.from, to: onLabels.to, text: list([CLUSTER_LABEL, ...labels]) });
          const group = n.node.getChild('GroupingLabels');
          const groupLabels = group ? names(expr.slice(group.from, group.to)) : [];
          if (group && groupLabels.includes(CLUSTER_LABEL))
            edits.push({ from: group.from, to: group.to, text: list(groupLabels.filter((l) => l !== CLUSTER_LABEL)) });
        }
      }
      return true;
    },
  });
  let out = expr;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}
