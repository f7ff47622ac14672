/**
 * The external linters of scripts/lint-external.ts find what they are there
 * to find (the clean run over dist/ is in `npm run test:all`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generate, schemaLocation } from '../../scripts/k8s-json-schemas';
import { logqlAsPromql, shippedRuleFiles } from '../../scripts/lint-external';
import { run } from '../lib/promtool';
import { tool } from '../lib/tools';
import { TOOL_PINS } from '../../charts/core/images';

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linters-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('kubeconform with the offline schemas', () => {
  let location = '';
  beforeAll(() => {
    location = schemaLocation(generate(path.join(tmp, 'schemas')).dir);
  });
  const check = (yaml: string) => {
    const f = path.join(tmp, `m-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(f, yaml);
    return run(tool('kubeconform'), ['-strict', '-summary', '-schema-location', location, f]);
  };

  test('a valid Deployment passes; an unknown field and a wrong type fail', () => {
    const deploy = (container: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - ${container}\n`;
    expect(check(deploy('{name: x, image: "x:1", ports: [{containerPort: 80}], resources: {limits: {cpu: 1, memory: 1Gi}}}')).status).toBe(
      0,
    );
    const unknown = check(deploy('{name: x, image: "x:1", imagePulPolicy: Always}'));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toContain("additional properties 'imagePulPolicy' not allowed");
    expect(check(deploy('{name: x, image: "x:1", ports: [{containerPort: "80"}]}')).status).not.toBe(0);
  });

  test('custom resources validate against their CRDs (Argo CD Application, cert-manager ClusterIssuer)', () => {
    const app = check(
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {project: default, destination: {server: x}, source: {repoURL: x, bogus: 1}}\n',
    );
    expect(app.stdout).toContain("additional properties 'bogus' not allowed");
    const issuer = check('apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: z}\nspec: {acme: {server: "https://x"}}\n');
    expect(issuer.stdout).toContain("missing property 'privateKeySecretRef'");
  });

  test('a kind with no schema is an error, never a download', () => {
    const r = check('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/could not find schema/);
  });
});

describe('pint', () => {
  test(`pint ${TOOL_PINS.pint.version} (.cache/bin, built from tools/pint/go.mod) finds a redundant regexp and a template label the query drops`, () => {
    const dir = path.join(tmp, 'pint');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'r.yaml'),
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - alert: A',
        '        expr: sum(up{job=~"x"}) == 0',
        '        labels: {severity: critical}',
        '        annotations: {summary: "{{ $labels.pod }} down"}',
        '',
      ].join('\n'),
    );
    const r = run(tool('pint'), ['--offline', '--no-color', 'lint', dir], dir);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('promql/regexp');
    expect(r.stdout + r.stderr).toContain('alerts/template');
  });

  test("lint-external lints the rule files of dist/ and of every example, agent mode's (kept for the central ruler) among them", () => {
    const shipped = shippedRuleFiles();
    const examples = fs
      .readdirSync(path.join(__dirname, '..', '..', 'examples'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `examples/${f}`);
    expect([...shipped.keys()].sort()).toEqual(['dist/ (monitoring.yaml)', ...examples].sort());
    for (const [spec, files] of shipped) expect([spec, Object.keys(files).length > 3]).toEqual([spec, true]);
    expect(Object.keys(shipped.get('examples/scale-out.yaml')!)).toEqual(expect.arrayContaining(['applications.yaml']));
  });

  test('a LogQL metric query keeps its aggregation, labels and comparison when its log ranges become series', () => {
    expect(logqlAsPromql('sum by (namespace, container) (rate({namespace=~".+", container=~"a|b"} |~ "(?i)error" [1m])) * 60 > 10')).toBe(
      'sum by (namespace, container) (rate(log_lines{namespace=~".+", container=~"a|b"}[1m])) * 60 > 10',
    );
    expect(logqlAsPromql('sum by (namespace) (count_over_time({app="payments"} |= "timeout" [5m])) > 3')).toBe(
      'sum by (namespace) (count_over_time(log_lines{app="payments"}[5m])) > 3',
    );
  });
});
