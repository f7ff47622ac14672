/**
 * Upgrade safety: compare the manifests about to be written with the previous
 * dist/ and list the changes Kubernetes cannot apply in place, each with the
 * migration steps. synth refuses them unless the user passes
 * `--allow-recreate` (after reading the steps).
 *
 * Immutable after creation (the API server rejects an update):
 * - StatefulSet `volumeClaimTemplates`, `selector`, `serviceName`,
 *   `podManagementPolicy`;
 * - Deployment / DaemonSet / StatefulSet `selector`;
 * - PersistentVolumeClaim: a smaller `resources.requests.storage` (shrinking
 *   is never allowed; growing needs a StorageClass with allowVolumeExpansion),
 *   `storageClassName`, `accessModes`;
 * - Service `clusterIP` / `clusterIPs`, and `type` to or from ExternalName
 *   together with a clusterIP.
 */
import { parseAllDocuments } from 'yaml';
import { quantityValue } from '../spec/formats';
import { canonicalQuantity } from '../core/quantity';

function sameQuantity(q: unknown): unknown {
  try { return q === undefined ? q : canonicalQuantity(typeof q === "number" ? String(q) : (q as string)); } catch { return q; }
}

interface Obj { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any }

export interface UnsafeChange {
  readonly object: string;
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly steps: string[];
}

export function parseManifestTexts(files: Iterable<[string, string]>): Obj[] {
  const out: Obj[] = [];
  for (const [name, text] of files) {
    if (!name.endsWith('.yaml')) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) continue;
      const o = doc.toJS() as Obj | null;
      if (o && typeof o === 'object' && o.kind) out.push(o);
    }
  }
  return out;
}

const key = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const same = (a: unknown, b: unknown) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));

function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

/** The parts of a claim template the API server compares (names, size, class, modes), without status. */
function claimTemplates(sts: Obj): unknown {
  return (sts.spec?.volumeClaimTemplates ?? []).map((t: any) => ({
    name: t.metadata?.name, accessModes: t.spec?.accessModes, storageClassName: t.spec?.storageClassName,
    // As the server compares them: the size in its canonical form (1024Mi = 1Gi), volumeMode defaulted to Filesystem.
    storage: sameQuantity(t.spec?.resources?.requests?.storage), volumeMode: t.spec?.volumeMode ?? 'Filesystem',
  }));
}

export function unsafeChanges(previous: Obj[], next: Obj[]): UnsafeChange[] {
  const before = new Map(previous.map((o) => [key(o), o]));
  const out: UnsafeChange[] = [];
  for (const o of next) {
    const p = before.get(key(o));
    if (!p || p.apiVersion !== o.apiVersion) continue;
    const ns = o.metadata?.namespace ?? 'default';
    const name = o.metadata?.name ?? '';
    const id = `${o.kind} ${ns}/${name}`;
    const recreateWorkload = (what: string) => [
      `kubectl -n ${ns} delete ${o.kind!.toLowerCase()} ${name} --cascade=orphan   # removes the ${o.kind} only; its pods${o.kind === 'StatefulSet' ? ' and volumes' : ''} keep running`,
      'kubectl apply -f dist/   # recreates it with the new ' + what + (o.kind === 'StatefulSet' ? '; it adopts the running pods and keeps their PersistentVolumeClaims' : ''),
    ];
    if (['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind!) && !same(p.spec?.selector, o.spec?.selector)) {
      out.push({ object: id, field: 'spec.selector', before: p.spec?.selector, after: o.spec?.selector, steps: [
        `kubectl -n ${ns} delete ${o.kind!.toLowerCase()} ${name}   # the selector is immutable; its pods are replaced`,
        'kubectl apply -f dist/',
      ] });
    }
    if (o.kind === 'StatefulSet') {
      for (const f of ['serviceName', 'podManagementPolicy'] as const) {
        if (!same(p.spec?.[f], o.spec?.[f])) out.push({ object: id, field: `spec.${f}`, before: p.spec?.[f], after: o.spec?.[f], steps: recreateWorkload(f) });
      }
      const a = claimTemplates(p);
      const b = claimTemplates(o);
      if (!same(a, b)) {
        const pa = (a as any[])[0];
        const pb = (b as any[])[0];
        const grow = (a as any[]).length === 1 && (b as any[]).length === 1 && pa.name === pb.name && same({ ...pa, storage: 0 }, { ...pb, storage: 0 })
          && (quantityValue(String(pb.storage)) ?? 0) > (quantityValue(String(pa.storage)) ?? 0);
        const replicas = Number(o.spec?.replicas ?? 1);
        const steps = grow
          ? [
            `kubectl get storageclass   # the claims' StorageClass must have allowVolumeExpansion: true`,
            ...Array.from({ length: replicas }, (_, i) => `kubectl -n ${ns} patch pvc ${pb.name}-${name}-${i} -p '{"spec":{"resources":{"requests":{"storage":"${pb.storage}"}}}}'   # grow the existing volume`),
            ...recreateWorkload('volumeClaimTemplates (new replicas get the new size)'),
          ]
          : [
            `a volume cannot shrink or change class in place: back up (docs/operations.md "Backups"), then`,
            ...recreateWorkload('volumeClaimTemplates'),
            `kubectl -n ${ns} delete pvc -l app.kubernetes.io/name=${o.spec?.selector?.matchLabels?.['app.kubernetes.io/name'] ?? name}   # only if the old data may go: new claims are created with the new template`,
          ];
        out.push({ object: id, field: 'spec.volumeClaimTemplates', before: a, after: b, steps });
      }
    }
    if (o.kind === 'PersistentVolumeClaim') {
      const sa = p.spec?.resources?.requests?.storage;
      const sb = o.spec?.resources?.requests?.storage;
      if ((quantityValue(String(sb)) ?? 0) < (quantityValue(String(sa)) ?? 0)) {
        out.push({ object: id, field: 'spec.resources.requests.storage', before: sa, after: sb, steps: [
          'a PersistentVolumeClaim never shrinks: keep the size, or back up (docs/operations.md "Backups"), then',
          `kubectl -n ${ns} delete pvc ${name}   # deletes the data once no pod uses it`, 'kubectl apply -f dist/',
        ] });
      }
      for (const f of ['storageClassName', 'accessModes', 'volumeMode'] as const) {
        if (!same(p.spec?.[f], o.spec?.[f])) {
          out.push({ object: id, field: `spec.${f}`, before: p.spec?.[f], after: o.spec?.[f], steps: [
            `back up (docs/operations.md "Backups"), then kubectl -n ${ns} delete pvc ${name} and kubectl apply -f dist/ (${f} is immutable)`,
          ] });
        }
      }
    }
    if (o.kind === 'Service') {
      for (const f of ['clusterIP', 'clusterIPs'] as const) {
        if (p.spec?.[f] !== undefined && !same(p.spec?.[f], o.spec?.[f])) {
          out.push({ object: id, field: `spec.${f}`, before: p.spec?.[f], after: o.spec?.[f], steps: [
            `kubectl -n ${ns} delete service ${name}   # ${f} is immutable; clients resolve the Service by name again`, 'kubectl apply -f dist/',
          ] });
        }
      }
    }
  }
  return out;
}

/**
 * `previous` names the stack the compared output holds (its marker's identity; undefined for an
 * output written before identities were recorded): only the previous output of the same stack is
 * compared, so the text says which one and what to do when it is not what is deployed.
 */
export function formatUnsafeChanges(changes: UnsafeChange[], outDir: string, previous?: string): string {
  const short = (v: unknown) => { const s = JSON.stringify(v) ?? 'unset'; return s.length > 120 ? `${s.slice(0, 117)}...` : s; };
  const lines = [
    `synth refused: ${changes.length} change${changes.length === 1 ? '' : 's'} to ${outDir}/ cannot be applied in place (Kubernetes rejects updates of these fields):`,
    `  compared with ${outDir}/'s previous output of the same stack (${previous ?? 'an output written before stacks were recorded'}); the output of another stack or spec file is never compared`,
  ];
  for (const c of changes) {
    lines.push(`  - ${c.object} ${c.field}: ${short(c.before)} -> ${short(c.after)}`, '    migration:');
    for (const s of c.steps) lines.push(`      ${s}`);
  }
  lines.push(`Run the synth again with --allow-recreate once you have read the steps, or with --out <new folder> if ${outDir}/ is not what your cluster runs (${outDir}/ was left unchanged).`);
  return lines.join('\n');
}
