/**
 * Every dashboard the stack ships, built for a spec: the modules that apply,
 * with the panels whose metrics the spec's sources provide, rendered to
 * Grafana JSON and checked (queries parse, datasources exist, metrics come
 * from an enabled source, uids unique, each dashboard under the ConfigMap
 * size limit).
 */
import type { Spec } from '../charts/spec-schema';
import { enabledSources, metricIndex, type SourceId } from './catalog';
import { type DashboardContributions, NO_CONTRIBUTIONS } from '../charts/core/dashboard-model';
import { checkDashboardJson, DashboardCheckError, panelAvailable, type DashboardJson } from './check';
import { containers } from './containers';
import { scopeToCluster } from './cluster';
import {
  type DashboardContext,
  type DashboardDef,
  type DashboardModule,
  DATASOURCE_UIDS,
  FOLDERS,
  type FolderId,
  renderDashboard,
} from './lib';
import { KINDS } from '../charts/kinds';
import { logsDashboard } from './logs';
import { monitoringStack } from './monitoring-stack';
import { sloDashboard } from './slo';

/**
 * Dashboard modules in display order: the infrastructure ones, each service kind's (charts/kinds, registry
 * order), then the stack-wide ones. Add a dashboard: one file in dashboards/, one line here; a kind's
 * dashboard comes with its folder.
 */
export const DASHBOARD_MODULES: DashboardModule[] = [
  containers,
  ...KINDS.flatMap((k) => (k.dashboard ? [k.dashboard] : [])),
  sloDashboard,
  logsDashboard,
  monitoringStack,
];

/** The dashboards (by uid) shown first, in this order, though a component contributes them (the host view opens the list); the others follow as given. */
export const LEADING_DASHBOARDS: readonly string[] = ['node-overview'];

/** The modules with LEADING_DASHBOARDS first (in that order), the others as given. */
export function displayOrder(mods: readonly DashboardModule[]): DashboardModule[] {
  const rank = (m: DashboardModule) => {
    const i = LEADING_DASHBOARDS.indexOf(m.uid);
    return i < 0 ? LEADING_DASHBOARDS.length : i;
  };
  return mods
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

/** ConfigMap data limit is 1 MiB, but client-side apply stores the object in a 256 KiB annotation. */
export const MAX_DASHBOARD_BYTES = 200 * 1024;

export interface BuiltDashboard {
  readonly uid: string;
  readonly title: string;
  readonly folder: FolderId;
  /** The definition after leaving out panels whose sources are disabled. */
  readonly def: DashboardDef;
  /** Grafana dashboard JSON, serialized. */
  readonly json: string;
  /** Panels left out, with why. */
  readonly omitted: readonly string[];
}

/** The context the modules build in: the spec and the sources it enables (the catalog's and the enabled components'). */
export function dashboardContext(spec: Spec, contributions: DashboardContributions = NO_CONTRIBUTIONS): DashboardContext {
  const sources = new Set<SourceId>([...enabledSources(spec), ...contributions.enabled]);
  return {
    spec,
    sources,
    jobsOf: (kind) => spec.services.filter((s) => s.kind === kind).map((s) => s.name),
    podRows: (podSel = 'namespace=~"$namespace", pod=~"$pod"') => (contributions.podRows ?? []).flatMap((rows) => rows(podSel)),
  };
}

/** Datasource uid -> type, as provisioned for these sources. */
export function datasourceTypes(sources: ReadonlySet<SourceId>): Record<string, string> {
  return {
    [DATASOURCE_UIDS.prometheus]: 'prometheus',
    ...(sources.has('loki') ? { [DATASOURCE_UIDS.loki]: 'loki' } : {}),
    ...(sources.has('alertmanager') ? { [DATASOURCE_UIDS.alertmanager]: 'alertmanager' } : {}),
  };
}

/**
 * The dashboards for a spec: the modules above, then the ones the enabled
 * components contribute (charts/registry.ts dashboardContributions), checked
 * against the catalog plus the components' metric sources.
 */
export function buildDashboards(spec: Spec, contributions: DashboardContributions = NO_CONTRIBUTIONS): BuiltDashboard[] {
  const ctx = dashboardContext(spec, contributions);
  const index = metricIndex(contributions.catalog);
  const types = datasourceTypes(ctx.sources);
  const out: BuiltDashboard[] = [];
  const uids = new Map<string, string>();
  for (const mod of displayOrder([...DASHBOARD_MODULES, ...contributions.modules])) {
    if (mod.include && !mod.include(ctx)) continue;
    const full = mod.build(ctx);
    const file = mod.file ?? `dashboards/${full.uid}.ts`;
    if (full.uid !== mod.uid)
      throw new DashboardCheckError(`${file}: module uid "${mod.uid}" differs from the dashboard uid "${full.uid}"`);
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(full.uid))
      throw new DashboardCheckError(`${file}: uid "${full.uid}" must be lowercase letters, digits and "-", at most 40 characters`);
    if (uids.has(full.uid))
      throw new DashboardCheckError(`dashboard uid "${full.uid}" is used by "${uids.get(full.uid)}" and "${full.title}"`);
    uids.set(full.uid, full.title);
    const omitted: string[] = [];
    const rows = full.rows
      .map((row) => ({
        ...row,
        panels: row.panels.filter((p) => {
          const ok = panelAvailable(p, ctx.sources, file, index);
          if (!ok) omitted.push(p.title);
          return ok;
        }),
      }))
      .filter((r) => r.panels.length > 0);
    if (rows.length === 0) continue;
    // Issue 12: a cluster variable and matcher on every query once the cluster is named.
    const def: DashboardDef = spec.cluster ? scopeToCluster({ ...full, rows }) : { ...full, rows };
    const json = renderDashboard(def);
    checkDashboardJson(json as unknown as DashboardJson, types, ctx.sources, file, index);
    const text = JSON.stringify(json, null, 2);
    if (Buffer.byteLength(text) > MAX_DASHBOARD_BYTES) {
      throw new DashboardCheckError(`${file}: ${Buffer.byteLength(text)} bytes of JSON, over ${MAX_DASHBOARD_BYTES}: split the dashboard`);
    }
    out.push({ uid: def.uid, title: def.title, folder: def.folder, def, json: text, omitted });
  }
  return out;
}

export { FOLDERS };
