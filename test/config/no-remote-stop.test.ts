/**
 * No remote stop: Prometheus runs without --web.enable-lifecycle (POST
 * /-/quit and /-/reload answer 403 through any Ingress), and a config or rule
 * change is applied in place by the synthesized reload sidecar sending SIGHUP
 * through the shared process namespace: no restart, no WAL replay.
 *
 * Real: the pinned prometheus binary (TOOL_PINS) runs with the synthesized arguments and
 * the sidecar's own command and environment, together in a new PID namespace
 * (`unshare --pid --mount-proc`, as in a pod with shareProcessNamespace).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { find, synth } from '../lib/synth';
import { testTempDir } from '../lib/tmp';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
// The pinned Prometheus (test-all installs it into .cache/bin; missing is a failure, not a skip).
const PROMETHEUS = tool('prometheus');

function request(port: number, method: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sts = () => find(synth({}).objects, 'StatefulSet', 'prometheus');

describe('Prometheus cannot be stopped or reconfigured over HTTP', () => {
  test('no --web.enable-lifecycle; a localhost-free reload sidecar sharing the process namespace', () => {
    const pod = sts().spec.template.spec;
    const prom = pod.containers.find((c: any) => c.name === 'prometheus');
    expect(prom.args).not.toContain('--web.enable-lifecycle');
    expect(pod.shareProcessNamespace).toBe(true);
    const reloader = pod.containers.find((c: any) => c.name === 'config-reloader');
    expect(reloader.ports).toBeUndefined();
    expect(reloader.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(reloader.volumeMounts.every((m: any) => m.readOnly)).toBe(true);
    // A rule change does not roll the pods (no restart, no WAL replay): no config checksum on the pod template.
    const a = find(synth({}).objects, 'StatefulSet', 'prometheus').spec.template;
    const b = find(synth({ alerting: { thresholds: { hostCpu: { warning: 70 } } } }).objects, 'StatefulSet', 'prometheus').spec.template;
    expect(b).toEqual(a);
  });

  // Without `unshare --pid` (not root, or a kernel without user namespaces) the real-process half cannot run: it says so.
  // (A kernel feature, not a program the test command could install: so a skip, said in the test list and on the console,
  // since jest's summary names no skipped test.)
  const unshareMissing = 'real Prometheus and the sidecar in one PID namespace need `unshare --pid --fork` (root or user namespaces)';
  if (!canUnshare) {
    console.warn(`SKIPPED: ${unshareMissing}`);
    test.skip(`SKIPPED: ${unshareMissing}`, () => undefined);
  }
  (canUnshare ? describe : describe.skip)('real Prometheus and the sidecar in one PID namespace', () => {
    let child: ChildProcess | undefined;
    let log = '';
    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    });

    test('POST /-/quit and /-/reload are refused; a changed rule file is loaded by SIGHUP without a restart', async () => {
      const pod = sts().spec.template.spec;
      const prom = pod.containers.find((c: any) => c.name === 'prometheus');
      const reloader = pod.containers.find((c: any) => c.name === 'config-reloader');
      const dir = testTempDir('no-remote-stop-');
      // The pod's mount paths, moved under the temp folder.
      const at = (p: string) => path.join(dir, p);
      const env: Record<string, string> = Object.fromEntries(reloader.env.map((e: any) => [e.name, e.value]));
      const mounts: string[] = prom.volumeMounts.map((m: any) => m.mountPath);
      for (const m of mounts) fs.mkdirSync(at(m), { recursive: true });
      const configFile = prom.args.find((a: string) => a.startsWith('--config.file=')).split('=')[1];
      const rulesDir = mounts.find((m) => m.endsWith('/rules')) as string;
      const rule = (name: string) => `groups:\n  - name: test\n    rules:\n      - record: ${name}\n        expr: vector(1)\n`;
      fs.writeFileSync(at(rulesDir + '/test.yaml'), rule('first_rule'));
      fs.writeFileSync(at(configFile), `global: { evaluation_interval: 1s }\nrule_files: ["${at(rulesDir)}/*.yaml"]\n`);
      const port = await freePort();
      const args = prom.args
        .filter(
          (a: string) =>
            !a.startsWith('--web.listen-address=') &&
            !a.startsWith('--storage.tsdb.retention.size=') &&
            // Basic auth is proven by test/e2e/web-auth.test.ts; here the lifecycle API and SIGHUP reloads.
            !a.startsWith('--web.config.file='),
        )
        .map((a: string) =>
          a.replace(/^(--config\.file=|--storage\.tsdb\.path=)(.*)$/, (_m: string, flag: string, p: string) => `${flag}${at(p)}`),
        )
        .concat([`--web.listen-address=127.0.0.1:${port}`]);
      const watch = env.WATCH.split(' ')
        .map((g) => at(g))
        .join(' ');
      const script = `'${PROMETHEUS}' ${args.map((a: string) => `'${a}'`).join(' ')} >"${dir}/prometheus.log" 2>&1 &\nexec sh -c "$RELOADER"`;
      child = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], {
        env: { ...process.env, WATCH: watch, INTERVAL: '1', RELOADER: reloader.command[2] },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout?.on('data', (d) => {
        log += d;
      });
      child.stderr?.on('data', (d) => {
        log += d;
      });
      await until('Prometheus ready', async () => ((await request(port, 'GET', '/-/ready')).status === 200 ? true : undefined));
      const quit = await request(port, 'POST', '/-/quit');
      expect([quit.status, quit.body]).toEqual([403, expect.stringContaining('Lifecycle API is not enabled')]);
      expect((await request(port, 'POST', '/-/reload')).status).toBe(403);
      const startTime = JSON.parse((await request(port, 'GET', '/api/v1/status/runtimeinfo')).body).data.startTime;
      const rules = async () =>
        JSON.parse((await request(port, 'GET', '/api/v1/rules')).body).data.groups.flatMap((g: any) => g.rules.map((r: any) => r.name));
      expect(await until('first rule', async () => ((await rules()).includes('first_rule') ? true : undefined))).toBe(true);
      // A ConfigMap update: kubelet swaps the ..data symlink; here the file is replaced atomically.
      fs.writeFileSync(at(rulesDir + '/test.yaml.new'), rule('second_rule'));
      fs.renameSync(at(rulesDir + '/test.yaml.new'), at(rulesDir + '/test.yaml'));
      await until(`the reloaded rule (log: ${log})`, async () => ((await rules()).includes('second_rule') ? true : undefined));
      expect(log).toContain('sent SIGHUP to prometheus');
      expect(JSON.parse((await request(port, 'GET', '/api/v1/status/runtimeinfo')).body).data.startTime).toBe(startTime); // not restarted
      expect((await request(port, 'GET', '/-/healthy')).status).toBe(200);
    }, 90000);
  });
});
