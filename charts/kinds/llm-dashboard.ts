/**
 * The shape the dashboards of the LLM serving engines share (vLLM, SGLang, NIM, Triton, Ray Serve): the
 * service's job, namespace and pod, plus one variable for the engine's own label (model, application);
 * the workload status row, an Overview row opened by "Targets up", the engine's own rows, then the rows
 * the components add about the pods and their container resources. Each engine's folder gives only its
 * titles and metric names (its dashboard.ts).
 */
import {
  type DashboardContext,
  type DashboardModule,
  jobVariable,
  type MetricPanel,
  namespaceVariable,
  neutral,
  podVariable,
  type Query,
  type Row,
  SERVICE_SEL,
  type Steps,
} from '../../dashboards/lib';
import { containerResourcesRow, quantiles, RATE, upStat } from '../../dashboards/panels';
import { workloadStatusRow } from '../../dashboards/panels/kube-state';

export interface EngineDashboard {
  /** The kind's name: also the dashboard's uid. */
  readonly kind: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The engine's label the dashboard filters on, the variable holding its values, and the metric they are read from. */
  readonly filter: { readonly label: string; readonly variable: string; readonly metric: string };
  /** The stats of the Overview row after "Targets up", given the panels' selector. */
  readonly overview: (sel: string) => MetricPanel[];
  /** The engine's rows between Overview and the pod rows, given the panels' selector. */
  readonly rows: (sel: string, ctx: DashboardContext) => Row[];
}

/** The dashboard of an engine, included when the spec declares a service of its kind. */
export function engineDashboard(e: EngineDashboard): DashboardModule {
  const sel = `${SERVICE_SEL}, ${e.filter.label}=~"$${e.filter.variable}"`;
  return {
    uid: e.kind,
    include: (ctx) => ctx.jobsOf(e.kind).length > 0,
    build: (ctx) => ({
      uid: e.kind,
      title: e.title,
      description: e.description,
      folder: 'ai-services',
      tags: [...e.tags],
      variables: [
        jobVariable(ctx, e.kind),
        namespaceVariable(),
        podVariable(),
        {
          kind: 'query',
          name: e.filter.variable,
          label: e.filter.variable,
          query: `label_values(${e.filter.metric}{job=~"$job"}, ${e.filter.label})`,
        },
      ],
      rows: [
        workloadStatusRow(ctx.spec, e.kind),
        { title: 'Overview', panels: [upStat(SERVICE_SEL), ...e.overview(sel)] },
        ...e.rows(sel, ctx),
        ...ctx.podRows(),
        containerResourcesRow(),
      ],
    }),
  };
}

interface PanelText {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly thresholds: Steps;
}

/** A stat of one instant query. */
export function instantStat(p: PanelText & { readonly expr: string }): MetricPanel {
  return {
    type: 'stat',
    title: p.title,
    unit: p.unit,
    thresholds: p.thresholds,
    description: p.description,
    queries: [{ expr: p.expr, instant: true }],
  };
}

/** A graph of `queries` from zero (up to `max` when given). */
export function graph(p: PanelText & { readonly queries: Query[]; readonly max?: number }): MetricPanel {
  return {
    type: 'timeseries',
    title: p.title,
    unit: p.unit,
    min: 0,
    ...(p.max === undefined ? {} : { max: p.max }),
    thresholds: p.thresholds,
    description: p.description,
    queries: p.queries,
  };
}

/** p50/p95/p99 of a histogram (`bucket`, its `_bucket` series) over `sel`, one series per value of `by`. */
export function quantileGraph(p: PanelText & { readonly bucket: string; readonly sel: string; readonly by?: string[] }): MetricPanel {
  return graph({ ...p, queries: quantiles(p.bucket, p.sel, p.by) });
}

/** The legend of a series summed by `by` (`a, b`): `name {{a}} {{b}}`. */
const legendOf = (by: string, name?: string) => [...(name ? [name] : []), ...by.split(', ').map((l) => `{{${l}}}`)].join(' ');

/** The per-second rate of `counter` over `sel`, summed by `by`, its legend named `name`. */
export function rateBy(counter: string, sel: string, by: string, name?: string): Query {
  return { expr: `sum by (${by}) (rate(${counter}{${sel}}[${RATE}]))`, legend: legendOf(by, name) };
}

/** `gauge` over `sel` summed by `by`, its legend named `name`. */
export function sumBy(gauge: string, sel: string, by: string, name?: string): Query {
  return { expr: `sum by (${by}) (${gauge}{${sel}})`, legend: legendOf(by, name) };
}

/** Prompt (prefill) and generated tokens per second, one pair of series per value of `by`. */
export function tokensPerSecond(p: {
  readonly prompt: string;
  readonly generation: string;
  readonly sel: string;
  readonly by: string;
  readonly description: string;
}): MetricPanel {
  return graph({
    title: 'Tokens per second',
    unit: 'suffix: tok/s',
    thresholds: neutral(),
    description: p.description,
    queries: [rateBy(p.prompt, p.sel, p.by, 'prompt'), rateBy(p.generation, p.sel, p.by, 'generation')],
  });
}

/** A row of latency histograms over `sel`, each as p50/p95/p99 by the `by` labels. */
export function latencyRow(title: string, sel: string, by: string[], histograms: (PanelText & { readonly bucket: string })[]): Row {
  return { title, panels: histograms.map((h) => quantileGraph({ ...h, sel, by })) };
}
