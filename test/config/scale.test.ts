/**
 * Scale (issue 11), not timed (speed is `npm run bench`): the committed
 * 1,000-service spec (bench/services-1000.yaml, monitoring.yaml's services
 * copied) synthesizes with every object under 256 KiB, its Prometheus config
 * and rules pass promtool, its dashboards pass the synth-time checks (the
 * synth runs them) and are the same bytes as with 100 services; and the
 * grouped service jobs give each target `job` = its service, proved by the
 * real Prometheus.
 */
import { stackDashboards } from '../lib/dashboards';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { spawn, type ChildProcess } from 'child_process';
import { App } from 'cdk8s';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { MonitoringStack } from '../../charts/stack';
import { MAX_OBJECT_BYTES, renderManifests } from '../../charts/lib/output';
import { parseSpecYaml, validateSpec } from '../../charts/spec/load';
import { serviceJobs } from '../../charts/components/services/scrape';
import type { ServiceSpec } from '../../charts/spec/schema';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const ROOT = path.join(__dirname, '..', '..');
const specOf = (n: number) => parseSpecYaml(fs.readFileSync(path.join(ROOT, 'bench', `services-${n}.yaml`), 'utf8'), `bench/services-${n}.yaml`);

interface Obj { kind: string; metadata?: { name?: string }; data?: Record<string, string> }

function synthObjects(n: number): { objects: Obj[]; sizes: { name: string; bytes: number }[] } {
  const stack = new MonitoringStack(new App(), 'stack', { spec: specOf(n) });
  const objects: Obj[] = [];
  const sizes: { name: string; bytes: number }[] = [];
  for (const [file, text] of renderManifests(stack)) {
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as Obj | null;
      if (!o?.kind) continue;
      objects.push(o);
      sizes.push({ name: `${file} ${o.kind}/${o.metadata?.name ?? ""}`, bytes: Buffer.byteLength(doc.toString()) });
    }
  }
  return { objects, sizes };
}

const data = (objects: Obj[], name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name)!.data!;

describe('1,000 declared services', () => {
  const spec = specOf(1000);
  const { objects, sizes } = synthObjects(1000);
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  test('the spec declares 1,000 services of the ten kinds', () => {
    expect(spec.spec.services).toHaveLength(1000);
    expect(new Set(spec.spec.services.map((s) => s.kind)).size).toBe(10);
  });

  test('every object is under 256 KiB serialized', () => {
    expect(MAX_OBJECT_BYTES).toBe(256 * 1024);
    const over = sizes.filter((s) => s.bytes >= MAX_OBJECT_BYTES);
    expect(over).toEqual([]);
    expect(sizes.length).toBeGreaterThan(50);
  });

  test('promtool check config accepts prometheus.yml, with one job per group and every service claimed', () => {
    const yml = data(objects, 'prometheus-config')['prometheus.yml'];
    const config = parse(yml);
    const groups = config.scrape_configs.filter((j: { job_name: string }) => j.job_name.startsWith('services/'));
    expect(groups.length).toBeLessThanOrEqual(20); // 2 namespaces x 10 kinds
    const claimed = JSON.stringify(groups);
    for (const s of spec.spec.services) expect(claimed).toMatch(new RegExp(`[(|]${s.name}[|)]`));
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(yml) });
    dirs.push(dir);
    const r = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool check rules accepts every rule file; latency thresholds are one short record per service that sets one', () => {
    const rules = data(objects, 'prometheus-rules');
    const dir = tempFiles(rules);
    dirs.push(dir);
    for (const file of Object.keys(rules)) {
      const r = run('promtool', ['check', 'rules', path.join(dir, file)]);
      expect([file, r.status]).toEqual([file, 0]);
    }
    const app = parse(rules['applications.yaml']);
    const alerts = app.groups.flatMap((g: { rules: { alert?: string }[] }) => g.rules.filter((x) => x.alert));
    expect(alerts.filter((a: { alert: string }) => a.alert === 'ServiceDown')).toHaveLength(10);
    const records = app.groups.find((g: { name: string }) => g.name === 'service-thresholds').rules;
    expect(records).toHaveLength(spec.spec.services.filter((s) => s.latencyThresholdSeconds !== undefined).length);
  });

  test('dashboards: the same bytes for 100 and 1,000 services (nothing in them grows per service)', () => {
    const big = stackDashboards(spec.spec);
    const small = stackDashboards(specOf(100).spec);
    expect(big.map((d) => d.uid)).toEqual(small.map((d) => d.uid));
    for (const d of big) expect([d.uid, d.json === small.find((x) => x.uid === d.uid)!.json]).toEqual([d.uid, true]);
    for (const d of big) expect(d.json).not.toContain('vllm-999');
  });
});

// --- The 1,000-service config and rules loaded by the real Prometheus -----------------------

describe('the real Prometheus (the pinned test binary) starts with the 1,000-service config and rules', () => {
  let prometheus: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let log = '';
  const { objects } = synthObjects(1000);

  beforeAll(async () => {
    const rules = data(objects, 'prometheus-rules');
    dir = tempFiles(Object.fromEntries(Object.entries(rules).map(([f, t]) => [`rules/${f}`, t])));
    // No API server here: Kubernetes discovery stands in as a static unreachable target (relabelling,
    // intervals and rules load as synthesized); rules from the temp folder.
    const config = parse(withPodFiles(data(objects, 'prometheus-config')['prometheus.yml']));
    for (const job of config.scrape_configs ?? []) {
      if (job.kubernetes_sd_configs) { delete job.kubernetes_sd_configs; job.static_configs = [{ targets: ['127.0.0.1:9'] }]; }
    }
    config.rule_files = [path.join(dir, 'rules', '*.yaml')];
    delete config.alerting;
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
    port = await freePort();
    prometheus = spawn(tool('prometheus'), [
      `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr?.on('data', (d) => { log += d; });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200) break;
      } catch { /* not listening yet */ }
      if (prometheus.exitCode !== null || Date.now() > deadline) throw new Error(`Prometheus did not become ready:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 60000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every scrape job and rule group is loaded', async () => {
    const config = parse(data(objects, 'prometheus-config')['prometheus.yml']);
    const r = await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json() as { data: { groups: { name: string; rules: unknown[] }[] } };
    const groups = r.data.groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['applications', 'service-thresholds']));
    expect(r.data.groups.find((g) => g.name === 'service-thresholds')!.rules.length).toBe(100);
    const configured = await (await fetch(`http://127.0.0.1:${port}/api/v1/status/config`)).json() as { data: { yaml: string } };
    expect(parse(configured.data.yaml).scrape_configs.length).toBe(config.scrape_configs.length);
    expect(log).not.toMatch(/level=error/);
  });
});

// --- Grouped jobs through the real Prometheus -----------------------------------------------

describe('grouped service jobs on the real Prometheus (the pinned test binary, 127.0.0.1)', () => {
  let prometheus: ChildProcess | undefined;
  let server: http.Server | undefined;
  let dir = '';
  let port = 0;
  let log = '';

  const SERVICES: ServiceSpec[] = [
    { name: 'stt-a', kind: 'stt', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'stt-a' }, port: 'http', path: '/metrics', scheme: 'http' },
    { name: 'stt-b', kind: 'stt', namespace: 'ai', selector: { app: 'speech', tier: 'b' }, port: 'http', path: '/metrics', scheme: 'http' },
  ];

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('demo_metric 1\n'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const addr = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const [job] = serviceJobs(SERVICES, '1s', '1s');
    delete job.kubernetes_sd_configs;
    // Four pods of namespace ai as discovery would describe them (same address, distinct params).
    const pod = (name: string, labels: Record<string, string>, portName = 'http') => ({
      targets: [addr],
      labels: {
        __meta_kubernetes_namespace: 'ai', __meta_kubernetes_pod_name: name, __meta_kubernetes_pod_container_name: 'app',
        __meta_kubernetes_pod_container_port_name: portName, __meta_kubernetes_pod_node_name: 'node-a', __meta_kubernetes_pod_phase: 'Running',
        __param_pod: name, ...labels,
      },
    });
    (job as unknown as Record<string, unknown>).static_configs = [
      pod('stt-a-0', { '__meta_kubernetes_pod_label_app_kubernetes_io_name': 'stt-a' }),
      pod('speech-b-0', { '__meta_kubernetes_pod_label_app': 'speech', '__meta_kubernetes_pod_label_tier': 'b' }),
      pod('speech-c-0', { '__meta_kubernetes_pod_label_app': 'speech', '__meta_kubernetes_pod_label_tier': 'c' }),
      pod('stt-a-1', { '__meta_kubernetes_pod_label_app_kubernetes_io_name': 'stt-a' }, 'grpc'),
    ];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prom-groups-'));
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [job] }));
    const check = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    if (check.status !== 0) throw new Error(check.stdout + check.stderr);
    port = await freePort();
    prometheus = spawn(tool('prometheus'), [
      `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr?.on('data', (d) => { log += d; });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=demo_metric`);
        const body = await r.json() as { data: { result: unknown[] } };
        if (body.data.result.length >= 2) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape the targets in 30s:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('each claimed pod is scraped as its own service (job) with service_kind; unclaimed pods and other ports are dropped', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('up')}`);
    const body = await r.json() as { data: { result: { metric: Record<string, string> }[] } };
    const got = body.data.result.map((x) => [x.metric.job, x.metric.pod, x.metric.service_kind, x.metric.namespace]).sort();
    expect(got).toEqual([['stt-a', 'stt-a-0', 'stt', 'ai'], ['stt-b', 'speech-b-0', 'stt', 'ai']]);
  });
});

describe('past the limit', () => {
  test('3,000 services selected by labels that are not their names: one actionable error, not the size guard', () => {
    const services = Array.from({ length: 3000 }, (_, i) => ({
      name: `svc-${i}`, kind: 'http', namespace: 'apps', selector: { app: 'shared', instance: `instance-${i}` }, port: 'http',
    }));
    const doc = { apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1', kind: 'MonitoringStack', metadata: { name: 'big' }, spec: { services } };
    expect(() => new MonitoringStack(new App(), 'stack', { spec: validateSpec(doc) })).toThrow(/spec\.services: their scrape jobs would take \d+ bytes of prometheus\.yml.*3000 of the 3000 services select their pods by something other than one label equal to the service name/);
  });
});
