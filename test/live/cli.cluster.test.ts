/**
 * The live commands against a real control plane (test/lib/control-plane.ts:
 * kube-apiserver, controller-manager and scheduler 1.36.3, etcd, kwok nodes),
 * started bare (no CRDs, no nodes, no classes) and run as users run them:
 * `ai-monitoring preflight | apply | status | diff` with --kubeconfig.
 * The tests run in order, each building on the cluster the previous left.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startControlPlane, testCrdFiles, type ControlPlane } from '../lib/control-plane';
import { synthesize } from '../../charts/app/synthesize';
import { keepNodesAlive, lines, runCli } from './lib';

jest.setTimeout(900_000);

/** A bcrypt hash (htpasswd -nbB monitoring testpassword); preflight only checks its form. */
const HASH = '$2y$05$CSm9pH/hImIe98pQb.kOPeVfrv0leSxKysTAfq9ddZl35wDuWuA66';

const SPEC = `apiVersion: monitoring.cdk8s-ai.dev/v1alpha1
kind: MonitoringStack
metadata: { name: live }
spec:
  namespace: mon
  exposure: gateway
  gateway: { create: { name: monitoring, gatewayClassName: eg } }
  ingress:
    domain: example.com
    tls: { createClusterIssuer: { email: platform-team@example.com, server: staging } }
`;

let cp: ControlPlane;
let dir: string;
let spec: string;
const nodes: string[] = [];
let stopHeartbeat = () => {};
const cli = (args: string[]) => runCli(args, cp.kubeconfig, dir);

beforeAll(async () => {
  cp = await startControlPlane({ crds: [] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-cli-'));
  spec = path.join(dir, 'monitoring.yaml');
  fs.writeFileSync(spec, SPEC);
  stopHeartbeat = keepNodesAlive(cp.kubectl, () => nodes);
});

afterAll(async () => {
  stopHeartbeat();
  await cp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Every object's configuration and our field manager's record (the proof that a command wrote nothing):
 * labels, annotations, spec, data and the managedFields entry of ai-monitoring; status (controllers') left out.
 */
async function versions(namespaces: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ns of namespaces) {
    for (const o of await cp.getItems('deploy,sts,ds,cm,secret,svc,sa,netpol,pvc,role,rolebinding', ns)) {
      if (o.metadata.deletionTimestamp) continue;
      const ours = (o.metadata.managedFields ?? []).filter((m: any) => m.manager === 'ai-monitoring');
      out.set(`${o.kind}/${ns}/${o.metadata.name}`, JSON.stringify([o.metadata.labels, o.metadata.annotations, o.spec, o.data, ours]));
    }
  }
  return out;
}

test('preflight on a bare cluster lists exactly what is missing, one line each with its fix, and exits 1', async () => {
  // A namespace of the stack that exists with another Pod Security level.
  await cp.kubectlOk(['create', 'namespace', 'mon']);
  await cp.kubectlOk(['label', 'namespace', 'mon', 'pod-security.kubernetes.io/enforce=privileged']);
  const r = await cli(['preflight', spec]);
  expect(r.code).toBe(1);
  const found = lines(r.stdout).filter((l) => !l.startsWith('preflight:'));
  const subjects = found.map((l) => l.slice(0, l.indexOf(': ')).replace(/ \(.*$/, ''));
  expect(subjects.sort()).toEqual([
    'CRD ClusterIssuer.cert-manager.io',
    'CRD Gateway.gateway.networking.k8s.io',
    'CRD HTTPRoute.gateway.networking.k8s.io',
    'Nodes',
    'Secret mon/alertmanager-msteams',
    'Secret mon/grafana-admin',
    'spec.gpu.runtimeClassName "nvidia"',
    'spec.namespace',
    'spec.prometheus.storage.storageClassName',
    'spec.webAuth.secretName',
  ]);
  for (const l of found) expect(l).toMatch(/; fix: \S/);
  expect(found.find((l) => l.startsWith('spec.namespace'))).toContain('pod-security.kubernetes.io/enforce=privileged');
  expect(found.find((l) => l.startsWith('spec.namespace'))).toContain(
    'kubectl label namespace mon --overwrite pod-security.kubernetes.io/enforce=restricted',
  );
  expect(found.find((l) => l.startsWith('CRD Gateway.'))).toContain('not installed; fix: install the Gateway API CRDs');
  expect(r.stdout).toContain('preflight: 10 things missing');
});

test('preflight: an empty password hash in the web config is an error; exits 0 once every prerequisite exists', async () => {
  const text = testCrdFiles()
    .map((p) => (p.endsWith('.gz') ? require('zlib').gunzipSync(fs.readFileSync(p)).toString('utf8') : fs.readFileSync(p, 'utf8')))
    .join('\n---\n');
  await cp.kubectlOk(['apply', '--server-side', '-f', '-'], { input: text });
  await cp.waitCrdsEstablished();
  // (test/crds holds the Gateway and HTTPRoute CRDs, not GatewayClass's: preflight checks the class where the cluster serves it.)
  nodes.push(...(await cp.addNodes({ count: 2, namePrefix: 'cpu' })));
  nodes.push(
    ...(await cp.addNodes({
      count: 1,
      namePrefix: 'gpu',
      labels: { 'nvidia.com/gpu.present': 'true' },
      capacity: { 'nvidia.com/gpu': '1' },
    })),
  );
  await cp.addStorageClass('standard', { isDefault: true });
  await cp.addRuntimeClass('nvidia');
  await cp.kubectlOk(['label', 'namespace', 'mon', '--overwrite', 'pod-security.kubernetes.io/enforce=restricted']);
  await cp.kubectlOk([
    '-n',
    'mon',
    'create',
    'secret',
    'generic',
    'grafana-admin',
    '--from-literal=admin-user=admin',
    '--from-literal=admin-password=x',
    '--from-literal=secret-key=y',
  ]);
  await cp.kubectlOk([
    '-n',
    'mon',
    'create',
    'secret',
    'generic',
    'alertmanager-msteams',
    '--from-literal=webhook-url=https://example.invalid/hook',
  ]);
  await cp.kubectlOk([
    '-n',
    'mon',
    'create',
    'secret',
    'generic',
    'monitoring-web-auth',
    '--from-literal=password=testpassword',
    '--from-literal=web-config.yml=basic_auth_users:\n  monitoring: ""\n',
  ]);
  const empty = await cli(['preflight', spec]);
  expect(empty.code).toBe(1);
  expect(lines(empty.stdout).filter((l) => !l.startsWith('preflight:'))).toEqual([
    expect.stringMatching(
      /^spec\.webAuth\.secretName \(Secret mon\/monitoring-web-auth\): key "web-config.yml" has an empty password hash for user "monitoring"; fix: /,
    ),
  ]);
  await cp.kubectlOk(['-n', 'mon', 'delete', 'secret', 'monitoring-web-auth']);
  await cp.kubectlOk([
    '-n',
    'mon',
    'create',
    'secret',
    'generic',
    'monitoring-web-auth',
    '--from-literal=password=testpassword',
    `--from-literal=web-config.yml=basic_auth_users:\n  monitoring: ${HASH}\n`,
  ]);
  const ok = await cli(['preflight', spec]);
  expect(lines(ok.stdout)).toEqual([`preflight: the cluster has everything ${spec} needs`]);
  expect(ok.code).toBe(0);
});

test('apply: server-side apply in dependency order; a second apply changes nothing', async () => {
  // Nodes cordoned: the pods stay Pending (status below must fail until they can run).
  for (const n of ['cpu-0', 'cpu-1', 'gpu-0']) await cp.kubectlOk(['cordon', n]);
  const dry = await cli(['apply', spec, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('would create Deployment mon/grafana');
  expect(await cp.getItems('deploy', 'mon')).toEqual([]);
  const first = await cli(['apply', spec]);
  expect(first.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '))).toEqual([]);
  expect(first.code).toBe(0);
  const count = synthesize(SPEC).manifests.length;
  // Namespace mon existed (created above): configured; everything else created.
  expect(first.stdout).toContain(`apply: ${count - 1} created, 1 configured, 0 unchanged, 0 pruned, 0 kept`);
  const before = await versions(['mon', 'mon-agents']);
  const second = await cli(['apply', spec]);
  expect(second.code).toBe(0);
  expect(lines(second.stdout)).toEqual([`apply: 0 created, 0 configured, ${count} unchanged, 0 pruned, 0 kept`]);
  expect(await versions(['mon', 'mon-agents'])).toEqual(before);
  const inventory = await cp.kubectlOk(['-n', 'mon', 'get', 'configmap', 'ai-monitoring-inventory-live', '-o', 'jsonpath={.data.objects}']);
  expect(inventory.trim().split('\n').length).toBe(count);
});

test('status fails while a Deployment cannot roll out, and passes once it does', async () => {
  const stuck = await cli(['status', spec]);
  expect(stuck.code).toBe(1);
  expect(stuck.stdout).toMatch(/^not healthy: Deployment mon\/grafana: not rolled out: /m);
  expect(stuck.stdout).toMatch(/^status: not healthy/m);
  // Volumes for every claim, then the nodes schedulable: everything rolls out on kwok's nodes.
  const r = synthesize(SPEC);
  for (const o of r.manifests.map((m) => m.object as any)) {
    const claims =
      o.kind === 'PersistentVolumeClaim'
        ? [o]
        : o.kind === 'StatefulSet'
          ? (o.spec.volumeClaimTemplates ?? []).map((t: any) => ({ ...t, replicas: o.spec.replicas ?? 1 }))
          : [];
    for (const c of claims)
      await cp.addVolumes({
        storageClassName: 'standard',
        size: c.spec.resources.requests.storage,
        count: c.replicas ?? 1,
        accessModes: c.spec.accessModes,
      });
  }
  for (const n of ['cpu-0', 'cpu-1', 'gpu-0']) await cp.kubectlOk(['uncordon', n]);
  let last = stuck;
  const end = Date.now() + 300_000;
  while (Date.now() < end) {
    last = await cli(['status', spec]);
    if (last.code === 0) break;
    await new Promise((res) => setTimeout(res, 3000));
  }
  expect(last.stdout).toMatch(/^status: healthy/m);
  expect(last.stdout).toMatch(/^ok: Deployment mon\/grafana: rolled out at generation 1$/m);
  expect(last.stdout).toMatch(/^ok: PersistentVolumeClaim mon\/grafana: Bound$/m);
  expect(last.code).toBe(0);
});

test('diff reports a field edited by hand, one line per field; apply restores it', async () => {
  const clean = await cli(['diff', spec]);
  expect(lines(clean.stdout)).toEqual(['diff: no drift']);
  expect(clean.code).toBe(0);
  await cp.kubectlOk([
    '-n',
    'mon',
    'patch',
    'configmap',
    'blackbox-exporter-config',
    '--type',
    'merge',
    '-p',
    '{"data":{"blackbox.yml":"modules: {}\\n"}}',
  ]);
  await cp.kubectlOk(['-n', 'mon', 'scale', 'deployment', 'kube-state-metrics', '--replicas=3']);
  const drift = await cli(['diff', spec]);
  expect(drift.code).toBe(1);
  expect(lines(drift.stdout)).toEqual([
    expect.stringMatching(/^ConfigMap mon\/blackbox-exporter-config: data\.blackbox\.yml: live "modules: \{\}\\n", desired "/),
    'Deployment mon/kube-state-metrics: spec.replicas: live 3, desired 1',
    'diff: 2 differences (ai-monitoring apply restores the desired state)',
  ]);
  const fix = await cli(['apply', spec]);
  expect(fix.stdout).toContain('apply: 0 created, 2 configured');
  expect((await cli(['diff', spec])).code).toBe(0);
});

test('an object removed from the spec is pruned; nothing foreign is touched; PVCs only with --prune-pvcs', async () => {
  await cp.kubectlOk(['-n', 'mon', 'create', 'configmap', 'foreign', '--from-literal=a=b']);
  // Foreign, though labelled like the stack's: created by kubectl, never applied by ai-monitoring.
  await cp.kubectlOk(['-n', 'mon', 'create', 'configmap', 'grafana-extra', '--from-literal=a=b']);
  await cp.kubectlOk([
    '-n',
    'mon',
    'label',
    'configmap',
    'grafana-extra',
    'app.kubernetes.io/instance=live',
    'app.kubernetes.io/name=grafana',
  ]);
  const foreign = (await cp.getItems('configmap', 'mon'))
    .filter((c) => ['foreign', 'grafana-extra', 'kube-root-ca.crt'].includes(c.metadata.name))
    .map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`)
    .sort();
  const noGrafana = path.join(dir, 'no-grafana.yaml');
  fs.writeFileSync(noGrafana, SPEC.replace('spec:\n', 'spec:\n  grafana: { enabled: false }\n'));
  const r = await cli(['apply', noGrafana]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('pruned Deployment mon/grafana');
  expect(r.stdout).toContain('kept PersistentVolumeClaim mon/grafana: a PersistentVolumeClaim holds data; apply --prune-pvcs deletes it');
  expect((await cp.getItems('deploy', 'mon')).map((d) => d.metadata.name)).not.toContain('grafana');
  expect((await cp.getItems('configmap', 'mon')).filter((c) => c.metadata.name.startsWith('grafana-')).map((c) => c.metadata.name)).toEqual(
    ['grafana-extra'],
  );
  expect(
    (await cp.getItems('configmap', 'mon'))
      .filter((c) => ['foreign', 'grafana-extra', 'kube-root-ca.crt'].includes(c.metadata.name))
      .map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`)
      .sort(),
  ).toEqual(foreign);
  expect((await cp.getItems('pvc', 'mon')).map((p) => p.metadata.name)).toContain('grafana');
  const again = await cli(['apply', noGrafana, '--prune-pvcs']);
  expect(again.stdout).toContain('pruned PersistentVolumeClaim mon/grafana');
  expect(again.stdout).toMatch(/apply: 0 created, 0 configured, \d+ unchanged, 1 pruned, 0 kept/);
});

test('apply refuses what the upgrade check refuses, changing nothing, unless --allow-recreate', async () => {
  const small = path.join(dir, 'small.yaml');
  fs.writeFileSync(small, SPEC.replace('spec:\n', 'spec:\n  grafana: { enabled: false }\n  prometheus: { storage: { size: 1Gi } }\n'));
  const before = await versions(['mon']);
  const r = await cli(['apply', small]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('apply refused: ');
  expect(r.stderr).toContain('StatefulSet mon/prometheus spec.volumeClaimTemplates');
  expect(r.stderr).toContain('nothing was applied');
  expect(await versions(['mon'])).toEqual(before);
});
