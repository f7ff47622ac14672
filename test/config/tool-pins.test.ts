/**
 * The tools the tests run are the programs we deploy: each TOOL_PINS entry
 * that stands for an image has the image's release, or records why not; and
 * the installed binary is the pinned version.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { IMAGES, imageVersion, TOOL_PINS, type ToolPin } from '../../charts/core/images';
import { CACHE, findTool, goModuleVersion } from '../lib/tools';

const pins = Object.entries(TOOL_PINS) as [string, ToolPin][];

/** Pins whose release differs from their image's tag and that give no reason. */
export function unexplainedDrift(entries: [string, ToolPin][]): string[] {
  return entries
    .filter(([, t]) => t.image && imageVersion(IMAGES[t.image]).replace(/^v/, '').split('-')[0] !== t.release && !t.drift?.trim())
    .map(
      ([n, t]) =>
        `${n}: tests run ${t.release}, image ${IMAGES[t.image!]} deploys ${imageVersion(IMAGES[t.image!])}: align them or record \`drift\``,
    );
}

describe('tool pins beside the images', () => {
  test('every tool standing for an image runs its release, or records why not', () => {
    expect(unexplainedDrift(pins)).toEqual([]);
  });

  test('a drift without a reason is caught', () => {
    const bumped: ToolPin = { ...TOOL_PINS.alertmanager, release: '0.31.1' };
    expect(unexplainedDrift([['alertmanager', bumped]])).toEqual([expect.stringContaining('alertmanager: tests run 0.31.1')]);
    expect(unexplainedDrift([['alertmanager', { ...bumped, drift: 'reason' }]])).toEqual([]);
  });

  test('Alertmanager is tested at exactly the deployed release', () => {
    expect(imageVersion(IMAGES.alertmanager)).toBe(`v${TOOL_PINS.alertmanager.release}`);
    expect((TOOL_PINS.alertmanager as ToolPin).drift).toBeUndefined();
  });

  test.each(pins.filter(([, t]) => t.via === 'go'))('%s: the installed binaries are the pinned module version', (_n, t) => {
    for (const b of Object.values(t.cmds ?? {})) {
      const bin = findTool(b);
      expect(bin).toBe(path.join(CACHE, 'bin', b));
      expect(goModuleVersion(bin!, t.module)).toBe(t.version);
    }
  });

  test('no tool is built from a module downloaded by hand; an unavailable one says why', () => {
    expect(pins.filter(([, t]) => !['go', 'pip', 'apt', 'unavailable'].includes(t.via) || (t.via === 'go' && !t.dir))).toEqual([]);
    for (const [n, t] of pins.filter(([, x]) => x.via === 'unavailable')) expect([n, (t.note ?? '').length > 40]).toEqual([n, true]);
    const installer = fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'install-tools.ts'), 'utf8');
    expect(installer).not.toMatch(/'mod', 'download'/);
  });

  test.each(pins.filter(([, t]) => t.via === 'go'))(
    '%s: our go.mod in its dir lists each command as a tool and requires the pinned version',
    (_n, t) => {
      const gomod = fs.readFileSync(path.join(__dirname, '..', '..', t.dir!, 'go.mod'), 'utf8');
      // `tool pkg` or a `tool ( ... )` block; likewise `require mod v` or a block.
      const tools = [...gomod.matchAll(/^tool (?:\(([^)]*)\)|(\S+))/gm)]
        .flatMap((m) => (m[1] ?? m[2]).split('\n'))
        .map((l) => l.trim())
        .filter(Boolean);
      for (const pkg of Object.keys(t.cmds ?? {})) expect(tools).toContain(`${t.module}/${pkg}`);
      expect(gomod).toMatch(
        new RegExp(`^(?:require )?\\s*${t.module.replace(/\./g, '\\.')} ${t.version.replace(/\./g, '\\.')}( // indirect)?$`, 'm'),
      );
    },
  );

  test('a pinned Kubernetes binary reports the release on --version', () => {
    const r = spawnSync(findTool('kube-apiserver')!, ['--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(`Kubernetes v${TOOL_PINS.kubernetes.release}`);
  });

  test.each(pins.filter(([, t]) => t.via === 'pip'))('%s: the venv has the pinned version', (_n, t) => {
    const r = spawnSync(path.join(CACHE, 'venv', 'bin', 'python'), ['-m', 'pip', 'show', t.module], { encoding: 'utf8' });
    expect(/^Version: (\S+)/m.exec(r.stdout)?.[1]).toBe(t.version);
  });

  test.each(pins.filter(([, t]) => t.via === 'apt'))('%s: Debian package at the pinned upstream version', (_n, t) => {
    const v = spawnSync('dpkg-query', ['-W', '-f', '${Version}', t.module], { encoding: 'utf8' }).stdout.replace(/^\d+:/, '');
    expect(v.startsWith(`${t.version}.`) || v.startsWith(`${t.version}-`)).toBe(true);
    for (const b of t.bins) expect(findTool(b)).toBeDefined();
  });
});
