/**
 * Loader cost on hostile inputs (part of `npm run bench`): a spec with 20,000
 * keys in one mapping (the duplicate-key check is linear: one Set per
 * mapping), the largest accepted spec (1 MiB of keys), and a 50 MB file
 * (refused by size before it is read).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseSpecYaml, readSpecFile, SpecError } from '../charts/spec-load';

function specWithKeys(n: number): string {
  const lines = [
    'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1',
    'kind: MonitoringStack',
    'metadata: { name: bench }',
    'spec:',
    '  prometheus:',
    '    externalLabels:',
  ];
  for (let i = 0; i < n; i++) lines.push(`      k${i}: v${i}`);
  return `${lines.join('\n')}\n`;
}

function time(f: () => void): number {
  const t = process.hrtime.bigint();
  try {
    f();
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
  }
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const k20 = specWithKeys(20000);
let n = 20000;
while (Buffer.byteLength(specWithKeys(n * 2)) < 1024 * 1024) n *= 2;
while (Buffer.byteLength(specWithKeys(n + 1000)) < 1024 * 1024) n += 1000;
const max = specWithKeys(n);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spec-'));
const big = path.join(dir, 'big.yaml');
fs.writeFileSync(big, `${specWithKeys(20)}# ${'x'.repeat(50 * 1024 * 1024)}\n`);
try {
  console.log('| spec | bytes | load time |');
  console.log('|---|---|---|');
  console.log(`| 20,000 keys in one mapping | ${Buffer.byteLength(k20)} | ${time(() => parseSpecYaml(k20)).toFixed(0)} ms |`);
  console.log(
    `| ${n.toLocaleString('en')} keys (largest accepted, just under 1 MiB) | ${Buffer.byteLength(max)} | ${time(() => parseSpecYaml(max)).toFixed(0)} ms |`,
  );
  console.log(`| 50 MB file (refused by size) | ${fs.statSync(big).size} | ${time(() => readSpecFile(big)).toFixed(1)} ms |`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
