/**
 * Running the real Debian tools on synthesized files.
 *
 * Debian builds Prometheus 2.42 without Kubernetes service discovery, so
 * `promtool check config` rejects `kubernetes_sd_configs`. `forDebianPromtool`
 * replaces each such block with a static target and changes nothing else:
 * relabelling, intervals, rule_files and alerting are checked as synthesized.
 * promtool also requires the files a job names (the ServiceAccount token and
 * CA, which exist only inside a pod): those paths point to stand-ins.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { testTempDir } from './tmp';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount/';
let saStandIn: string | undefined;

/** A folder with a stand-in ServiceAccount token and CA certificate. */
function serviceAccountStandIn(): string {
  if (!saStandIn) {
    saStandIn = testTempDir('sa-');
    fs.writeFileSync(path.join(saStandIn, 'token'), 'stand-in-token\n');
    fs.writeFileSync(path.join(saStandIn, 'ca.crt'), '');
  }
  return saStandIn;
}

export function forDebianPromtool(prometheusYml: string): string {
  const config = parse(prometheusYml);
  const swap = (block: Record<string, any>) => {
    if (block.kubernetes_sd_configs) {
      delete block.kubernetes_sd_configs;
      block.static_configs = [{ targets: ['127.0.0.1:9'] }];
    }
    const standIn = (file: unknown) => (typeof file === 'string' && file.startsWith(SA_DIR) ? path.join(serviceAccountStandIn(), file.slice(SA_DIR.length)) : file);
    if (block.authorization?.credentials_file) block.authorization.credentials_file = standIn(block.authorization.credentials_file);
    if (block.tls_config?.ca_file) block.tls_config.ca_file = standIn(block.tls_config.ca_file);
  };
  for (const job of config.scrape_configs ?? []) swap(job);
  for (const am of config.alerting?.alertmanagers ?? []) swap(am);
  return stringify(config);
}

export interface ToolResult { status: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], cwd?: string): ToolResult {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Write `files` into a fresh temp folder; returns its path. */
export function tempFiles(files: Record<string, string>): string {
  const dir = testTempDir('promtool-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
