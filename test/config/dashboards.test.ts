/**
 * Dashboards as shipped: one ConfigMap per dashboard, the synth-time checks
 * (and that they fail on broken input), every PromQL accepted by promtool,
 * service dashboards only for declared kinds, and docs/dashboards.md fresh.
 */
import { stackDashboards } from '../lib/dashboards';
import { KINDS } from '../../charts/kinds';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { substituteGrafanaVariables } from '../../charts/core/query-check';
import { dashboardContributions } from '../../charts/registry';
import { buildDashboards, dashboardContext, datasourceTypes } from '../../dashboards';
import { CATALOG, EXPORTER_SOURCES, enabledSources, METRIC_SOURCES, metricIndex, type SourceId } from '../../dashboards/catalog';
import { checkDashboardJson, panelAvailable, promqlMetrics, shippedQueries, type DashboardJson } from '../../dashboards/check';
import { everyKindSpec, renderDashboardsDoc } from '../../scripts/lib/dashboards-doc';
import { neutral, type DashboardModule, type MetricPanel } from '../../dashboards/lib';
import { kubeStatePanels } from '../../dashboards/panels/kube-state';
import { ksmExposes } from '../../charts/components/kube-state-metrics/construct';
import { KUBELET_KEPT_METRICS } from '../../charts/components/kubelet/construct';
import { configMapData } from '../lib/dist';
import { run, tempFiles } from '../lib/promtool';
import { stackDoc, synth, synthFile } from '../lib/synth';
import { validateSpec } from '../../charts/spec-load';

const ROOT = path.join(__dirname, '..', '..');

describe('41-grafana-dashboards.yaml of monitoring.yaml (dist/)', () => {
  const objects = synthFile()
    .manifests.filter((d) => d.file === '41-grafana-dashboards.yaml')
    .map((d) => d.object);

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
    const uids = buildDashboards(synthSpec({}), dashboardContributions(synthSpec({}))).map((d) => d.uid);
    // The components' dashboards come after the built-in ones (the GPU ones from the DCGM exporter's folder).
    expect(uids).toEqual(['node-overview', 'containers', 'logs', 'monitoring-stack', 'gpu', 'gpu-cost', 'probes']);
  });

  test('a service dashboard appears with its kind, its jobs listed by a Prometheus query (not from the JSON)', () => {
    const built = stackDashboards(
      synthSpec({ services: [{ name: 'redis-cache', kind: 'redis-exporter', namespace: 'db', selector: { app: 'redis' }, port: 9121 }] }),
    );
    const redis = built.find((d) => d.uid === 'redis');
    expect(redis).toBeDefined();
    expect(JSON.parse(redis!.json).templating.list[0]).toMatchObject({
      name: 'job',
      type: 'query',
      query: 'label_values(up{service_kind="redis-exporter"}, job)',
    });
    expect(redis!.json).not.toContain('redis-cache');
    // "All" is Grafana's alternation of the kind's jobs (kinds share metric names), never `.+`.
    expect(JSON.parse(redis!.json).templating.list[0].allValue).toBeUndefined();
    // So is the pod variable's (the pods of the selected jobs): container panels filter by pod only.
    expect(JSON.parse(redis!.json).templating.list.find((v: { name: string }) => v.name === 'pod').allValue).toBeUndefined();
    expect(built.find((d) => d.uid === 'mysql')).toBeUndefined();
  });

  test('panels of a disabled source are left out (cadvisor off: no Containers dashboard, no container rows)', () => {
    const built = stackDashboards(
      synthSpec({
        cadvisor: { enabled: false },
        services: [{ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 8000 }],
      }),
    );
    expect(built.find((d) => d.uid === 'containers')).toBeUndefined();
    const v = built.find((d) => d.uid === 'vllm')!;
    expect(v.omitted).toEqual(expect.arrayContaining(['CPU (cores) by pod', 'Memory working set by pod']));
    expect(v.json).not.toContain('container_');
  });
});

describe('kube-state-metrics and kubelet volume panels: placed and gated', () => {
  const SVC = [
    { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'vllm' }, port: 'http' },
    { name: 'redis-cache', kind: 'redis-exporter', namespace: 'db', selector: { 'app.kubernetes.io/name': 'redis' }, port: 9121 },
  ];
  const built = (spec: Record<string, unknown> = {}) => stackDashboards(synthSpec({ services: SVC, ...spec }));
  const dash = (b: ReturnType<typeof built>, uid: string) => b.find((d) => d.uid === uid)!;
  const row = (b: ReturnType<typeof built>, uid: string, title: string) => dash(b, uid).def.rows.find((r) => r.title === title);
  const titles = (b: ReturnType<typeof built>, uid: string, title: string) => row(b, uid, title)?.panels.map((p) => p.title);
  const all = built();

  test('Monitoring stack: a Workload status row keyed by job and by workload, first', () => {
    expect(dash(all, 'monitoring-stack').def.rows[0].title).toBe('Workload status');
    expect(titles(all, 'monitoring-stack', 'Workload status')).toEqual(['Services UP/DOWN', 'Workloads UP/DOWN']);
    expect(row(all, 'monitoring-stack', 'Workload status')!.panels[0].queries[0].expr).toBe(
      'max by (job) (up{service_kind!="", job=~"$job"})',
    );
  });

  test('each service dashboard shows the status of its own services only', () => {
    expect(row(all, 'vllm', 'Workload status')!.panels[0].queries[0].expr).toBe('max by (job) (up{service_kind="vllm", job=~"$job"})');
    expect(row(all, 'redis', 'Workload status')!.panels[0].queries[0].expr).toBe(
      'max by (job) (up{service_kind="redis-exporter", job=~"$job"})',
    );
  });

  test('the status stat renders UP/DOWN value mappings, noValue and red/green thresholds', () => {
    const json = JSON.parse(dash(all, 'vllm').json);
    const p = json.panels.find((x: { title: string; type: string }) => x.type === 'stat' && x.title === 'Workloads UP/DOWN');
    expect(p.fieldConfig.defaults.mappings).toEqual([
      {
        type: 'value',
        options: { 0: { text: 'DOWN', color: 'red', index: 0 }, 1: { text: 'UP', color: 'green', index: 1 } },
      },
    ]);
    expect(p.fieldConfig.defaults.noValue).toBe('no workload found');
    expect(p.fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ]);
    expect(p.targets.map((t: { expr: string }) => t.expr).join('\n')).toContain(
      'kube_deployment_labels{job="kube-state-metrics", namespace=~"$namespace", label_app_kubernetes_io_name!=""}',
    );
  });

  test('Containers: restarts, OOM kills and waiting containers, filtered by the dashboard variables; the old duplicates are gone', () => {
    expect(titles(all, 'containers', 'Restarts and terminations')).toEqual([
      'Container restarts',
      'OOM kills',
      'Containers waiting, by reason',
    ]);
    for (const p of row(all, 'containers', 'Restarts and terminations')!.panels) {
      expect(p.queries[0].expr).toContain('job="kube-state-metrics", namespace=~"$namespace", pod=~"$pod", container=~"$container"');
    }
    const json = dash(all, 'containers').json;
    expect(json).not.toContain('Restarts (1h)');
    expect(json).not.toContain('Last terminated: OOMKilled');
    expect(json.match(/"title": "[^"]*"/g)!.filter((t) => /restart|OOM/i.test(t))).toEqual([
      '"title": "Restarts and terminations"',
      '"title": "Container restarts"',
      '"title": "OOM kills"',
    ]);
  });

  test("Monitoring stack: the stack's own volumes and the fullest claims, with the spec's thresholds", () => {
    expect(titles(all, 'monitoring-stack', 'Persistent volumes')).toEqual([
      'Monitoring volumes usage',
      'Persistent volumes usage (top 10)',
    ]);
    const b = built({ kubelet: { volumeStats: { warningPercent: 70, criticalPercent: 90 } } });
    const p = row(b, 'monitoring-stack', 'Persistent volumes')!.panels[1];
    expect(p).toMatchObject({
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [
        [null, 'green'],
        [0.7, 'orange'],
        [0.9, 'red'],
      ],
    });
    expect(p.queries[0].expr).toMatch(
      /^topk\(10, max by \(namespace, persistentvolumeclaim\) \(1 - kubelet_volume_stats_available_bytes\{job="kubelet"\}/,
    );
  });

  test('kubeStateMetrics.enabled: false removes every kube-state panel and row, volumes stay', () => {
    const b = built({ kubeStateMetrics: { enabled: false } });
    for (const uid of ['monitoring-stack', 'vllm', 'redis']) expect(titles(b, uid, 'Workload status')).toEqual(['Services UP/DOWN']);
    expect(row(b, 'containers', 'Restarts and terminations')).toBeUndefined();
    for (const d of b) expect([d.uid, d.json.includes('kube_')]).toEqual([d.uid, false]);
    expect(titles(b, 'monitoring-stack', 'Persistent volumes')).toHaveLength(2);
  });

  test('kubelet.volumeStats.enabled: false removes the volume panels, the workload status stays', () => {
    const b = built({ kubelet: { volumeStats: { enabled: false } } });
    expect(row(b, 'monitoring-stack', 'Persistent volumes')).toBeUndefined();
    for (const d of b) expect([d.uid, d.json.includes('kubelet_volume_stats')]).toEqual([d.uid, false]);
    expect(titles(b, 'monitoring-stack', 'Workload status')).toEqual(['Services UP/DOWN', 'Workloads UP/DOWN']);
    expect(enabledSources(synthSpec({ kubelet: { volumeStats: { enabled: false } } })).has('kubelet')).toBe(false);
  });

  test('the catalog gates the same panels by source (kube-state-metrics, kubelet)', () => {
    const spec = synthSpec({ services: SVC });
    const panels = kubeStatePanels(spec);
    const sources = enabledSources(spec);
    const without = (s: SourceId) => new Set([...sources].filter((x) => x !== s));
    for (const p of [...panels.workloads, ...panels.containers, ...panels.stack, ...panels.cluster])
      expect(panelAvailable(p, sources, 't')).toBe(true);
    for (const p of [...panels.workloads, ...panels.containers])
      expect([p.title, panelAvailable(p, without('kube-state-metrics'), 't')]).toEqual([p.title, false]);
    for (const p of [...panels.stack, ...panels.cluster])
      expect([p.title, panelAvailable(p, without('kubelet'), 't')]).toEqual([p.title, false]);
  });

  test("every kube_* / kubelet_* metric of the catalog is exposed: KSM_METRICS and the kubelet job's keep regex", () => {
    const kept = new RegExp(`^(?:${KUBELET_KEPT_METRICS})$`);
    expect(CATALOG['kube-state-metrics'].metrics.filter((m) => !ksmExposes(m))).toEqual([]);
    expect(CATALOG.kubelet.metrics.filter((m) => !kept.test(m))).toEqual([]);
    const catalogued = [...METRIC_SOURCES.keys()];
    expect(catalogued.filter((m) => m.startsWith('kube_') && !METRIC_SOURCES.get(m)!.includes('kube-state-metrics'))).toEqual([]);
    expect(catalogued.filter((m) => m.startsWith('kubelet_') && !METRIC_SOURCES.get(m)!.includes('kubelet'))).toEqual([]);
    // What the shipped dashboards read, checked against the exporters directly.
    const read = stackDashboards(everyKindSpec()).flatMap((d) =>
      (JSON.parse(d.json).panels as { targets?: { expr: string }[] }[]).flatMap((p) =>
        (p.targets ?? []).flatMap((t) => promqlMetrics(t.expr)),
      ),
    );
    const kube = [...new Set(read.filter((m) => m.startsWith('kube_')))];
    expect(kube.length).toBeGreaterThanOrEqual(7);
    expect(kube.filter((m) => !ksmExposes(m))).toEqual([]);
    expect(read.filter((m) => m.startsWith('kubelet_') && !kept.test(m))).toEqual([]);
  });
});

describe('synth-time checks fail on broken dashboards', () => {
  const spec = synthSpec({});
  const ctx = dashboardContext(spec, dashboardContributions(spec));
  const index = metricIndex(dashboardContributions(spec).catalog);
  const types = datasourceTypes(ctx.sources);
  const base = JSON.parse(stackDashboards(spec).find((d) => d.uid === 'node-overview')!.json) as DashboardJson & { panels: any[] };
  const withExpr = (expr: string, uid = 'prometheus') => ({
    ...base,
    panels: [{ ...base.panels[1], targets: [{ expr, datasource: { uid } }] }],
  });

  test('the shipped dashboard passes', () => {
    expect(() => checkDashboardJson(base, types, ctx.sources, 'dashboards/node-overview.ts', index)).not.toThrow();
  });
  test('invalid PromQL names the file and panel', () => {
    expect(() =>
      checkDashboardJson(withExpr('sum(rate(node_cpu_seconds_total[5m])'), types, ctx.sources, 'dashboards/node-overview.ts', index),
    ).toThrow(/dashboards\/node-overview\.ts.*CPU utilisation.*invalid PromQL/);
  });
  test('a metric no source exposes', () => {
    expect(() => checkDashboardJson(withExpr('node_cpu_secs_total'), types, ctx.sources, 'f')).toThrow(
      /node_cpu_secs_total is not in dashboards\/catalog.ts/,
    );
  });
  test('a metric whose source is not enabled', () => {
    expect(() => checkDashboardJson(withExpr('vllm:num_requests_running'), types, ctx.sources, 'f')).toThrow(
      /comes from vllm, which the spec does not enable/,
    );
  });
  test('an unknown datasource uid', () => {
    expect(() => checkDashboardJson(withExpr('up', 'prom'), types, ctx.sources, 'f')).toThrow(/datasource uid "prom" is not provisioned/);
  });
  test('a panel with a typo in a metric fails the build', () => {
    const p: MetricPanel = { type: 'stat', title: 't', description: 'd', unit: 's', thresholds: neutral(), queries: [{ expr: 'upp' }] };
    expect(() => panelAvailable(p, ctx.sources, 'dashboards/x.ts')).toThrow(/dashboards\/x\.ts, panel "t": metric upp/);
  });
  test('metric extraction sees names, __name__ regexes and recording rules', () => {
    expect(
      promqlMetrics(
        'sum(rate({__name__=~"(.+_)?http_requests_total", job=~"$job"}[$__rate_interval])) / instance:node_cpu_utilisation:ratio_rate5m',
      ),
    ).toEqual(['(.+_)?http_requests_total', 'instance:node_cpu_utilisation:ratio_rate5m']);
  });
});

describe('every dashboard query through promtool', () => {
  const spec = everyKindSpec();
  const contributions = dashboardContributions(spec);
  const ctx = dashboardContext(spec, contributions);
  const built = buildDashboards(spec, contributions);
  const promql = built.flatMap((d) =>
    shippedQueries(JSON.parse(d.json), datasourceTypes(ctx.sources))
      .filter((q) => q.lang === 'PromQL' && q.expr !== '')
      .map((q) => ({ where: `${d.uid}: ${q.panel}`, expr: substituteGrafanaVariables(q.expr) })),
  );
  /** One recording rule per query: `promtool check rules` parses each expression with Prometheus' own parser. */
  const ruleFile = (exprs: string[]) =>
    stringify({ groups: [{ name: 'dashboards', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] });

  test('every dashboard is covered: the 9 of the stack (SLOs, GenAI and the GPU ones included) and one per service kind', () => {
    expect(built).toHaveLength(9 + KINDS.filter((k) => k.dashboard).length);
    expect(built.map((d) => d.uid)).toEqual(expect.arrayContaining(['gpu', 'gpu-cost', 'probes', 'genai']));
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
  const jobs = (parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs as { job_name: string }[]).map(
    (j) => j.job_name,
  );
  const sources = enabledSources(synthSpec({}));

  test('every enabled exporter source is scraped by a job of the same name', () => {
    const missing = EXPORTER_SOURCES.filter((s) => sources.has(s) && !jobs.includes(s) && !PENDING_MERGE.includes(s));
    expect(missing).toEqual([]);
  });
  test('every metric source a component contributes (ComponentDef.catalog) is scraped by a job of the same name when enabled', () => {
    const contributed = dashboardContributions(synthSpec({})).enabled;
    expect(contributed.filter((s) => !jobs.includes(s))).toEqual([]);
  });
  test('PENDING_MERGE is not stale (a listed component that now has a job must leave the list)', () => {
    expect(PENDING_MERGE.filter((s) => jobs.includes(s))).toEqual([]);
  });
});

// Reads the committed file on purpose: it must be what `npm run docs:dashboards` generates.
test('docs/dashboards.md is up to date (npm run docs:dashboards)', () => {
  expect(fs.readFileSync(path.join(ROOT, 'docs', 'dashboards.md'), 'utf8')).toBe(
    renderDashboardsDoc(dashboardContributions(everyKindSpec())),
  );
});

/** The validated spec (defaults applied) of a `spec:` section. */
function synthSpec(spec: Record<string, unknown>) {
  return validateSpec(stackDoc(spec), 'test spec').spec;
}

describe('component contributions (ComponentDef.catalog and .dashboards)', () => {
  const mod = (expr: string): DashboardModule => ({
    uid: 'probe-x',
    file: 'charts/components/x/dashboards.ts',
    build: () => ({
      uid: 'probe-x',
      title: 'X',
      description: 'x',
      folder: 'infrastructure',
      tags: [],
      variables: [],
      rows: [
        {
          title: 'r',
          panels: [{ type: 'stat', title: 'p', description: 'd', unit: 'short', thresholds: [[null, 'green']], queries: [{ expr }] }],
        },
      ],
    }),
  });
  const catalog = [{ id: 'x-exporter', title: 'X', metrics: ['x_up'] }];

  test('an injected module ships, reading an injected source, after the built-in dashboards', () => {
    const built = buildDashboards(synthSpec({}), { catalog, enabled: ['x-exporter'], modules: [mod('x_up')] });
    expect(built[built.length - 1].uid).toBe('probe-x');
    expect(built.length).toBe(buildDashboards(synthSpec({})).length + 1);
  });
  test('a panel of a disabled injected source is left out, an unknown metric names the file', () => {
    const off = buildDashboards(synthSpec({}), { catalog, enabled: [], modules: [mod('x_up')] });
    expect(off.map((d) => d.uid)).not.toContain('probe-x');
    expect(() => buildDashboards(synthSpec({}), { catalog, enabled: ['x-exporter'], modules: [mod('x_upp')] })).toThrow(
      /charts\/components\/x\/dashboards\.ts, panel "p": metric x_upp is not in/,
    );
  });
  test('a source id declared twice is refused', () => {
    expect(() =>
      buildDashboards(synthSpec({}), { catalog: [{ id: 'cadvisor', title: 'dup', metrics: [] }], enabled: [], modules: [] }),
    ).toThrow(/"cadvisor" is declared twice/);
  });
});
