/**
 * External linters over what we ship, each at the version of TOOL_PINS:
 * - pint (offline) over every Prometheus rule file in dist/ and over the Loki
 *   ruler's rule file (synthesized with the ruler on; each LogQL log range is
 *   swapped for a series of the same labels, so pint checks names, labels,
 *   annotations, templates and comparisons, not the LogQL it cannot parse);
 * - kubeconform -strict over dist/ and gitops/, against schemas generated
 *   offline from contracts/kubernetes (scripts/k8s-json-schemas.ts).
 * Zero findings pass; waivers live in .pint.hcl with their reason.
 * grafana/dashboard-linter is not run: no version of it installs here (TOOL_PINS note).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { App } from 'cdk8s';
import { MonitoringStack } from '../charts/stack';
import { renderManifests } from '../charts/lib/output';
import { validateSpec } from '../charts/spec/load';
import { TOOL_PINS } from '../charts/core/images';
import { generate, schemaLocation } from './k8s-json-schemas';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, '.cache', 'bin');

interface Manifest { kind?: string; metadata?: { name?: string }; data?: Record<string, string> }

function configMaps(yamlText: string, name: string): Record<string, string> {
  const docs = yamlText.split(/^---$/m).map((d) => parse(d) as Manifest | null).filter(Boolean) as Manifest[];
  return docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === name)?.data ?? {};
}

/** The Loki ruler's rule file: the project's spec with the ruler on (and a user rule), as synthesized. */
function lokiRules(): Record<string, string> {
  const raw = parse(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8'));
  raw.spec.loki = { ...raw.spec.loki, ruler: { enabled: true, errorRate: { containers: 'gateway|worker' } } };
  const stack = new MonitoringStack(new App(), 'lint', { spec: validateSpec(raw, 'monitoring.yaml with the Loki ruler on') });
  const all = [...renderManifests(stack).values()].join('\n---\n');
  return configMaps(all, 'loki-rules');
}

/**
 * A LogQL metric query as the PromQL of the same shape: each log range
 * `{stream selector} <pipeline> [range]` becomes the series `log_lines{stream selector}[range]`.
 * Aggregations, grouping labels and the comparison stay as written, so pint's label,
 * template and comparison checks see what the Loki ruler evaluates.
 */
export function logqlAsPromql(expr: string): string {
  return expr.replace(/(\{[^{}]*\})\s*(?:\|[^[]*?)?\s*(\[[^\]]+\])/g, 'log_lines$1$2');
}

function pint(dir: string, label: string): number {
  if (TOOL_PINS.pint.via === 'unavailable' || !fs.existsSync(path.join(BIN, 'pint'))) {
    console.log(`pint ${TOOL_PINS.pint.version} ${label}: not run: ${TOOL_PINS.pint.note}`);
    return 0;
  }
  const r = spawnSync(path.join(BIN, 'pint'), ['--offline', '--no-color', '--config', path.join(ROOT, '.pint.hcl'), 'lint', '--min-severity=info', dir], { encoding: 'utf8', cwd: dir });
  const out = `${r.stdout}${r.stderr}`;
  const problems = /msg="Problems found"(.*)$/m.exec(out);
  const count = problems ? [...problems[1].matchAll(/=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0) : 0;
  if (r.status !== 0 || count) console.log(out);
  console.log(`pint ${TOOL_PINS.pint.version} ${label}: ${count} findings`);
  return r.status !== 0 && !count ? 1 : count;
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-external-'));
  let findings = 0;
  try {
    // --- pint: Prometheus rules as shipped in dist/.
    const promDir = path.join(tmp, 'prometheus-rules');
    fs.mkdirSync(promDir);
    const promRules = configMaps(fs.readFileSync(path.join(ROOT, 'dist', '10-prometheus.yaml'), 'utf8'), 'prometheus-rules');
    if (Object.keys(promRules).length === 0) throw new Error('no prometheus-rules ConfigMap in dist/10-prometheus.yaml');
    for (const [f, t] of Object.entries(promRules)) fs.writeFileSync(path.join(promDir, f), t);
    findings += pint(promDir, `prometheus rules (${Object.keys(promRules).length} files)`);

    // --- pint: the Loki ruler's rules, LogQL swapped for vector(1).
    const lokiDir = path.join(tmp, 'loki-rules');
    fs.mkdirSync(lokiDir);
    const loki = lokiRules();
    if (Object.keys(loki).length === 0) throw new Error('the Loki ruler synthesized no rule file');
    for (const [f, t] of Object.entries(loki)) {
      const file = parse(t);
      for (const g of file.groups) for (const r of g.rules) r.expr = logqlAsPromql(r.expr);
      fs.writeFileSync(path.join(lokiDir, f), stringify(file));
    }
    findings += pint(lokiDir, `Loki ruler rules (${Object.keys(loki).length} files, log ranges as series)`);

    // --- kubeconform -strict, offline schemas.
    const schemas = generate(path.join(ROOT, '.cache', 'kubeconform-schemas'));
    const r = spawnSync(path.join(BIN, 'kubeconform'), ['-strict', '-summary', '-output', 'text', '-schema-location', schemaLocation(schemas.dir), 'dist', 'gitops'], { cwd: ROOT, encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    const m = /Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(out);
    const bad = m ? Number(m[2]) + Number(m[3]) + Number(m[4]) : 1;
    if (bad || r.status !== 0) console.log(out);
    console.log(`kubeconform ${TOOL_PINS.kubeconform.version} -strict dist/ gitops/: ${m ? `${m[1]} valid, ` : ''}${bad} findings (invalid, errors or skipped)`);
    findings += bad || (r.status !== 0 ? 1 : 0);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (findings) {
    console.error(`external linters: ${findings} findings`);
    process.exit(1);
  }
}

if (require.main === module) main();
