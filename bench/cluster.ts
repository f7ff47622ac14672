/**
 * The control-plane suite's time (issue 21): runs `jest test/cluster` (one control plane per stack, tools from
 * .cache/bin) with a temp folder of its own, and prints the wall time with each stack's figures (the `cluster {...}`
 * line every stack writes). Budget: 8 minutes on 2 cores with the tools cached. Run by `npm run bench` when
 * BENCH_CLUSTER=1 (it takes minutes).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BUDGET_S = 8 * 60;
const root = path.join(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
const t0 = Date.now();
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'jest'), ['--ci', 'test/cluster'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, TMPDIR: tmp },
  maxBuffer: 256 << 20,
});
const seconds = (Date.now() - t0) / 1000;
fs.rmSync(tmp, { recursive: true, force: true });
const stacks = (r.stdout + r.stderr)
  .split('\n')
  .filter((l) => l.startsWith('cluster {'))
  .map((l) => JSON.parse(l.slice('cluster '.length)));
console.log(
  `control-plane suite (jest test/cluster): ${seconds.toFixed(0)} s for ${stacks.length} stacks, ${r.status === 0 ? 'passed' : 'FAILED'} (budget ${BUDGET_S} s)\n`,
);
console.log(
  '| stack | objects | re-patched | SSA conflicts | pods Running/total | node shape | PVCs Bound | control plane up (s) | stack (s) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const s of stacks) {
  console.log(
    `| ${s.stack} | ${s.objects ?? ''} | ${s.repatched ?? ''} | ${s.ssaConflicts ?? ''} | ${s.pods ?? ''} | ${s.shape ?? ''} | ${s.pvcsBound ?? ''} | ${s.controlPlaneReadyS ?? ''} | ${s.seconds} |`,
  );
}
if (r.status !== 0)
  console.log(
    `\n${(r.stderr || '')
      .split('\n')
      .filter((l) => /^FAIL |✕/.test(l))
      .map((l) => l.slice(0, 300))
      .join('\n')}`,
  );
if (r.status !== 0 || seconds > BUDGET_S) process.exitCode = 1;
