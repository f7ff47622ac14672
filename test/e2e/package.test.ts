/**
 * The construct library as a consumer gets it: `npm pack` (prepack builds
 * lib/ with tsc) yields compiled JavaScript and .d.ts only; the tarball
 * installs into a fresh cdk8s app beside its peer dependencies (one copy of
 * cdk8s); the docs snippet "Using the constructs in your own cdk8s app",
 * taken from docs/library.md, type-checks with `tsc --strict` (no skipLibCheck: the
 * published .d.ts are checked too) and synthesizes.
 *
 * The install prefers npm's cache (filled by the project's `npm ci`), with
 * the versions the project itself resolved, so it needs no network where
 * the project was installed. Everything lives in a temp folder removed at the
 * end; lib/ is removed when the test created it.
 */
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OUTPUT_MARKER } from '../../charts/app/output';
import { synthFile } from '../lib/synth';

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let tmp = '';
const libExisted = fs.existsSync(path.join(ROOT, 'lib'));

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

/** The first ```ts block of the README section `title`. */
function readmeSnippet(readme: string, title: string): string {
  const start = readme.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`docs/library.md has no section "## ${title}"`);
  const next = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`docs/library.md section "${title}" has no \`\`\`ts block`);
  return m[1];
}

const version = (pkg: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;

describe('npm pack -> install into a cdk8s app -> README snippet type-checks and synthesizes', () => {
  let tarball = '';
  const app = () => path.join(tmp, 'app');

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-'));
    run('npm', ['pack', '--pack-destination', tmp, '--silent'], ROOT);
    const tgz = fs.readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    expect(tgz).toHaveLength(1);
    tarball = path.join(tmp, tgz[0]);
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (!libExisted) fs.rmSync(path.join(ROOT, 'lib'), { recursive: true, force: true });
  });

  test('the tarball holds compiled JavaScript and declarations, no TypeScript sources or tests', () => {
    const files = run('tar', ['-tzf', tarball], tmp)
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'lib/charts/index.js',
        'lib/charts/index.d.ts',
        'lib/charts/stack.js',
        'lib/dashboards/lib.d.ts',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|dist|node_modules|scripts)\//.test(f) || f === '_p.ts')).toEqual([]);
    const pkg = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], tmp).stdout);
    expect(pkg.exports['.']).toEqual({ types: './lib/charts/index.d.ts', default: './lib/charts/index.js' });
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
    for (const peer of Object.keys(pkg.peerDependencies)) expect(pkg.dependencies?.[peer]).toBeUndefined();
  });

  test('installed into a fresh app, the README snippet type-checks with tsc --strict and synthesizes', () => {
    fs.mkdirSync(app());
    fs.writeFileSync(path.join(app(), 'package.json'), JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true }, null, 2));
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        tarball,
        ...['cdk8s', 'constructs', 'cdk8s-plus-28', '@types/node'].map((p) => `${p}@${version(p)}`),
      ],
      app(),
    );

    // One copy of cdk8s and constructs: the app's (the library's are peers).
    const copies = (name: string) =>
      run('find', ['.', '-path', `*/node_modules/${name}/package.json`], app())
        .stdout.split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^\.\//, ''));
    expect(copies('cdk8s')).toEqual(['node_modules/cdk8s/package.json']);
    expect(copies('constructs')).toEqual(['node_modules/constructs/package.json']);

    const snippet = readmeSnippet(
      fs.readFileSync(path.join(ROOT, 'docs', 'library.md'), 'utf8'),
      'Using the constructs in your own cdk8s app',
    );
    fs.writeFileSync(path.join(app(), 'main.ts'), snippet);
    fs.copyFileSync(path.join(ROOT, 'monitoring.yaml'), path.join(app(), 'monitoring.yaml'));
    // What `tsc --init` sets up for a CommonJS app (strict, esModuleInterop, which zod's .d.ts need), without skipLibCheck: the library's .d.ts are checked too.
    fs.writeFileSync(
      path.join(app(), 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            esModuleInterop: true,
            module: 'commonjs',
            target: 'ES2022',
            lib: ['ES2022'],
            types: ['node'],
            outDir: 'out',
            rootDir: '.',
          },
          files: ['main.ts'],
        },
        null,
        2,
      ),
    );
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], app());

    run(process.execPath, [path.join('out', 'main.js')], app());
    const written = fs.readdirSync(path.join(app(), 'dist')).sort();
    // MonitoringApp writes what npm run synth -- --out dist writes: the files of dist/ and its marker, and the Argo CD Application inside.
    expect(written).toEqual([...synthFile().files.keys(), OUTPUT_MARKER, 'argocd-application'].sort());
    const prometheus = fs.readFileSync(path.join(app(), 'dist', '10-prometheus.yaml'), 'utf8');
    expect(prometheus).toContain('job_name: my-exporter');
    expect(prometheus).toContain('my-exporter.default.svc:9100');
  });

  test('the README snippet is found where the test looks (a missing section fails)', () => {
    expect(() => readmeSnippet('# x\n## Other\n```ts\nx\n```\n', 'Using the constructs in your own cdk8s app')).toThrow(/no section/);
  });
});
