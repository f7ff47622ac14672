/**
 * node-exporter series filtering (issue 11): only the collectors whose
 * series a panel, rule, alert or runbook reads run, and the job keeps only
 * those series. The flags exist at the pinned version (contract from the
 * v1.9.1 sources) and are accepted by the real Debian node-exporter; the
 * series per node before/after are measured through the real Prometheus.
 * (The Node dashboard keeping data is proven by dashboards-real-data.test.ts.)
 */
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import {
  FS_TYPES_EXCLUDE,
  MOUNT_POINTS_EXCLUDE,
  NETDEV_EXCLUDE,
  NODE_EXPORTER_METRICS,
  nodeExporterCollectorArgs,
} from '../../charts/components/node-exporter/construct';
import { renderDocs } from '../../scripts/lib/rules-doc';
import { LOG_RULE_RUNBOOKS } from '../../charts/components/loki/ruler';
import { COMPONENT_RULE_AREAS } from '../../charts/registry';
import { configMapData } from '../lib/dist';
import { find, synth, synthFile } from '../lib/synth';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const CONTRACT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'contracts', 'node-exporter-v1.9.1.json'), 'utf8')) as {
  collectors: string[];
  flags: string[];
};
const dist = synthFile().objects;
const promConfig = parse(configMapData(dist, 'prometheus-config')['prometheus.yml']);
const nodeJob = promConfig.scrape_configs.find((j: { job_name: string }) => j.job_name === 'node-exporter');
const daemonSetArgs: string[] = find(dist, 'DaemonSet', 'node-exporter').spec.template.spec.containers[0].args;

/** node_* names read anywhere in the shipped rules (expressions and annotations), dashboards and runbooks. */
function nodeMetricsRead(): Set<string> {
  const texts = [
    ...Object.values(configMapData(dist, 'prometheus-rules')),
    ...dist
      .filter((o) => o.kind === 'ConfigMap' && String(o.metadata?.name).startsWith('grafana-dashboard-'))
      .flatMap((o) => Object.values((o as unknown as { data: Record<string, string> }).data)),
    renderDocs({ componentAreas: COMPONENT_RULE_AREAS, logRuleRunbooks: LOG_RULE_RUNBOOKS }).runbooks, // docs/runbooks.md (test/unit/docs.test.ts keeps it fresh)
  ];
  const names = new Set<string>();
  // Raw names only: recording-rule outputs (instance:node_...:...) carry a colon and are not scraped.
  for (const t of texts) for (const m of t.matchAll(/(?<![\w:])node_[a-zA-Z0-9_]*[a-zA-Z0-9](?![\w:*])/g)) names.add(m[0]);
  return names;
}

describe('node-exporter series filtering', () => {
  test('the kept series are exactly the node_* series the rules, dashboards and runbooks read', () => {
    expect([...nodeMetricsRead()].sort()).toEqual([...NODE_EXPORTER_METRICS].sort());
    expect(nodeJob.metric_relabel_configs).toEqual([
      { source_labels: ['__name__'], regex: `(${NODE_EXPORTER_METRICS.join('|')})`, action: 'keep' },
    ]);
  });

  test('every flag of the DaemonSet exists in node-exporter v1.9.1 (the pinned version)', () => {
    const unknown = daemonSetArgs
      .map((a) => a.replace(/^--/, '').split('=')[0])
      .filter((f) => {
        if (CONTRACT.flags.includes(f)) return false;
        const m = /^(?:no-)?collector\.([a-z_]+)$/.exec(f);
        return !(m && CONTRACT.collectors.includes(m[1]));
      });
    expect(unknown).toEqual([]);
    expect(daemonSetArgs).toContain('--collector.disable-defaults');
  });

  test('spec.nodeExporter.extraCollectors and extraMetrics extend the filter', () => {
    const { objects } = synth({ nodeExporter: { extraCollectors: ['hwmon'], extraMetrics: ['node_hwmon_temp_celsius'] } });
    const args: string[] = find(objects, 'DaemonSet', 'node-exporter').spec.template.spec.containers[0].args;
    expect(args).toContain('--collector.hwmon');
    const job = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs.find(
      (j: { job_name: string }) => j.job_name === 'node-exporter',
    );
    expect(job.metric_relabel_configs[0].regex).toContain('|node_hwmon_temp_celsius)');
  });
});

// --- Before/after on the real node-exporter and Prometheus ------------------------------------

async function query(port: number, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

// The pinned Prometheus and Debian's node-exporter (test-all installs both; missing is a failure, not a skip).
const PROMETHEUS = tool('prometheus');
const NODE_EXPORTER = tool('prometheus-node-exporter');

describe('series per node on the real node-exporter (Debian) through the real Prometheus', () => {
  const procs: ChildProcess[] = [];
  let dir = '';
  let promPort = 0;
  let log = '';
  const start = (bin: string, args: string[]) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stderr?.on('data', (d) => {
      log += d;
    });
    procs.push(p);
  };

  beforeAll(async () => {
    const [before, after] = [await freePort(), await freePort()];
    promPort = await freePort();
    // Before: the previous DaemonSet (every default collector but wifi/hwmon/btrfs, the same filesystem and device filters, no metric filter).
    start(NODE_EXPORTER, [
      `--web.listen-address=127.0.0.1:${before}`,
      `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`,
      `--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`,
      `--collector.netdev.device-exclude=${NETDEV_EXCLUDE}`,
      `--collector.netclass.ignored-devices=${NETDEV_EXCLUDE}`,
      '--no-collector.wifi',
      '--no-collector.hwmon',
      '--no-collector.btrfs',
    ]);
    // After: the synthesized collector flags and the synthesized job's metric_relabel_configs.
    start(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${after}`, ...nodeExporterCollectorArgs()]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-exporter-series-'));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [
          { job_name: 'before', static_configs: [{ targets: [`127.0.0.1:${before}`] }] },
          {
            job_name: 'node-exporter',
            static_configs: [{ targets: [`127.0.0.1:${after}`] }],
            metric_relabel_configs: nodeJob.metric_relabel_configs,
          },
        ],
      }),
    );
    start(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        if ((await query(promPort, 'scrape_samples_post_metric_relabeling')).length === 2) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape both node-exporters in 30s:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 60000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve())));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('fewer series exposed and stored per node; every kept name present', async () => {
    const value = async (q: string) => Number((await query(promPort, q))[0].value[1]);
    const before = await value('scrape_samples_post_metric_relabeling{job="before"}');
    const exposed = await value('scrape_samples_scraped{job="node-exporter"}');
    const stored = await value('scrape_samples_post_metric_relabeling{job="node-exporter"}');
    // The figures the README states (this machine): see the log line.
    console.log(`node-exporter series per node: before ${before} exposed = stored; after ${exposed} exposed, ${stored} stored`);
    expect(exposed).toBeLessThan(before / 2);
    expect(stored).toBeLessThan(exposed);
    const names = new Set((await query(promPort, 'count by (__name__) ({job="node-exporter"})')).map((r) => r.metric.__name__));
    const scrape = [
      'up',
      'scrape_duration_seconds',
      'scrape_samples_scraped',
      'scrape_samples_post_metric_relabeling',
      'scrape_series_added',
    ];
    expect([...names].filter((n) => !scrape.includes(n)).sort()).toEqual([...NODE_EXPORTER_METRICS].sort());
  });
});
