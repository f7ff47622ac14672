/**
 * A real alert, end to end, on 127.0.0.1: Prometheus 3 and Alertmanager at
 * the versions of TOOL_PINS and Debian's prometheus-node-exporter run with the rules,
 * prometheus.yml and alertmanager.yml synthesized from a spec. Stopping
 * node-exporter must reach the receiver (standing in for the Teams bridge) as
 * a TargetDown notification with the right labels, grouping and severity;
 * starting it again must deliver the resolved notification.
 *
 * Short intervals come from the spec (scrape/evaluation 1s, TargetDown after
 * 3s, group_wait/group_interval 1s), not from editing files. The rewrites are
 * the ones a cluster does for us: Kubernetes discovery becomes static targets
 * (carrying the discovery labels the relabelling expects, so relabelling runs
 * as synthesized), in-cluster addresses become 127.0.0.1 ports, the bridge URL
 * points at the test receiver, and rule_files points where the rules were
 * written (the pod mounts them at /etc/prometheus/rules).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { configMapData } from '../lib/dist';
import { find, synth } from '../lib/synth';
import { atWebAuthDir, makeWebAuthSecret, type WebAuthFiles } from '../lib/web-auth';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

jest.setTimeout(180_000);

const BIN = {
  prometheus: tool('prometheus'),
  alertmanager: tool('alertmanager'),
  nodeExporter: tool('prometheus-node-exporter'),
};
const WAIT_MS = 60_000;
const NODE = 'e2e-node';

interface Notification {
  receivedAt: number;
  path: string;
  body: {
    receiver: string;
    status: 'firing' | 'resolved';
    groupLabels: Record<string, string>;
    commonLabels: Record<string, string>;
    alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  };
}

const processes: ChildProcess[] = [];
const logs: Record<string, string> = {};
let server: http.Server | undefined;
let tmp = '';

function start(name: string, bin: string, args: string[]): ChildProcess {
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  logs[name] = '';
  const keep = (d: Buffer) => {
    logs[name] = (logs[name] + d.toString()).slice(-20_000);
  };
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  processes.push(p);
  return p;
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}\n${Object.entries(logs)
          .map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`)
          .join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Prometheus and Alertmanager enforce basic auth (spec.webAuth): the header of the web-auth Secret's user. */
let authorization = '';

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000), headers: authorization ? { authorization } : {} });
  return { status: res.status, body: await res.text() };
}

/** A static target standing in for a discovered pod: the labels Kubernetes discovery would attach. */
function staticPod(address: string, portName: string, namespace: string, pod: string) {
  return {
    targets: [address],
    labels: {
      __meta_kubernetes_namespace: namespace,
      __meta_kubernetes_pod_name: pod,
      __meta_kubernetes_pod_container_name: pod.replace(/-[^-]+$/, ''),
      __meta_kubernetes_pod_container_port_name: portName,
      __meta_kubernetes_pod_node_name: NODE,
      __meta_kubernetes_pod_phase: 'Running',
    },
  };
}

describe('end to end: node-exporter down -> Prometheus -> Alertmanager -> receiver', () => {
  const notifications: Notification[] = [];
  const ports = { prometheus: 0, alertmanager: 0, nodeExporter: 0, receiver: 0 };
  let nodeExporter: ChildProcess;
  const timings: Record<string, number> = {};

  const startNodeExporter = () =>
    start('node-exporter', BIN.nodeExporter, [
      `--web.listen-address=127.0.0.1:${ports.nodeExporter}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.loadavg',
      '--collector.filesystem',
    ]);

  beforeAll(async () => {
    for (const b of Object.values(BIN))
      if (!fs.existsSync(b)) throw new Error(`${b} is missing: run npm run test:all (installs the Debian packages)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-alert-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    // The web-auth Secret, made as README says, "mounted" in a temp dir instead of /etc/web-auth.
    const auth: WebAuthFiles = makeWebAuthSecret(path.join(tmp, 'web-auth'));
    authorization = auth.header;

    // The test receiver: records Alertmanager's webhook calls; serves an empty /metrics for the bridge's scrape job.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        if (req.method === 'POST') notifications.push({ receivedAt: Date.now(), path: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('');
      });
    });
    await new Promise<void>((resolve) => server!.listen(ports.receiver, '127.0.0.1', () => resolve()));

    // --- Synthesize with short intervals, set through the spec.
    const { objects } = synth({
      prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false },
      cadvisor: { enabled: false },
      // Components with no binary here stay off, so their jobs do not turn into TargetDown noise.
      gpu: { enabled: false },
      kubeStateMetrics: { enabled: false },
      kubelet: { volumeStats: { enabled: false } },
      loki: { enabled: false },
      grafana: { enabled: false },
      // Probes are tested on their own (test/e2e/blackbox.test.ts).
      blackboxExporter: { enabled: false },
      alerting: {
        thresholds: { targetDownFor: '3s' },
        route: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
      },
    });
    const rules = configMapData(objects, 'prometheus-rules');
    const rulesDir = path.join(tmp, 'rules');
    fs.mkdirSync(rulesDir);
    for (const [file, text] of Object.entries(rules)) fs.writeFileSync(path.join(rulesDir, file), text);

    // --- prometheus.yml: discovery -> static targets on 127.0.0.1, rule_files -> where the rules are.
    const prom = parse(atWebAuthDir(configMapData(objects, 'prometheus-config')['prometheus.yml'], auth.dir));
    const targets: Record<string, ReturnType<typeof staticPod>> = {
      prometheus: staticPod(`127.0.0.1:${ports.prometheus}`, 'web', 'monitoring', 'prometheus-0'),
      'node-exporter': staticPod(`127.0.0.1:${ports.nodeExporter}`, 'metrics', 'monitoring-agents', 'node-exporter-e2e01'),
      alertmanager: staticPod(`127.0.0.1:${ports.alertmanager}`, 'web', 'monitoring', 'alertmanager-0'),
      'prometheus-msteams': staticPod(`127.0.0.1:${ports.receiver}`, 'http', 'monitoring', 'prometheus-msteams-e2e01'),
    };
    expect(prom.scrape_configs.map((j: { job_name: string }) => j.job_name).sort()).toEqual(Object.keys(targets).sort());
    for (const job of prom.scrape_configs) {
      delete job.kubernetes_sd_configs;
      job.static_configs = [targets[job.job_name]];
    }
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager-0.alertmanager-headless.monitoring.svc:9093']);
    prom.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${ports.alertmanager}`];
    prom.rule_files = [path.join(rulesDir, '*.yaml')];
    fs.writeFileSync(path.join(tmp, 'prometheus.yml'), stringify(prom));

    // --- alertmanager.yml from the Secret: the bridge URL -> the test receiver.
    const secret = find(objects, 'Secret', 'alertmanager-config');
    const amText = Buffer.from(secret.data['alertmanager.yml'], 'base64').toString('utf8');
    const bridge = 'http://prometheus-msteams.monitoring.svc:2000';
    expect(amText).toContain(bridge);
    fs.writeFileSync(path.join(tmp, 'alertmanager.yml'), amText.split(bridge).join(`http://127.0.0.1:${ports.receiver}`));

    // --- Start everything.
    start('alertmanager', BIN.alertmanager, [
      `--config.file=${path.join(tmp, 'alertmanager.yml')}`,
      `--storage.path=${path.join(tmp, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      '--cluster.listen-address=',
      `--web.config.file=${path.join(auth.dir, 'web-config.yml')}`,
    ]);
    nodeExporter = startNodeExporter();
    start('prometheus', BIN.prometheus, [
      `--config.file=${path.join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      '--rules.alert.resend-delay=1s',
      `--web.config.file=${path.join(auth.dir, 'web-config.yml')}`,
    ]);
    await waitFor('Alertmanager ready', async () =>
      (await get(`http://127.0.0.1:${ports.alertmanager}/-/ready`)).status === 200 ? true : undefined,
    );
    await waitFor('Prometheus ready', async () =>
      (await get(`http://127.0.0.1:${ports.prometheus}/-/ready`)).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await Promise.all(processes.map(stop));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });

    console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
  });

  const query = async (q: string) => {
    const r = await get(`http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
    return JSON.parse(r.body).data.result as { metric: Record<string, string>; value: [number, string] }[];
  };

  test('node-exporter is scraped through the synthesized relabelling', async () => {
    const up = await waitFor('up{job="node-exporter"} == 1', async () => {
      const r = await query('up{job="node-exporter"}');
      return r.length === 1 && r[0].value[1] === '1' ? r[0] : undefined;
    });
    // instance is the node name (INSTANCE_IS_NODE); pod labels come from the discovery labels.
    expect(up.metric).toMatchObject({
      job: 'node-exporter',
      instance: NODE,
      namespace: 'monitoring-agents',
      pod: 'node-exporter-e2e01',
      node: NODE,
    });
    // Prometheus and Alertmanager enforce basic auth; their own jobs log in with the password file.
    for (const job of ['prometheus', 'alertmanager']) {
      await waitFor(`up{job="${job}"} == 1`, async () => {
        const r = await query(`up{job="${job}"}`);
        return r.length === 1 && r[0].value[1] === '1' ? true : undefined;
      });
    }
    // Prometheus found the Alertmanager.
    await waitFor('Prometheus connected to Alertmanager', async () => {
      const r = await query('prometheus_notifications_alertmanagers_discovered');
      return r.length && Number(r[0].value[1]) === 1 ? true : undefined;
    });
  });

  test('stopping node-exporter delivers a critical TargetDown, grouped by alertname/job/instance', async () => {
    const stoppedAt = Date.now();
    await stop(nodeExporter);
    const firing = await waitFor('a firing TargetDown notification', () =>
      notifications.find(
        (n) =>
          n.body.status === 'firing' && n.body.alerts.some((a) => a.labels.alertname === 'TargetDown' && a.labels.job === 'node-exporter'),
      ),
    );
    timings.stopToFiringNotification = firing.receivedAt - stoppedAt;

    expect(firing.path).toBe('/teams'); // the bridge's channel path
    expect(firing.body.receiver).toBe('critical');
    expect(firing.body.groupLabels).toEqual({ alertname: 'TargetDown', job: 'node-exporter', instance: NODE });
    expect(firing.body.alerts).toHaveLength(1);
    const [alert] = firing.body.alerts;
    expect(alert.labels).toEqual({
      alertname: 'TargetDown',
      severity: 'critical',
      job: 'node-exporter',
      instance: NODE,
      namespace: 'monitoring-agents',
      pod: 'node-exporter-e2e01',
      container: 'node-exporter',
      node: NODE,
    });
    expect(alert.annotations).toEqual({
      summary: `Scrape target node-exporter/${NODE} is down`,
      description: `Prometheus has failed to scrape node-exporter target ${NODE} for more than 3s (up = 0).`,
      runbook_url: 'https://github.com/cdk8s-ai/cdk8s-ai-monitoring/blob/main/docs/runbooks.md#targetdown',
    });
    // Nothing else about node-exporter reached the receiver: its other alerts are inhibited or silent.
    const others = notifications
      .flatMap((n) => n.body.alerts)
      .filter((a) => a.labels.job === 'node-exporter' && a.labels.alertname !== 'TargetDown');
    expect(others).toEqual([]);
  });

  test('restarting node-exporter delivers the resolved notification', async () => {
    const restartedAt = Date.now();
    nodeExporter = startNodeExporter();
    const resolved = await waitFor('a resolved TargetDown notification', () =>
      notifications.find(
        (n) =>
          n.body.status === 'resolved' &&
          n.body.alerts.some((a) => a.labels.alertname === 'TargetDown' && a.labels.job === 'node-exporter'),
      ),
    );
    timings.restartToResolvedNotification = resolved.receivedAt - restartedAt;
    expect(resolved.body.receiver).toBe('critical');
    expect(resolved.body.groupLabels).toEqual({ alertname: 'TargetDown', job: 'node-exporter', instance: NODE });
    expect(resolved.body.alerts[0]).toMatchObject({
      status: 'resolved',
      labels: { alertname: 'TargetDown', severity: 'critical', instance: NODE },
    });
  });
});
