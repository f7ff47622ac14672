/**
 * The blackbox exporter for real, on 127.0.0.1: the blackbox exporter at
 * its pinned version (TOOL_PINS) runs the synthesized blackbox.yml, and the
 * pinned Prometheus scrapes it with the synthesized probe jobs and loads
 * the synthesized blackbox.yaml rules. The probed "Ingress hosts" are
 * loopback HTTPS servers whose certificates (signed by a test CA, generated
 * with openssl) expire in 2 and 10 days; another (60 days) answers 401 like a
 * host behind basic auth; one port has nothing listening; the "services" are a
 * loopback HTTP server and a closed port. Expected: TlsCertificateExpiringSoon
 * critical (2 days) and warning (10 days), BlackboxProbeFailed for the closed
 * ports (critical for the host, warning for the service), and no alert for
 * the healthy targets.
 *
 * Short intervals come from the spec (probe interval 1s, downFor 2s). The
 * rewrites are the ones a cluster does for us: Kubernetes discovery of the
 * services' pods becomes static targets carrying the discovery labels the
 * relabelling expects, the Ingress hosts become the loopback servers, the
 * exporter's Service address becomes its loopback port, and the exporter
 * trusts the test CA through SSL_CERT_FILE (as a pod trusts its system CAs).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { TOOL_PINS } from '../../charts/core/images';
import { configMapData } from '../lib/dist';
import { synth } from '../lib/synth';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';
import { withScrapeFilesInlined } from '../lib/prometheus-files';

jest.setTimeout(180_000);

/** The pinned programs (TOOL_PINS in charts/core/images.ts, installed by scripts/install-tools.ts). */
const BIN = { prometheus: tool('prometheus'), blackbox: tool(TOOL_PINS.blackboxExporter.bins[0]), openssl: tool('openssl') };
const WAIT_MS = 90_000;

const processes: ChildProcess[] = [];
const servers: net.Server[] = [];
const logs: Record<string, string> = {};
let tmp = '';
let synthDir = '';

function start(name: string, bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
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

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
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

function openssl(args: string[]): void {
  const r = spawnSync(BIN.openssl, args, { cwd: tmp, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A leaf certificate for localhost / 127.0.0.1, signed by the test CA, valid for `days`. */
function leaf(name: string, days: number): { key: string; cert: string } {
  fs.writeFileSync(path.join(tmp, `${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    '/CN=localhost',
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    String(days),
    '-extfile',
    `${name}.ext`,
  ]);
  return { key: fs.readFileSync(path.join(tmp, `${name}.key`), 'utf8'), cert: fs.readFileSync(path.join(tmp, `${name}.pem`), 'utf8') };
}

async function listen(server: net.Server, port: number): Promise<void> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

interface Alert {
  labels: Record<string, string>;
  state: string;
}

describe('blackbox exporter: synthesized modules, jobs and rules against loopback servers', () => {
  const ports = { prometheus: 0, blackbox: 0, tls2d: 0, tls10d: 0, auth: 0, hostDown: 0, web: 0, serviceDown: 0 };
  const webPaths: string[] = [];
  let prometheusUrl = '';

  beforeAll(async () => {
    for (const b of Object.values(BIN))
      if (!fs.existsSync(b)) throw new Error(`${b} is missing: run npm run test:all (installs the Debian packages)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'blackbox-e2e-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;

    // --- Certificates: a test CA and two leaves expiring in 2 and 10 days.
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '90',
      '-subj',
      '/CN=blackbox test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const short = leaf('two-days', 2);
    const longer = leaf('ten-days', 10);
    const far = leaf('sixty-days', 60);
    const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200);
      res.end('ok');
    };
    await listen(https.createServer(short, ok), ports.tls2d);
    await listen(https.createServer(longer, ok), ports.tls10d);
    await listen(
      https.createServer(far, (_req, res) => {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' });
        res.end();
      }),
      ports.auth,
    );
    await listen(
      http.createServer((req, res) => {
        webPaths.push(req.url ?? '');
        res.writeHead(200);
        res.end('ok');
      }),
      ports.web,
    );

    // --- Synthesize: two Ingress hosts (Grafana, and Prometheus behind basic auth), two services.
    const { dir, objects } = synth({
      prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false },
      ingress: { domain: 'example.test', prometheus: { enabled: true }, tls: { clusterIssuer: 'letsencrypt-test' } },
      services: [
        { name: 'web', kind: 'http', namespace: 'apps', selector: { 'app.kubernetes.io/name': 'web' }, port: 'http' },
        { name: 'gone', kind: 'http', namespace: 'apps', selector: { 'app.kubernetes.io/name': 'gone' }, port: 8080 },
      ],
      blackboxExporter: { interval: '1s', timeout: '1s', servicePaths: { web: '/healthz' }, alerts: { downFor: '2s' } },
    });
    synthDir = path.dirname(dir);

    // blackbox.yml exactly as synthesized; the exporter's own check first.
    const bbYml = configMapData(objects, 'blackbox-exporter-config')['blackbox.yml'];
    fs.writeFileSync(path.join(tmp, 'blackbox.yml'), bbYml);
    const check = spawnSync(BIN.blackbox, [`--config.file=${path.join(tmp, 'blackbox.yml')}`, '--config.check'], { encoding: 'utf8' });
    expect([check.status, check.stdout + check.stderr]).toEqual([0, expect.stringContaining('Config file is ok')]);

    const rulesDir = path.join(tmp, 'rules');
    fs.mkdirSync(rulesDir);
    fs.writeFileSync(path.join(rulesDir, 'blackbox.yaml'), configMapData(objects, 'prometheus-rules')['blackbox.yaml']);

    // --- prometheus.yml: the synthesized probe jobs, with the cluster's addresses swapped for loopback ones.
    // The services' probe jobs live in the scrape config files (scrape/*.yml): inlined beside those of prometheus.yml.
    const prom = withScrapeFilesInlined(parse(configMapData(objects, 'prometheus-config')['prometheus.yml']), objects);
    const job = (name: string) => prom.scrape_configs.find((j: { job_name: string }) => j.job_name === name);
    const ingressJob = job('blackbox-ingress');
    expect(ingressJob.static_configs).toEqual([
      { targets: ['https://grafana.example.test/'], labels: { __param_module: 'https_2xx' } },
      { targets: ['https://prometheus.example.test/'], labels: { __param_module: 'https_2xx_or_401' } },
    ]);
    ingressJob.static_configs[0].targets = [ports.tls2d, ports.tls10d, ports.hostDown].map((p) => `https://localhost:${p}/`);
    ingressJob.static_configs[1].targets = [`https://localhost:${ports.auth}/`];
    const pod = (address: string, app: string, portName: string, portNumber: string, name: string) => ({
      targets: [address],
      labels: {
        __meta_kubernetes_namespace: 'apps',
        __meta_kubernetes_pod_name: name,
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_label_app_kubernetes_io_name: app,
        __meta_kubernetes_pod_container_port_name: portName,
        __meta_kubernetes_pod_container_port_number: portNumber,
      },
    });
    // The services' probe jobs: one per group (namespace, port, scheme, path); discovery becomes static pods.
    const webJob = job('blackbox-services/apps/http');
    const goneJob = job('blackbox-services/apps/8080');
    for (const j of [webJob, goneJob]) delete j.kubernetes_sd_configs;
    webJob.static_configs = [
      pod(`127.0.0.1:${ports.web}`, 'web', 'http', String(ports.web), 'web-0'),
      // A pod no declared service selects: dropped by the relabelling, never probed.
      pod(`127.0.0.1:${ports.web}`, 'other', 'http', String(ports.web), 'other-0'),
    ];
    goneJob.static_configs = [pod(`127.0.0.1:${ports.serviceDown}`, 'gone', 'metrics', '8080', 'gone-0')];
    for (const j of [ingressJob, webJob, goneJob]) {
      const address = j.relabel_configs.find((r: { target_label?: string }) => r.target_label === '__address__');
      expect(address.replacement).toBe('blackbox-exporter.monitoring.svc:9115');
      address.replacement = `127.0.0.1:${ports.blackbox}`;
    }
    fs.writeFileSync(
      path.join(tmp, 'prometheus.yml'),
      stringify({
        global: prom.global,
        rule_files: [path.join(rulesDir, '*.yaml')],
        scrape_configs: [ingressJob, webJob, goneJob],
      }),
    );

    start(
      'blackbox-exporter',
      BIN.blackbox,
      [`--config.file=${path.join(tmp, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${ports.blackbox}`],
      { ...process.env, SSL_CERT_FILE: path.join(tmp, 'ca.pem') },
    );
    start('prometheus', BIN.prometheus, [
      `--config.file=${path.join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    ]);
  });

  afterAll(async () => {
    for (const p of processes) await stop(p);
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (synthDir) fs.rmSync(synthDir, { recursive: true, force: true });
  });

  const alerts = async (): Promise<Alert[]> => {
    const res = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { data: { alerts: Alert[] } }).data.alerts.filter((a) => a.state === 'firing');
  };
  const key = (a: Alert) =>
    `${a.labels.alertname} ${a.labels.severity} ${a.labels.instance}${a.labels.service ? ` service=${a.labels.service}` : ''}`;

  test('expiry and down alerts fire for the expiring certificates and the closed ports, and only for them', async () => {
    const url = (p: number) => `https://localhost:${p}/`;
    const expected = [
      `BlackboxProbeFailed critical ${url(ports.hostDown)}`,
      `BlackboxProbeFailed warning http://127.0.0.1:${ports.serviceDown}/metrics service=gone`,
      `TlsCertificateExpiringSoon critical ${url(ports.tls2d)}`,
      `TlsCertificateExpiringSoon warning ${url(ports.tls10d)}`,
    ].sort();
    await waitFor('the four alerts', async () => {
      const firing = (await alerts()).map(key).sort();
      return expected.every((e) => firing.includes(e)) ? firing : undefined;
    });
    // A few more evaluations: nothing else fires (the 401 host, the healthy service, the 2- and 10-day hosts are up).
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await alerts()).map(key).sort()).toEqual(expected);

    // The probe results behind them, as the dashboards read them.
    const query = async (q: string) => {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    const success = Object.fromEntries((await query('probe_success')).map((r) => [r.metric.instance, r.value[1]]));
    expect(success).toEqual({
      [url(ports.tls2d)]: '1',
      [url(ports.tls10d)]: '1',
      [url(ports.auth)]: '1',
      [url(ports.hostDown)]: '0',
      [`http://127.0.0.1:${ports.web}/healthz`]: '1',
      [`http://127.0.0.1:${ports.serviceDown}/metrics`]: '0',
    });
    const days = Object.fromEntries(
      (await query('(probe_ssl_earliest_cert_expiry - time()) / 86400')).map((r) => [r.metric.instance, Number(r.value[1])]),
    );
    expect(days[url(ports.tls2d)]).toBeGreaterThan(1.9);
    expect(days[url(ports.tls2d)]).toBeLessThan(2.1);
    expect(days[url(ports.tls10d)]).toBeGreaterThan(9.9);
    const web = (await query('probe_success{job="blackbox-services", service="web"}'))[0].metric;
    expect([web.namespace, web.pod]).toEqual(['apps', 'web-0']);
    // servicePaths: the service was probed at /healthz, not its metrics path.
    expect(webPaths.length).toBeGreaterThan(0);
    expect(new Set(webPaths)).toEqual(new Set(['/healthz']));
  });
});
