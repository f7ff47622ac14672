/**
 * What the Teams end-to-end tests share: the loopback server standing in for a
 * Teams Workflows endpoint (it records each POST and answers 202, as the
 * Workflows trigger does), the spec they synthesize (1 s intervals, only
 * Prometheus, node-exporter and Alertmanager), and the rule files written
 * where the test's Prometheus reads them.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { stringify } from 'yaml';
import { configMapData } from './dist';
import type { K8sObject } from './k8s-validate';
import type { Procs } from './procs';
import { tool } from './tools';

export interface Posted<T> { readonly at: number; readonly path: string; readonly contentType: string; readonly card: T }

/** A Workflows stand-in on 127.0.0.1:<port>; `posts` fills as cards arrive. Close `server` in afterAll. */
export async function workflowsEndpoint<T>(port: number): Promise<{ server: http.Server; posts: Posted<T>[] }> {
  const posts: Posted<T>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.method === 'POST') posts.push({ at: Date.now(), path: req.url ?? '', contentType: String(req.headers['content-type']), card: JSON.parse(body) });
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { server, posts };
}

/** The spec both Teams tests synthesize, with the receiver under test. */
export function teamsE2eSpec(receiver: Record<string, unknown>): Record<string, unknown> {
  return {
    prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false, externalLabels: { cluster: 'e2e-cluster' } },
    cadvisor: { enabled: false }, gpu: { enabled: false }, kubeStateMetrics: { enabled: false },
    kubelet: { volumeStats: { enabled: false } }, loki: { enabled: false }, grafana: { enabled: false }, blackboxExporter: { enabled: false },
    alerting: {
      thresholds: { targetDownFor: '3s' },
      route: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
      receivers: [receiver],
    },
  };
}

/** Writes the prometheus-rules ConfigMap's files into <dir>/rules and returns that folder. */
export function writeRuleFiles(dir: string, objects: K8sObject[]): string {
  const rulesDir = path.join(dir, 'rules');
  fs.mkdirSync(rulesDir);
  for (const [file, text] of Object.entries(configMapData(objects, 'prometheus-rules'))) fs.writeFileSync(path.join(rulesDir, file), text);
  return rulesDir;
}

/**
 * prometheus.yml for loopback: each synthesized job's discovery becomes its static target (the test's map must name
 * exactly the synthesized jobs), Alertmanager and the rule files are where the test put them. Writes <dir>/prometheus.yml.
 */
export function writeLoopbackPrometheus(dir: string, prom: any, targets: Record<string, unknown>, alertmanager: string, rulesDir: string): string[] {
  const jobs = prom.scrape_configs.map((j: { job_name: string }) => j.job_name).sort();
  for (const job of prom.scrape_configs) {
    delete job.kubernetes_sd_configs;
    job.static_configs = [targets[job.job_name]];
  }
  prom.alerting.alertmanagers[0].static_configs[0].targets = [alertmanager];
  prom.rule_files = [path.join(rulesDir, '*.yaml')];
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(prom));
  return jobs;
}

/** Starts the real Alertmanager and Prometheus on loopback with <dir>/alertmanager.yml and <dir>/prometheus.yml. */
export function startAlertmanagerAndPrometheus(procs: Procs, dir: string, ports: { alertmanager: number; prometheus: number }, webConfig: string): void {
  procs.start('alertmanager', tool('alertmanager'), [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${ports.alertmanager}`, '--cluster.listen-address=', webConfig,
  ]);
  procs.start('prometheus', tool('prometheus'), [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`, '--rules.alert.resend-delay=1s', webConfig,
  ]);
}
