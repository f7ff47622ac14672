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
    throw new QueryError(`${where}: invalid ${lang} near character ${at + 1}: ${JSON.stringify(expr.slice(Math.max(0, at - 20), at + 20))} in ${JSON.stringify(expr)}`);
  }
}

/** Throws a QueryError naming `where` (e.g. "charts/components/node-exporter/rules.ts alert HostHighCpu") when `expr` does not parse. */
export function checkPromQL(expr: string, where: string): void {
  check('PromQL', promqlParser as Parser, expr, where);
}

export function checkLogQL(expr: string, where: string): void {
  check('LogQL', logqlParser as unknown as Parser, expr, where);
}
