/**
 * One-pass apply: replays dist/ in the order `kubectl apply -f dist` (file
 * names) and `kubectl apply -k dist` (the Kustomization) use, and fails when
 * an object needs something that comes later: its Namespace, the Role of a
 * binding, the ServiceAccount or ConfigMap of a pod. Custom resources of other
 * projects (ClusterIssuer) must be alone in the last files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { isCustomResource, KUSTOMIZATION_FILE, SYNC_WAVE_ANNOTATION, syncWave } from '../../charts/app/output';
import { DistObject, podTemplates, readManifests } from '../lib/dist';
import { synth, synthFile, synthFileDir } from '../lib/synth';

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'IngressClass',
  'RuntimeClass',
  'ClusterIssuer',
]);
/** Files at or after this number hold objects that need other projects' CRDs. */
const CRD_FILES_FROM = 90;

const key = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;

/** Every ordering problem of `objects` applied in the given order. */
export function applyOrderProblems(objects: DistObject[]): string[] {
  const applied = new Set<string>();
  const out: string[] = [];
  const need = (o: DistObject, kind: string, ns: string | undefined, name: string, why: string) => {
    if (!applied.has(key(kind, ns, name)))
      out.push(`${o.file}: ${o.object.kind} ${o.object.metadata?.name} comes before ${kind} ${ns ? `${ns}/` : ''}${name} (${why})`);
  };
  for (const d of objects) {
    const o = d.object;
    const ns = o.metadata?.namespace;
    const fileNo = Number(d.file.slice(0, 2));
    if (CLUSTER_SCOPED.has(o.kind)) {
      if (ns) out.push(`${d.file}: cluster-scoped ${o.kind} ${o.metadata?.name} has a namespace`);
    } else if (!ns) {
      out.push(`${d.file}: ${o.kind} ${o.metadata?.name} has no namespace: kubectl would put it in the current context's namespace`);
    } else {
      need(d, 'Namespace', undefined, ns, 'its namespace');
    }
    if (isCustomResource(o.apiVersion) !== fileNo >= CRD_FILES_FROM) {
      out.push(
        `${d.file}: ${o.apiVersion} ${o.kind} ${isCustomResource(o.apiVersion) ? `needs another project's CRD: move it to a file numbered ${CRD_FILES_FROM} or more` : `is built in: it belongs before the CRD-dependent files`}`,
      );
    }
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const ref = o.roleRef as { kind: string; name: string };
      if (!ref.name.startsWith('system:')) need(d, ref.kind, ref.kind === 'Role' ? ns : undefined, ref.name, 'the role it binds');
      for (const s of (o.subjects as { kind: string; name: string; namespace?: string }[]) ?? []) {
        if (s.kind === 'ServiceAccount') need(d, 'ServiceAccount', s.namespace ?? ns, s.name, 'its subject');
      }
    }
    for (const { podSpec } of podTemplates([o])) {
      if (podSpec.serviceAccountName && podSpec.serviceAccountName !== 'default')
        need(d, 'ServiceAccount', ns, podSpec.serviceAccountName, "the pods' ServiceAccount");
      for (const v of podSpec.volumes ?? []) {
        if (v.configMap && !v.configMap.optional) need(d, 'ConfigMap', ns, v.configMap.name, `volume ${v.name}`);
      }
    }
    applied.add(key(o.kind, CLUSTER_SCOPED.has(o.kind) ? undefined : ns, o.metadata?.name as string));
  }
  return out;
}

function checkDir(dir: string): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  expect(files[0]).toBe('00-namespaces.yaml');
  for (const f of files) expect(f).toMatch(/^\d{2}-[a-z0-9-]+\.yaml$/);
  // kubectl apply -k dist: the Kustomization lists the same files in the same order.
  const kustomization = parse(fs.readFileSync(path.join(dir, KUSTOMIZATION_FILE), 'utf8'));
  expect(kustomization).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files });
  expect(applyOrderProblems(readManifests(dir))).toEqual([]);
}

describe('one-pass apply', () => {
  test('dist/ of monitoring.yaml applies in one pass (kubectl apply -f dist, kubectl apply -k dist)', () => {
    checkDir(synthFileDir());
  });

  test('a stack with every option applies in one pass; the ClusterIssuer is alone in the last file', () => {
    const { dir } = synth({
      ingress: { domain: 'example.org', prometheus: { enabled: true }, tls: { createClusterIssuer: { email: 'ops@example.org' } } },
      gitops: { argocd: { repoURL: 'https://git.example.org/ops/monitoring.git' } },
    });
    checkDir(dir);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(files[files.length - 1]).toBe('90-cluster-issuer.yaml');
    expect(readManifests(dir).filter((d) => d.object.kind === 'Application')).toEqual([]); // Argo CD's Application stays out of dist/
  });

  test('the replay catches a namespaced object before its Namespace, a binding before its role, a pod before its ServiceAccount', () => {
    const objects = synthFile().manifests;
    const namespaces = objects.filter((d) => d.object.kind === 'Namespace');
    const rest = objects.filter((d) => d.object.kind !== 'Namespace');
    expect(applyOrderProblems([...rest, ...namespaces]).join('\n')).toMatch(/comes before Namespace/);
    const reversed = [...namespaces, ...[...rest].reverse()];
    const problems = applyOrderProblems(reversed).join('\n');
    expect(problems).toMatch(/ClusterRoleBinding .* comes before ClusterRole/);
    expect(problems).toMatch(/StatefulSet prometheus comes before ServiceAccount/);
    expect(problems).toMatch(/StatefulSet prometheus comes before ConfigMap/);
    const issuer: DistObject = {
      file: '50-ingress.yaml',
      object: { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'x' } },
    };
    expect(applyOrderProblems([issuer]).join()).toMatch(/needs another project's CRD/);
  });

  test('every object carries an Argo CD sync wave: namespaces, then RBAC, config, Services, workloads, Ingresses, custom resources', () => {
    const { objects } = synth({ ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } } });
    for (const o of objects) expect((o.metadata as any).annotations?.[SYNC_WAVE_ANNOTATION]).toBe(String(syncWave(o)));
    const wave = (kind: string) => Number((objects.find((o) => o.kind === kind)?.metadata as any).annotations[SYNC_WAVE_ANNOTATION]);
    const order = [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'NetworkPolicy',
      'Service',
      'StatefulSet',
      'DaemonSet',
      'Ingress',
      'ClusterIssuer',
    ];
    for (let i = 1; i < order.length; i++) expect(wave(order[i - 1])).toBeLessThanOrEqual(wave(order[i]));
    expect(wave('Namespace')).toBeLessThan(wave('ServiceAccount'));
    expect(wave('ClusterRole')).toBeLessThan(wave('ConfigMap'));
    expect(wave('ConfigMap')).toBeLessThan(wave('StatefulSet'));
    expect(wave('StatefulSet')).toBeLessThan(wave('Ingress'));
    expect(wave('Ingress')).toBeLessThan(wave('ClusterIssuer'));
  });
});
