/**
 * The dashboard model every file in dashboards/ writes, and its rendering to
 * Grafana JSON through @grafana/grafana-foundation-sdk's builders.
 *
 * A dashboard is data: rows of panels, each panel with its queries, unit and
 * thresholds (required by the types). Panels declare no dependencies: the
 * metrics they read are parsed out of their PromQL and looked up in the
 * catalog (dashboards/catalog.ts), and a panel whose metrics come from a
 * source the spec does not enable is left out. Adding a panel is adding one
 * object to a row.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  CustomVariableBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { SERVICE_KIND_LABEL } from '../charts/core/service-kind';
import { DATASOURCE_UIDS, FOLDERS, type FolderId } from '../charts/core/names';
import type { ServiceKind } from './catalog';
import type {
  DashboardContext,
  DashboardDef,
  DatasourceId,
  LogsPanel,
  MetricPanel,
  Panel,
  Query,
  Steps,
  Variable,
} from '../charts/core/dashboard-model';

export type {
  DashboardContext,
  DashboardDef,
  DashboardModule,
  DatasourceId,
  LogsPanel,
  MetricPanel,
  Panel,
  Query,
  Row,
  Steps,
  ValueMapping,
  Variable,
} from '../charts/core/dashboard-model';

const DS: Record<DatasourceId, DataSourceRef> = {
  prometheus: { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus },
  loki: { type: 'loki', uid: DATASOURCE_UIDS.loki },
};

export { DATASOURCE_UIDS, FOLDERS, type FolderId };

// Threshold steps and value mappings: charts/core/dashboard-model.ts (component folders use them too).
export { lowIsBad, neutral, RATE, upDown, upDownMappings, warnCrit } from '../charts/core/dashboard-model';

// --- Common variables ---------------------------------------------------------

/**
 * The jobs of a service kind, as a multi-select variable with "All": the
 * options come from Prometheus (the `service_kind` label every series of a
 * declared service carries), so the dashboard does not grow with the services.
 */
export function jobVariable(_ctx: DashboardContext, kind: ServiceKind): Variable {
  // "All" is Grafana's alternation of the options (the jobs of this kind), not `.+`: kinds share metric names.
  return {
    kind: 'query',
    name: 'job',
    label: 'service (job)',
    query: `label_values(up{${SERVICE_KIND_LABEL}="${kind}"}, job)`,
    allValue: null,
  };
}
export function namespaceVariable(selector = 'up{job=~"$job"}'): Variable {
  return { kind: 'query', name: 'namespace', label: 'namespace', query: `label_values(${selector}, namespace)` };
}
export function podVariable(selector = 'up{job=~"$job", namespace=~"$namespace"}'): Variable {
  // "All" is the pods the query returned (those of the selected jobs), not `.+`: container panels select by pod only.
  return { kind: 'query', name: 'pod', label: 'pod', query: `label_values(${selector}, pod)`, allValue: null };
}
/** Matchers every service panel filters on. */
export const SERVICE_SEL = 'job=~"$job", namespace=~"$namespace", pod=~"$pod"';

// --- Rendering ----------------------------------------------------------------

function thresholds(steps: Steps): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([value, color]) => ({ value, color })));
}

function promTarget(q: Query, refId: string): prometheus.DataqueryBuilder {
  const t = new prometheus.DataqueryBuilder()
    .expr(q.expr)
    .refId(refId)
    .datasource(DS.prometheus)
    .legendFormat(q.legend ?? '__auto');
  return q.instant ? t.instant() : t.range();
}

function lokiTarget(q: Query, refId: string): loki.DataqueryBuilder {
  const t = new loki.DataqueryBuilder()
    .expr(q.expr)
    .refId(refId)
    .datasource(DS.loki)
    .legendFormat(q.legend ?? '__auto');
  return t.instant(q.instant === true).range(q.instant !== true);
}

function metricPanel(p: MetricPanel) {
  const ds = p.datasource ?? 'prometheus';
  const refs = p.queries.map((q, i) => (ds === 'loki' ? lokiTarget : promTarget)(q, String.fromCharCode(65 + i)));
  const common_ = <T extends timeseries.PanelBuilder | stat.PanelBuilder | gauge.PanelBuilder>(b: T): T => {
    b.title(p.title)
      .description(p.description)
      .datasource(DS[ds])
      .unit(p.unit)
      .thresholds(thresholds(p.thresholds))
      .span(p.width ?? (p.type === 'timeseries' ? 12 : 6))
      .height(p.height ?? 8);
    if (p.min !== undefined) b.min(p.min);
    if (p.max !== undefined) b.max(p.max);
    if (p.decimals !== undefined) b.decimals(p.decimals);
    if (p.mappings?.length) {
      b.mappings([
        {
          type: MappingType.ValueToText,
          options: Object.fromEntries(p.mappings.map((m, index) => [String(m.value), { text: m.text, color: m.color, index }])),
        },
      ]);
    }
    if (p.noValue !== undefined) b.noValue(p.noValue);
    for (const r of refs) b.withTarget(r);
    return b;
  };
  if (p.type === 'stat') {
    return common_(new stat.PanelBuilder())
      .graphMode(common.BigValueGraphMode.Area)
      .colorMode(common.BigValueColorMode.Value)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  }
  if (p.type === 'gauge') {
    return common_(new gauge.PanelBuilder()).reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  }
  const b = common_(new timeseries.PanelBuilder())
    .fillOpacity(p.stack ? 40 : 10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (p.stack) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (p.showThresholds ?? p.thresholds.length > 1) {
    b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  return b;
}

function logsPanel(p: LogsPanel) {
  const b = new logs.PanelBuilder()
    .title(p.title)
    .description(p.description)
    .datasource(DS.loki)
    .span(p.width ?? 24)
    .height(p.height ?? 10)
    .showTime(true)
    .wrapLogMessage(true)
    .prettifyLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .dedupStrategy(common.LogsDedupStrategy.None);
  p.queries.forEach((q, i) =>
    b.withTarget(
      new loki.DataqueryBuilder()
        .expr(q.expr)
        .refId(String.fromCharCode(65 + i))
        .datasource(DS.loki)
        .maxLines(1000),
    ),
  );
  return b;
}

function variable(v: Variable) {
  if (v.kind === 'textbox') return new TextBoxVariableBuilder(v.name).label(v.label).defaultValue(v.default);
  if (v.kind === 'custom') {
    const b = new CustomVariableBuilder(v.name).label(v.label).values(v.values.join(','));
    if (v.includeAll === false) return b.multi(false).includeAll(false).current({ selected: true, text: v.values[0], value: v.values[0] });
    return b
      .multi(v.multi ?? true)
      .includeAll(true)
      .allValue(v.values.length ? v.values.map(escapeRegex).join('|') : '.+')
      .current({ selected: true, text: ['All'], value: ['$__all'] });
  }
  const q = new QueryVariableBuilder(v.name)
    .label(v.label)
    .query(v.query)
    .datasource(DS[v.datasource ?? 'prometheus'])
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(v.multi ?? true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] });
  return v.allValue === null ? q : q.allValue(v.allValue ?? '.+');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A LogQL query (rendered against the Loki datasource). */
export function isLogs(p: Panel): p is LogsPanel {
  return p.type === 'logs';
}

/**
 * Grafana dashboard JSON: the foundation SDK's `Dashboard`, named by its own
 * type in the public API so a consumer's tsc never resolves the SDK's
 * subpath exports (they need node16/bundler resolution).
 */
export interface GrafanaDashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly unknown[];
  readonly [key: string]: unknown;
}

/** The Grafana dashboard JSON of a definition. */
export function renderDashboard(d: DashboardDef): GrafanaDashboardJson {
  const b = new DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags([...d.tags])
    .refresh(d.refresh ?? '30s')
    .time({ from: d.from ?? 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable()
    .variables(d.variables.map(variable));
  for (const row of d.rows) {
    if (row.panels.length === 0) continue;
    b.withRow(new RowBuilder(row.title));
    for (const p of row.panels) b.withPanel(isLogs(p) ? logsPanel(p) : metricPanel(p));
  }
  const json = b.build();
  // Stable panel ids (Grafana keys panel links and state by id).
  (json.panels ?? []).forEach((p, i) => {
    (p as { id?: number }).id = i + 1;
  });
  const out: Dashboard = { ...json, annotations: { list: [] }, version: 1 };
  return out as unknown as GrafanaDashboardJson;
}
