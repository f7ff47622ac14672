/**
 * Rendering and writing dist/: one YAML file per chart, in the stack's order,
 * written into a temporary folder and swapped in only when everything
 * succeeded, so a failed synth leaves the previous dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_APPLICATION_FILE } from '../components/argocd/construct';
import { toYaml } from '../core/yaml';
import type { MonitoringStack } from '../stack';

export const MAX_OBJECT_BYTES = 256 * 1024;

/**
 * Argo CD sync waves by kind: namespaces, then RBAC, then configuration and
 * policies, then Services, then workloads, then Ingresses, then custom
 * resources that need third-party CRDs. A wave a component set itself wins.
 */
export const SYNC_WAVES: Record<string, number> = {
  Namespace: -5,
  CustomResourceDefinition: -5,
  PriorityClass: -5,
  RuntimeClass: -5,
  ServiceAccount: -4,
  ClusterRole: -4,
  Role: -4,
  ClusterRoleBinding: -3,
  RoleBinding: -3,
  ConfigMap: -2,
  Secret: -2,
  NetworkPolicy: -2,
  PersistentVolumeClaim: -2,
  Service: -1,
  Deployment: 0,
  StatefulSet: 0,
  DaemonSet: 0,
  PodDisruptionBudget: 0,
  Ingress: 1,
};
/** Wave of objects whose kind comes from another project's CRD (ClusterIssuer, ...). */
export const CUSTOM_RESOURCE_WAVE = 2;
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** API groups under *.k8s.io that no cluster serves until their CRDs are installed (Gateway API, CSI snapshots). */
export const CRD_GROUPS_UNDER_K8S_IO = new Set(['gateway.networking.k8s.io', 'snapshot.storage.k8s.io']);

/** True for kinds served by a CRD of another project (API group with a dot, outside *.k8s.io, or a CRD group under it). */
export function isCustomResource(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return (group.includes('.') && !group.endsWith('.k8s.io')) || CRD_GROUPS_UNDER_K8S_IO.has(group);
}

export function syncWave(o: { apiVersion: string; kind: string }): number {
  return isCustomResource(o.apiVersion) ? CUSTOM_RESOURCE_WAVE : (SYNC_WAVES[o.kind] ?? 0);
}

function withSyncWave(o: any): any {
  const annotations = o.metadata?.annotations ?? {};
  if (annotations[SYNC_WAVE_ANNOTATION] !== undefined) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...annotations, [SYNC_WAVE_ANNOTATION]: String(syncWave(o)) } } };
}

/**
 * The kustomization listing dist/'s files in apply order (`kubectl apply -k
 * dist`). Named `Kustomization` (a name kustomize accepts) rather than
 * kustomization.yaml, because `kubectl apply -f dist` reads every *.yaml
 * file and would fail on a Kustomization, which is not an API object.
 */
export const KUSTOMIZATION_FILE = 'Kustomization';

/** file name -> YAML text (multi-document); the last entry is the Kustomization. */
export function renderManifests(stack: MonitoringStack): Map<string, string> {
  const files = new Map<string, string>();
  for (const { file, chart } of stack.charts) {
    const objects = chart.toJson().map(withSyncWave);
    if (objects.length === 0) continue;
    for (const o of objects) {
      const size = Buffer.byteLength(JSON.stringify(o));
      if (size > MAX_OBJECT_BYTES) {
        throw new Error(`${o.kind} ${o.metadata?.name} is ${size} bytes serialized; client-side kubectl apply stores objects in an annotation limited to 256 KiB`);
      }
    }
    files.set(`${file}.yaml`, objects.map((o) => toYaml(o)).join('---\n'));
  }
  files.set(KUSTOMIZATION_FILE, toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files.keys()],
  }));
  return files;
}

/** Files written outside dist/, relative to dist/'s parent (gitops/argocd-application.yaml), when spec.gitops is set. */
export function renderGitops(stack: MonitoringStack): Map<string, string> {
  const files = new Map<string, string>();
  if (stack.gitopsChart) {
    files.set(ARGOCD_APPLICATION_FILE, stack.gitopsChart.toJson().map((o) => toYaml(o)).join('---\n'));
  }
  return files;
}

/** Write files into `outDir` atomically: build a sibling temp folder, then swap. */
export function writeAtomically(outDir: string, files: Map<string, string>): void {
  const abs = path.resolve(outDir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(abs)}.tmp-`));
  try {
    for (const [name, text] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
      fs.writeFileSync(path.join(tmp, name), text);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${tmp}.old`;
  if (fs.existsSync(abs)) fs.renameSync(abs, old);
  fs.chmodSync(tmp, 0o755); // mkdtemp creates 0700; dist/ is an ordinary folder
  fs.renameSync(tmp, abs);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Write the files of `renderGitops` next to `outDir` (gitops/ beside dist/),
 * each through a temporary file and a rename; a known file the spec no longer
 * asks for (spec.gitops.argocd removed) is deleted.
 */
export function writeGitops(outDir: string, files: Map<string, string>): string[] {
  const parent = path.dirname(path.resolve(outDir));
  const written: string[] = [];
  for (const name of [ARGOCD_APPLICATION_FILE]) {
    const target = path.join(parent, name);
    const text = files.get(name);
    if (text === undefined) {
      fs.rmSync(target, { force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, target);
    written.push(target);
  }
  return written;
}
