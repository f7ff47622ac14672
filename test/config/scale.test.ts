/**
 * Scale (issues 11 and 21), not timed (speed is `npm run bench`): the
 * committed 1,000-service specs (bench/services-1000.yaml, monitoring.yaml's
 * services copied; bench/services-1000-two-label.yaml, each selected by two
 * labels of its own, whose jobs once overflowed prometheus.yml) synthesize
 * with every object under 256 KiB, the service jobs spread over scrape config
 * files in bounded ConfigMaps, their Prometheus config (the file set as
 * mounted) and rules pass promtool and load in the real Prometheus, its dashboards pass the synth-time checks (the
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
import { App, Chart } from 'cdk8s';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { MonitoringStack } from '../../charts/stack';
import { MAX_OBJECT_BYTES, renderManifests } from '../../charts/app/output';
import { parseSpecYaml, validateSpec } from '../../charts/spec-load';
import { serviceJobs, serviceScrapeFiles } from '../../charts/components/services/scrape';
import {
  Prometheus,
  SCRAPE_CONFIGMAP_PREFIX,
  SCRAPE_FILES_SUBDIR,
  SCRAPE_SHARD_MAX_BYTES,
} from '../../charts/components/prometheus/construct';
import { allScrapeConfigs, prometheusFiles } from '../lib/prometheus-files';
import type { K8sObject } from '../lib/k8s-validate';
import type { ServiceSpec } from '../../charts/spec-schema';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const ROOT = path.join(__dirname, '..', '..');
/** The generated specs (bench/gen-spec.ts): services selected by `app.kubernetes.io/name: <name>`, and by two labels of their own. */
const SPECS = ['1000', '1000-two-label'] as const;
type SpecName = (typeof SPECS)[number] | '100';
const specOf = (n: SpecName) =>
  parseSpecYaml(fs.readFileSync(path.join(ROOT, 'bench', `services-${n}.yaml`), 'utf8'), `bench/services-${n}.yaml`);

interface Obj {
  kind: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
}

function synthObjects(n: SpecName): { objects: Obj[]; sizes: { name: string; bytes: number }[] } {
  const stack = new MonitoringStack(new App(), 'stack', { spec: specOf(n) });
  const objects: Obj[] = [];
  const sizes: { name: string; bytes: number }[] = [];
  for (const [file, text] of renderManifests(stack)) {
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as Obj | null;
      if (!o?.kind) continue;
      objects.push(o);
      sizes.push({ name: `${file} ${o.kind}/${o.metadata?.name ?? ''}`, bytes: Buffer.byteLength(doc.toString()) });
    }
  }
  return { objects, sizes };
}

const data = (objects: Obj[], name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name)!.data!;

/** The service names a job's relabelling claims: shared alternations `(a|b)` and single rules (`replacement: <name>`). */
function claimedNames(job: { relabel_configs?: { target_label?: string; regex?: string; replacement?: string }[] }): string[] {
  return (job.relabel_configs ?? [])
    .filter((r) => r.target_label === '__tmp_service')
    .flatMap((r) => (r.replacement !== undefined ? [r.replacement] : r.regex!.slice(1, -1).split('|')));
}

/** Each service's number of claims over the jobs whose name starts with `prefix`. */
function claimCounts(
  jobs: { job_name: string; relabel_configs?: { target_label?: string; regex?: string; replacement?: string }[] }[],
  prefix: string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const j of jobs.filter((x) => x.job_name.startsWith(prefix)))
    for (const n of claimedNames(j)) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/** The file set as mounted (prometheus.yml + scrape/*.yml), with in-pod credential files pointing to stand-ins. */
function mountedFiles(objects: Obj[]): Record<string, string> {
  const files = prometheusFiles(objects as K8sObject[]);
  return { ...files, 'prometheus.yml': withPodFiles(files['prometheus.yml']) };
}

describe.each(SPECS)('1,000 declared services (bench/services-%s.yaml)', (name) => {
  const spec = specOf(name);
  const { objects, sizes } = synthObjects(name);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('the spec declares 1,000 services of the ten kinds', () => {
    expect(spec.spec.services).toHaveLength(1000);
    expect(new Set(spec.spec.services.map((s) => s.kind)).size).toBe(10);
    if (name === '1000-two-label')
      for (const s of spec.spec.services)
        expect(Object.keys(s.selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
  });

  test('every object is under 256 KiB serialized', () => {
    expect(MAX_OBJECT_BYTES).toBe(256 * 1024);
    const over = sizes.filter((s) => s.bytes >= MAX_OBJECT_BYTES);
    expect(over).toEqual([]);
    expect(sizes.length).toBeGreaterThan(50);
  });

  test('the service jobs are in the scrape config files, none in prometheus.yml; every ConfigMap under its budget', () => {
    const main = parse(data(objects, 'prometheus-config')['prometheus.yml']);
    expect(main.scrape_config_files).toEqual([`${SCRAPE_FILES_SUBDIR}/*.yml`]);
    expect(main.scrape_configs.filter((j: { job_name: string }) => /^(blackbox-)?services\//.test(j.job_name))).toEqual([]);
    const shards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata!.name!.startsWith(SCRAPE_CONFIGMAP_PREFIX));
    expect(shards.length).toBeGreaterThanOrEqual(1);
    for (const cm of shards) expect(Buffer.byteLength(JSON.stringify(cm.data ?? {}))).toBeLessThanOrEqual(SCRAPE_SHARD_MAX_BYTES);
    // The pod mounts every one of them, and the reloader watches the folder.
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'prometheus') as any;
    const volume = sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'scrape');
    expect(volume.projected.sources.map((x: { configMap: { name: string } }) => x.configMap.name).sort()).toEqual(
      shards.map((o) => o.metadata!.name).sort(),
    );
    const reloader = sts.spec.template.spec.containers.find((c: { name: string }) => c.name === 'config-reloader');
    expect(reloader.env.find((e: { name: string }) => e.name === 'WATCH').value).toContain(`/etc/prometheus/${SCRAPE_FILES_SUBDIR}/*.yml`);
  });

  test('every service is claimed by exactly one scrape job and one probe job; a job per group, or per part of a big group', () => {
    const jobs = allScrapeConfigs(objects as K8sObject[]);
    const services = claimCounts(jobs, 'services/');
    const probes = claimCounts(jobs, 'blackbox-services/');
    for (const s of spec.spec.services) expect([s.name, services.get(s.name), probes.get(s.name)]).toEqual([s.name, 1, 1]);
    expect(services.size).toBe(1000);
    // At most 2 namespaces x 10 kinds (1,000 two-label selectors fit too: ~29 KB a group, no part needed).
    expect(jobs.filter((j) => j.job_name.startsWith('services/')).length).toBeLessThanOrEqual(20);
    expect(new Set(jobs.map((j) => j.job_name)).size).toBe(jobs.length);
  });

  test('promtool check config accepts the file set as mounted (prometheus.yml and scrape/*.yml)', () => {
    const dir = tempFiles(mountedFiles(objects));
    dirs.push(dir);
    const r = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool check config refuses a scrape file it reads (the check covers the files)', () => {
    const files = mountedFiles(objects);
    const file = Object.keys(files).find((f) => f.startsWith(`${SCRAPE_FILES_SUBDIR}/services_`))!;
    const dir = tempFiles({ ...files, [file]: files[file].replace('action: drop', 'action: dorp') });
    dirs.push(dir);
    const r = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(path.basename(file));
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
    const small = stackDashboards(specOf('100').spec);
    expect(big.map((d) => d.uid)).toEqual(small.map((d) => d.uid));
    for (const d of big) expect([d.uid, d.json === small.find((x) => x.uid === d.uid)!.json]).toEqual([d.uid, true]);
    for (const d of big) expect(d.json).not.toContain('vllm-999');
  });
});

describe('scrape config files: assignment', () => {
  const jobsOf = (services: ServiceSpec[]) => serviceScrapeFiles(services, '15s', '10s', 4096);
  const svc = (i: number): ServiceSpec => ({
    name: `svc-${i}`,
    kind: 'http',
    namespace: 'apps',
    selector: { app: `svc-${i}`, release: `r-${i}` },
    port: 'http',
    path: '/metrics',
    scheme: 'http',
  });

  test('a group over the file budget is split into parts; one more service changes one part only', () => {
    const before = jobsOf(Array.from({ length: 100 }, (_, i) => svc(i)));
    const after = jobsOf(Array.from({ length: 101 }, (_, i) => svc(i)));
    expect(before.size).toBeGreaterThan(1);
    expect([...before.keys()]).toEqual([...after.keys()]);
    const changed = [...before.keys()].filter((f) => JSON.stringify(before.get(f)) !== JSON.stringify(after.get(f)));
    expect(changed).toHaveLength(1);
    for (const [, jobs] of after) expect(Buffer.byteLength(stringify({ scrape_configs: jobs }))).toBeLessThanOrEqual(4096);
  });

  test('past what 64 ConfigMaps carry: one error naming spec.services and the fix', () => {
    const prometheus = new Prometheus(new Chart(new App(), 'c'), 'p', { namespace: 'monitoring', instance: 'x' });
    const huge = {
      job_name: 'huge',
      relabel_configs: Array.from({ length: 8000 }, (_, i) => ({ target_label: `l${i}`, replacement: 'x'.repeat(20) })),
    };
    expect(() => prometheus.addScrapeConfigFiles(new Map([['huge.yml', [huge]]]))).toThrow(
      /spec\.services: their scrape and probe jobs take \d+ bytes, more than 64 ConfigMaps.*app\.kubernetes\.io\/name: <name>/,
    );
  });
});

// --- The 1,000-service config and rules loaded by the real Prometheus -----------------------

describe.each(SPECS)('the real Prometheus (the pinned test binary) starts with the config and rules of bench/services-%s.yaml', (name) => {
  let prometheus: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let log = '';
  const { objects } = synthObjects(name);

  beforeAll(async () => {
    const rules = data(objects, 'prometheus-rules');
    // No API server here: Kubernetes discovery stands in as a static unreachable target in every file (relabelling,
    // intervals and rules load as synthesized); the scrape files as mounted beside prometheus.yml, rules from the temp folder.
    const files = mountedFiles(objects);
    const staticDiscovery = (text: string, extra: (c: any) => void = () => {}) => {
      const c = parse(text);
      for (const job of c.scrape_configs ?? []) {
        if (job.kubernetes_sd_configs) {
          delete job.kubernetes_sd_configs;
          job.static_configs = [{ targets: ['127.0.0.1:9'] }];
        }
        // The stand-in CA (withPodFiles) is empty, which Prometheus refuses when it builds the pool's HTTP client.
        if (job.tls_config?.ca_file) delete job.tls_config.ca_file;
      }
      extra(c);
      return stringify(c);
    };
    const staged: Record<string, string> = Object.fromEntries(Object.entries(files).map(([f, t]) => [f, staticDiscovery(t)]));
    for (const [f, t] of Object.entries(rules)) staged[`rules/${f}`] = t;
    dir = tempFiles(staged);
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      staticDiscovery(files['prometheus.yml'], (c) => {
        c.rule_files = [path.join(dir, 'rules', '*.yaml')];
        delete c.alerting;
      }),
    );
    port = await freePort();
    prometheus = spawn(
      tool('prometheus'),
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d) => {
      log += d;
    });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
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

  test('every scrape job (prometheus.yml and every scrape file) and rule group is loaded', async () => {
    const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: unknown[] }[] };
    };
    const groups = r.data.groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['applications', 'service-thresholds']));
    expect(r.data.groups.find((g) => g.name === 'service-thresholds')!.rules.length).toBe(100);
    const jobs = allScrapeConfigs(objects as K8sObject[])
      .map((j) => j.job_name)
      .sort();
    expect(jobs.filter((j) => j.startsWith('services/')).length).toBeGreaterThanOrEqual(10); // one per kind at least
    // The scrape manager creates its pools from the first discovery update (a few seconds after ready).
    let pools: string[] = [];
    for (
      const deadline = Date.now() + 20000;
      Date.now() < deadline && pools.length < jobs.length;
      await new Promise((w) => setTimeout(w, 500))
    ) {
      pools = ((await (await fetch(`http://127.0.0.1:${port}/api/v1/scrape_pools`)).json()) as { data: { scrapePools: string[] } }).data
        .scrapePools;
    }
    expect([...pools].sort()).toEqual(jobs);
    expect(log).not.toMatch(/level=error/);
  }, 40000);
});

// --- Grouped jobs through the real Prometheus -----------------------------------------------

describe('grouped service jobs on the real Prometheus (the pinned test binary, 127.0.0.1)', () => {
  let prometheus: ChildProcess | undefined;
  let server: http.Server | undefined;
  let dir = '';
  let port = 0;
  let log = '';

  const SERVICES: ServiceSpec[] = [
    {
      name: 'stt-a',
      kind: 'stt',
      namespace: 'ai',
      selector: { 'app.kubernetes.io/name': 'stt-a' },
      port: 'http',
      path: '/metrics',
      scheme: 'http',
    },
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
        __meta_kubernetes_namespace: 'ai',
        __meta_kubernetes_pod_name: name,
        __meta_kubernetes_pod_container_name: 'app',
        __meta_kubernetes_pod_container_port_name: portName,
        __meta_kubernetes_pod_node_name: 'node-a',
        __meta_kubernetes_pod_phase: 'Running',
        __param_pod: name,
        ...labels,
      },
    });
    (job as unknown as Record<string, unknown>).static_configs = [
      pod('stt-a-0', { __meta_kubernetes_pod_label_app_kubernetes_io_name: 'stt-a' }),
      pod('speech-b-0', { __meta_kubernetes_pod_label_app: 'speech', __meta_kubernetes_pod_label_tier: 'b' }),
      pod('speech-c-0', { __meta_kubernetes_pod_label_app: 'speech', __meta_kubernetes_pod_label_tier: 'c' }),
      pod('stt-a-1', { __meta_kubernetes_pod_label_app_kubernetes_io_name: 'stt-a' }, 'grpc'),
    ];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prom-groups-'));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      stringify({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [job] }),
    );
    const check = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    if (check.status !== 0) throw new Error(check.stdout + check.stderr);
    port = await freePort();
    prometheus = spawn(
      tool('prometheus'),
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d) => {
      log += d;
    });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=demo_metric`);
        const body = (await r.json()) as { data: { result: unknown[] } };
        if (body.data.result.length >= 2) break;
      } catch {
        /* not listening yet */
      }
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
    const body = (await r.json()) as { data: { result: { metric: Record<string, string> }[] } };
    const got = body.data.result.map((x) => [x.metric.job, x.metric.pod, x.metric.service_kind, x.metric.namespace]).sort();
    expect(got).toEqual([
      ['stt-a', 'stt-a-0', 'stt', 'ai'],
      ['stt-b', 'speech-b-0', 'stt', 'ai'],
    ]);
  });
});

describe('3,000 services selected by labels that are not their names', () => {
  test('synthesize, every object under 256 KiB (the scrape files spread over more ConfigMaps)', () => {
    const services = Array.from({ length: 3000 }, (_, i) => ({
      name: `svc-${i}`,
      kind: 'http',
      namespace: 'apps',
      selector: { app: 'shared', instance: `instance-${i}` },
      port: 'http',
    }));
    const doc = { apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1', kind: 'MonitoringStack', metadata: { name: 'big' }, spec: { services } };
    const files = renderManifests(new MonitoringStack(new App(), 'stack', { spec: validateSpec(doc) }));
    const docs = [...files.values()].flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
    expect(docs.filter((o) => o.kind === 'ConfigMap' && o.metadata!.name!.startsWith(SCRAPE_CONFIGMAP_PREFIX)).length).toBeGreaterThan(2);
    expect(docs.filter((o) => Buffer.byteLength(JSON.stringify(o)) >= MAX_OBJECT_BYTES).map((o) => o.metadata?.name)).toEqual([]);
    expect(claimCounts(allScrapeConfigs(docs as K8sObject[]), 'services/').size).toBe(3000);
  });
});
