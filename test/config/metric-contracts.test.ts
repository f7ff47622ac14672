/**
 * Metric contracts: the metric names (and labels where the source defines
 * them) of the programs that cannot run here, read from their upstream source
 * at the pinned tag (contracts/metrics/*.json, each naming repository, tag and
 * files). A panel, recording rule or alert that reads a metric absent from its
 * source's contract fails here; so does a catalog entry, and a DCGM field of
 * the counters CSV we ship.
 */

import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { catalogSources, type SourceId } from '../../dashboards/catalog';
import { promqlMetrics, shippedQueries, type DashboardJson } from '../../dashboards/check';
import { buildDashboards, dashboardContext, datasourceTypes } from '../../dashboards';
import { parseSpecYaml } from '../../charts/spec-load';
import { countersCsv } from '../../charts/components/dcgm-exporter/construct';
import { IMAGES, imageVersion } from '../../charts/core/images';
import { RECORDING } from '../../charts/core/recording';
import { GPU_RECORDING } from '../../charts/components/dcgm-exporter/names';
import { dashboardContributions } from '../../charts/registry';
import { configMapData } from '../lib/dist';
import { synthFile } from '../lib/synth';
import { KINDS } from '../../charts/kinds';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'contracts', 'metrics');
interface Contract {
  source: { repository: string; tag: string; files: string[] };
  metrics: Record<string, { labels?: string[]; default?: boolean }>;
}
const load = (f: string): Contract => JSON.parse(fs.readFileSync(path.join(DIR, `${f}.json`), 'utf8'));

/** Each contracted source and its contract files (vLLM: before and after the 0.11 renames; a metric of either passes). */
const CONTRACTS: Partial<Record<SourceId, string[]>> = {
  'dcgm-exporter': ['dcgm-exporter'],
  cadvisor: ['cadvisor'],
  'kube-state-metrics': ['kube-state-metrics'],
  loki: ['loki'],
  alloy: ['alloy'],
  grafana: ['grafana'],
  // Each service kind names its own (charts/kinds/<kind>/index.ts `contracts`).
  ...Object.fromEntries(KINDS.filter((k) => k.contracts?.length).map((k) => [k.name, [...k.contracts!]])),
};
/** Names the source does not define itself: series every scrape adds, the client libraries' process/runtime collectors, our recording rules. */
const NOT_FROM_SOURCE = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_open_fds',
  'process_max_fds',
  'process_start_time_seconds',
  'python_info',
  'python_gc_collections_total',
  'python_gc_objects_collected_total',
  ...Object.values(RECORDING),
  ...Object.values(GPU_RECORDING),
]);
/** Metric-name prefixes owned by a contracted source: a rule or panel metric with one must be in that contract. */
const PREFIXES: [RegExp, SourceId][] = [
  [/^DCGM_/, 'dcgm-exporter'],
  [/^(container|machine)_/, 'cadvisor'],
  [/^kube_/, 'kube-state-metrics'],
  [/^loki_write_/, 'alloy'],
  [/^loki_(?!write_)/, 'loki'],
  [/^grafana_/, 'grafana'],
  ...KINDS.filter((k) => k.prefix).map((k): [RegExp, SourceId] => [
    new RegExp(`^${k.prefix!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    k.name,
  ]),
];

const names = new Map<SourceId, Set<string>>(
  Object.entries(CONTRACTS).map(([s, files]) => [s, new Set(files!.flatMap((f) => Object.keys(load(f).metrics)))]),
);
// DCGM exporter: a series per field of the counters CSV we ship (checked below against the fields its go-dcgm knows).
const dcgmKnown = new Set([
  ...((load('dcgm-exporter') as any).fieldsKnown.fields as string[]),
  // Counters the exporter computes itself (DCGM_EXP_*, e.g. the windowed XID count), read from its own source.
  ...Object.keys(JSON.parse(fs.readFileSync(path.join(DIR, 'dcgm-exporter-series.json'), 'utf8')).exporterCounters),
]);
for (const f of csvFields(true)) if (dcgmKnown.has(f)) names.get('dcgm-exporter')!.add(f);

function csvFields(profiling: boolean): string[] {
  return countersCsv(profiling)
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(',')[0].trim());
}
/** The catalog's sources and the components' (ComponentDef.catalog, e.g. the DCGM exporter's). */
const ALL_SOURCES = catalogSources(
  dashboardContributions(parseSpecYaml(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec).catalog,
);

/** A histogram's or summary's series are known when its family is (extraction records families for most sources). */
const known = (set: Set<string>, metric: string) => set.has(metric) || set.has(metric.replace(/_(bucket|sum|count)$/, ''));

/** Metrics of `used` that their source's contract lacks, as `metric (where): not in <source>`. */
export function missing(used: { metric: string; where: string }[]): string[] {
  const out: string[] = [];
  for (const { metric, where } of used) {
    if (NOT_FROM_SOURCE.has(metric)) continue;
    const owners = new Set<SourceId>(PREFIXES.filter(([re]) => re.test(metric)).map(([, s]) => s));
    for (const { id: s, metrics } of ALL_SOURCES) if (names.has(s) && metrics.includes(metric)) owners.add(s);
    for (const s of owners)
      if (!known(names.get(s)!, metric))
        out.push(`${metric} (${where}): not in the ${s} contract (${CONTRACTS[s]!.map((f) => load(f).source.tag).join(', ')})`);
  }
  return out;
}

describe('metric contracts', () => {
  test('each contract names its source: repository, tag and files', () => {
    for (const files of Object.values(CONTRACTS))
      for (const f of files!) {
        const c = load(f);
        // A repository, or (closed source: NIM) the vendor's documentation site.
        expect(c.source.repository).toMatch(/^(github\.com\/[\w.-]+\/[\w.-]+|docs\.nvidia\.com\/[\w./-]+)$/);
        expect(c.source.tag).not.toBe('');
        expect(c.source.files.length).toBeGreaterThan(0);
        expect(Object.keys(c.metrics).length).toBeGreaterThan(5);
      }
  });

  test("the deployed exporters' contracts are read at the pinned image tags", () => {
    expect(load('dcgm-exporter').source.tag).toBe(imageVersion(IMAGES.dcgmExporter).replace(/-ubuntu.*$/, ''));
    expect(load('cadvisor').source.tag).toBe(imageVersion(IMAGES.cadvisor));
    expect(load('kube-state-metrics').source.tag).toBe(imageVersion(IMAGES.kubeStateMetrics));
    // Loki: 3.7.8 is not in the fetched snapshot; the newest 3.7 tag is (same minor line).
    expect(load('loki').source.tag.replace(/^v/, '').split('.').slice(0, 2)).toEqual(imageVersion(IMAGES.loki).split('.').slice(0, 2));
  });

  test('every catalog metric of a contracted source is in its contract', () => {
    const used = ALL_SOURCES.filter((s) => s.id in CONTRACTS).flatMap((s) =>
      s.metrics.map((metric) => ({ metric, where: `catalog ${s.id}` })),
    );
    expect(used.filter((u) => u.metric.startsWith('DCGM_')).length).toBeGreaterThan(20);
    expect(missing(used)).toEqual([]);
  });

  test("every metric of the shipped alerts and recording rules is in its source's contract", () => {
    const rules = configMapData(synthFile().objects, 'prometheus-rules');
    const used = Object.entries(rules).flatMap(([file, text]) =>
      (parse(text).groups as { rules: { alert?: string; record?: string; expr: string }[] }[])
        .flatMap((g) => g.rules)
        .flatMap((r) => promqlMetrics(r.expr).map((metric) => ({ metric, where: `${file} ${r.alert ?? r.record}` }))),
    );
    expect(used.length).toBeGreaterThan(50);
    expect(missing(used)).toEqual([]);
  });

  test("every metric of the shipped dashboards is in its source's contract", () => {
    const spec = parseSpecYaml(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec;
    const contributions = dashboardContributions(spec);
    const types = datasourceTypes(dashboardContext(spec, contributions).sources);
    const built = buildDashboards(spec, contributions);
    expect(built.map((d) => d.uid)).toEqual(expect.arrayContaining(['gpu', 'gpu-cost']));
    const used = built.flatMap((d) =>
      shippedQueries(JSON.parse(d.json) as DashboardJson, types)
        .filter((q) => q.lang === 'PromQL')
        .flatMap((q) => promqlMetrics(q.expr).map((metric) => ({ metric, where: `${d.uid}: ${q.panel}` }))),
    );
    expect(used.length).toBeGreaterThan(100);
    expect(missing(used)).toEqual([]);
  });

  test('every field of the DCGM counters CSV we ship is a field of the exporter at the pinned tag', () => {
    for (const profiling of [false, true]) {
      const ours = csvFields(profiling);
      expect(ours.length).toBeGreaterThan(5);
      expect(ours.filter((f) => !dcgmKnown.has(f))).toEqual([]);
    }
    expect(dcgmKnown.has('DCGM_FI_DEV_GPU_UTILIZATION')).toBe(false);
  });

  test('a metric the source does not define is caught, naming where it is used', () => {
    expect(
      missing([
        { metric: 'DCGM_FI_DEV_GPU_UTILIZATION', where: 'gpu: GPU busy' },
        { metric: 'kube_pod_container_restarts_total', where: 'rule X' },
        { metric: 'loki_request_duration_seconds_bucket', where: 'ok' },
        { metric: 'loki_write_request_errors_total', where: 'rule Y' },
        { metric: 'loki_write_request_duration_seconds_count', where: 'ok' },
      ]),
    ).toEqual([
      expect.stringContaining('DCGM_FI_DEV_GPU_UTILIZATION (gpu: GPU busy): not in the dcgm-exporter contract (4.4.2-4.7.1)'),
      expect.stringContaining('kube_pod_container_restarts_total (rule X): not in the kube-state-metrics contract (v2.17.0)'),
      expect.stringContaining('loki_write_request_errors_total (rule Y): not in the alloy contract (main@66ebea8'),
    ]);
  });
});
