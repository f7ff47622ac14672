/**
 * The operator against a real control plane (test/lib/control-plane.ts), as a
 * separate process (`ai-monitoring operator --resync 5s`), reaching the API
 * server through a relay the test can cut (an API server restart as the
 * operator sees it: every connection reset, new ones refused).
 *
 * The tests run in order on one cluster. The timings and the operator's
 * memory are printed (console.log) for the report.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startControlPlane, type ControlPlane } from '../lib/control-plane';
import { CRD_FILE } from '../../charts/app/operator/crd';
import { keepNodesAlive, relay, ROOT, rssMiB, startOperator, waitFor } from './lib';

jest.setTimeout(900_000);

const RESYNC_S = 5;
let cp: ControlPlane;
let dir: string;
let viaRelay: string;
let link: Awaited<ReturnType<typeof relay>>;
let op: ReturnType<typeof startOperator> | undefined;
const measured: Record<string, string> = {};
const nodes: string[] = [];
let stopHeartbeat = () => {};

const stack = (name: string, spec: string) => `apiVersion: monitoring.cdk8s-ai.dev/v1alpha1
kind: MonitoringStack
metadata: { name: ${name} }
spec:
  gpu: { enabled: false }
${spec}`;

beforeAll(async () => {
  cp = await startControlPlane({ crds: [path.join(ROOT, CRD_FILE)] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-operator-'));
  const kc = fs.readFileSync(cp.kubeconfig, 'utf8');
  const server = /server: https:\/\/127\.0\.0\.1:(\d+)/.exec(kc)!;
  link = await relay({ host: '127.0.0.1', port: Number(server[1]) });
  viaRelay = path.join(dir, 'kubeconfig');
  fs.writeFileSync(viaRelay, kc.replace(server[0], `server: https://127.0.0.1:${link.port}`), { mode: 0o600 });
  stopHeartbeat = keepNodesAlive(cp.kubectl, () => nodes);
  nodes.push(...(await cp.addNodes({ count: 2, namePrefix: 'node' })));
  await cp.addStorageClass('standard', { isDefault: true });
  for (const ns of ['team-a', 'team-b']) await cp.kubectlOk(['create', 'namespace', ns]);
});

afterAll(async () => {
  stopHeartbeat();
  await op?.stop();
  await link?.close();
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `operator measurements:\n${Object.entries(measured)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  );
});

const get = async (ns: string, name: string) => JSON.parse(await cp.kubectlOk(['-n', ns, 'get', 'monitoringstack', name, '-o', 'json']));
const condition = (o: any, type: string) => (o.status?.conditions ?? []).find((c: any) => c.type === type);

async function ready(ns: string, name: string, generation?: number): Promise<any> {
  return waitFor(
    `${ns}/${name} Ready`,
    async () => {
      const o = await get(ns, name);
      const c = condition(o, 'Ready');
      return c?.status === 'True' && o.status.observedGeneration === (generation ?? o.metadata.generation) ? o : undefined;
    },
    240_000,
    200,
  );
}

/**
 * "Nothing happened": every object's configuration and the ai-monitoring field manager's record of it (status,
 * which controllers keep updating, left out), the stack resources' resourceVersion, the number of the operator's
 * Events, and the ClusterRoles of the stacks named.
 */
async function world(namespaces: string[], stacks = ['stack-a', 'stack-b']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fingerprint = (o: any) =>
    JSON.stringify([
      o.metadata.labels,
      o.metadata.annotations,
      o.spec,
      o.data,
      (o.metadata.managedFields ?? []).filter((m: any) => m.manager === 'ai-monitoring'),
    ]);
  for (const ns of namespaces) {
    for (const o of await cp.getItems('deploy,sts,ds,cm,secret,svc,sa,netpol,pvc,role,rolebinding', ns))
      if (!o.metadata.deletionTimestamp) out[`${o.kind}/${ns}/${o.metadata.name}`] = fingerprint(o);
    for (const o of await cp.getItems('monitoringstack', ns)) out[`${o.kind}/${ns}/${o.metadata.name}`] = o.metadata.resourceVersion;
    out[`events/${ns}`] = String((await cp.getItems('events', ns)).filter((e) => e.involvedObject?.kind === 'MonitoringStack').length);
  }
  for (const o of await cp.getItems('clusterrole,clusterrolebinding'))
    if (stacks.some((st) => o.metadata.name.startsWith(`${st}-`))) out[`${o.kind}/${o.metadata.name}`] = fingerprint(o);
  return out;
}

test("every example spec is accepted by the API server's validation of the CRD; a bad one is refused", async () => {
  for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((x) => x.endsWith('.yaml'))) {
    const r = await cp.kubectl(['apply', '--server-side', '--dry-run=server', '-n', 'default', '-f', path.join(ROOT, 'examples', f)]);
    expect(`${f}: ${r.code} ${r.stderr}`).toBe(`${f}: 0 `);
  }
  const unknown = await cp.kubectl(['apply', '--server-side', '--dry-run=server', '-n', 'default', '-f', '-'], {
    input: stack('bad', '  prometheus: { retentoin: 15d }\n'),
  });
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('.spec.prometheus.retentoin: field not declared in schema');
  const wrongType = await cp.kubectl(['apply', '--server-side', '--dry-run=server', '-n', 'default', '-f', '-'], {
    input: stack('bad', '  prometheus: { replicas: many }\n'),
  });
  expect(wrongType.code).not.toBe(0);
  expect(wrongType.stderr).toContain('.spec.prometheus.replicas: expected numeric');
  // What the schema cannot say (a duration's form) the operator reports by condition (test below).
});

test('creates: two stacks in two namespaces, each Ready with only its own objects', async () => {
  op = startOperator(viaRelay, ['--resync', `${RESYNC_S}s`]);
  const t0 = Date.now();
  await cp.kubectlOk(['-n', 'team-a', 'apply', '-f', '-'], { input: stack('stack-a', '  grafana: { enabled: false }\n') });
  await cp.kubectlOk(['-n', 'team-b', 'apply', '-f', '-'], { input: stack('stack-b', '') });
  const a = await ready('team-a', 'stack-a');
  const b = await ready('team-b', 'stack-b');
  measured['both stacks created and Ready (2 specs, from kubectl apply)'] = `${Date.now() - t0} ms`;
  expect(condition(a, 'Progressing').status).toBe('False');
  expect(condition(a, 'Degraded').status).toBe('False');
  expect(a.metadata.finalizers).toEqual(['monitoring.cdk8s-ai.dev/cleanup']);
  expect((await cp.getItems('deploy', 'team-a')).map((d) => d.metadata.name)).not.toContain('grafana');
  expect((await cp.getItems('deploy', 'team-b')).map((d) => d.metadata.name)).toContain('grafana');
  for (const [ns, name, other] of [
    ['team-a', 'stack-a', 'team-b'],
    ['team-b', 'stack-b', 'team-a'],
  ]) {
    const inv = (await cp.kubectlOk(['-n', ns, 'get', 'configmap', `ai-monitoring-inventory-${name}`, '-o', 'jsonpath={.data.objects}']))
      .trim()
      .split('\n');
    expect(inv.length).toBe((ns === 'team-a' ? a : b).status.objects);
    expect(inv.filter((l) => l.includes(` ${other} `) || l.includes(` ${other}-agents `))).toEqual([]);
  }
  const events = await cp.getItems('events', 'team-a');
  expect(events.filter((e) => e.involvedObject.kind === 'MonitoringStack').map((e) => e.reason)).toEqual(['Applied']);
});

test('updates: a spec change is applied (time from the change to the applied object measured)', async () => {
  const t0 = Date.now();
  await cp.kubectlOk([
    '-n',
    'team-a',
    'patch',
    'monitoringstack',
    'stack-a',
    '--type',
    'merge',
    '-p',
    '{"spec":{"prometheus":{"retention":"21d"}}}',
  ]);
  await waitFor(
    'retention 21d in the StatefulSet',
    async () =>
      (await cp.kubectlOk(['-n', 'team-a', 'get', 'sts', 'prometheus', '-o', 'json'])).includes('--storage.tsdb.retention.time=21d') ||
      undefined,
    120_000,
    100,
  );
  measured['spec change -> applied StatefulSet (watch-triggered)'] = `${Date.now() - t0} ms`;
  await ready('team-a', 'stack-a', 2);
});

test('restores drift on a managed object within one resync', async () => {
  const t0 = Date.now();
  await cp.kubectlOk(['-n', 'team-a', 'scale', 'deployment', 'kube-state-metrics', '--replicas=3']);
  await waitFor(
    'replicas restored',
    async () =>
      (await cp.kubectlOk(['-n', 'team-a', 'get', 'deploy', 'kube-state-metrics', '-o', 'jsonpath={.spec.replicas}'])).trim() === '1' ||
      undefined,
    (RESYNC_S + 20) * 1000,
    200,
  );
  const took = Date.now() - t0;
  measured['hand edit -> restored'] = `${took} ms (resync ${RESYNC_S} s)`;
  expect(took).toBeLessThan((RESYNC_S + 20) * 1000);
  // The Event follows the end of that reconcile.
  await waitFor(
    'a DriftRestored Event',
    async () =>
      (await cp.getItems('events', 'team-a')).some((e) => e.involvedObject.kind === 'MonitoringStack' && e.reason === 'DriftRestored') ||
      undefined,
    30_000,
  );
});

test('an invalid spec applies nothing, keeps the last good state, and says which field and how to fix it', async () => {
  const before = await world(['team-a', 'team-a-agents'], ['stack-a']);
  await cp.kubectlOk([
    '-n',
    'team-a',
    'patch',
    'monitoringstack',
    'stack-a',
    '--type',
    'merge',
    '-p',
    '{"spec":{"prometheus":{"retention":"1x"}}}',
  ]);
  const o = await waitFor(
    'InvalidSpec',
    async () => {
      const x = await get('team-a', 'stack-a');
      return condition(x, 'Ready')?.reason === 'InvalidSpec' ? x : undefined;
    },
    60_000,
    200,
  );
  expect(condition(o, 'Ready').status).toBe('False');
  expect(condition(o, 'Ready').message).toContain('spec.prometheus.retention: expected a duration such as "15d"');
  expect(condition(o, 'Degraded').status).toBe('True');
  expect(o.status.observedGeneration).toBe(o.metadata.generation);
  expect(o.status.lastAppliedGeneration).toBe(o.metadata.generation - 1);
  await new Promise((r) => setTimeout(r, (RESYNC_S * 2 + 1) * 1000)); // two resyncs: still nothing applied
  const after = await world(['team-a', 'team-a-agents'], ['stack-a']);
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
  // Only the resource's status and the one Warning event.
  expect(changed.sort()).toEqual(['MonitoringStack/team-a/stack-a', 'events/team-a']);
  expect(Number(after['events/team-a']) - Number(before['events/team-a'])).toBe(1);
  await cp.kubectlOk([
    '-n',
    'team-a',
    'patch',
    'monitoringstack',
    'stack-a',
    '--type',
    'merge',
    '-p',
    '{"spec":{"prometheus":{"retention":"21d"}}}',
  ]);
  const fixed = await ready('team-a', 'stack-a');
  expect(condition(fixed, 'Ready').reason).toBe('Applied');
});

test('survives its own restart and an API server outage without churn or repeated work', async () => {
  await new Promise((r) => setTimeout(r, (RESYNC_S + 1) * 1000));
  const before = await world(['team-a', 'team-a-agents', 'team-b', 'team-b-agents']);
  await op!.stop();
  op = startOperator(viaRelay, ['--resync', `${RESYNC_S}s`]);
  await waitFor('operator watching', () => Promise.resolve(op!.log().includes('operator: watching') || undefined), 60_000);
  await new Promise((r) => setTimeout(r, (RESYNC_S * 2 + 2) * 1000));
  expect(await world(['team-a', 'team-a-agents', 'team-b', 'team-b-agents'])).toEqual(before);
  // The API server unreachable for 10 s (watch reset, connections refused), while a spec changes.
  link.down();
  await cp.kubectlOk([
    '-n',
    'team-b',
    'patch',
    'monitoringstack',
    'stack-b',
    '--type',
    'merge',
    '-p',
    '{"spec":{"prometheus":{"retention":"22d"}}}',
  ]);
  await new Promise((r) => setTimeout(r, 10_000));
  const t0 = Date.now();
  await link.up();
  await waitFor(
    'retention 22d after the outage',
    async () =>
      (await cp.kubectlOk(['-n', 'team-b', 'get', 'sts', 'prometheus', '-o', 'json'])).includes('--storage.tsdb.retention.time=22d') ||
      undefined,
    120_000,
    200,
  );
  measured['API server back -> pending change applied'] = `${Date.now() - t0} ms`;
  await ready('team-b', 'stack-b');
  await ready('team-a', 'stack-a'); // a resync cut by the outage may have set ApplyFailed for a moment
  const quiet = await world(['team-a', 'team-a-agents'], ['stack-a']);
  await new Promise((r) => setTimeout(r, (RESYNC_S * 2 + 1) * 1000));
  expect(await world(['team-a', 'team-a-agents'], ['stack-a'])).toEqual(quiet);
  // A resync the outage cut short reports its failed requests (nothing pruned then); otherwise, after the restart,
  // exactly one apply: the change made during the outage.
  const applied = op
    .log()
    .split('\n')
    .filter((l) => /: generation \d+: /.test(l) && !/, \d+ failed in \d+ ms$/.test(l));
  expect(applied.map((l) => l.replace(/^\S+ /, '').replace(/ in \d+ ms$/, ''))).toEqual([
    expect.stringMatching(/^team-b\/stack-b: generation 2: 0 created, \d+ configured/),
  ]);
  measured['operator RSS (2 stacks, tsx loader)'] = `${rssMiB(op.proc.pid!)} MiB`;
});

test('deleting a stack removes what it created (PVCs retained) and leaves the other stack alone', async () => {
  const other = await world(['team-a', 'team-a-agents'], ['stack-a']);
  await cp.kubectlOk(['-n', 'team-b', 'delete', 'monitoringstack', 'stack-b', '--timeout=120s']);
  for (const ns of ['team-b', 'team-b-agents']) {
    for (const kind of ['deploy', 'sts', 'ds', 'svc', 'netpol', 'sa']) {
      const left = (await cp.getItems(kind, ns)).map((o) => o.metadata.name).filter((n) => n !== 'default');
      expect(`${ns} ${kind}: ${left.join(',')}`).toBe(`${ns} ${kind}: `);
    }
  }
  expect((await cp.getItems('configmap', 'team-b')).map((o) => o.metadata.name)).toEqual(['kube-root-ca.crt']);
  expect((await cp.getItems('pvc', 'team-b')).map((o) => o.metadata.name)).toContain('grafana');
  expect((await cp.getItems('clusterrole')).map((o) => o.metadata.name).filter((n) => n.startsWith('stack-b-'))).toEqual([]);
  expect((await cp.getItems('clusterrole')).map((o) => o.metadata.name).filter((n) => n.startsWith('stack-a-')).length).toBeGreaterThan(0);
  expect(await world(['team-a', 'team-a-agents'], ['stack-a'])).toEqual(other);
  measured['operator RSS after delete'] = `${rssMiB(op!.proc.pid!)} MiB`;
});
