/**
 * Running the real tools on synthesized files: promtool and amtool at the
 * versions of TOOL_PINS (found through test/lib/tools.ts). Prometheus 3.x has
 * Kubernetes discovery, so configs are checked as synthesized; only the files
 * a job names (the ServiceAccount token and CA, which exist only inside a pod)
 * point to stand-ins, since promtool requires them to exist.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { testTempDir } from './tmp';
import { tool } from './tools';

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

/** The synthesized prometheus.yml with the in-pod credential files pointing to stand-ins; nothing else changes. */
export function withPodFiles(prometheusYml: string): string {
  const config = parse(prometheusYml);
  const swap = (block: Record<string, any>) => {
    const standIn = (file: unknown) => (typeof file === 'string' && file.startsWith(SA_DIR) ? path.join(serviceAccountStandIn(), file.slice(SA_DIR.length)) : file);
    if (block.authorization?.credentials_file) block.authorization.credentials_file = standIn(block.authorization.credentials_file);
    if (block.tls_config?.ca_file) block.tls_config.ca_file = standIn(block.tls_config.ca_file);
  };
  for (const job of config.scrape_configs ?? []) swap(job);
  for (const am of config.alerting?.alertmanagers ?? []) swap(am);
  return stringify(config);
}

export interface ToolResult { status: number | null; stdout: string; stderr: string }

/**
 * Just under jest's testTimeout (120 s): a hang still fails as a timeout of the tool, while a slow run on a
 * loaded machine passes (promtool test rules slo.test.yaml: 13 s of CPU, 83 s wall at load 28 on 2 cores).
 */
const RUN_TIMEOUT_MS = 115000;

export function run(cmd: string, args: string[], cwd?: string): ToolResult {
  const r = spawnSync(cmd.includes('/') ? cmd : tool(cmd), args, { cwd, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
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
