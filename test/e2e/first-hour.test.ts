/**
 * What a new user meets in a fresh clone: the README's example commands exit 0
 * one after the other, the upgrade check compares only with the previous
 * output of the same stack, --stdout is pure YAML, --out writes only inside
 * the folder given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { testTempDir } from '../lib/tmp';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function synthCli(args: string[], cwd: string) {
  return spawnSync(TSX, [path.join(ROOT, 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
}

/** A copy of what a clone holds for synth: the spec, the examples and the committed dist/ with its marker (read on purpose: it is what a clone has). */
function freshClone(): string {
  const dir = testTempDir('first-hour-');
  for (const f of ['monitoring.yaml', 'examples', 'dist']) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  return dir;
}

describe('examples on a fresh clone', () => {
  test('every example synthesizes into dist/ in a row; another stack in dist/ is said in one line, never compared', () => {
    const dir = freshClone();
    const examples = fs
      .readdirSync(path.join(dir, 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(examples.length).toBeGreaterThanOrEqual(11);
    const refused: string[] = [];
    for (const e of examples) {
      const r = synthCli([`examples/${e}`], dir);
      if (r.status !== 0) refused.push(`${e}: ${r.stderr}`);
      const notes = r.stdout.split('\n').filter((l) => l.startsWith('note: dist/ held'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain('no previous output of this stack, so no upgrade check');
    }
    expect(refused).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'dist', '.cdk8s-ai-monitoring'), 'utf8')).toContain(
      `spec: examples/${examples[examples.length - 1]}`,
    );
  }, 600000);

  test('the previous output of the same stack is still compared, and the refusal says which output it compared with', () => {
    const dir = freshClone();
    const spec = fs.readFileSync(path.join(dir, 'examples', 'generic.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'mine.yaml'), spec);
    expect(synthCli(['mine.yaml', '--out', 'out'], dir).status).toBe(0);
    // The same spec, again: nothing to refuse, no note.
    const again = synthCli(['mine.yaml', '--out', 'out'], dir);
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('note: out/ held');
    // A smaller Prometheus volume cannot be applied in place.
    const doc = parseAllDocuments(spec)[0].toJS();
    doc.spec.prometheus = { ...(doc.spec.prometheus ?? {}), storage: { size: '1Gi' } };
    fs.writeFileSync(path.join(dir, 'mine.yaml'), JSON.stringify(doc));
    const r = synthCli(['mine.yaml', '--out', 'out'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('synth refused');
    expect(r.stderr).toContain(
      `compared with out/'s previous output of the same stack (stack ${doc.metadata.name} (namespace ${doc.spec.namespace ?? 'monitoring'}) from mine.yaml)`,
    );
    expect(r.stderr).toContain('--out <new folder>');
    // Another spec file into the same folder is another stack: no comparison, one note.
    fs.copyFileSync(path.join(dir, 'mine.yaml'), path.join(dir, 'other.yaml'));
    const other = synthCli(['other.yaml', '--out', 'out'], dir);
    expect(other.status).toBe(0);
    expect(other.stdout).toContain('note: out/ held stack');
  }, 300000);
});

describe('output hygiene', () => {
  test('npm run synth -- --stdout is pure YAML (no npm banner), every document a Kubernetes object', () => {
    const r = spawnSync('npm', ['run', 'synth', '--', '--stdout'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('---\n')).toBe(true);
    const docs = parseAllDocuments(r.stdout);
    expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    expect(docs.length).toBeGreaterThan(20);
    for (const d of docs) expect(d.toJS()).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }));
  }, 180000);

  test('--out DIR writes only inside DIR (the Argo CD Application too); --gitops-out says where it goes instead', () => {
    const dir = testTempDir('first-hour-out-');
    fs.copyFileSync(path.join(ROOT, 'monitoring.yaml'), path.join(dir, 'mine.yaml')); // has spec.gitops.argocd
    const r = synthCli(['mine.yaml', '--out', 'deploy/stack'], dir);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['deploy', 'mine.yaml']);
    expect(fs.readdirSync(path.join(dir, 'deploy'))).toEqual(['stack']);
    const out = path.join(dir, 'deploy', 'stack');
    const app = parseAllDocuments(fs.readFileSync(path.join(out, 'argocd-application'), 'utf8'))[0].toJS();
    expect(app.kind).toBe('Application');
    // Not a *.yaml file, so kubectl apply -f DIR skips it (as it skips the Kustomization), and the Kustomization does not list it.
    expect(fs.readFileSync(path.join(out, 'Kustomization'), 'utf8')).not.toContain('argocd');
    expect(r.stdout).not.toContain('gitops/');

    const r2 = synthCli(['mine.yaml', '--out', 'deploy/stack', '--gitops-out', 'apps'], dir);
    expect(r2.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['apps', 'deploy', 'mine.yaml']);
    expect(fs.readdirSync(path.join(dir, 'apps'))).toEqual(['argocd-application.yaml']);
    expect(fs.existsSync(path.join(out, 'argocd-application'))).toBe(false);
  }, 180000);
});

describe('warnings a user can act on', () => {
  test('the built-in default spec warns about nothing; monitoring.yaml only about the values left from the example, once each', () => {
    const empty = testTempDir('first-hour-default-');
    const d = synthCli(['--stdout'], empty); // no monitoring.yaml here: the built-in default
    expect(d.status).toBe(0);
    expect(d.stderr).toBe('');
    const m = synthCli(['--stdout'], ROOT);
    expect(m.status).toBe(0);
    const warnings = m.stderr.split('\n').filter(Boolean);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: spec\.ingress\.domain is "example\.com", a placeholder from the example spec: set a DNS name of yours/,
      ),
      expect.stringMatching(
        /^warning: spec\.ingress\.tls\.createClusterIssuer\.email is "platform-team@example\.com", .*Let's Encrypt production ClusterIssuer: Let's Encrypt refuses example addresses/,
      ),
      expect.stringMatching(
        /^warning: spec\.gitops\.argocd\.repoURL is "https:\/\/git\.example\.com\/.*: set the URL of the Git repository/,
      ),
    ]);
  }, 120000);

  test('--strict refuses the values left from the example before writing anything, and names the fields', () => {
    const dir = testTempDir('first-hour-strict-');
    fs.copyFileSync(path.join(ROOT, 'monitoring.yaml'), path.join(dir, 'monitoring.yaml'));
    const r = synthCli(['--strict'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'synth refused (--strict): 3 values left from the example spec (spec.ingress.domain, spec.ingress.tls.createClusterIssuer.email, spec.gitops.argocd.repoURL)',
    );
    expect(fs.readdirSync(dir)).toEqual(['monitoring.yaml']);
    const s = synthCli(['--strict', '--stdout'], dir);
    expect(s.status).toBe(1);
    expect(s.stdout).toBe('');
    // Real values pass.
    const mine = fs
      .readFileSync(path.join(dir, 'monitoring.yaml'), 'utf8')
      .replace('domain: example.com', 'domain: ops.acme-corp.internal')
      .replace('platform-team@example.com', 'oncall@acme-corp.internal')
      .replace('https://git.example.com/', 'https://git.acme-corp.internal/');
    fs.writeFileSync(path.join(dir, 'monitoring.yaml'), mine);
    const ok = synthCli(['--strict', '--stdout'], dir);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  }, 180000);
});
