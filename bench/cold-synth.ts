/**
 * Cold `npm run synth` against the floor (bench/floor.cjs, `npm run bench:floor`: a process that only loads cdk8s and
 * cdk8s-plus-28 and synthesizes one ConfigMap), each a new process started as a user starts it, paired and
 * interleaved (synth, floor, synth, floor, ...) so both see the same machine load; the medians and their ratio.
 * The synth writes monitoring.yaml's stack into a temporary folder it wrote once before (so its upgrade check runs,
 * as on a user's second synth). Prints one JSON line; fails (exit 1) above MAX_RATIO.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PAIRS = Number(process.env.BENCH_COLD_PAIRS ?? 9);
const MAX_RATIO = 1.5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
try {
  const synthArgs = ['run', 'synth', '--', 'monitoring.yaml', '--out', path.join(dir, 'dist')];
  // Once each unmeasured: the bundle built if a source changed, the output folder the upgrade check reads.
  timed(synthArgs);
  timed(['run', 'bench:floor']);
  const synth: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    synth.push(timed(synthArgs));
    floor.push(timed(['run', 'bench:floor']));
  }
  const ratio = median(synth) / median(floor);
  process.stdout.write(
    `${JSON.stringify({ pairs: PAIRS, synthMs: Math.round(median(synth)), floorMs: Math.round(median(floor)), ratio: Math.round(ratio * 100) / 100, maxRatio: MAX_RATIO })}\n`,
  );
  if (ratio > MAX_RATIO) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
