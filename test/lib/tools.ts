/**
 * Where the tests find the programs they run: `.cache/bin` (go-installed at
 * the versions of TOOL_PINS), then `.cache/venv/bin` (pip), then the PATH and
 * Debian's names. One helper, so every test runs the same binary.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const CACHE = path.join(ROOT, '.cache');
const DIRS = [path.join(CACHE, 'bin'), path.join(CACHE, 'venv', 'bin'), ...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin'];
/** Debian names of the same programs, tried after the cache. */
const DEBIAN: Record<string, string> = { alertmanager: 'prometheus-alertmanager' };

/** The path of `name`, or undefined when it is not installed. */
export function findTool(name: string): string | undefined {
  for (const n of [name, DEBIAN[name]].filter((x): x is string => Boolean(x))) {
    for (const d of DIRS) {
      const p = path.join(d, n);
      try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch { /* next */ }
    }
  }
  return undefined;
}

/** The path of `name`; throws naming the install command when missing. */
export function tool(name: string): string {
  const p = findTool(name);
  if (!p) throw new Error(`${name} is not installed: run \`npm run test:all\` (scripts/install-tools.ts installs it into .cache/)`);
  return p;
}

/** The version of `module` a go-built binary carries (`go version -m`: its mod or dep line), e.g. v0.28.1. */
export function goModuleVersion(bin: string, module: string): string | undefined {
  const r = spawnSync('go', ['version', '-m', bin], { encoding: 'utf8' });
  const esc = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^\\s*(?:mod|dep)\\s+${esc}\\s+(\\S+)`, 'm').exec(r.stdout ?? '')?.[1];
}
