/**
 * A sample of the spec corpus (test/lib/spec-corpus.ts) through the real CLI,
 * `main.ts <spec> --out <dir>`, with an output folder a previous synth wrote:
 * each mistake exits 1 with one problem naming its field and the fix, no
 * stack trace, no secret echoed, and the folder byte-identical; each unusual
 * but valid file synthesizes.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { INVALID, ROOT, VALID, type CorpusCase } from '../lib/spec-corpus';
import { testTempDir } from '../lib/tmp';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const synthCli = (spec: string, out: string, cwd: string) =>
  spawnSync(TSX, [path.join(ROOT, 'main.ts'), spec, '--out', out], { cwd, encoding: 'utf8', timeout: 120000 });

/** Every file of the folder (the marker included) with its content hash. */
/** The manifests of an output folder with their hashes (not its marker, which names the spec file it came from). */
function tree(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f !== '.cdk8s-ai-monitoring')
    .sort()
    .map(
      (f) =>
        `${f} ${crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, f)))
          .digest('hex')}`,
    );
}

const pick = (cases: CorpusCase[], names: string[]) =>
  names.map((n) => {
    const c = cases.find((x) => x.name === n);
    if (!c) throw new Error(`no corpus case "${n}"`);
    return c;
  });

/** One of each family: the file, YAML syntax, names, durations, sizes, ports, SLOs, secrets, hosts, namespaces, keys. */
const SAMPLE = pick(INVALID, [
  'empty file',
  'tab indentation',
  'a missing space after the colon',
  'anchor/alias bomb',
  'two documents',
  'a list of stacks',
  'metadata.name in capitals',
  'duration "1h30" without the last unit',
  'volume size "50GB"',
  'port name with a trailing space',
  'SLO objective as a ratio 0.999',
  'SLO window longer than the retention',
  'Teams webhook URL under a misspelt field',
  'repoURL with credentials',
  'ingress domain with a trailing dot',
  'namespace kube-system',
  'a field indented under the wrong section',
  'key with a Cyrillic homoglyph',
]);
const VALID_SAMPLE = pick(VALID, [
  'CRLF line endings',
  'BOM and CRLF',
  'the same spec as JSON',
  'a document start marker and a trailing one',
]);

describe('the spec corpus through the CLI', () => {
  const dir = testTempDir('spec-corpus-cli-');
  const out = path.join(dir, 'dist');
  let before: string[];

  beforeAll(() => {
    const r = synthCli(path.join(ROOT, 'monitoring.yaml'), out, dir);
    expect(r.status).toBe(0);
    before = tree(out);
  });

  test.each(SAMPLE.map((c, i) => [c.name, c, i] as const))('%s: exit 1, one problem, the output folder untouched', (_name, c, i) => {
    const spec = path.join(dir, `case-${i}.yaml`);
    fs.writeFileSync(spec, c.text);
    const r = synthCli(spec, out, dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${spec}: invalid MonitoringStack spec (1 problem):\n  - ${c.path}:`);
    expect(r.stderr).toContain(c.fix);
    expect(r.stderr).toContain('was left unchanged');
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
    for (const h of c.hidden ?? []) expect(`${r.stdout}${r.stderr}`).not.toContain(h);
    expect(tree(out)).toEqual(before);
  });

  test.each(VALID_SAMPLE.map((c, i) => [c.name, c, i] as const))('%s: synthesizes', (_name, c, i) => {
    const spec = path.join(dir, `valid-${i}.yaml`);
    fs.writeFileSync(spec, c.text);
    const fresh = path.join(dir, `fresh-${i}`);
    const r = synthCli(spec, fresh, dir);
    expect(r.stderr).not.toContain('invalid MonitoringStack spec');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(fresh)).toContain('10-prometheus.yaml');
    // monitoring.yaml with other line endings, a BOM or document markers: the very same manifests.
    if (c.name !== 'the same spec as JSON') expect(tree(fresh)).toEqual(before);
  });
});
