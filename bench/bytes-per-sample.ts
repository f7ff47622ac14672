/**
 * Measures the TSDB bytes per sample that sizing (charts/core/sizing.ts)
 * uses: writes two hours of OpenMetrics samples at a 15 s interval for a mix
 * of series shaped like the stack's (constant 0/1 status and info series,
 * counters, slowly moving gauges), has the real `promtool tsdb
 * create-blocks-from openmetrics` build the block, and divides the block's
 * bytes on disk by the samples. `npx tsx bench/bytes-per-sample.ts`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SERIES = 3000;
const INTERVAL_S = 15;
const SAMPLES = (2 * 3600) / INTERVAL_S;

/** Deterministic pseudo-random numbers (the measurement is reproducible). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

export function measure(): { bytesPerSample: number; chunkBytesPerSample: number; samples: number; blockBytes: number } {
  const rand = rng(42);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bytes-per-sample-'));
  try {
    const start = 1_700_000_000;
    const lines: string[] = [];
    const kinds = Array.from({ length: SERIES }, (_, i) => (i % 10 < 3 ? 'status' : i % 10 < 8 ? 'counter' : 'gauge'));
    for (const kind of ['status', 'counter', 'gauge']) lines.push(`# TYPE bench_${kind} ${kind === 'counter' ? 'counter' : 'gauge'}`);
    const state = kinds.map(() => rand() * 1000);
    const byKind: Record<string, string[]> = { status: [], counter: [], gauge: [] };
    for (let t = 0; t < SAMPLES; t++) {
      const ts = start + t * INTERVAL_S;
      kinds.forEach((kind, i) => {
        let v: number;
        if (kind === 'status') v = i % 2;
        else if (kind === 'counter') {
          state[i] += Math.floor(rand() * 20);
          v = state[i];
        } else {
          state[i] += (rand() - 0.5) * 4;
          v = Math.round(state[i] * 1000) / 1000;
        }
        byKind[kind].push(
          `bench_${kind}${kind === 'counter' ? '_total' : ''}{series="${i}",pod="pod-${i % 97}",namespace="ns-${i % 7}"} ${v} ${ts}`,
        );
      });
    }
    // OpenMetrics: the samples of a metric family together, families in order, then # EOF.
    for (const kind of ['status', 'counter', 'gauge']) {
      lines.push(`# TYPE bench_${kind} ${kind === 'counter' ? 'counter' : 'gauge'}`);
      const rows = byKind[kind];
      // Group by series, then by time (OpenMetrics requires a series' samples in time order).
      const bySeries = new Map<string, string[]>();
      for (const r of rows) {
        const k = r.slice(0, r.lastIndexOf('} ') + 1);
        (bySeries.get(k) ?? bySeries.set(k, []).get(k)!).push(r);
      }
      for (const s of bySeries.values()) lines.push(...s);
    }
    const input = path.join(dir, 'data.om');
    fs.writeFileSync(input, `${lines.filter((l, i) => !(l.startsWith('# TYPE') && i < 3)).join('\n')}\n# EOF\n`);
    const out = path.join(dir, 'blocks');
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    let blockBytes = 0;
    let chunkBytes = 0;
    const walk = (p: string) => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const f = path.join(p, e.name);
        if (e.isDirectory()) walk(f);
        else {
          const size = fs.statSync(f).size;
          blockBytes += size;
          if (path.basename(path.dirname(f)) === 'chunks') chunkBytes += size;
        }
      }
    };
    walk(out);
    const samples = SERIES * SAMPLES;
    return { bytesPerSample: blockBytes / samples, chunkBytesPerSample: chunkBytes / samples, samples, blockBytes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const m = measure();
  console.log(
    `${m.samples} samples -> ${m.blockBytes} bytes of blocks: ${m.bytesPerSample.toFixed(3)} bytes per sample (chunks alone ${m.chunkBytesPerSample.toFixed(3)})`,
  );
}
