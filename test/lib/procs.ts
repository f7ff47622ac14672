/**
 * Running real programs in tests: free loopback ports, child processes whose
 * output is kept for failure messages and which are stopped in afterAll, and
 * polling with a deadline.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'child_process';
import * as net from 'net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export class Procs {
  readonly logs: Record<string, string> = {};
  private readonly all: ChildProcess[] = [];

  start(name: string, bin: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.logs[name] = '';
    const keep = (d: Buffer) => { this.logs[name] = (this.logs[name] + d.toString()).slice(-20_000); };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    p.on('error', (e) => { this.logs[name] += `\nspawn error: ${e.message}`; });
    this.all.push(p);
    return p;
  }

  async stop(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((p) => this.stop(p)));
  }

  async waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch { /* not yet */ }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${Object.entries(this.logs).map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The Authorization header every `get` sends (Prometheus and Alertmanager enforce basic auth: spec.webAuth). */
let authorization: string | undefined;
export function authorizeRequests(header: string | undefined): void {
  authorization = header;
}

export async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000), headers: authorization ? { authorization } : {} });
  return { status: res.status, body: await res.text() };
}

/** An instant query against a Prometheus on 127.0.0.1. */
export async function promQuery(port: number, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await get(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = JSON.parse(r.body);
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

/** A static target standing in for a discovered pod: the labels Kubernetes discovery would attach. */
export function staticPod(address: string, portName: string, namespace: string, pod: string, node = 'e2e-node') {
  return {
    targets: [address],
    labels: {
      __meta_kubernetes_namespace: namespace,
      __meta_kubernetes_pod_name: pod,
      __meta_kubernetes_pod_container_name: pod.replace(/-[^-]+$/, ''),
      __meta_kubernetes_pod_container_port_name: portName,
      __meta_kubernetes_pod_node_name: node,
      __meta_kubernetes_pod_phase: 'Running',
    },
  };
}
