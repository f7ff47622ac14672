/** `npm run synth` as users run it: exit codes, messages, and dist/ left untouched on failure. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function synthCli(args: string[], cwd = ROOT) {
  return spawnSync(TSX, [path.join(ROOT, 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 60000 });
}

describe('synth CLI', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')); });

  test('a bad spec exits non-zero, names every problem, and leaves the previous dist/ untouched', () => {
    const out = path.join(dir, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'previous.yaml'), 'kept: true\n');
    const spec = path.join(dir, 'bad.yaml');
    fs.writeFileSync(spec, [
      'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1', 'kind: MonitoringStack', 'metadata: { name: demo }', 'spec:',
      '  prometheus: { retentoin: 15d, retentionSize: 50 gigs }',
    ].join('\n'));
    const r = synthCli([spec, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('spec.prometheus.retentoin: unknown field; did you mean "retention"?');
    expect(r.stderr).toContain('spec.prometheus.retentionSize: expected a Prometheus size');
    expect(r.stderr).toContain('was left unchanged');
    expect(fs.readdirSync(out)).toEqual(['previous.yaml']);
  });

  test('a good spec replaces dist/ entirely (no stale files survive)', () => {
    const out = path.join(dir, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'stale.yaml'), 'old: true\n');
    const r = synthCli(['--out', out], dir); // no monitoring.yaml in dir: the built-in default
    // Only the warning that Promtail (the default collector) cannot ship Kubernetes events.
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('warning: spec.logs.collector is promtail'))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('built-in default spec');
    const files = fs.readdirSync(out).sort();
    expect(files[0]).toBe('00-namespaces.yaml');
    expect(files).toEqual(expect.arrayContaining(['10-prometheus.yaml', '20-node-exporter.yaml', '21-cadvisor.yaml']));
    expect(fs.existsSync(path.join(out, 'stale.yaml'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('a missing spec file is an error', () => {
    const r = synthCli([path.join(dir, 'nope.yaml'), '--out', path.join(dir, 'dist')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('file not found');
  });
});
