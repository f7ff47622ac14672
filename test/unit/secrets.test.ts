/**
 * `ai-monitoring secrets`: the plan (which Secrets and keys, where each value
 * comes from), what stops it before anything is written, that nothing secret
 * is printed, and that the generated web config is one the real promtool
 * (Prometheus' exporter-toolkit) accepts and whose hash matches the password.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { describeActions, planActions, planProblems, planSecrets, randomSecret, webConfig } from '../../charts/app/secrets';
import { readSpecFile } from '../../charts/spec-load';
import { testTempDir } from '../lib/tmp';
import { tool } from '../lib/tools';

const ROOT = path.join(__dirname, '..', '..');
const spec = readSpecFile(path.join(ROOT, 'monitoring.yaml'));
const none = new Map<string, Set<string>>();

describe('secrets plan', () => {
  test('monitoring.yaml: the web-auth password and web config and Grafana admin are made; the Teams webhook must be given', () => {
    const plan = planSecrets(spec);
    const byName = Object.fromEntries(
      plan.map((p) => [p.name, Object.fromEntries(p.keys.map((k) => [k.key, k.source?.kind ?? 'missing']))]),
    );
    expect(byName).toEqual({
      'alertmanager-msteams': { 'webhook-url': 'missing' },
      'grafana-admin': { 'admin-password': 'random', 'admin-user': 'fixed', 'secret-key': 'random' },
      'monitoring-web-auth': { password: 'random', 'web-config.yml': 'web-config' },
    });
    const problems = planProblems(plan, none);
    expect(problems).toEqual([expect.stringContaining('monitoring/alertmanager-msteams/webhook-url: the stack cannot make this value')]);
    expect(problems[0]).toContain(
      '--from-file alertmanager-msteams/webhook-url=PATH or --from-env alertmanager-msteams/webhook-url=VARIABLE',
    );
  });

  test('a key that would be empty fails: an empty file, an unset or empty variable', () => {
    const dir = testTempDir('secrets-');
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '\n');
    const fromFile = planSecrets(spec, new Map([['alertmanager-msteams/webhook-url', { kind: 'file', path: empty }]]));
    expect(planProblems(fromFile, none)).toEqual([expect.stringContaining(`${empty} is empty, so the key would be empty`)]);
    const fromEnv = planSecrets(spec, new Map([['alertmanager-msteams/webhook-url', { kind: 'env', variable: 'TEAMS_URL' }]]));
    expect(planProblems(fromEnv, none, {})).toEqual([expect.stringContaining('TEAMS_URL is not set')]);
    expect(planProblems(fromEnv, none, { TEAMS_URL: ' ' })).toEqual([expect.stringContaining('TEAMS_URL is empty')]);
    expect(planProblems(fromEnv, none, { TEAMS_URL: 'https://hooks.invalid/x' })).toEqual([]);
  });

  test('existing keys are kept, only missing ones added; the description names keys, never values', () => {
    const dir = testTempDir('secrets-');
    const file = path.join(dir, 'webhook');
    fs.writeFileSync(file, 'https://hooks.invalid/very-secret-token\n');
    const plan = planSecrets(spec, new Map([['alertmanager-msteams/webhook-url', { kind: 'file', path: file }]]));
    const existing = new Map([
      ['monitoring/grafana-admin', new Set(['admin-user', 'admin-password', 'secret-key'])],
      ['monitoring/monitoring-web-auth', new Set(['password'])],
    ]);
    expect(planProblems(plan, existing)).toEqual([]);
    const actions = planActions(plan, existing);
    expect(actions.map((a) => [a.name, a.create, a.add.map((k) => k.key), a.kept])).toEqual([
      ['alertmanager-msteams', true, ['webhook-url'], []],
      ['grafana-admin', false, [], ['admin-password', 'admin-user', 'secret-key']],
      ['monitoring-web-auth', false, ['web-config.yml'], ['password']],
    ]);
    const text = describeActions(actions, true).join('\n');
    expect(text).toBe(
      [
        `would create secret monitoring/alertmanager-msteams: webhook-url (from ${file})`,
        'unchanged secret monitoring/grafana-admin; kept admin-password, admin-user, secret-key (existing keys are never overwritten)',
        'would add to secret monitoring/monitoring-web-auth: web-config.yml (bcrypt web config for user monitoring); kept password (existing keys are never overwritten)',
      ].join('\n'),
    );
    expect(text).not.toContain('very-secret-token');
  });

  test('generated values: random and distinct; the web config hashes the password with bcrypt and promtool accepts it', () => {
    const a = randomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomSecret()).not.toBe(a);
    const yml = webConfig('monitoring', a, 10);
    const hash = parse(yml).basic_auth_users.monitoring;
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(bcrypt.compareSync(a, hash)).toBe(true);
    expect(bcrypt.compareSync(`${a}x`, hash)).toBe(false);
    const dir = testTempDir('secrets-');
    fs.writeFileSync(path.join(dir, 'web-config.yml'), yml);
    const r = spawnSync(tool('promtool'), ['check', 'web-config', path.join(dir, 'web-config.yml')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('the command refuses bad options and keys the stack does not read, before reaching a cluster', () => {
    const run = (args: string[]) =>
      spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'charts', 'app', 'secrets.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60000,
      });
    const bad = run(['--from-file', 'webhook']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--from-file needs NAME/KEY=PATH');
    const unknown = run(['--from-env', 'nope/key=X']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      'the stack reads no nope/key; it reads alertmanager-msteams/webhook-url, grafana-admin/admin-password',
    );
  }, 120000);
});
