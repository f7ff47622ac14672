/**
 * External linters over what we ship, each at the version of TOOL_PINS:
 * - pint (offline) over every Prometheus rule file of every spec we ship:
 *   dist/ (monitoring.yaml) and each examples/*.yaml synthesized in memory
 *   (each distinct file once; agent mode's rules, kept for the central ruler,
 *   included), and over the Loki ruler's rule file (synthesized with the ruler on; each LogQL log range is
 *   swapped for a series of the same labels, so pint checks names, labels,
 *   annotations, templates and comparisons, not the LogQL it cannot parse);
 * - kubeconform -strict over dist/ and gitops/, against schemas generated
 *   offline from contracts/kubernetes (scripts/k8s-json-schemas.ts).
 * Zero findings pass; waivers live in .pint.hcl with their reason. Every tool
 * runs from .cache/bin (scripts/install-tools.ts); a missing one is an error.
 * grafana/dashboard-linter is not run: no version of it installs here (TOOL_PINS note).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { App } from 'cdk8s';
import { MonitoringStack } from '../charts/stack';
import { renderManifests } from '../charts/app/output';
import { parseSpecYaml, validateSpec } from '../charts/spec-load';
import { TOOL_PINS } from '../charts/core/images';
import { generate, schemaLocation } from './k8s-json-schemas';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, '.cache', 'bin');

interface Manifest {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
}

function configMaps(yamlText: string, name: string): Record<string, string> {
  const docs = yamlText
    .split(/^---$/m)
    .map((d) => parse(d) as Manifest | null)
    .filter(Boolean) as Manifest[];
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

/** The rule files of every spec we ship: `<spec> -> file name -> YAML`; dist/ for monitoring.yaml, each example synthesized. */
export function shippedRuleFiles(): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const dist = configMaps(fs.readFileSync(path.join(ROOT, 'dist', '10-prometheus.yaml'), 'utf8'), 'prometheus-rules');
  if (Object.keys(dist).length === 0) throw new Error('no prometheus-rules ConfigMap in dist/10-prometheus.yaml');
  out.set('dist/ (monitoring.yaml)', dist);
  for (const f of fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    const file = `examples/${f}`;
    const stack = new MonitoringStack(new App(), 'lint', { spec: parseSpecYaml(fs.readFileSync(path.join(ROOT, file), 'utf8'), file) });
    const rules = configMaps([...renderManifests(stack).values()].join('\n---\n'), 'prometheus-rules');
    if (Object.keys(rules).length === 0) throw new Error(`${file}: no prometheus-rules ConfigMap synthesized`);
    out.set(file, rules);
  }
  return out;
}

function pint(dir: string, label: string): number {
  if (!fs.existsSync(path.join(BIN, 'pint')))
    throw new Error(`pint ${TOOL_PINS.pint.version} is not in .cache/bin: run scripts/install-tools.ts`);
  const r = spawnSync(
    path.join(BIN, 'pint'),
    ['--offline', '--no-color', '--config', path.join(ROOT, '.pint.hcl'), 'lint', '--min-severity=info', dir],
    { encoding: 'utf8', cwd: dir },
  );
  const out = `${r.stdout}${r.stderr}`;
  const problems = /msg="Problems found"(.*)$/m.exec(out);
  const count = problems ? [...problems[1].matchAll(/=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0) : 0;
  // pint says how many rules it read: none would mean it parsed nothing (a layout it did not recognise), not a clean run.
  const entries = Number(/msg="Checking Prometheus rules" entries=(\d+)/.exec(out)?.[1] ?? 0);
  if (r.status !== 0 || count || !entries) console.log(out);
  console.log(`pint ${TOOL_PINS.pint.version} ${label}: ${entries} rules, ${count} findings`);
  return (r.status !== 0 || !entries) && !count ? 1 : count;
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-external-'));
  let findings = 0;
  try {
    // --- pint: the Prometheus rules of every shipped spec, each distinct file once (a spec's own folder: group names may repeat across specs).
    const seen = new Set<string>();
    let n = 0;
    for (const [spec, rules] of shippedRuleFiles()) {
      const fresh = Object.entries(rules).filter(([, t]) => !seen.has(t));
      for (const [, t] of fresh) seen.add(t);
      if (fresh.length === 0) {
        console.log(
          `pint ${TOOL_PINS.pint.version} prometheus rules of ${spec}: every file already linted (the same bytes as an earlier spec's)`,
        );
        continue;
      }
      const promDir = path.join(tmp, `prometheus-rules-${n++}`);
      fs.mkdirSync(promDir);
      for (const [f, t] of fresh) fs.writeFileSync(path.join(promDir, f), t);
      findings += pint(promDir, `prometheus rules of ${spec} (${fresh.length} of its ${Object.keys(rules).length} files new)`);
    }

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
    const r = spawnSync(
      path.join(BIN, 'kubeconform'),
      ['-strict', '-summary', '-output', 'text', '-schema-location', schemaLocation(schemas.dir), 'dist', 'gitops'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const out = `${r.stdout}${r.stderr}`;
    const m = /Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(out);
    const bad = m ? Number(m[2]) + Number(m[3]) + Number(m[4]) : 1;
    if (bad || r.status !== 0) console.log(out);
    console.log(
      `kubeconform ${TOOL_PINS.kubeconform.version} -strict dist/ gitops/: ${m ? `${m[1]} valid, ` : ''}${bad} findings (invalid, errors or skipped)`,
    );
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
