/**
 * The dashboard model: what dashboards/ and a component's own panels write
 * (rows of panels with their queries, unit and thresholds), rendered to
 * Grafana JSON by dashboards/lib.ts. Types only, in core so a component
 * folder can contribute dashboards and metric sources through its
 * ComponentDef (charts/core/component.ts) while dashboards/ imports no
 * component.
 */
import type { Spec } from '../spec-schema';
import type { FolderId } from './names';

/** A service kind's name (charts/kinds/index.ts). */
type ServiceKind = string;

/** Fixed datasource uids, provisioned by charts/components/grafana/construct.ts. */
export type DatasourceId = 'prometheus' | 'loki';

/** Threshold steps: [from value (null = base), colour]. */
export type Steps = readonly (readonly [number | null, string])[];

/** A value shown as text (and colour) instead of the number. */
export interface ValueMapping {
  readonly value: number;
  readonly text: string;
  readonly color: string;
}

// --- Model --------------------------------------------------------------------

export interface Query {
  readonly expr: string;
  /** Legend, e.g. `{{pod}}`. */
  readonly legend?: string;
  /** Evaluate at the end of the range only (stat panels). */
  readonly instant?: boolean;
}

interface PanelBase {
  readonly title: string;
  /** What the panel shows and how to read it (the panel's info tooltip). */
  readonly description: string;
  readonly queries: readonly Query[];
  /** Grid width (24 = full). @default 12 for graphs, 6 for stats and gauges */
  readonly width?: number;
  /** @default 8 */
  readonly height?: number;
}

export interface MetricPanel extends PanelBase {
  readonly type: 'timeseries' | 'stat' | 'gauge';
  /** LogQL metric queries run on Loki. @default 'prometheus' */
  readonly datasource?: DatasourceId;
  /** Grafana unit id: percentunit, percent, s, bytes, Bps, reqps, ops, short, celsius, watt, ... */
  readonly unit: string;
  readonly thresholds: Steps;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Stack the series (timeseries). */
  readonly stack?: boolean;
  /** Draw the thresholds on the graph (timeseries). @default true when there is more than one step */
  readonly showThresholds?: boolean;
  /** Values shown as text, e.g. upDownMappings() for 1/0 status stats. */
  readonly mappings?: readonly ValueMapping[];
  /** Text shown when the queries return nothing. @default Grafana's "No data" */
  readonly noValue?: string;
}

/** Log lines from Loki (units and thresholds do not apply to log lines). */
export interface LogsPanel extends PanelBase {
  readonly type: 'logs';
}

export type Panel = MetricPanel | LogsPanel;

export interface Row {
  readonly title: string;
  readonly panels: readonly Panel[];
}

export type Variable =
  | {
      readonly kind: 'query';
      readonly name: string;
      readonly label: string;
      /** `label_values(<selector>, <label>)` (PromQL selector) or a Loki `label_values(<label>)`. */
      readonly query: string;
      readonly datasource?: DatasourceId;
      /** @default true */
      readonly multi?: boolean;
      /**
       * What "All" selects: `.+` (any value), or `null` for Grafana's own expansion, the alternation of the
       * options the query returned (a service dashboard's `job`: only the jobs of its kind). @default '.+'
       */
      readonly allValue?: string | null;
    }
  | {
      readonly kind: 'custom';
      readonly name: string;
      readonly label: string;
      readonly values: readonly string[];
      /** @default true */
      readonly multi?: boolean;
      /** Offer "All" (a regex of every value). @default true; false for variables holding a label name */
      readonly includeAll?: boolean;
    }
  | { readonly kind: 'textbox'; readonly name: string; readonly label: string; readonly default: string };

export interface DashboardDef {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly folder: FolderId;
  readonly tags: readonly string[];
  /** @default '30s' */
  readonly refresh?: string;
  /** Relative start of the time range. @default 'now-1h' */
  readonly from?: string;
  readonly variables: readonly Variable[];
  readonly rows: readonly Row[];
}

/** Rows about the pods a panel selector matches (`podSel`: PromQL matchers on namespace and pod, without braces). */
export type PodRows = (podSel: string) => readonly Row[];

/** What a dashboard module receives. */
export interface DashboardContext {
  readonly spec: Spec;
  /** The rows the enabled components add about a service's pods (ComponentDef.podRows). @default podSel `namespace=~"$namespace", pod=~"$pod"` */
  podRows(podSel?: string): Row[];
  /** Enabled metric sources (dashboards/catalog.ts ids and the components' MetricSource ids). */
  readonly sources: ReadonlySet<string>;
  /** Job names (spec.services[].name) of a service kind. */
  jobsOf(kind: ServiceKind): string[];
}

/** One file in dashboards/: the dashboard, and when it ships. */
export interface DashboardModule {
  readonly uid: string;
  /** Where it is defined, for error messages. @default `dashboards/<uid>.ts` */
  readonly file?: string;
  /** Service kinds: ship when the spec declares one. Infrastructure: a source it needs. @default always */
  include?(ctx: DashboardContext): boolean;
  build(ctx: DashboardContext): DashboardDef;
}

/** The metrics one source exposes: an entry of the dashboards' metric catalog. */
export interface MetricSource {
  /** The source id, e.g. `blackbox-exporter` (by convention its Prometheus job name). */
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly string[];
  /** Enabled for this spec (when its component is)? @default with its component */
  readonly enabled?: (spec: Spec) => boolean;
}

/** What the registered components contribute to the dashboards (gathered by charts/registry.ts). */
export interface DashboardContributions {
  /** Every registered component's metric sources: a panel may read only catalog metrics. */
  readonly catalog: readonly MetricSource[];
  /** Ids of the sources of the components enabled for this spec. */
  readonly enabled: readonly string[];
  /** Dashboard modules of the enabled components, shown after the built-in ones. */
  readonly modules: readonly DashboardModule[];
  /** Rows about a service's pods, of the enabled components (ComponentDef.podRows). @default none */
  readonly podRows?: readonly PodRows[];
}

export const NO_CONTRIBUTIONS: DashboardContributions = { catalog: [], enabled: [], modules: [] };

// --- Thresholds (dashboards/ and component folders) ---------------------------------------------------------------

/** Informational value: no good or bad level. */
export const neutral = (): Steps => [[null, 'green']];
/** Higher is worse: green, then orange from `warn`, red from `crit`. */
export const warnCrit = (warn: number, crit: number): Steps => [
  [null, 'green'],
  [warn, 'orange'],
  [crit, 'red'],
];
/** Lower is worse (e.g. `up`, hit rates): red below `crit`, orange below `warn`. */
export const lowIsBad = (crit: number, warn: number): Steps => [
  [null, 'red'],
  [crit, 'orange'],
  [warn, 'green'],
];
/** 1 = up, 0 = down. */
export const upDown = (): Steps => [
  [null, 'red'],
  [1, 'green'],
];

/** 0 reads DOWN (red), 1 reads UP (green). */
export const upDownMappings = (): readonly ValueMapping[] => [
  { value: 0, text: 'DOWN', color: 'red' },
  { value: 1, text: 'UP', color: 'green' },
];

/** Grafana's rate window: at least four scrape intervals. */
export const RATE = '$__rate_interval';
