/**
 * Installs what the tests run, at the versions of TOOL_PINS (charts/core/images.ts),
 * when missing: Go tools built with `go build` from our go.mod files under tools/
 * (their `tool` lines and go.sum pin every dependency) into .cache/bin, with Go's
 * own module and build caches (outside the clone, so a fresh clone reuses them);
 * PyPI tools into the venv .cache/venv; Debian packages with apt-get. Prints how
 * long each install took; a warm run only checks.
 */
import { spawnSync, type SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TOOL_PINS, type ToolPin } from '../charts/core/images';

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, '.cache');
const BIN = path.join(CACHE, 'bin');
const VENV = path.join(CACHE, 'venv');
const goEnv = { ...process.env, GOFLAGS: '-buildvcs=false -mod=readonly', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local' };

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${String(r.stderr ?? '')
        .split('\n')
        .filter((l) => !l.startsWith('go: downloading'))
        .join('\n')}`,
    );
  return String(r.stdout ?? '');
}

/** Version of `module` a binary in .cache/bin was built with (go version -m: its mod or dep line). */
function builtVersion(bin: string, module: string): string | undefined {
  const r = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  const esc = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^\\s*(?:mod|dep)\\s+${esc}\\s+(\\S+)`, 'm').exec(r.stdout ?? '')?.[1];
}

/** go build of the tool's packages from our go.mod in t.dir (Go's default caches). */
function goBuild(name: string, t: ToolPin): boolean {
  const missing = Object.entries(t.cmds ?? {}).filter(
    ([, b]) => !fs.existsSync(path.join(BIN, b)) || builtVersion(path.join(BIN, b), t.module) !== t.version,
  );
  if (missing.length === 0) return false;
  const dir = path.join(ROOT, t.dir!);
  sh(
    'go',
    [
      'build',
      '-C',
      dir,
      '-o',
      `${BIN}/`,
      ...(t.ldflags ? ['-ldflags', t.ldflags] : []),
      ...missing.map(([pkg]) => `${t.module}${pkg ? `/${pkg}` : ''}`),
    ],
    { env: goEnv },
  );
  console.log(`  ${name}: ${missing.map(([, b]) => b).join(', ')} ${t.version} (from ${t.dir}/go.mod)`);
  return true;
}

function pipInstall(pins: [string, ToolPin][]): boolean {
  const py = path.join(VENV, 'bin', 'python');
  if (!fs.existsSync(py)) sh('python3', ['-m', 'venv', VENV]);
  const have = new Map(
    JSON.parse(sh(py, ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'])).map(
      (p: { name: string; version: string }) => [p.name.toLowerCase(), p.version],
    ),
  );
  const need = pins.filter(([, t]) => have.get(t.module) !== t.version);
  if (need.length === 0) return false;
  sh(py, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...need.map(([, t]) => `${t.module}==${t.version}`)]);
  console.log(`  pip: ${need.map(([, t]) => `${t.module}==${t.version}`).join(' ')}`);
  return true;
}

function aptInstall(pins: [string, ToolPin][]): boolean {
  const installed = (pkg: string) =>
    spawnSync('dpkg-query', ['-W', '-f', '${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed');
  const need = pins.filter(([, t]) => !installed(t.module)).map(([, t]) => t.module);
  if (need.length === 0) return false;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) =>
    sh(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...need]);
  // Packages start their services; the tests run their own instances on other ports.
  for (const s of [
    'redis-server',
    'mariadb',
    'prometheus-redis-exporter',
    'prometheus-mysqld-exporter',
    'prometheus-node-exporter',
    'prometheus-blackbox-exporter',
  ]) {
    spawnSync(sudo[0] ?? 'service', [...(sudo.length ? ['service'] : []), s, 'stop'], { stdio: 'ignore' });
  }
  console.log(`  apt: ${need.join(' ')}`);
  return true;
}

function main(): void {
  fs.mkdirSync(BIN, { recursive: true });
  const started = Date.now();
  const entries = Object.entries(TOOL_PINS) as [string, ToolPin][];
  let changed = false;
  const step = (label: string, f: () => boolean) => {
    const t0 = Date.now();
    const did = f();
    if (did) console.log(`  ${label} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    changed ||= did;
  };
  step('apt', () => aptInstall(entries.filter(([, t]) => t.via === 'apt')));
  for (const [name, t] of entries.filter(([, t]) => t.via === 'go')) step(name, () => goBuild(name, t));
  for (const [name, t] of entries.filter(([, t]) => t.via === 'unavailable')) console.log(`  ${name}: not installed: ${t.note}`);
  step('pip', () => pipInstall(entries.filter(([, t]) => t.via === 'pip')));
  console.log(`tools ${changed ? 'installed' : 'present'} in ${((Date.now() - started) / 1000).toFixed(1)} s (cache: .cache/)`);
}

main();
