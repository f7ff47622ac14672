/**
 * Synth-time checks of the dashboards as they will ship (the rendered JSON):
 * every PromQL and LogQL expression parses (Grafana variables substituted),
 * every datasource uid is provisioned, and every metric a query reads is in
 * the catalog and comes from a source the spec enables.
 */
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { checkLogQL, checkPromQL, substituteGrafanaVariables } from '../charts/core/query-check';
import { METRIC_SOURCES, type MetricIndex, type SourceId } from './catalog';
import type { Panel } from './lib';

/** Metric names a PromQL expression reads: selector names, or the regex of a `__name__` matcher. */
export function promqlMetrics(expr: string): string[] {
  const text = substituteGrafanaVariables(expr);
  const out = new Set<string>();
  const cursor = promqlParser.parse(text).cursor();
  do {
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const ident = node.getChild('Identifier');
    if (ident) {
      out.add(text.slice(ident.from, ident.to));
      continue;
    }
    const matchers = node.getChild('LabelMatchers');
    for (const m of matchers ? [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')] : []) {
      const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const value = m.getChild('StringLiteral');
      if (name && value && text.slice(name.from, name.to).replace(/"/g, '') === '__name__') {
        out.add(JSON.parse(text.slice(value.from, value.to).replace(/^'|'$/g, '"')) as string);
      }
    }
  } while (cursor.next());
  return [...out];
}

export class DashboardCheckError extends Error {}

/** Metrics of `expr` that no catalog source provides. */
export function unknownMetrics(expr: string, index: MetricIndex = METRIC_SOURCES): string[] {
  return promqlMetrics(expr).filter((m) => !index.has(m));
}

/** Metrics of `expr` provided only by sources that are not enabled, with the sources that would provide them. */
export function unavailableMetrics(
  expr: string,
  sources: ReadonlySet<SourceId>,
  index: MetricIndex = METRIC_SOURCES,
): { metric: string; from: readonly SourceId[] }[] {
  return promqlMetrics(expr).flatMap((metric) => {
    const from = index.get(metric) ?? [];
    return from.some((s) => sources.has(s)) ? [] : [{ metric, from }];
  });
}

/**
 * Whether a panel can show data with these sources. Throws when a query reads
 * a metric no catalog source provides (a typo or a missing catalog entry).
 */
export function panelAvailable(p: Panel, sources: ReadonlySet<SourceId>, where: string, index: MetricIndex = METRIC_SOURCES): boolean {
  if (p.type === 'logs' || p.datasource === 'loki') return sources.has('loki');
  for (const q of p.queries) {
    const unknown = unknownMetrics(q.expr, index);
    if (unknown.length) {
      throw new DashboardCheckError(
        `${where}, panel "${p.title}": metric ${unknown.join(', ')} is not in dashboards/catalog.ts; add it to the source that exposes it or fix the name`,
      );
    }
    if (unavailableMetrics(q.expr, sources, index).length) return false;
  }
  return true;
}

export interface ShippedQuery {
  readonly panel: string;
  readonly lang: 'PromQL' | 'LogQL';
  readonly expr: string;
  readonly datasourceUid: string;
}

interface JsonPanel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: unknown[] } } };
}
interface JsonVariable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { uid?: string };
}
export interface DashboardJson {
  uid?: string;
  title?: string;
  panels?: JsonPanel[];
  templating?: { list?: JsonVariable[] };
}

const LANG: Record<string, 'PromQL' | 'LogQL'> = { prometheus: 'PromQL', loki: 'LogQL' };

/** Every query of a rendered dashboard (panels, then variables), with the datasource it runs on. */
export function shippedQueries(d: DashboardJson, datasourceTypes: Record<string, string>): ShippedQuery[] {
  const out: ShippedQuery[] = [];
  for (const p of d.panels ?? []) {
    if (p.type === 'row') continue;
    for (const t of p.targets ?? []) {
      const uid = t.datasource?.uid ?? p.datasource?.uid ?? '';
      out.push({ panel: p.title, lang: LANG[datasourceTypes[uid]] ?? 'PromQL', expr: t.expr ?? '', datasourceUid: uid });
    }
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const uid = v.datasource?.uid ?? '';
    const q = typeof v.query === 'string' ? v.query : '';
    const m = /^label_values\((?:(.*),\s*)?([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(q.trim());
    if (!m)
      throw new DashboardCheckError(
        `dashboard ${d.uid}, variable ${v.name}: expected label_values(<selector>, <label>), found ${JSON.stringify(q)}`,
      );
    if (m[1]) out.push({ panel: `variable $${v.name}`, lang: LANG[datasourceTypes[uid]] ?? 'PromQL', expr: m[1], datasourceUid: uid });
    else out.push({ panel: `variable $${v.name}`, lang: 'LogQL', expr: '', datasourceUid: uid });
  }
  return out;
}

/**
 * The checks on one rendered dashboard: datasource uids, query syntax, metric
 * availability, unit and thresholds on every metric panel.
 */
export function checkDashboardJson(
  d: DashboardJson,
  datasourceTypes: Record<string, string>,
  sources: ReadonlySet<SourceId>,
  file: string,
  index: MetricIndex = METRIC_SOURCES,
): void {
  const where = `${file} (uid ${d.uid})`;
  for (const q of shippedQueries(d, datasourceTypes)) {
    const at = `${where}, ${q.panel}`;
    if (!(q.datasourceUid in datasourceTypes)) {
      throw new DashboardCheckError(
        `${at}: datasource uid "${q.datasourceUid}" is not provisioned (known: ${Object.keys(datasourceTypes).join(', ')})`,
      );
    }
    if (q.expr === '') continue; // a Loki label_values(<label>) variable: nothing to parse
    if (q.lang === 'LogQL') {
      checkLogQL(q.expr, at);
      continue;
    }
    checkPromQL(q.expr, at);
    const unknown = unknownMetrics(q.expr, index);
    if (unknown.length) throw new DashboardCheckError(`${at}: metric ${unknown.join(', ')} is not in dashboards/catalog.ts`);
    const missing = unavailableMetrics(q.expr, sources, index);
    if (missing.length) {
      throw new DashboardCheckError(
        `${at}: ${missing.map((m) => `${m.metric} comes from ${m.from.join(' or ')}`).join('; ')}, which the spec does not enable: the panel would be empty`,
      );
    }
  }
  for (const p of d.panels ?? []) {
    if (p.type === 'row' || p.type === 'logs') continue;
    if (!p.fieldConfig?.defaults?.unit) throw new DashboardCheckError(`${where}, panel "${p.title}": no unit`);
    if (!p.fieldConfig?.defaults?.thresholds?.steps?.length) throw new DashboardCheckError(`${where}, panel "${p.title}": no thresholds`);
  }
}
