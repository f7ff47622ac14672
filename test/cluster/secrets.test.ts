/**
 * `npm run secrets` against a real control plane (kube-apiserver 1.36.3,
 * test/lib/control-plane.ts), through kubectl and a kubeconfig as a user has:
 * the namespace and Secrets synth lists are created, generated values are
 * usable (the web config's bcrypt hash matches the stored password), nothing
 * secret is printed, a second run changes nothing, a removed key is added
 * back without touching the others, and a key that would be empty stops the
 * run before anything is written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { type ControlPlane, startControlPlane } from '../lib/control-plane';
import { testTempDir } from '../lib/tmp';
import { tool } from '../lib/tools';

const ROOT = path.join(__dirname, '..', '..');
let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ crds: [] });
}, 240_000);
afterAll(async () => {
  await cp?.stop();
}, 60_000);

function secrets(args: string[], env: Record<string, string> = {}) {
  return spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'charts', 'app', 'secrets.ts'), 'monitoring.yaml', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfig,
        PATH: `${path.dirname(tool('kubectl'))}${path.delimiter}${process.env.PATH}`,
        ...env,
      },
    },
  );
}

async function data(name: string): Promise<Record<string, string>> {
  const s = JSON.parse(await cp.kubectlOk(['-n', 'monitoring', 'get', 'secret', name, '-o', 'json']));
  return Object.fromEntries(Object.entries<string>(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

it('creates the namespace and every Secret monitoring.yaml needs; prints no value; a second run changes nothing', async () => {
  const dir = testTempDir('secrets-cp-');
  const webhook = path.join(dir, 'webhook');
  fs.writeFileSync(webhook, 'https://hooks.invalid/workflows/very-secret-token\n');
  const given = ['--from-file', `alertmanager-msteams/webhook-url=${webhook}`];

  const missing = secrets([]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain('monitoring/alertmanager-msteams/webhook-url: the stack cannot make this value');
  expect((await cp.kubectl(['get', 'namespace', 'monitoring'])).code).not.toBe(0); // nothing was written

  const dry = secrets([...given, '--dry-run']);
  expect(dry.status).toBe(0);
  expect(dry.stdout).toContain('would create namespace monitoring');
  expect(dry.stdout).toContain(
    'would create secret monitoring/monitoring-web-auth: password (generated), web-config.yml (bcrypt web config for user monitoring)',
  );
  expect((await cp.kubectl(['get', 'namespace', 'monitoring'])).code).not.toBe(0);

  const r = secrets(given);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const ns = JSON.parse(await cp.kubectlOk(['get', 'namespace', 'monitoring', '-o', 'json']));
  expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  const auth = await data('monitoring-web-auth');
  const admin = await data('grafana-admin');
  const teams = await data('alertmanager-msteams');
  expect(teams['webhook-url']).toBe('https://hooks.invalid/workflows/very-secret-token');
  expect(admin['admin-user']).toBe('admin');
  for (const v of [auth.password, admin['admin-password'], admin['secret-key']]) expect(v).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(bcrypt.compareSync(auth.password, parse(auth['web-config.yml']).basic_auth_users.monitoring)).toBe(true);
  for (const v of [
    auth.password,
    auth['web-config.yml'].split(': ')[1].trim(),
    admin['admin-password'],
    admin['secret-key'],
    'very-secret-token',
  ]) {
    expect(`${r.stdout}${r.stderr}`).not.toContain(v);
  }

  const again = secrets(given);
  expect(again.status).toBe(0);
  expect(again.stdout).not.toMatch(/created|added/);
  expect(await data('monitoring-web-auth')).toEqual(auth);
  expect(await data('grafana-admin')).toEqual(admin);
}, 240_000);

it('adds back a removed key, derived from the stored password, without touching the other keys', async () => {
  const before = await data('monitoring-web-auth');
  await cp.kubectlOk([
    '-n',
    'monitoring',
    'patch',
    'secret',
    'monitoring-web-auth',
    '--type',
    'json',
    '-p',
    '[{"op":"remove","path":"/data/web-config.yml"}]',
  ]);
  const r = secrets(['--from-env', 'alertmanager-msteams/webhook-url=TEAMS']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(
    'added to secret monitoring/monitoring-web-auth: web-config.yml (bcrypt web config for user monitoring); kept password',
  );
  const after = await data('monitoring-web-auth');
  expect(after.password).toBe(before.password);
  expect(bcrypt.compareSync(after.password, parse(after['web-config.yml']).basic_auth_users.monitoring)).toBe(true);
}, 120_000);

it('a key that would be empty stops the run before anything is written', async () => {
  await cp.kubectlOk(['-n', 'monitoring', 'delete', 'secret', 'alertmanager-msteams', 'grafana-admin']);
  const r = secrets(['--from-env', 'alertmanager-msteams/webhook-url=TEAMS'], { TEAMS: '' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('the environment variable TEAMS is empty, so the key would be empty');
  expect((await cp.getItems('secrets', 'monitoring')).map((s) => s.metadata.name)).toEqual(['monitoring-web-auth']);
}, 120_000);
