/**
 * One benchmark run in a fresh process: time to load cdk8s + cdk8s-plus-28,
 * then time to synthesize the default spec and a 50-service spec (build,
 * render and write dist/). Prints JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const t0 = process.hrtime.bigint();
/* eslint-disable @typescript-eslint/no-require-imports */
const { App } = require('cdk8s');
require('cdk8s-plus-28');
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const t1 = process.hrtime.bigint();
const { MonitoringStack, renderManifests, writeAtomically, validateSpec, parseSpecYaml } = require('../charts');
const projectLoadMs = Number(process.hrtime.bigint() - t1) / 1e6;

const KINDS = ['vllm', 'stt', 'tts', 'whisper-api', 'rq-exporter', 'qdrant', 'mcp', 'redis-exporter', 'mysql-exporter', 'http'];
const large = {
  apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1', kind: 'MonitoringStack', metadata: { name: 'bench' },
  spec: {
    services: Array.from({ length: 50 }, (_, i) => ({
      name: `svc-${i}`, kind: KINDS[i % KINDS.length], namespace: `team-${i % 5}`,
      selector: { 'app.kubernetes.io/name': `svc-${i}` }, port: 'http', interval: i % 3 === 0 ? '5s' : '15s',
    })),
  },
};

function synth(spec: unknown): { ms: number; bytes: number; objects: number; files: number } {
  const start = process.hrtime.bigint();
  const app = new App();
  const stack = new MonitoringStack(app, 'stack', { spec: validateSpec(spec) });
  const files: Map<string, string> = renderManifests(stack);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  writeAtomically(path.join(out, 'dist'), files);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let bytes = 0; let objects = 0;
  for (const text of files.values()) { bytes += Buffer.byteLength(text); objects += text.split(/^---$/m).length; }
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, bytes, objects, files: files.size };
}

const defaultSpec = parseSpecYaml(fs.readFileSync(path.join(__dirname, '..', 'monitoring.yaml'), 'utf8'));
const first = synth(defaultSpec); // cold: includes loading the project's own modules on first use
const warmDefault = synth(defaultSpec);
const warmLarge = synth(large);
process.stdout.write(JSON.stringify({ loadMs, projectLoadMs, first, warmDefault, warmLarge }));
