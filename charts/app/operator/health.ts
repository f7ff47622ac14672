/**
 * The operator's health endpoint (`--health-port`): GET /healthz answers 200 while the process runs its loops
 * (the kubelet's liveness probe), GET /readyz 200 when the operator can do its work — the API server answered
 * recently (leader and standby alike: a standby is ready to take over) — else 503 with the reason.
 */
import * as http from 'http';

export interface HealthChecks {
  /** undefined when live, else why not. */
  readonly live: () => string | undefined;
  /** undefined when ready, else why not. */
  readonly ready: () => string | undefined;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export function startHealthServer(port: number, checks: HealthChecks, host = '0.0.0.0'): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const check = path === '/healthz' || path === '/livez' ? checks.live : path === '/readyz' ? checks.ready : undefined;
    if (!check || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: GET /healthz or /readyz\n');
      return;
    }
    const problem = check();
    res.writeHead(problem ? 503 : 200, { 'Content-Type': 'text/plain' }).end(problem ? `${problem}\n` : 'ok\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
