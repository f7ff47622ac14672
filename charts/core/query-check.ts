/**
 * Synth-time parsing of every PromQL and LogQL expression the stack ships
 * (rules, dashboards, ruler rules). A broken query fails the synth with the
 * place that holds it, instead of an empty panel or a rule Prometheus refuses.
 */
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

type Parser = typeof promqlParser;

/** Grafana template variables ($var, ${var}, [[var]]) replaced by parseable stand-ins. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{__(rate_interval|interval|range)\}/g, '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}/g, 'var_$1')
    .replace(/\[\[(\w+)\]\]/g, 'var_$1')
    .replace(/\$(\w+)/g, 'var_$1');
}

function firstError(p: Parser, expr: string): number | undefined {
  let at: number | undefined;
  p.parse(expr).iterate({
    enter: (n) => {
      if (at === undefined && n.type.isError) at = n.from;
      return at === undefined;
    },
  });
  return at;
}

export class QueryError extends Error {}

function check(lang: 'PromQL' | 'LogQL', p: Parser, expr: string, where: string): void {
  if (expr.trim() === '') throw new QueryError(`${where}: empty ${lang} expression`);
  const at = firstError(p, substituteGrafanaVariables(expr));
  if (at !== undefined) {
    throw new QueryError(
      `${where}: invalid ${lang} near character ${at + 1}: ${JSON.stringify(expr.slice(Math.max(0, at - 20), at + 20))} in ${JSON.stringify(expr)}`,
    );
  }
}

/** Throws a QueryError naming `where` (e.g. "charts/components/node-exporter/rules.ts alert HostHighCpu") when `expr` does not parse. */
export function checkPromQL(expr: string, where: string): void {
  check('PromQL', promqlParser, expr, where);
}

export function checkLogQL(expr: string, where: string): void {
  check('LogQL', logqlParser, expr, where);
}

/**
 * Grafana variables replaced by stand-ins of the same length, so parse-tree
 * positions are positions in the original text (durations for the interval
 * variables, identifiers for the others).
 */
function maskGrafanaVariables(expr: string): string {
  const same = (m: string, stand: string) => stand + ' '.repeat(Math.max(0, m.length - stand.length));
  return expr
    .replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, (m) => same(m, '5m'))
    .replace(/\$\{\w+(?::\w+)?\}|\[\[\w+\]\]|\$\w+/g, (m) => `v${'x'.repeat(m.length - 1)}`);
}

/**
 * `expr` with `matcher` (e.g. `cluster=~"$cluster"`) added to every series
 * selector: PromQL vector selectors (`up` -> `up{m}`, `up{a="b"}` ->
 * `up{m, a="b"}`), LogQL stream selectors (`{a="b"}` -> `{m, a="b"}`).
 * Selectors that already match on the label are left as they are.
 */
export function addMatcher(lang: 'PromQL' | 'LogQL', expr: string, label: string, matcher: string): string {
  const p = lang === 'PromQL' ? promqlParser : logqlParser;
  const masked = maskGrafanaVariables(expr);
  const inserts: { at: number; text: string }[] = [];
  const has = (from: number, to: number) => new RegExp(`[{,\\s]${label}\\s*(=|!=|=~|!~)`).test(expr.slice(from, to));
  p.parse(masked).iterate({
    enter: (n) => {
      if (lang === 'PromQL' && n.type.name === 'VectorSelector') {
        const braces = n.node.getChild('LabelMatchers');
        if (!braces) {
          inserts.push({ at: n.to, text: `{${matcher}}` });
        } else if (!has(braces.from, braces.to)) {
          const empty = expr.slice(braces.from + 1, braces.to - 1).trim() === '';
          inserts.push({ at: braces.from + 1, text: empty ? matcher : `${matcher}, ` });
        }
        return false;
      }
      if (lang === 'LogQL' && n.type.name === 'Selector') {
        if (!has(n.from, n.to)) inserts.push({ at: n.from + 1, text: `${matcher}, ` });
        return false;
      }
      return true;
    },
  });
  let out = expr;
  for (const i of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, i.at) + i.text + out.slice(i.at);
  return out;
}
