/**
 * Rendering and writing dist/: one YAML file per chart, in the stack's order,
 * written into a temporary folder and swapped in only when everything
 * succeeded, so a failed synth leaves the previous dist/ untouched.
 */
import * as path from 'path';
import type { Chart } from 'cdk8s';
import { ARGOCD_APPLICATION_FILE } from '../components/argocd/construct';
import { toYaml } from '../core/yaml';
import { prepareSideFiles, removeStaleSideTemporaries } from '../lib/swap';

export {
  checkOutputTarget,
  OUTPUT_MARKER,
  OutputError,
  prepareSideFiles,
  recoverInterruptedSwap,
  removeStaleSideTemporaries,
  removeStaleTemporaries,
  SWAP_JOURNAL,
  writeAtomically,
} from '../lib/swap';
export type { PreparedFiles, SwapHook, WriteOptions, WriteResult } from '../lib/swap';
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

export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/**
 * On every custom resource: Argo CD skips the dry run of an object whose CRD
 * is missing instead of failing the whole sync (cert-manager not installed
 * yet: everything else still syncs, the ClusterIssuer waits).
 */
export const SKIP_DRY_RUN_OPTION = 'SkipDryRunOnMissingResource=true';

function withSyncWave(o: any): any {
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  if (annotations[SYNC_WAVE_ANNOTATION] === undefined) annotations[SYNC_WAVE_ANNOTATION] = String(syncWave(o));
  if (isCustomResource(o.apiVersion)) {
    const options = String(annotations[SYNC_OPTIONS_ANNOTATION] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (!options.includes(SKIP_DRY_RUN_OPTION)) annotations[SYNC_OPTIONS_ANNOTATION] = [...options, SKIP_DRY_RUN_OPTION].join(',');
  }
  return { ...o, metadata: { ...o.metadata, annotations } };
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
  return renderCharts(stack.charts);
}

/**
 * The files of `charts` in the order given (one per chart, objects with their sync waves), and the
 * Kustomization listing them: what `npm run synth` writes and `MonitoringApp.synth()` writes too.
 */
export function renderCharts(charts: readonly { readonly file: string; readonly chart: Chart }[]): Map<string, string> {
  const files = new Map<string, string>();
  const rendered: RenderedObject[] = [];
  for (const { file, chart } of charts) {
    const objects = chart.toJson().map(withSyncWave);
    if (objects.length === 0) continue;
    rendered.push(...objects);
    for (const o of objects) {
      const size = Buffer.byteLength(JSON.stringify(o));
      if (size > MAX_OBJECT_BYTES) {
        throw new Error(
          `${o.kind} ${o.metadata?.name} is ${size} bytes serialized; client-side kubectl apply stores objects in an annotation limited to 256 KiB`,
        );
      }
    }
    // Every document starts with "---": files concatenated (cdk8s synth --stdout, cat dist/*.yaml) stay valid multi-document YAML.
    files.set(`${file}.yaml`, objects.map((o) => `---\n${toYaml(o)}`).join(''));
  }
  files.set(
    KUSTOMIZATION_FILE,
    toYaml({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [...files.keys()],
    }),
  );
  RENDERED.set(files, rendered);
  return files;
}

/** A manifest as a plain object (what a file of renderCharts holds, parsed back). */
export type RenderedObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: any;
  [k: string]: any;
};

const RENDERED = new WeakMap<Map<string, string>, readonly RenderedObject[]>();

/**
 * The objects renderCharts (renderManifests) serialized into the *.yaml files of `files`, in file order: what
 * parsing those files back gives, without parsing them (npm run synth reads them for its checks).
 */
export function renderedObjects(files: Map<string, string>): readonly RenderedObject[] | undefined {
  return RENDERED.get(files);
}

/** Files written outside dist/, relative to dist/'s parent (gitops/argocd-application.yaml), when spec.gitops is set. */
export function renderGitops(stack: MonitoringStack): Map<string, string> {
  const files = new Map<string, string>();
  if (stack.gitopsChart) {
    files.set(
      ARGOCD_APPLICATION_FILE,
      stack.gitopsChart
        .toJson()
        .map((o) => toYaml(o))
        .join('---\n'),
    );
  }
  return files;
}

/** Files written beside dist/ (relative to its parent): the Argo CD Application when spec.gitops.argocd is set. */
export const SIDE_FILES: readonly string[] = [ARGOCD_APPLICATION_FILE];

/**
 * Write the files of `renderGitops` next to `outDir` (gitops/ beside dist/),
 * each through a temporary file and a rename; a known file the spec no longer
 * asks for (spec.gitops.argocd removed) is deleted. main.ts prepares them
 * before swapping dist/ (`prepareSideFiles`) so a failure changes nothing.
 */
export function writeGitops(outDir: string, files: Map<string, string>): string[] {
  const parent = path.dirname(path.resolve(outDir));
  removeStaleSideTemporaries(parent, SIDE_FILES);
  return prepareSideFiles(parent, SIDE_FILES, files).commit();
}
