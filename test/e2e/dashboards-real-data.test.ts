/**
 * Proof with real data: the real Prometheus (TOOL_PINS) scrapes a real node-exporter,
 * a real Alertmanager and itself on 127.0.0.1 (random ports), loads the
 * recording rules of monitoring.yaml exactly as synthesized into dist/
 * (prometheus-rules ConfigMap, synthesized by the test), and every query of the Node overview and Monitoring stack
 * dashboards whose source runs here returns data over the HTTP API.
 *
 * Grafana variables are substituted the way Grafana does with "All" selected
 * (`.+`), and `$__rate_interval` / `$__interval` by 1m. Panels whose metrics
 * come from components that cannot run here (Loki, Grafana) are listed in
 * NOT_PROVABLE and asserted to be exactly those.
 */
import { stackDashboards } from '../lib/dashboards';
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { parseSpecYaml } from '../../charts/spec-load';
import { nodeExporterCollectorArgs } from '../../charts/components/node-exporter/construct';
import { metricIndex, type SourceId } from '../../dashboards/catalog';
import { dashboardContributions } from '../../charts/registry';
import { promqlMetrics, shippedQueries, type DashboardJson } from '../../dashboards/check';
import { dashboardContext, datasourceTypes } from '../../dashboards';
import { configMapData } from '../lib/dist';
import { tempFiles } from '../lib/promtool';
import { tool } from '../lib/tools';
import { synthFile } from '../lib/synth';
import { freePort } from '../lib/procs';

const ROOT = path.join(__dirname, '..', '..');
/** Sources running in this test. */
const RUNNING: ReadonlySet<SourceId> = new Set<SourceId>(['prometheus', 'node-exporter', 'alertmanager']);
const DASHBOARDS = ['node-overview', 'monitoring-stack'];
/**
 * Panels that need a component this test cannot run: no Loki or Grafana
 * binary here, no cluster for kube-state-metrics and the kubelets (the
 * workload status and volume queries run against real Prometheus on
 * synthetic series in test/config/kube-state.test.ts), and the declared services.
 */
const NOT_PROVABLE = (services: readonly { name: string }[]) => [
  'monitoring-stack: Lines received',
  'monitoring-stack: Bytes received',
  'monitoring-stack: Discarded samples by reason',
  'monitoring-stack: Loki request latency',
  'monitoring-stack: Grafana up',
  'monitoring-stack: Grafana requests',
  'monitoring-stack: Monitoring volumes usage',
  'monitoring-stack: Persistent volumes usage (top 10)',
  // Workload status: the declared services (series with service_kind) and their workloads do not run here.
  ...(services.length
    ? ['monitoring-stack: Services UP/DOWN', 'monitoring-stack: Workloads UP/DOWN', 'monitoring-stack: variable $namespace']
    : []),
];

function substitute(expr: string): string {
  return expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, '1m').replace(/\$\{?(\w+)\}?/g, '.+');
}

async function query(port: number, expr: string): Promise<unknown[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dashboards on real data (prometheus, node-exporter, alertmanager)', () => {
  // npm run test:all installs the three programs: a missing one fails the suite, naming it (no skip).
  let BINARIES: string[] = [];
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  let promPort = 0;
  const spec = parseSpecYaml(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec;
  const ctx = dashboardContext(spec);
  const types = datasourceTypes(ctx.sources);
  const built = stackDashboards(spec).filter((d) => DASHBOARDS.includes(d.uid));
  const queries = built.flatMap((d) =>
    shippedQueries(JSON.parse(d.json) as DashboardJson, types)
      .filter((q) => q.lang === 'PromQL' && q.expr !== '')
      .map((q) => ({ id: `${d.uid}: ${q.panel}`, expr: substitute(q.expr) })),
  );
  // Runnable: every metric comes from a running source, and every job="..." the query pins is running.
  // The catalog with the components' metrics (node-exporter's live in its folder).
  const METRIC_SOURCES = metricIndex(dashboardContributions(spec).catalog);
  const runnable = (expr: string) =>
    promqlMetrics(expr).every((m) => (METRIC_SOURCES.get(m) ?? []).some((s) => RUNNING.has(s))) &&
    [...expr.matchAll(/\bjob="([^"]+)"/g)].every((m) => RUNNING.has(m[1])) &&
    !expr.includes('service_kind'); // series of the declared services

  const start = (bin: string, args: string[]) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.on('data', (d) => logs.push(String(d)));
    p.stderr?.on('data', (d) => logs.push(String(d)));
    procs.push(p);
  };

  beforeAll(async () => {
    const [nodePort, amPort] = [await freePort(), await freePort()];
    BINARIES = ['prometheus', 'prometheus-node-exporter', 'alertmanager'].map(tool);
    promPort = await freePort();
    const distObjects = synthFile().objects;
    const rules = configMapData(distObjects, 'prometheus-rules');
    const nodeJob = parse(configMapData(distObjects, 'prometheus-config')['prometheus.yml']).scrape_configs.find(
      (j: { job_name: string }) => j.job_name === 'node-exporter',
    );
    expect(nodeJob.metric_relabel_configs).toHaveLength(1);
    const dir = tempFiles({
      ...rules,
      'alertmanager.yml': stringify({ route: { receiver: 'null' }, receivers: [{ name: 'null' }] }),
      'prometheus.yml': stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: Object.keys(rules),
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [
          { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
          // With the synthesized job's metric_relabel_configs: only the series a panel or rule reads are kept.
          {
            job_name: 'node-exporter',
            static_configs: [{ targets: [`127.0.0.1:${nodePort}`] }],
            metric_relabel_configs: nodeJob.metric_relabel_configs,
          },
          { job_name: 'alertmanager', static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] },
        ],
      }),
    });
    // The DaemonSet's collectors and filters, without its /host paths (this node-exporter reads the host directly).
    start(BINARIES[1], [`--web.listen-address=127.0.0.1:${nodePort}`, ...nodeExporterCollectorArgs()]);
    start(BINARIES[2], [
      `--config.file=${dir}/alertmanager.yml`,
      `--storage.path=${dir}/am-data`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    start(BINARIES[0], [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/prom-data`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    // Bounded wait until Prometheus answers and has scraped all three targets.
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        if ((await query(promPort, 'up == 1')).length === 3) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`targets not up within 30s:\n${logs.join('').slice(-3000)}`);
      await sleep(500);
    }
  }, 60000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve())));
  });

  test('the dashboards have queries to prove', () => {
    expect(built.map((d) => d.uid).sort()).toEqual([...DASHBOARDS].sort());
    expect(queries.filter((q) => runnable(q.expr)).length).toBeGreaterThan(30);
  });

  test('only the panels of components that cannot run here are left unproven', () => {
    const notRunnable = [...new Set(queries.filter((q) => !runnable(q.expr)).map((q) => q.id))].sort();
    expect(notRunnable).toEqual(NOT_PROVABLE(spec.services).sort());
  });

  test('every other query returns data', async () => {
    const pending = new Map(queries.filter((q) => runnable(q.expr)).map((q) => [`${q.id} :: ${q.expr}`, q.expr]));
    // Rates need two samples and recording rules one evaluation: poll, bounded.
    const deadline = Date.now() + 45000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const [key, expr] of [...pending]) if ((await query(promPort, expr)).length > 0) pending.delete(key);
      if (pending.size > 0) await sleep(1000);
    }
    expect([...pending.keys()]).toEqual([]);
  }, 90000);
});
