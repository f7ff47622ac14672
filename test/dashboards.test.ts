/**
 * Dashboards as shipped: one ConfigMap per dashboard, the synth-time checks
 * (and that they fail on broken input), every PromQL accepted by promtool,
 * service dashboards only for declared kinds, and docs/dashboards.md fresh.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { substituteGrafanaVariables } from '../charts/lib/query-check';
import { buildDashboards, dashboardContext, datasourceTypes } from '../dashboards';
import { EXPORTER_SOURCES, enabledSources } from '../dashboards/catalog';
import { checkDashboardJson, panelAvailable, promqlMetrics, shippedQueries, type DashboardJson } from '../dashboards/check';
import { everyKindSpec, renderDashboardsDoc } from '../dashboards/doc';
import { neutral, type MetricPanel } from '../dashboards/lib';
import { configMapData, readManifests } from './lib/dist';
import { run, tempFiles } from './lib/promtool';
import { stackDoc, synth } from './lib/synth';
import { validateSpec } from '../charts/spec/load';

const ROOT = path.join(__dirname, '..');

describe('dist/41-grafana-dashboards.yaml', () => {
  const objects = readManifests(path.join(ROOT, 'dist')).filter((d) => d.file === '41-grafana-dashboards.yaml').map((d) => d.object);

  test('at least 12 dashboards, one ConfigMap each, every object under 256 KiB', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const o of objects) {
      expect(o.kind).toBe('ConfigMap');
      expect(Object.keys(o.data as object)).toHaveLength(1);
      expect(Buffer.byteLength(JSON.stringify(o))).toBeLessThan(256 * 1024);
    }
  });

  test('dashboard uids are unique and match the file names', () => {
    const uids = objects.map((o) => {
      const [[file, json]] = Object.entries(o.data as Record<string, string>);
      const d = JSON.parse(json);
      expect(file).toBe(`${d.uid}.json`);
      return d.uid;
    });
    expect(new Set(uids).size).toBe(uids.length);
  });

  test('the Whisper API dashboard refreshes every 5s over the last 15 minutes (seed)', () => {
    const cm = objects.find((o) => o.metadata?.name === 'grafana-dashboard-whisper-api') as unknown as { data: Record<string, string> };
    const d = JSON.parse(cm.data['whisper-api.json']);
    expect(d.refresh).toBe('5s');
    expect(d.time).toEqual({ from: 'now-15m', to: 'now' });
  });
});

describe('which dashboards ship', () => {
  test('with no services: infrastructure, logs and stack dashboards only', () => {
    const uids = buildDashboards(synthSpec({})).map((d) => d.uid);
    expect(uids).toEqual(['node-overview', 'containers', 'gpu', 'logs', 'monitoring-stack']);
  });

  test('a service dashboard appears with its kind, listing its jobs', () => {
    const built = buildDashboards(synthSpec({ services: [{ name: 'redis-cache', kind: 'redis-exporter', namespace: 'db', selector: { app: 'redis' }, port: 9121 }] }));
    const redis = built.find((d) => d.uid === 'redis');
    expect(redis).toBeDefined();
    expect(JSON.parse(redis!.json).templating.list[0]).toMatchObject({ name: 'job', query: 'redis-cache' });
    expect(built.find((d) => d.uid === 'mysql')).toBeUndefined();
  });

  test('panels of a disabled source are left out (cadvisor off: no Containers dashboard, no container rows)', () => {
    const built = buildDashboards(synthSpec({ cadvisor: { enabled: false }, services: [{ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 8000 }] }));
    expect(built.find((d) => d.uid === 'containers')).toBeUndefined();
    const v = built.find((d) => d.uid === 'vllm')!;
    expect(v.omitted).toEqual(expect.arrayContaining(['CPU (cores) by pod', 'Memory working set by pod']));
    expect(v.json).not.toContain('container_');
  });

  test('kube-state-metrics panels wait for that source', () => {
    expect(buildDashboards(synthSpec({})).find((d) => d.uid === 'containers')!.omitted).toEqual([]);
    const c = buildDashboards(synthSpec({ kubeStateMetrics: { enabled: false } })).find((d) => d.uid === 'containers')!;
    expect(c.omitted).toEqual(['Restarts (1h)', 'Last terminated: OOMKilled']);
  });
});

describe('synth-time checks fail on broken dashboards', () => {
  const spec = synthSpec({});
  const ctx = dashboardContext(spec);
  const types = datasourceTypes(ctx.sources);
  const base = JSON.parse(buildDashboards(spec).find((d) => d.uid === 'node-overview')!.json) as DashboardJson & { panels: any[] };
  const withExpr = (expr: string, uid = 'prometheus') => ({
    ...base, panels: [{ ...base.panels[1], targets: [{ expr, datasource: { uid } }] }],
  });

  test('the shipped dashboard passes', () => {
    expect(() => checkDashboardJson(base, types, ctx.sources, 'dashboards/node-overview.ts')).not.toThrow();
  });
  test('invalid PromQL names the file and panel', () => {
    expect(() => checkDashboardJson(withExpr('sum(rate(node_cpu_seconds_total[5m])'), types, ctx.sources, 'dashboards/node-overview.ts'))
      .toThrow(/dashboards\/node-overview\.ts.*CPU utilisation.*invalid PromQL/);
  });
  test('a metric no source exposes', () => {
    expect(() => checkDashboardJson(withExpr('node_cpu_secs_total'), types, ctx.sources, 'f')).toThrow(/node_cpu_secs_total is not in dashboards\/catalog.ts/);
  });
  test('a metric whose source is not enabled', () => {
    expect(() => checkDashboardJson(withExpr('vllm:num_requests_running'), types, ctx.sources, 'f')).toThrow(/comes from vllm, which the spec does not enable/);
  });
  test('an unknown datasource uid', () => {
    expect(() => checkDashboardJson(withExpr('up', 'prom'), types, ctx.sources, 'f')).toThrow(/datasource uid "prom" is not provisioned/);
  });
  test('a panel with a typo in a metric fails the build', () => {
    const p: MetricPanel = { type: 'stat', title: 't', description: 'd', unit: 's', thresholds: neutral(), queries: [{ expr: 'upp' }] };
    expect(() => panelAvailable(p, ctx.sources, 'dashboards/x.ts')).toThrow(/dashboards\/x\.ts, panel "t": metric upp/);
  });
  test('metric extraction sees names, __name__ regexes and recording rules', () => {
    expect(promqlMetrics('sum(rate({__name__=~"(.+_)?http_requests_total", job=~"$job"}[$__rate_interval])) / instance:node_cpu_utilisation:ratio_rate5m'))
      .toEqual(['(.+_)?http_requests_total', 'instance:node_cpu_utilisation:ratio_rate5m']);
  });
});

describe('every dashboard query through promtool', () => {
  const spec = everyKindSpec();
  const ctx = dashboardContext(spec);
  const built = buildDashboards(spec);
  const promql = built.flatMap((d) => shippedQueries(JSON.parse(d.json), datasourceTypes(ctx.sources))
    .filter((q) => q.lang === 'PromQL' && q.expr !== '').map((q) => ({ where: `${d.uid}: ${q.panel}`, expr: substituteGrafanaVariables(q.expr) })));
  /** One recording rule per query: `promtool check rules` parses each expression with Prometheus' own parser. */
  const ruleFile = (exprs: string[]) => stringify({ groups: [{ name: 'dashboards', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] });

  test('all 15 dashboards are covered', () => {
    expect(built).toHaveLength(15);
    expect(promql.length).toBeGreaterThan(150);
  });

  test('promtool check rules accepts every PromQL expression (Grafana variables substituted)', () => {
    const dir = tempFiles({ 'dashboards.yaml': ruleFile(promql.map((q) => q.expr)) });
    const r = run('promtool', ['check', 'rules', path.join(dir, 'dashboards.yaml')]);
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${promql.length} rules found`);
    expect(r.status).toBe(0);
  });

  test('promtool rejects a broken expression (the check is real)', () => {
    const dir = tempFiles({ 'bad.yaml': ruleFile(['sum by (job) (rate(up[5m])']) });
    expect(run('promtool', ['check', 'rules', path.join(dir, 'bad.yaml')]).status).not.toBe(0);
  });
});

describe('sources and scrape jobs agree', () => {
  /** Components whose jobs are checked elsewhere; none left now that every component has landed. */
  const PENDING_MERGE: string[] = [];
  const { objects } = synth({});
  const jobs = (parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs as { job_name: string }[]).map((j) => j.job_name);
  const sources = enabledSources(synthSpec({}));

  test('every enabled exporter source is scraped by a job of the same name', () => {
    const missing = EXPORTER_SOURCES.filter((s) => sources.has(s) && !jobs.includes(s) && !PENDING_MERGE.includes(s));
    expect(missing).toEqual([]);
  });
  test('PENDING_MERGE is not stale (a listed component that now has a job must leave the list)', () => {
    expect(PENDING_MERGE.filter((s) => jobs.includes(s))).toEqual([]);
  });
});

test('docs/dashboards.md is up to date (npm run docs:dashboards)', () => {
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'dashboards.md'), 'utf8')).toBe(renderDashboardsDoc());
});

/** The validated spec (defaults applied) of a `spec:` section. */
function synthSpec(spec: Record<string, unknown>) {
  return validateSpec(stackDoc(spec), 'test spec').spec;
}
