/**
 * Measures the memory the real Prometheus needs per head series (sizing's
 * HEAD_BYTES_PER_SERIES): serves N synthetic series on 127.0.0.1, lets the
 * Debian Prometheus scrape them every second, and compares its resident
 * memory with N series against an empty target. `npx tsx bench/head-bytes-per-series.ts`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const N = Number(process.env.SERIES ?? 50_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

async function rss(series: number): Promise<{ rss: number; head: number }> {
  let tick = 0;
  const server = http.createServer((_q, res) => {
    tick++;
    const lines: string[] = ['# TYPE bench_counter counter'];
    for (let i = 0; i < series; i++)
      lines.push(`bench_counter_total{pod="pod-${i % 997}",namespace="ns-${i % 13}",series="${i}"} ${tick * (i % 7)}`);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const target = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'head-bytes-'));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'p.yml'),
    `global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n  - { job_name: bench, static_configs: [{ targets: ['${target}'] }] }\n  - { job_name: self, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }\n`,
  );
  const p = spawn(
    'prometheus',
    [`--config.file=${dir}/p.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'],
    { stdio: 'ignore' },
  );
  const q = async (expr: string) => {
    const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    return Number(r.data.result[0]?.value[1] ?? 0);
  };
  try {
    await sleep(3000);
    // 60 scrapes: every series has a head chunk with samples.
    await sleep(60_000);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(await q('process_resident_memory_bytes{job="self"}'));
      await sleep(1000);
    }
    return { rss: Math.max(...samples), head: await q('prometheus_tsdb_head_series') };
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void (async () => {
  const base = await rss(0);
  const full = await rss(N);
  const per = (full.rss - base.rss) / (full.head - base.head);
  console.log(
    `${full.head - base.head} head series: ${((full.rss - base.rss) / 2 ** 20).toFixed(0)} MiB more resident memory, ${per.toFixed(0)} bytes per series`,
  );
})();
