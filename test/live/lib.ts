/** Helpers of the live tests: the CLI as users run it, and object snapshots to prove "nothing changed". */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { pathToFileURL } from 'url';

export const ROOT = path.join(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'charts', 'app', 'cli.ts');
/** tsx's loader by absolute URL: the CLI runs from other folders (a spec's temp folder). */
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ai-monitoring <args>` through Node with tsx's loader (one process: its pid is the program's). */
export function runCli(args: string[], kubeconfig: string, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, CLI, ...args, '--kubeconfig', kubeconfig],
      { cwd, timeout: 300_000, maxBuffer: 64 << 20, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '', TSX_DISABLE_CACHE: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Lines of stdout that are findings / results (no warnings, no summary). */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

/** The operator as a child process; `log` collects its output. */
export function startOperator(
  kubeconfig: string,
  args: string[] = [],
): { proc: ChildProcess; log: () => string; stop: () => Promise<void> } {
  let out = '';
  const proc = spawn(process.execPath, ['--import', TSX_LOADER, CLI, 'operator', '--kubeconfig', kubeconfig, ...args], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: '', TSX_DISABLE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (c) => {
    out += c;
  });
  proc.stderr.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    log: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Resident memory of a process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = require('fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A TCP relay to the API server whose connections the test can cut: while it is
 * down, every open connection (watches included) is reset and new ones are
 * refused, as during an API server restart.
 */
export async function relay(target: {
  host: string;
  port: number;
}): Promise<{ port: number; down: () => void; up: () => Promise<void>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((c) => {
        const u = net.connect(target.port, target.host);
        sockets.add(c);
        sockets.add(u);
        c.pipe(u);
        u.pipe(c);
        const end = () => {
          c.destroy();
          u.destroy();
          sockets.delete(c);
          sockets.delete(u);
        };
        c.on('error', end);
        u.on('error', end);
        c.on('close', end);
        u.on('close', end);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const down = () => {
    server?.close();
    server = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    get port() {
      return port;
    },
    down,
    up: listen,
    close: () => Promise.resolve(down()),
  };
}

/**
 * Node heartbeats for kwok's nodes: renews each node's Lease every 10 s, as a kubelet does, so the node
 * lifecycle controller never marks the nodes Unknown (and their pods not ready) after its 40 s grace period.
 * Needed while test/lib/control-plane.ts starts kwok without --node-lease-duration-seconds; harmless after.
 */
export function keepNodesAlive(
  kubectl: (args: string[], o?: { input?: string }) => Promise<{ code: number }>,
  nodes: () => string[],
): () => void {
  let stopped = false;
  const beat = async () => {
    while (!stopped) {
      const now = new Date().toISOString().replace('Z', '000Z');
      const docs = nodes().map((n) =>
        JSON.stringify({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: n, namespace: 'kube-node-lease' },
          spec: { holderIdentity: n, leaseDurationSeconds: 40, renewTime: now },
        }),
      );
      if (docs.length)
        await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=test-heartbeat', '-f', '-'], {
          input: docs.join('\n---\n'),
        });
      for (let i = 0; i < 20 && !stopped; i++) await new Promise((r) => setTimeout(r, 500));
    }
  };
  void beat();
  return () => {
    stopped = true;
  };
}
