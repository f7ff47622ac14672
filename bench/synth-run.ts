/**
 * One benchmark run in a fresh process: time to load cdk8s + cdk8s-plus-28,
 * then the synth (build, render, write dist/) of the default spec
 * (monitoring.yaml, cold then warm) and of the generated specs
 * bench/services-{0,100,1000,1000-two-label}.yaml (warm: the second of two passes). Prints JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const t0 = process.hrtime.bigint();

const { App } = require('cdk8s');
require('cdk8s-plus-28');
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const t1 = process.hrtime.bigint();
const { MonitoringStack, renderManifests, writeAtomically, parseSpecYaml } = require('../charts');
const projectLoadMs = Number(process.hrtime.bigint() - t1) / 1e6;

export interface SynthResult {
  ms: number;
  bytes: number;
  objects: number;
  files: number;
  largest: number;
  largestName: string;
}

function synth(file: string): SynthResult {
  const spec = parseSpecYaml(fs.readFileSync(file, 'utf8'), file);
  const start = process.hrtime.bigint();
  const app = new App();
  const stack = new MonitoringStack(app, 'stack', { spec });
  const files: Map<string, string> = renderManifests(stack);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  writeAtomically(path.join(out, 'dist'), files);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let bytes = 0;
  let objects = 0;
  let largest = 0;
  let largestName = '';
  for (const [name, text] of files) {
    bytes += Buffer.byteLength(text);
    for (const doc of text.split(/^---$/m)) {
      objects++;
      const size = Buffer.byteLength(doc);
      if (size > largest) {
        largest = size;
        largestName = `${name} ${/^kind: (\S+)/m.exec(doc)?.[1]}/${/^ {2}name: (\S+)/m.exec(doc)?.[1]}`;
      }
    }
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, bytes, objects, files: files.size, largest, largestName };
}

const root = path.join(__dirname, '..');
const first = synth(path.join(root, 'monitoring.yaml')); // cold: includes loading the project's own modules on first use
// Two passes over every spec; the second pass is reported, so no spec profits from running later (JIT).
const specs = {
  default: path.join(root, 'monitoring.yaml'),
  ...Object.fromEntries(['0', '100', '1000', '1000-two-label'].map((n) => [n, path.join(__dirname, `services-${n}.yaml`)])),
};
for (const file of Object.values(specs)) synth(file);
const warm = Object.fromEntries(Object.entries(specs).map(([k, file]) => [k, synth(file)]));
const { default: warmDefault, ...services } = warm;
process.stdout.write(JSON.stringify({ loadMs, projectLoadMs, first, warmDefault, services }));
