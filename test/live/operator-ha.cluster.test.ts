/**
 * The operator as the stack deploys it (spec.operator), on a real control plane (test/lib/control-plane.ts):
 *
 * (a) the synthesized RBAC is accepted by the API server and is enough: two operator processes run out of
 *     the cluster with a kubeconfig holding a token of the synthesized ServiceAccount (TokenRequest,
 *     `kubectl create token`) and nothing else, and reconcile a MonitoringStack from a bare namespace; the
 *     ClusterRole as stored has no wildcard and names only resources the stack emits and the server serves;
 * (b) leader election: only the Lease holder reconciles, the other waits; killed (no release), the leader is
 *     replaced within the lease duration (plus one retry); stopped with SIGTERM, it releases the Lease and a
 *     standby takes over at its next retry;
 * (c) /healthz and /readyz answer on the health port, for the leader and the standby.
 *
 * Measurements (printed for the report): spec change -> applied object, takeover times, the leader's RSS.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../lib/control-plane';
import { freePort } from '../lib/procs';
import { CRD_FILE } from '../../charts/app/operator/crd';
import { synthesize } from '../../charts/app/synthesize';
import { groupOf, resourceOf } from '../../charts/components/operator';
import { keepNodesAlive, ROOT, rssMiB, startOperator, waitFor } from './lib';

jest.setTimeout(900_000);

const NS = 'ops';
const NAME = 'ha';
const LEASE = `${NAME}-operator`;
const LEASE_S = 15;
const RETRY_S = 2;
const RESYNC_S = 5;
const DOC = `apiVersion: monitoring.cdk8s-ai.dev/v1alpha1
kind: MonitoringStack
metadata: { name: ${NAME} }
spec:
  namespace: ${NS}
  gpu: { enabled: false }
  grafana: { enabled: false }
  operator: { enabled: true, replicas: 2 }
`;

let cp: ControlPlane;
let dir: string;
let tokenKubeconfig: string;
const nodes: string[] = [];
let stopHeartbeat = () => {};
type Op = ReturnType<typeof startOperator> & { health: number; name: string };
const ops: Op[] = [];
const measured: Record<string, string> = {};

function operator(name: string, health: number): Op {
  const o = startOperator(tokenKubeconfig, [
    '--namespace',
    NS,
    '--resync',
    `${RESYNC_S}s`,
    '--leader-elect',
    '--lease-name',
    LEASE,
    '--health-port',
    String(health),
  ]);
  const op = { ...o, health, name };
  ops.push(op);
  return op;
}

function httpGet(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const lease = async () => JSON.parse(await cp.kubectlOk(['-n', NS, 'get', 'lease', LEASE, '-o', 'json']));
/** The identity an operator logged when it took the Lease, if it did. */
const identityOf = (op: Op) => /leader election: (\S+) holds Lease/.exec(op.log())?.[1];
const reconciling = (op: Op) => op.log().includes('operator: watching');
const operatorOwn = (objects: any[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'operator');

beforeAll(async () => {
  cp = await startControlPlane({ crds: [path.join(ROOT, CRD_FILE)] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-operator-ha-'));
  stopHeartbeat = keepNodesAlive(cp.kubectl, () => nodes);
  nodes.push(...(await cp.addNodes({ count: 2, namePrefix: 'node' })));
  await cp.addStorageClass('standard', { isDefault: true });
});

afterAll(async () => {
  stopHeartbeat();
  for (const op of ops) await op.stop();
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `operator (spec.operator) measurements:\n${Object.entries(measured)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  );
});

test('(a) the synthesized RBAC is accepted, names only what the stack emits, and is enough to reconcile a MonitoringStack', async () => {
  const r = synthesize(parse(DOC));
  const objects = r.manifests.map((m) => m.object as any);
  // Bootstrap as an administrator: the stack namespace and the operator's own identity and RBAC, nothing else.
  const own = [
    ...objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === NS),
    ...operatorOwn(objects).filter((o) => o.kind !== 'Deployment'),
  ];
  expect(own.map((o) => o.kind).sort()).toEqual([
    'ClusterRole',
    'ClusterRoleBinding',
    'Namespace',
    'Role',
    'RoleBinding',
    'ServiceAccount',
  ]);
  await cp.kubectlOk(['apply', '--server-side', '--field-manager=bootstrap', '-f', '-'], {
    input: own.map((o) => JSON.stringify(o)).join('\n---\n'),
  });

  const stored = JSON.parse(await cp.kubectlOk(['get', 'clusterrole', LEASE, '-o', 'json']));
  const role = JSON.parse(await cp.kubectlOk(['-n', NS, 'get', 'role', 'ai-monitoring-operator', '-o', 'json']));
  expect(JSON.stringify([stored.rules, role.rules])).not.toContain('*');
  const granted = stored.rules.flatMap((x: any) => x.resources.map((res: string) => `${x.apiGroups[0]}/${res}`));
  const emitted = new Set(objects.map((o) => `${groupOf(o.apiVersion)}/${resourceOf(o.kind)}`));
  expect([...new Set(granted)].filter((g) => !emitted.has(g as string))).toEqual([]);
  // Each granted resource is one the API server serves, under that name (the derivation's plurals are right).
  const served = new Set(
    (await cp.kubectlOk(['api-resources', '-o', 'name']))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((n) => (n.includes('.') ? `${n.slice(n.indexOf('.') + 1)}/${n.slice(0, n.indexOf('.'))}` : `/${n}`)),
  );
  expect([...new Set(granted)].filter((g) => !served.has(g as string))).toEqual([]);

  // A kubeconfig carrying only a token of the synthesized ServiceAccount.
  const token = (await cp.kubectlOk(['-n', NS, 'create', 'token', 'ai-monitoring-operator', '--duration=2h'])).trim();
  const kc = parse(fs.readFileSync(cp.kubeconfig, 'utf8'));
  tokenKubeconfig = path.join(dir, 'operator.kubeconfig');
  fs.writeFileSync(
    tokenKubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'operator',
      clusters: kc.clusters,
      users: [{ name: 'operator', user: { token } }],
      contexts: [{ name: 'operator', context: { cluster: kc.clusters[0].name, user: 'operator' } }],
    }),
    { mode: 0o600 },
  );
  const whoami = await cp.kubectlOk(['--kubeconfig', tokenKubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  expect(whoami).toBe(`system:serviceaccount:${NS}:ai-monitoring-operator`);

  const [h1, h2] = [await freePort(), await freePort()];
  operator('first', h1);
  await waitFor('the first operator to take the Lease', () => Promise.resolve(reconciling(ops[0]) || undefined), 120_000);
  operator('second', h2);
  await waitFor(
    'the second operator waiting on the Lease',
    () => Promise.resolve(ops[1].log().includes('held by another replica') || undefined),
    120_000,
  );

  const t0 = Date.now();
  await cp.kubectlOk(['-n', NS, 'apply', '-f', '-'], { input: DOC });
  const ready = await waitFor(
    'MonitoringStack Ready',
    async () => {
      const o = JSON.parse(await cp.kubectlOk(['-n', NS, 'get', 'monitoringstack', NAME, '-o', 'json']));
      const c = (o.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
      if (c?.status === 'False' && c.reason !== 'InvalidSpec') throw new Error(`${c.reason}: ${c.message}`);
      return c?.status === 'True' ? o : undefined;
    },
    300_000,
    250,
  );
  measured['resource created -> every object applied (service-account token only)'] =
    `${Date.now() - t0} ms, ${ready.status.objects} objects`;
  expect(ready.status.objects).toBe(objects.length);
  expect(ops[0].log()).not.toMatch(/forbidden/i);
  // What the operator applied is what the stack emits, its own Deployment included.
  expect((await cp.getItems('deploy', NS)).map((d) => d.metadata.name)).toContain('ai-monitoring-operator');
  expect(
    (await cp.getItems('clusterrole'))
      .map((o) => o.metadata.name)
      .filter((n) => n.startsWith(`${NAME}-`))
      .sort(),
  ).toEqual(
    objects
      .filter((o) => o.kind === 'ClusterRole')
      .map((o) => o.metadata.name)
      .sort(),
  );
  // Canonical form: applying the operator's objects again changes nothing (server-side diff as the operator's field manager).
  const again = await cp.kubectl(['diff', '--server-side', '--field-manager=ai-monitoring', '--force-conflicts', '-f', '-'], {
    input: operatorOwn(objects)
      .map((o) => JSON.stringify(o))
      .join('\n---\n'),
  });
  expect(`${again.code} ${again.stdout}${again.stderr}`).toBe('0 ');
});

test('(c) /healthz and /readyz answer for the leader and the standby', async () => {
  for (const op of ops) {
    expect(await httpGet(op.health, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await httpGet(op.health, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await httpGet(op.health, '/metrics')).status).toBe(404);
  }
});

test('(b) only the Lease holder reconciles; a spec change is applied by it alone', async () => {
  const [leader, standby] = ops;
  expect((await lease()).spec.holderIdentity).toBe(identityOf(leader));
  expect(identityOf(standby)).toBeUndefined();
  expect(reconciling(standby)).toBe(false);
  const t0 = Date.now();
  await cp.kubectlOk(['-n', NS, 'patch', 'monitoringstack', NAME, '--type', 'merge', '-p', '{"spec":{"prometheus":{"retention":"21d"}}}']);
  await waitFor(
    'retention 21d in the StatefulSet',
    async () =>
      (await cp.kubectlOk(['-n', NS, 'get', 'sts', 'prometheus', '-o', 'json'])).includes('--storage.tsdb.retention.time=21d') || undefined,
    120_000,
    100,
  );
  measured['spec change -> applied StatefulSet (leader, watch-triggered)'] = `${Date.now() - t0} ms`;
  // The StatefulSet is patched mid-reconcile; the leader logs its summary line once the whole generation is applied.
  await waitFor(
    'the leader reports generation 2 applied',
    () => Promise.resolve(/ops\/ha: generation 2: /.test(leader.log()) || undefined),
    60_000,
    100,
  );
  expect(standby.log()).not.toMatch(/: generation \d+: /);
  // Two resyncs later: nothing re-applied (every object, the operator's own included, is in canonical form).
  await waitFor(
    'generation 2 Ready',
    async () => {
      const o = JSON.parse(await cp.kubectlOk(['-n', NS, 'get', 'monitoringstack', NAME, '-o', 'json']));
      return o.status?.lastAppliedGeneration === 2 || undefined;
    },
    120_000,
  );
  const applies = () =>
    leader
      .log()
      .split('\n')
      .filter((l) => /: generation \d+: /.test(l)).length;
  const before = applies();
  await new Promise((r) => setTimeout(r, (2 * RESYNC_S + 1) * 1000));
  expect(applies()).toBe(before);
  measured['leader RSS after 2 generations (tsx loader)'] = `${rssMiB(leader.proc.pid!)} MiB`;
  measured['standby RSS (tsx loader)'] = `${rssMiB(standby.proc.pid!)} MiB`;
});

test('(b) the leader killed without releasing: the standby takes over within the lease duration and reconciles', async () => {
  const [leader, standby] = ops;
  const t0 = Date.now();
  leader.proc.kill('SIGKILL');
  await waitFor('the standby reconciling', () => Promise.resolve(reconciling(standby) || undefined), (LEASE_S + 3 * RETRY_S) * 1000, 100);
  const took = Date.now() - t0;
  measured['leader SIGKILLed -> standby leading'] = `${took} ms (lease ${LEASE_S} s, retry ${RETRY_S} s)`;
  expect(took).toBeLessThan((LEASE_S + 2 * RETRY_S) * 1000);
  expect((await lease()).spec.holderIdentity).toBe(identityOf(standby));
  expect((await lease()).spec.leaseTransitions).toBe(1);
  await cp.kubectlOk(['-n', NS, 'patch', 'monitoringstack', NAME, '--type', 'merge', '-p', '{"spec":{"prometheus":{"retention":"22d"}}}']);
  await waitFor(
    'retention 22d applied by the new leader',
    async () =>
      (await cp.kubectlOk(['-n', NS, 'get', 'sts', 'prometheus', '-o', 'json'])).includes('--storage.tsdb.retention.time=22d') || undefined,
    120_000,
    100,
  );
});

test('(b) the leader stopped with SIGTERM releases the Lease: a standby takes over at its next retry', async () => {
  const leader = ops[1];
  const standby = operator('third', await freePort());
  await waitFor(
    'the third operator waiting on the Lease',
    () => Promise.resolve(standby.log().includes('held by another replica') || undefined),
    120_000,
  );
  const s0 = Date.now();
  await leader.stop();
  measured['SIGTERM -> leader exited (finishes its reconcile, releases)'] = `${Date.now() - s0} ms`;
  const t0 = Date.now();
  expect(leader.proc.exitCode).toBe(0);
  expect(leader.log()).toContain(`released Lease ${NS}/${LEASE}`);
  await waitFor(
    'the third operator reconciling',
    () => Promise.resolve(reconciling(standby) || undefined),
    (LEASE_S + 3 * RETRY_S) * 1000,
    100,
  );
  const took = Date.now() - t0;
  measured['leader exited (released) -> standby leading'] = `${took} ms`;
  expect(took).toBeLessThan(2 * RETRY_S * 1000);
  expect((await lease()).spec.holderIdentity).toBe(identityOf(standby));
});
