/**
 * Remote write with real programs on 127.0.0.1 (issue 12): a real Prometheus
 * scraping a real node-exporter sends, through the synthesized `remote_write`
 * block, to a second real Prometheus started with
 * `--web.enable-remote-write-receiver`. A small loopback proxy in front of the
 * receiver records the path, headers and credentials each request carries and
 * forwards the body unchanged.
 *
 * - An HA pair (replicas: 2, preset mimir, basic auth from a Secret, tenant,
 *   keep/drop lists): both replicas' series arrive with `cluster` and
 *   `__replica__` = the pod name, the write relabelling filters apply, and the
 *   proxy sees /api/v1/push, X-Scope-OrgID and the Basic credentials read
 *   from the mounted Secret file.
 * - Agent mode (preset thanos-receive, bearer token from a Secret): the same
 *   binary with the StatefulSet's agent flags forwards node-exporter's series.
 *
 * Binary: test/lib/tools.ts' prometheus, the pinned 3.5.0 (the deployed
 * image) under .cache/bin; the StatefulSet's flags are passed as synthesized.
 *
 * What the test rewrites is what a cluster provides: Kubernetes discovery
 * becomes static targets with the discovery labels, container paths (config,
 * data, the mounted Secret keys) become temp files, POD_NAME comes from the
 * environment as the fieldRef provides it, and the receiver's host is the
 * proxy's 127.0.0.1 port (set through the spec's url).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { REFS_DIR } from '../../charts/components/prometheus/construct';
import { configMapData } from '../lib/dist';
import { freePort, Procs } from '../lib/procs';
import { find, synth } from '../lib/synth';
import { goModuleVersion, tool } from '../lib/tools';

jest.setTimeout(180_000);

const PROMETHEUS = tool('prometheus');
const NODE_EXPORTER = tool('prometheus-node-exporter');
/** The go-built pinned binary carries its module version (go version -m). */
const VERSION_TEXT = `module ${goModuleVersion(PROMETHEUS, 'github.com/prometheus/prometheus') ?? 'unknown'}`;
const WAIT_MS = 90_000;
const NODE = 'rw-node';

interface Recorded {
  path: string;
  headers: http.IncomingHttpHeaders;
}

const procs = new Procs();
let proxy: http.Server | undefined;
let tmp = '';
const recorded: Recorded[] = [];
const ports = { receiver: 0, proxy: 0, nodeExporter: 0, sender0: 0, sender1: 0, agent: 0 };

/** Starts a program; its output is kept for failure messages (Procs), the extra env on top of the test's own. */
const start = (name: string, bin: string, args: string[], env: Record<string, string> = {}) =>
  procs.start(name, bin, args, { env: { ...process.env, ...env } });
const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) => procs.waitFor(what, probe, WAIT_MS);

type Series = { metric: Record<string, string>; value: [number, string] }[];
async function query(q: string): Promise<Series> {
  const res = await fetch(`http://127.0.0.1:${ports.receiver}/api/v1/query?query=${encodeURIComponent(q)}`, {
    signal: AbortSignal.timeout(2_000),
  });
  return ((await res.json()) as { data: { result: Series } }).data.result;
}

/** A static target standing in for the discovered node-exporter pod. */
const nodeExporterTarget = () => ({
  targets: [`127.0.0.1:${ports.nodeExporter}`],
  labels: {
    __meta_kubernetes_namespace: 'monitoring-agents',
    __meta_kubernetes_pod_name: 'node-exporter-rw01',
    __meta_kubernetes_pod_container_name: 'node-exporter',
    __meta_kubernetes_pod_container_port_name: 'metrics',
    __meta_kubernetes_pod_node_name: NODE,
    __meta_kubernetes_pod_phase: 'Running',
  },
});

/** What the pod would run, on 127.0.0.1: the synthesized args, config and mounted Secret keys. */
function prepareSender(
  name: string,
  objects: ReturnType<typeof synth>['objects'],
  secrets: Record<string, string>,
  port: number,
): string[] {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const prom = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
  // Only node-exporter runs here: the other jobs would only add down targets.
  prom.scrape_configs = prom.scrape_configs.filter((j: { job_name: string }) => j.job_name === 'node-exporter');
  expect(prom.scrape_configs).toHaveLength(1);
  delete prom.scrape_configs[0].kubernetes_sd_configs;
  prom.scrape_configs[0].static_configs = [nodeExporterTarget()];
  delete prom.alerting; // no Alertmanager here (the alerting block is checked by promtool in test/config)
  if (prom.rule_files) {
    fs.mkdirSync(path.join(dir, 'rules'));
    prom.rule_files = [path.join(dir, 'rules', '*.yaml')];
  }
  // The mounted Secret keys: the same relative paths under the temp dir.
  for (const rw of prom.remote_write) {
    for (const holder of [rw.basic_auth, rw.authorization]) {
      for (const field of ['password_file', 'credentials_file']) {
        const file: string | undefined = holder?.[field];
        if (!file) continue;
        expect(file.startsWith(`${REFS_DIR}/`)).toBe(true);
        const rel = file.slice(REFS_DIR.length + 1);
        const local = path.join(dir, 'refs', rel);
        fs.mkdirSync(path.dirname(local), { recursive: true });
        fs.writeFileSync(local, secrets[rel] ?? '');
        holder[field] = local;
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(prom));

  const container = find(objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
  return (container.args as string[]).flatMap((a) => {
    if (a.startsWith('--config.file=')) return [`--config.file=${path.join(dir, 'prometheus.yml')}`];
    if (a.startsWith('--storage.tsdb.path=') || a.startsWith('--storage.agent.path='))
      return [`${a.split('=')[0]}=${path.join(dir, 'data')}`];
    if (a.startsWith('--web.listen-address=')) return [`--web.listen-address=127.0.0.1:${port}`];
    // The test's readiness checks and queries go in unauthenticated; basic auth is proven by test/e2e/web-auth.test.ts.
    if (a.startsWith('--web.config.file=')) return [];
    return [a];
  });
}

const COMMON = {
  prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false },
  cadvisor: { enabled: false },
  gpu: { enabled: false },
  kubeStateMetrics: { enabled: false },
  kubelet: { volumeStats: { enabled: false } },
  loki: { enabled: false },
  grafana: { enabled: false },
};

describe(`remote write through the synthesized config (prometheus ${VERSION_TEXT})`, () => {
  let haObjects: ReturnType<typeof synth>['objects'] = [];

  beforeAll(async () => {
    for (const b of [PROMETHEUS, NODE_EXPORTER])
      if (!fs.existsSync(b)) throw new Error(`${b} is missing: run npm run test:all (installs the tools)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-write-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();

    // The proxy: records each request's path and headers, forwards the body to the receiver.
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        recorded.push({ path: req.url ?? '', headers: req.headers });
        const forward = http.request(
          {
            host: '127.0.0.1',
            port: ports.receiver,
            path: '/api/v1/write',
            method: 'POST',
            headers: Object.fromEntries(
              ['content-type', 'content-encoding', 'x-prometheus-remote-write-version']
                .filter((h) => req.headers[h])
                .map((h) => [h, req.headers[h] as string]),
            ),
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502);
            up.pipe(res);
          },
        );
        forward.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        forward.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => proxy!.listen(ports.proxy, '127.0.0.1', () => resolve()));

    fs.writeFileSync(path.join(tmp, 'receiver.yml'), stringify({ global: { scrape_interval: '1m' }, scrape_configs: [] }));
    start('receiver', PROMETHEUS, [
      `--config.file=${path.join(tmp, 'receiver.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'receiver-data')}`,
      `--web.listen-address=127.0.0.1:${ports.receiver}`,
      '--web.enable-remote-write-receiver',
    ]);
    start('node-exporter', NODE_EXPORTER, [
      `--web.listen-address=127.0.0.1:${ports.nodeExporter}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.loadavg',
    ]);

    // --- The HA pair: mimir preset, basic auth, tenant, keep/drop lists.
    haObjects = synth({
      ...COMMON,
      cluster: 'gpu-ha',
      prometheus: {
        ...COMMON.prometheus,
        replicas: 2,
        remoteWrite: [
          {
            name: 'mimir',
            preset: 'mimir',
            url: `http://127.0.0.1:${ports.proxy}`,
            tenant: 'team-gpu',
            auth: { basic: { username: 'gpu-ha', password: { name: 'mimir-credentials', key: 'password' } } },
            keepMetrics: ['node_.*', 'up'],
            dropMetrics: ['node_cpu_seconds_total'],
            queue: { batchSendDeadline: '1s' },
            metadata: { sendInterval: '5s' },
          },
        ],
      },
    }).objects;
    const secrets = { 'secrets/mimir-credentials/password': 's3cr3t-from-the-secret' };
    start('sender-0', PROMETHEUS, prepareSender('sender-0', haObjects, secrets, ports.sender0), { POD_NAME: 'prometheus-0' });
    start('sender-1', PROMETHEUS, prepareSender('sender-1', haObjects, secrets, ports.sender1), { POD_NAME: 'prometheus-1' });

    // --- Agent mode: thanos-receive preset, bearer token.
    const agentObjects = synth({
      ...COMMON,
      cluster: 'gpu-agent',
      prometheus: {
        ...COMMON.prometheus,
        mode: 'agent',
        remoteWrite: [
          {
            name: 'thanos',
            preset: 'thanos-receive',
            url: `http://127.0.0.1:${ports.proxy}`,
            tenant: 'tenant-b',
            auth: { bearer: { token: { name: 'thanos-token', key: 'token' } } },
            queue: { batchSendDeadline: '1s' },
          },
        ],
      },
    }).objects;
    start('agent', PROMETHEUS, prepareSender('agent', agentObjects, { 'secrets/thanos-token/token': 'agent-bearer-token' }, ports.agent), {
      POD_NAME: 'prometheus-0',
    });

    await waitFor('the receiver ready', async () =>
      (await fetch(`http://127.0.0.1:${ports.receiver}/-/ready`)).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await procs.stopAll();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('both replicas of the HA pair deliver node-exporter series with cluster and __replica__', async () => {
    const series = await waitFor('node_load15 from both replicas', async () => {
      const r = await query('node_load15{cluster="gpu-ha"}');
      return r.length === 2 ? r : undefined;
    });
    expect(series.map((s) => s.metric.__replica__).sort()).toEqual(['prometheus-0', 'prometheus-1']);
    for (const s of series) {
      expect(s.metric).toMatchObject({
        cluster: 'gpu-ha',
        job: 'node-exporter',
        instance: NODE,
        namespace: 'monitoring-agents',
        pod: 'node-exporter-rw01',
      });
    }
  });

  test('write relabelling: kept names arrive, dropped and unlisted names do not', async () => {
    await waitFor('up and node_memory_MemTotal_bytes', async () => {
      const [up, mem] = await Promise.all([query('up{cluster="gpu-ha"}'), query('node_memory_MemTotal_bytes{cluster="gpu-ha"}')]);
      return up.length === 2 && mem.length === 2 ? true : undefined;
    });
    // Present at the source (the scrape job keeps it), absent at the receiver: the drop list applied.
    const atSource = await fetch(
      `http://127.0.0.1:${ports.sender0}/api/v1/query?query=${encodeURIComponent('count(node_cpu_seconds_total)')}`,
    );
    expect(((await atSource.json()) as { data: { result: unknown[] } }).data.result).toHaveLength(1);
    expect(await query('node_cpu_seconds_total{cluster="gpu-ha"}')).toEqual([]);
    // Not on the keep list (Prometheus' own scrape_* series).
    expect(await query('scrape_duration_seconds{cluster="gpu-ha"}')).toEqual([]);
    expect(await query('scrape_samples_scraped{cluster="gpu-ha"}')).toEqual([]);
  });

  test("the proxy saw the preset path, the tenant header and the Secret's credentials", async () => {
    const basic = `Basic ${Buffer.from('gpu-ha:s3cr3t-from-the-secret').toString('base64')}`;
    await waitFor('a request from the HA pair', () => (recorded.some((r) => r.headers.authorization === basic) ? true : undefined));
    const mimir = recorded.filter((r) => r.headers.authorization === basic);
    for (const r of mimir) {
      expect(r.path).toBe('/api/v1/push');
      expect(r.headers['content-encoding']).toBe('snappy');
      expect(r.headers['x-scope-orgid']).toBe('team-gpu');
    }
    const loaded = parse(fs.readFileSync(path.join(tmp, 'sender-0', 'prometheus.yml'), 'utf8'));
    expect(loaded.remote_write[0].headers).toEqual({ 'X-Scope-OrgID': 'team-gpu' });
  });

  test('agent mode runs the real binary with the synthesized flags and forwards', async () => {
    const series = await waitFor('node_load15 from the agent', async () => {
      const r = await query('node_load15{cluster="gpu-agent"}');
      return r.length === 1 ? r : undefined;
    });
    expect(series[0].metric).toMatchObject({ cluster: 'gpu-agent', job: 'node-exporter', instance: NODE });
    expect(series[0].metric.__replica__).toBeUndefined(); // one replica: no replica label
    const thanos = recorded.filter((r) => r.headers.authorization === 'Bearer agent-bearer-token');
    expect(thanos.length).toBeGreaterThan(0);
    for (const r of thanos) {
      expect(r.path).toBe('/api/v1/receive');
      expect(r.headers['thanos-tenant']).toBe('tenant-b');
    }
    // The agent's own API: no query engine (agent mode answers 422/404 on queries, never data).
    const res = await fetch(`http://127.0.0.1:${ports.agent}/api/v1/query?query=up`);
    expect(res.status).not.toBe(200);
  });

  test("the HA pair's pods mount the referenced Secret key where the config reads it", () => {
    const sts = find(haObjects, 'StatefulSet', 'prometheus');
    const pod = sts.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual(
      expect.objectContaining({ mountPath: `${REFS_DIR}/secrets/mimir-credentials`, readOnly: true }),
    );
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({ secret: { secretName: 'mimir-credentials', items: [{ key: 'password', path: 'password' }] } }),
    );
    expect(pod.containers[0].env).toContainEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    });
  });
});
