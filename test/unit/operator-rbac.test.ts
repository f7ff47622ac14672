/**
 * The operator component (charts/components/operator): its RBAC is derived from what the stack emits — exactly
 * the API groups and resources of the synthesized objects, no wildcard, bind/escalate only on the stack's own
 * roles by name — for the default spec and every example with the operator enabled; its Deployment runs
 * hardened with probes on its health port; its Lease permission names the Lease its arguments name.
 * (That the API server accepts these rules and that they suffice: test/live/operator-rbac.cluster.test.ts.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { synthesize } from '../../charts/app/synthesize';
import { CRD_GROUP, CRD_PLURAL } from '../../charts/app/operator/crd';
import { clusterRules, groupOf, MONITORING_STACK_RESOURCE, resourceOf } from '../../charts/components/operator';
import { canonicalQuantity } from '../../charts/core/quantity';
import { SpecError } from '../../charts/spec-load';

const ROOT = path.join(__dirname, '..', '..');
const withOperator = (doc: any, operator: object = { enabled: true }) => ({ ...doc, spec: { ...(doc.spec ?? {}), operator } });
const SPECS: [string, any][] = [
  ['monitoring.yaml', parse(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8'))],
  ...fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, any] => [`examples/${f}`, parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'))]),
];

const operatorObjects = (objects: any[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'operator');

test('plural resource names of kinds, as the API server serves them', () => {
  expect(['NetworkPolicy', 'Ingress', 'PriorityClass', 'HTTPRoute', 'Endpoints', 'ConfigMap', 'Lease', 'Gateway'].map(resourceOf)).toEqual([
    'networkpolicies',
    'ingresses',
    'priorityclasses',
    'httproutes',
    'endpoints',
    'configmaps',
    'leases',
    'gateways',
  ]);
});

test('the derivation: one rule per group of the objects given, the inventory ConfigMap, bind/escalate on their roles only', () => {
  const rules = clusterRules([
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'x-reader' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: 'x-reader' },
  ]);
  expect(rules).toEqual([
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch', 'delete'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create', 'patch', 'delete'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterrolebindings', 'clusterroles'],
      verbs: ['get', 'create', 'patch', 'delete'],
    },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind', 'escalate'], resourceNames: ['x-reader'] },
  ]);
});

test('off by default: no operator object', () => {
  expect(operatorObjects(synthesize(SPECS[0][1]).manifests.map((m) => m.object))).toEqual([]);
});

test("the default MonitoringStack resource of the construct is the CRD's", () => {
  expect(MONITORING_STACK_RESOURCE).toEqual({ group: CRD_GROUP, plural: CRD_PLURAL });
});

describe.each(SPECS)('%s with spec.operator.enabled', (_name, doc) => {
  const r = synthesize(withOperator(doc));
  const objects = r.manifests.map((m) => m.object as any);
  const instance = r.spec.metadata.name;
  const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === `${instance}-operator`);

  test('the ClusterRole grants exactly the emitted groups/resources, no wildcard, no list or watch', () => {
    expect(JSON.stringify(role.rules)).not.toContain('*');
    const granted = role.rules
      .filter((x: any) => !x.resourceNames)
      .flatMap((x: any) => {
        expect(x.verbs).toEqual(['get', 'create', 'patch', 'delete']);
        return x.resources.map((res: string) => `${x.apiGroups.join()}/${res}`);
      });
    const emitted = new Set(objects.map((o) => `${groupOf(o.apiVersion)}/${resourceOf(o.kind)}`));
    expect(granted.sort()).toEqual([...emitted].sort());
  });

  test('bind and escalate: only on the roles the stack emits, by name', () => {
    const byName = (kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    const escalate = role.rules.filter((x: any) => x.verbs.includes('bind') || x.verbs.includes('escalate'));
    expect(escalate).toEqual([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        verbs: ['bind', 'escalate'],
        resourceNames: byName('ClusterRole'),
      },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind', 'escalate'], resourceNames: byName('Role') },
    ]);
  });

  test('the Deployment: non-root, read-only root, no capabilities, RuntimeDefault, probes on its health port, leader election on the Lease its Role names', () => {
    const [deploy] = operatorObjects(objects).filter((o) => o.kind === 'Deployment');
    const pod = deploy.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
    const port = c.ports.find((p: any) => p.name === c.livenessProbe.httpGet.port).containerPort;
    expect(c.args.slice(c.args.indexOf('--health-port'), c.args.indexOf('--health-port') + 2)).toEqual(['--health-port', String(port)]);
    for (const q of [...Object.values(c.resources.requests), ...Object.values(c.resources.limits)] as string[])
      expect(canonicalQuantity(q)).toBe(q);
    expect(c.args).toEqual(expect.arrayContaining(['--leader-elect', '--namespace', r.spec.spec.namespace]));
    const lease = c.args[c.args.indexOf('--lease-name') + 1];
    const nsRole = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'ai-monitoring-operator');
    expect(nsRole.metadata.namespace).toBe(deploy.metadata.namespace);
    expect(nsRole.rules.filter((x: any) => x.resources.includes('leases'))).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [lease] },
    ]);
    expect(JSON.stringify(nsRole.rules)).not.toContain('*');
  });
});

test('two replicas spread across nodes; a resync under a second is refused naming the field', () => {
  const r = synthesize(withOperator(SPECS[0][1], { enabled: true, replicas: 2, resync: '5m' }));
  const deploy = r.manifests
    .map((m) => m.object as any)
    .find((o) => o.kind === 'Deployment' && o.metadata.name === 'ai-monitoring-operator');
  expect(deploy.spec.replicas).toBe(2);
  expect(deploy.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
  expect(deploy.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--resync', '300s']));
  expect(() => synthesize(withOperator(SPECS[0][1], { enabled: true, resync: '500ms' }))).toThrow(SpecError);
  expect(() => synthesize(withOperator(SPECS[0][1], { enabled: true, resync: '500ms' }))).toThrow(/spec\.operator\.resync/);
  expect(() => synthesize(withOperator(SPECS[0][1], { enabled: true, replicas: 3 }))).toThrow(/spec\.operator\.replicas/);
});
