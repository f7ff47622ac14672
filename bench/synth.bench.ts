/**
 * `npm run bench`: synth time of the default spec (monitoring.yaml) and of a
 * 50-service spec, each as a ratio to the time to merely load cdk8s +
 * cdk8s-plus-28 in the same process; plus dist/ size and object count.
 * Each figure is the median of RUNS fresh processes.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(tsx, [path.join(__dirname, 'synth-run.ts')], { encoding: 'utf8' })));
const load = median(runs.map((r) => r.loadMs));
const row = (label: string, key: 'first' | 'warmDefault' | 'warmLarge') => {
  const ms = median(runs.map((r) => r[key].ms));
  const r0 = runs[0][key];
  return `| ${label} | ${ms.toFixed(0)} ms | ${(ms / load).toFixed(2)}x | ${r0.objects} | ${r0.files} | ${(r0.bytes / 1024).toFixed(1)} KiB |`;
};
console.log(`median of ${RUNS} fresh processes; load cdk8s + cdk8s-plus-28: ${load.toFixed(0)} ms; then load the project's modules (zod, yaml, parsers): ${median(runs.map((r) => r.projectLoadMs)).toFixed(0)} ms\n`);
console.log('| synth | time | ratio to load | objects | files | dist size |');
console.log('|---|---|---|---|---|---|');
console.log(row('default spec, cold (first synth in the process)', 'first'));
console.log(row('default spec, warm', 'warmDefault'));
console.log(row('50 services, warm', 'warmLarge'));
console.log('');
console.log(execFileSync(tsx, [path.join(__dirname, 'spec-parse.ts')], { encoding: 'utf8' }));
