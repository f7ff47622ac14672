/** `npm run synth` as users run it: exit codes, messages, and dist/ left untouched on failure. */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readManifests } from '../lib/dist';
import { synthFile } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function synthCli(args: string[], cwd = ROOT) {
  return spawnSync(TSX, [path.join(ROOT, 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
}

describe('synth CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a bad spec exits non-zero, names every problem, and leaves the previous dist/ untouched', () => {
    const out = path.join(dir, 'dist');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, '.cdk8s-ai-monitoring'), 'marker\n');
    fs.writeFileSync(path.join(out, 'previous.yaml'), 'kept: true\n');
    const spec = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      spec,
      [
        'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1',
        'kind: MonitoringStack',
        'metadata: { name: demo }',
        'spec:',
        '  prometheus: { retentoin: 15d, retentionSize: 50 gigs }',
      ].join('\n'),
    );
    const r = synthCli([spec, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('spec.prometheus.retentoin: unknown field; did you mean "retention"?');
    expect(r.stderr).toContain('spec.prometheus.retentionSize: expected a Prometheus size');
    expect(r.stderr).toContain('was left unchanged');
    expect(fs.readdirSync(out).sort()).toEqual(['.cdk8s-ai-monitoring', 'previous.yaml']);
  });

  test('a good spec replaces dist/ entirely (no stale files survive)', () => {
    const out = path.join(dir, 'dist');
    expect(synthCli(['--out', out], dir).status).toBe(0);
    fs.writeFileSync(path.join(out, 'stale.yaml'), 'old: true\n');
    const r = synthCli(['--out', out], dir); // no monitoring.yaml in dir: the built-in default
    // The built-in default warns about nothing: the open API server and node rules are advice after the prerequisites.
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('To tighten (optional):\n  - spec.networkPolicies.apiServerCidrs is empty');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('built-in default spec');
    const files = fs
      .readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort();
    expect(files[0]).toBe('00-namespaces.yaml');
    expect(files).toEqual(expect.arrayContaining(['10-prometheus.yaml', '20-node-exporter.yaml', '21-cadvisor.yaml']));
    expect(fs.existsSync(path.join(out, 'stale.yaml'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('--out . and --out <file> are refused: nothing is deleted or replaced', () => {
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'notes.md'), 'mine\n');
    const dot = synthCli(['--out', '.'], dir);
    expect(dot.status).toBe(1);
    expect(dot.stderr).toContain('refusing to write the output into . (the current folder)');
    expect(dot.stderr).toContain('was left unchanged');
    const file = synthCli(['--out', 'notes.md'], dir);
    expect(file.status).toBe(1);
    expect(file.stderr).toContain('notes.md: it is a file, not a folder');
    expect(fs.readdirSync(dir).sort()).toEqual(['.git', 'notes.md']);
    expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('mine\n');
  });

  test('a gitops path that is a file fails before dist/ changes, and the message says so truthfully', () => {
    const out = path.join(dir, 'dist'); // the default output: gitops/ beside it (with --out, inside it)
    const spec = path.join(dir, 'spec.yaml');
    fs.writeFileSync(spec, fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8'));
    expect(synthCli([spec], dir).status).toBe(0);
    const before = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    fs.rmSync(path.join(dir, 'gitops'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'gitops'), 'a file\n');
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/retention: \S+/, 'retention: 45d'));
    // --allow-recreate: the longer retention also grows the derived volume, which the upgrade check would refuse first.
    const r = synthCli([spec, '--allow-recreate'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gitops is a file, not a folder');
    expect(r.stderr).toContain('dist/ was left unchanged');
    expect(Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]))).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['dist', 'gitops', 'spec.yaml']);
  });

  test('stale temporaries of an interrupted run (folders and gitops files) are removed by the next run', () => {
    // The default output (dist/ in the current folder): gitops/ beside it (with --out, inside it).
    const spec = path.join(dir, 'spec.yaml');
    fs.writeFileSync(spec, fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8'));
    expect(synthCli([spec], dir).status).toBe(0);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    fs.mkdirSync(path.join(dir, '.dist.tmp-Ab12Cd'));
    fs.mkdirSync(path.join(dir, '.dist.tmp-Ab12Cd.old'));
    fs.mkdirSync(path.join(dir, `.dist.tmp-${dead}-Zz99Yy`));
    fs.writeFileSync(path.join(dir, 'gitops', `argocd-application.yaml.tmp-${dead}`), 'x');
    expect(synthCli([spec], dir).status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['dist', 'gitops', 'spec.yaml']);
    expect(fs.readdirSync(path.join(dir, 'gitops'))).toEqual(['argocd-application.yaml']);
  });

  test('a missing spec file is an error', () => {
    const r = synthCli([path.join(dir, 'nope.yaml'), '--out', path.join(dir, 'dist')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('file not found');
  });
});

/** Hash of every file under `dir` (names and contents), to prove a folder was not touched. */
function treeHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(`${path.relative(dir, p)}\0`);
      if (e.isDirectory()) walk(p);
      else h.update(fs.readFileSync(p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return h.digest('hex');
}

describe('cdk8s CLI contract (cdk8s.yaml app: main.ts reads CDK8S_OUTDIR)', () => {
  const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
  let dir: string;
  let before: { dist: string; gitops: string };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cdk8s-'));
    // The checkout's own dist/ and gitops/ are hashed on purpose: the commands below must leave them untouched.
    before = { dist: treeHash(path.join(ROOT, 'dist')), gitops: treeHash(path.join(ROOT, 'gitops')) };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = process.env;

  test('cdk8s synth -o <dir> writes that folder, and ./dist and gitops/ stay untouched', () => {
    const out = path.join(dir, 'out');
    const r = spawnSync(CDK8S, ['synth', '-o', out], { cwd: ROOT, encoding: 'utf8', timeout: 120000, env });
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out)).toEqual(expect.arrayContaining(['00-namespaces.yaml', '10-prometheus.yaml', 'Kustomization']));
    expect(treeHash(path.join(ROOT, 'dist'))).toBe(before.dist);
    expect(treeHash(path.join(ROOT, 'gitops'))).toBe(before.gitops);
    expect(fs.existsSync(path.join(dir, 'gitops'))).toBe(false);
  });

  test('cdk8s synth --stdout prints every object as valid YAML and writes nothing', () => {
    const r = spawnSync(CDK8S, ['synth', '--stdout'], { cwd: ROOT, encoding: 'utf8', timeout: 120000, env, maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout);
    expect(docs.filter((d) => d.errors.length > 0).map((d) => d.errors[0].message)).toEqual([]);
    const printed = docs
      .map((d) => d.toJS())
      .filter(Boolean)
      .map((o: any) => `${o.kind}/${o.metadata.name}`);
    const expected = synthFile().objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(printed.sort()).toEqual(expected.sort());
    expect(treeHash(path.join(ROOT, 'dist'))).toBe(before.dist);
    expect(treeHash(path.join(ROOT, 'gitops'))).toBe(before.gitops);
  });

  test('npm run synth -- --stdout prints the same objects and writes nothing', () => {
    const r = synthCli(['--stdout']);
    expect(r.status).toBe(0);
    const printed = parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .filter(Boolean)
      .map((o: any) => `${o.kind}/${o.metadata.name}`);
    expect(printed).toEqual(synthFile().objects.map((o) => `${o.kind}/${o.metadata?.name}`));
    expect(treeHash(path.join(ROOT, 'dist'))).toBe(before.dist);
  });

  test('npm run synth (the documented way) writes dist/ and gitops/ as before', () => {
    // Into a copy of the project's inputs, so the checkout's dist/ is not rewritten by a test.
    const work = path.join(dir, 'project');
    fs.mkdirSync(work);
    fs.copyFileSync(path.join(ROOT, 'monitoring.yaml'), path.join(work, 'monitoring.yaml'));
    const r = synthCli([], work);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('into dist/');
    expect(treeHash(path.join(work, 'dist'))).not.toBe('');
    expect(readManifests(path.join(work, 'dist'))).toEqual(synthFile().manifests);
  });
});
