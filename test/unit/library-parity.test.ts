/**
 * A library user's `app.synth()` (MonitoringApp) writes what `npm run synth
 * --out DIR` writes: the same file names in the same order, sync waves, the
 * Kustomization and the Argo CD Application; charts of the user's own follow
 * the stack's files with sync waves of their own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { parseAllDocuments, parse } from 'yaml';
import { MonitoringApp } from '../../charts/app/monitoring-app';
import { OUTPUT_MARKER, SYNC_WAVE_ANNOTATION } from '../../charts/app/output';
import { readSpecFile } from '../../charts/spec-load';
import { MonitoringStack } from '../../charts/stack';
import { testTempDir } from '../lib/tmp';

const ROOT = path.join(__dirname, '..', '..');
const read = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f !== OUTPUT_MARKER)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );

describe('MonitoringApp', () => {
  test('app.synth() writes the files npm run synth --out writes, byte for byte', () => {
    const dir = testTempDir('parity-');
    const app = new MonitoringApp({ outdir: path.join(dir, 'lib') });
    new MonitoringStack(app, 'monitoring', { spec: readSpecFile(path.join(ROOT, 'monitoring.yaml')) });
    app.synth();
    const r = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(ROOT, 'main.ts'), 'monitoring.yaml', '--out', path.join(dir, 'cli')],
      { cwd: ROOT, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.status).toBe(0);
    const lib = read(path.join(dir, 'lib'));
    const cli = read(path.join(dir, 'cli'));
    expect(Object.keys(lib)).toEqual(Object.keys(cli));
    expect(Object.keys(lib)).toEqual(
      expect.arrayContaining(['00-namespaces.yaml', '10-prometheus.yaml', 'Kustomization', 'argocd-application']),
    );
    for (const f of Object.keys(cli)) expect([f, lib[f] === cli[f]]).toEqual([f, true]);
    expect(fs.readFileSync(path.join(dir, 'lib', OUTPUT_MARKER), 'utf8')).toContain('stack: ai-monitoring');
  }, 180000);

  test("a chart of the user's own is written after the stack, with sync waves, and listed in the Kustomization", () => {
    const dir = testTempDir('parity-');
    const app = new MonitoringApp({ outdir: dir });
    new MonitoringStack(app, 'monitoring', { spec: readSpecFile(path.join(ROOT, 'examples', 'generic.yaml')) });
    const mine = new Chart(app, 'my-exporter', { disableResourceNameHashes: true });
    new ApiObject(mine, 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-exporter', namespace: 'default' },
      spec: { ports: [{ port: 9100 }] },
    });
    app.synth();
    const kustomization = parse(fs.readFileSync(path.join(dir, 'Kustomization'), 'utf8'));
    expect(kustomization.resources[kustomization.resources.length - 1]).toBe('99-my-exporter.yaml');
    expect(kustomization.resources[0]).toBe('00-namespaces.yaml');
    const svc = parseAllDocuments(fs.readFileSync(path.join(dir, '99-my-exporter.yaml'), 'utf8'))[0].toJS();
    expect(svc.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe('-1');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml'))).toEqual([]);
  });

  test('two stacks in one MonitoringApp are refused with the fix', () => {
    const app = new MonitoringApp({ outdir: testTempDir('parity-') });
    const spec = readSpecFile(path.join(ROOT, 'examples', 'generic.yaml'));
    new MonitoringStack(app, 'a', { spec });
    new MonitoringStack(app, 'b', { spec });
    expect(() => app.synth()).toThrow(
      'MonitoringApp holds 2 MonitoringStacks; it writes one stack per output folder: use one MonitoringApp (outdir) per stack',
    );
  });
});
