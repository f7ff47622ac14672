/**
 * Authentication that no controller can drop, with the real programs: the
 * Prometheus and Alertmanager binaries at the pinned versions (TOOL_PINS) run with the arguments and configs synthesized
 * for their StatefulSets, and the web-auth Secret made with README's
 * commands (htpasswd -nbB), mounted where the pods mount it (a temp dir
 * standing in for /etc/web-auth).
 *
 * - both answer 401 without credentials and 200 with them, on every path
 *   (the UI, the API, /-/ready, /metrics);
 * - Prometheus still scrapes itself and Alertmanager (basic_auth from the
 *   password file) and still delivers alerts to Alertmanager;
 * - the readiness probe, run as the kubelet runs it (sh -c, busybox applets),
 *   passes against the real Prometheus and Alertmanager, fails with a wrong
 *   password, and fails against a server that answers anonymous requests
 *   (a web config without users serves everything without auth).
 */
import { type ChildProcess, spawn } from 'child_process';
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

jest.setTimeout(120_000);

/** The pinned builds (TOOL_PINS, installed into .cache/bin by npm run test:all), and Debian's busybox. */
const BIN = { prometheus: tool('prometheus'), alertmanager: tool('alertmanager'), busybox: tool('busybox') };

const processes: ChildProcess[] = [];
const logs: Record<string, string> = {};
const servers: http.Server[] = [];
let tmp = '';

function start(name: string, file: string, args: string[]): void {
  const p = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  logs[name] = '';
  const keep = (d: Buffer) => {
    logs[name] = (logs[name] + d.toString()).slice(-20_000);
  };
  p.stdout?.on('data', keep);
  p.stderr?.on('data', keep);
  processes.push(p);
}

async function stopAll(): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }),
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\n${Object.entries(logs)
          .map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`)
          .join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function get(url: string, authorization?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000), headers: authorization ? { authorization } : {} });
  return { status: res.status, body: await res.text() };
}

/** The synthesized args of a StatefulSet's first container, with its files, data and listener moved here. */
function serverArgs(args: string[], auth: WebAuthFiles, replace: Record<string, string>): string[] {
  return args
    .filter((a) => !a.startsWith('--web.external-url') && !a.startsWith('--cluster.'))
    .map((a) => {
      const flag = a.split('=')[0];
      return flag in replace ? `${flag}=${replace[flag]}` : atWebAuthDir(a, auth.dir);
    });
}

/** A pod's readiness command run as the kubelet would, with busybox's applets first on the PATH. */
async function runProbe(command: string[], port: number, to: number, authDir: string): Promise<{ status: number | null; stderr: string }> {
  const applets = path.join(tmp, 'applets');
  if (!fs.existsSync(applets)) {
    fs.mkdirSync(applets);
    for (const a of ['sh', 'wget', 'base64', 'tr', 'cat', 'printf']) fs.symlinkSync(BIN.busybox, path.join(applets, a));
  }
  const [sh, flag, script] = command;
  // Asynchronous: the anonymous stand-in server answers from this process.
  const p = spawn(path.join(applets, sh), [flag, atWebAuthDir(script, authDir).split(`127.0.0.1:${port}`).join(`127.0.0.1:${to}`)], {
    env: { PATH: applets },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
  const status = await new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, stderr };
}

describe('Prometheus and Alertmanager enforce basic auth (real binaries, synthesized args and configs)', () => {
  const ports = { prometheus: 0, alertmanager: 0 };
  let auth: WebAuthFiles;
  let promProbe: string[];
  let amProbe: string[];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web-auth-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    auth = makeWebAuthSecret(path.join(tmp, 'web-auth'));

    const { objects } = synth({
      prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false },
      nodeExporter: { enabled: false },
      cadvisor: { enabled: false },
      gpu: { enabled: false },
      kubeStateMetrics: { enabled: false },
      kubelet: { volumeStats: { enabled: false } },
      loki: { enabled: false },
      grafana: { enabled: false },
      alerting: { route: { groupWait: '1s', groupInterval: '1s' } },
    });
    const promSts = find(objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    const amSts = find(objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0];
    promProbe = promSts.readinessProbe.exec.command;
    amProbe = amSts.readinessProbe.exec.command;

    // prometheus.yml as synthesized: the jobs of the two servers as static targets, Alertmanager on its port here,
    // the password file where the Secret is "mounted"; plus one rule that always fires, to see delivery.
    const prom = parse(atWebAuthDir(configMapData(objects, 'prometheus-config')['prometheus.yml'], auth.dir));
    const jobs = prom.scrape_configs.filter((j: { job_name: string }) => ['prometheus', 'alertmanager'].includes(j.job_name));
    expect(jobs.map((j: { basic_auth?: unknown }) => j.basic_auth)).toEqual([
      { username: 'monitoring', password_file: path.join(auth.dir, 'password') },
      { username: 'monitoring', password_file: path.join(auth.dir, 'password') },
    ]);
    for (const j of jobs) {
      delete j.kubernetes_sd_configs;
      delete j.relabel_configs;
      j.static_configs = [{ targets: [`127.0.0.1:${ports[j.job_name as keyof typeof ports]}`] }];
    }
    prom.scrape_configs = jobs;
    expect(prom.alerting.alertmanagers[0].basic_auth).toEqual({ username: 'monitoring', password_file: path.join(auth.dir, 'password') });
    prom.alerting.alertmanagers[0].static_configs = [{ targets: [`127.0.0.1:${ports.alertmanager}`] }];
    fs.writeFileSync(
      path.join(tmp, 'always.yaml'),
      stringify({ groups: [{ name: 't', rules: [{ alert: 'AuthE2EAlwaysFiring', expr: 'vector(1)', labels: { severity: 'warning' } }] }] }),
    );
    prom.rule_files = [path.join(tmp, 'always.yaml')];
    fs.writeFileSync(path.join(tmp, 'prometheus.yml'), stringify(prom));
    const amText = Buffer.from(find(objects, 'Secret', 'alertmanager-config').data['alertmanager.yml'], 'base64').toString('utf8');
    fs.writeFileSync(path.join(tmp, 'alertmanager.yml'), amText);

    start('alertmanager', BIN.alertmanager, [
      ...serverArgs(amSts.args, auth, {
        '--config.file': path.join(tmp, 'alertmanager.yml'),
        '--storage.path': path.join(tmp, 'am-data'),
        '--web.listen-address': `127.0.0.1:${ports.alertmanager}`,
        '--data.retention': '1h',
      }),
      '--cluster.listen-address=',
    ]);
    start(
      'prometheus',
      BIN.prometheus,
      serverArgs(promSts.args, auth, {
        '--config.file': path.join(tmp, 'prometheus.yml'),
        '--storage.tsdb.path': path.join(tmp, 'prom-data'),
        '--web.listen-address': `127.0.0.1:${ports.prometheus}`,
        '--storage.tsdb.retention.size': '100MB',
      }).concat('--rules.alert.resend-delay=1s'),
    );
    await waitFor('Prometheus ready', async () =>
      (await get(`http://127.0.0.1:${ports.prometheus}/-/ready`, auth.header)).status === 200 ? true : undefined,
    );
    await waitFor('Alertmanager ready', async () =>
      (await get(`http://127.0.0.1:${ports.alertmanager}/-/ready`, auth.header)).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await stopAll();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test.each([
    ['prometheus', '/-/ready'],
    ['prometheus', '/-/healthy'],
    ['prometheus', '/api/v1/query?query=up'],
    ['prometheus', '/metrics'],
    ['prometheus', '/api/v1/status/buildinfo'],
    ['alertmanager', '/-/ready'],
    ['alertmanager', '/-/healthy'],
    ['alertmanager', '/api/v2/alerts'],
    ['alertmanager', '/metrics'],
    ['alertmanager', '/'],
  ] as const)('%s %s: 401 without credentials, 401 with a wrong password, 200 with them', async (server, p) => {
    const url = `http://127.0.0.1:${ports[server]}${p}`;
    expect((await get(url)).status).toBe(401);
    expect((await get(url, `Basic ${Buffer.from(`${auth.username}:wrong`).toString('base64')}`)).status).toBe(401);
    expect((await get(url, auth.header)).status).toBe(200);
  });

  test('Prometheus scrapes itself and Alertmanager with the password file', async () => {
    for (const job of ['prometheus', 'alertmanager']) {
      await waitFor(`up{job="${job}"} == 1`, async () => {
        const r = JSON.parse(
          (await get(`http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(`up{job="${job}"}`)}`, auth.header))
            .body,
        );
        return r.data.result.length === 1 && r.data.result[0].value[1] === '1' ? true : undefined;
      });
    }
  });

  test('Prometheus delivers alerts to Alertmanager with the password file', async () => {
    const alerts = await waitFor('the alert in Alertmanager', async () => {
      const r = JSON.parse((await get(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts`, auth.header)).body) as {
        labels: Record<string, string>;
      }[];
      return r.some((a) => a.labels.alertname === 'AuthE2EAlwaysFiring') ? r : undefined;
    });
    expect(alerts.find((a) => a.labels.alertname === 'AuthE2EAlwaysFiring')?.labels.severity).toBe('warning');
    const sent = JSON.parse(
      (
        await get(
          `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent('sum(prometheus_notifications_errors_total)')}`,
          auth.header,
        )
      ).body,
    );
    expect(sent.data.result[0].value[1]).toBe('0');
  });

  test('the readiness probe passes against the real servers and fails with a wrong password', async () => {
    expect(await runProbe(promProbe, 9090, ports.prometheus, auth.dir)).toMatchObject({ status: 0 });
    expect(await runProbe(amProbe, 9093, ports.alertmanager, auth.dir)).toMatchObject({ status: 0 });
    const wrong = path.join(tmp, 'wrong-auth');
    fs.mkdirSync(wrong);
    fs.writeFileSync(path.join(wrong, 'password'), 'not-the-password');
    expect((await runProbe(promProbe, 9090, ports.prometheus, wrong)).status).not.toBe(0);
    expect((await runProbe(amProbe, 9093, ports.alertmanager, wrong)).status).not.toBe(0);
  });

  test('the readiness probe fails against a server that answers anonymous requests (a web config without users)', async () => {
    const open = http.createServer((_req, res) => {
      res.writeHead(200);
      res.end('ok');
    });
    servers.push(open);
    const port = await freePort();
    await new Promise<void>((r) => open.listen(port, '127.0.0.1', () => r()));
    const r = await runProbe(promProbe, 9090, port, auth.dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('answers an anonymous request');
  });
});
