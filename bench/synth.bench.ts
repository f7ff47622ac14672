/**
 * `npm run bench`: synth time of the default spec (monitoring.yaml) and of
 * the generated 0-, 100- and 1,000-service specs (bench/services-N.yaml,
 * `tsx bench/gen-spec.ts N`) and 1,000 services selected by two labels each
 * (bench/services-1000-two-label.yaml, `tsx bench/gen-spec.ts --two-label 1000`), each as a ratio to the warm default synth,
 * with the largest object and the size of dist/. Each figure is the median
 * of RUNS fresh processes. Fails when 1,000 services take more than 3x the
 * default synth (issue 11). Then cold `npm run synth` against the floor process, paired (bench/cold-synth.ts,
 * issue 23): fails above 1.5x.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MAX_RATIO_1000 = 3;
const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface R {
  ms: number;
  bytes: number;
  objects: number;
  files: number;
  largest: number;
  largestName: string;
}
interface Run {
  loadMs: number;
  projectLoadMs: number;
  first: R;
  warmDefault: R;
  services: Record<string, R>;
}

const runs: Run[] = Array.from({ length: RUNS }, () =>
  JSON.parse(execFileSync(tsx, [path.join(__dirname, 'synth-run.ts')], { encoding: 'utf8' })),
);
const load = median(runs.map((r) => r.loadMs));
const base = median(runs.map((r) => r.warmDefault.ms));
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const row = (label: string, pick: (r: Run) => R) => {
  const ms = median(runs.map((r) => pick(r).ms));
  const r0 = pick(runs[0]);
  return {
    line: `| ${label} | ${ms.toFixed(0)} ms | ${(ms / base).toFixed(2)}x | ${kib(r0.largest)} (${r0.largestName}) | ${r0.objects} | ${kib(r0.bytes)} |`,
    ratio: ms / base,
  };
};
console.log(
  `median of ${RUNS} fresh processes; load cdk8s + cdk8s-plus-28: ${load.toFixed(0)} ms; then the project's modules (zod, yaml, parsers): ${median(runs.map((r) => r.projectLoadMs)).toFixed(0)} ms\n`,
);
console.log('| synth | time | ratio to default (warm) | largest object | objects | dist size |');
console.log('|---|---|---|---|---|---|');
console.log(row('default spec (monitoring.yaml), cold', (r) => r.first).line);
console.log(row('default spec (monitoring.yaml), warm', (r) => r.warmDefault).line);
let ratio1000 = 0;
for (const n of ['0', '100', '1000', '1000-two-label']) {
  const label = n === '1000-two-label' ? '1000 services, two-label selectors' : `${n} services`;
  const r = row(`${label} (bench/services-${n}.yaml), warm`, (x) => x.services[n]);
  if (n.startsWith('1000')) ratio1000 = Math.max(ratio1000, r.ratio);
  console.log(r.line);
}
if (ratio1000 > MAX_RATIO_1000) {
  console.error(`\n1,000 services (the slower spec) took ${ratio1000.toFixed(2)}x the default synth, over the ${MAX_RATIO_1000}x budget`);
  process.exitCode = 1;
}
console.log('');
const cold = spawnSync(tsx, [path.join(__dirname, 'cold-synth.ts')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const c0 = JSON.parse(cold.stdout || '{}') as { pairs?: number; synthMs?: number; floorMs?: number; ratio?: number; maxRatio?: number };
console.log(
  `cold npm run synth (a new process, monitoring.yaml): ${c0.synthMs} ms; floor (npm run bench:floor: load cdk8s + cdk8s-plus-28, synthesize one ConfigMap): ${c0.floorMs} ms; ratio ${c0.ratio}x (median of ${c0.pairs} interleaved pairs; budget ${c0.maxRatio}x)`,
);
if (cold.status !== 0) {
  console.error(`cold synth is over its ${c0.maxRatio ?? 1.5}x budget against the floor`);
  process.exitCode = 1;
}
console.log('');
console.log(execFileSync(tsx, [path.join(__dirname, 'spec-parse.ts')], { encoding: 'utf8' }));
// The control-plane suite (issue 21) takes minutes: BENCH_CLUSTER=1 npm run bench.
if (process.env.BENCH_CLUSTER === '1') {
  const c = spawnSync(tsx, [path.join(__dirname, 'cluster.ts')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(c.stdout);
  if (c.status !== 0) process.exitCode = 1;
} else console.log('control-plane suite (test/cluster): BENCH_CLUSTER=1 npm run bench times it');
