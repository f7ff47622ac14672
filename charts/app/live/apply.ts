/**
 * `ai-monitoring apply`: server-side apply of the synthesized stack with
 * field manager `ai-monitoring`, in dependency order (Namespaces first, then
 * sync-wave order; a CRD the stack itself ships is waited for until it is
 * Established before its custom resources), then prune: objects listed in
 * the stack's inventory (inventory.ts) that the spec no longer emits are
 * deleted — only when their managedFields show our server-side apply, never
 * a Namespace (it would take everything in it, foreign objects included),
 * and PersistentVolumeClaims only with `prunePvcs`. Changes Kubernetes
 * cannot apply in place (charts/lib/upgrade-check.ts, compared with the last
 * applied form kept in the inventory) are refused before anything is sent,
 * unless `allowRecreate`. The operator reconciles with the same function.
 */
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES } from '../output';
import { unsafeChanges, type UnsafeChange } from '../../lib/upgrade-check';
import type { SynthesisResult } from '../synthesize';
import { fieldChanges } from './fields';
import {
  appliedByUs,
  entryOf,
  groupKindKey,
  readInventory,
  refOf,
  upgradeSnapshot,
  writeInventory,
  type Inventory,
  type InventoryEntry,
} from './inventory';
import { KubeError, refText, type Kube, type KObject } from './kube';

export interface ApplyOptions {
  /** Print the plan (server-side dry run), change nothing. */
  readonly dryRun?: boolean;
  /** Also delete PersistentVolumeClaims the spec no longer emits (their data goes with them). */
  readonly prunePvcs?: boolean;
  /** Apply even what the upgrade check refuses (after reading its migration steps). */
  readonly allowRecreate?: boolean;
  /** One line per change. */
  readonly log?: (line: string) => void;
  /** Labels put on the inventory (the operator adds its owner's). */
  readonly inventoryLabels?: Record<string, string>;
  /** How long to wait for a CRD of the stack to be Established; default 60 s. */
  readonly crdTimeoutMs?: number;
}

export interface ApplyResult {
  readonly created: string[];
  readonly configured: string[];
  readonly unchanged: string[];
  readonly pruned: string[];
  /** Objects the spec no longer emits that were left in place, each with the reason. */
  readonly kept: string[];
  /** Objects that could not be applied, each with the server's reason. */
  readonly failed: string[];
  /** Changes the upgrade check refuses: when non-empty nothing was applied. */
  readonly refused: UnsafeChange[];
}

/** Number of objects that changed (created, configured or pruned). */
export const changeCount = (r: ApplyResult): number => r.created.length + r.configured.length + r.pruned.length;

export function stackIdentity(result: SynthesisResult): { stack: string; namespace: string } {
  return { stack: result.spec.metadata.name, namespace: result.spec.spec.namespace };
}

/** Objects in apply order: Namespaces, then by sync wave (stable: dist/ order within a wave). */
export function applyOrder(result: SynthesisResult): KObject[] {
  return result.manifests
    .map((m, i) => ({ m, i, w: m.object.kind === 'Namespace' ? -100 : m.syncWave }))
    .sort((a, b) => a.w - b.w || a.i - b.i)
    .map(({ m }) => m.object);
}

/** Another stack's object: our recommended labels name another instance. */
function otherStack(live: KObject, stack: string): string | undefined {
  const l = live.metadata.labels ?? {};
  const inst = l['app.kubernetes.io/instance'];
  return l['app.kubernetes.io/part-of'] === 'cdk8s-ai-monitoring' && inst && inst !== stack ? inst : undefined;
}

async function waitEstablished(kube: Kube, crd: KObject, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const live = await kube.get(crd);
    if ((live?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) {
      for (const v of live?.spec?.versions ?? []) kube.forget(`${live?.spec?.group}/${v.name}`);
      return;
    }
    if (Date.now() > end) throw new Error(`${refText(crd)} was not Established within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const pruneWave = (e: InventoryEntry): number => SYNC_WAVES[e.kind] ?? 2;

/** Requests in flight at once within a wave (the API server's default max-in-flight is 400; a client keeps it small). */
const APPLY_CONCURRENCY = 8;

export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What one apply run works with, and the result it fills in. */
interface Run {
  readonly kube: Kube;
  readonly stack: string;
  readonly opts: ApplyOptions;
  readonly out: ApplyResult;
  readonly log: (line: string) => void;
}

/** --dry-run: what apply would create, configure and prune (a server-side dry run of each object); nothing changes. */
async function previewApply(run: Run, objects: KObject[], stale: InventoryEntry[]): Promise<void> {
  const { kube, stack, opts, out, log } = run;
  for (const o of objects) {
    const id = refText(o);
    try {
      if (!(await kube.resource(o.apiVersion, o.kind))) {
        out.failed.push(`${id}: the cluster does not serve ${o.kind} (${o.apiVersion}); install its CRD first (ai-monitoring preflight)`);
        continue;
      }
      const live = await kube.get(o);
      if (live && otherStack(live, stack)) {
        out.failed.push(`${id}: belongs to stack "${otherStack(live, stack)}"; rename this stack (metadata.name)`);
        continue;
      }
      if (!live) {
        out.created.push(id);
        log(`would create ${id}`);
        continue;
      }
      const dry = await kube.apply(o, { dryRun: true });
      const changes = fieldChanges(live, dry);
      if (changes.length) {
        out.configured.push(id);
        log(`would configure ${id} (${changes.map((c) => c.path).join(', ')})`);
      } else out.unchanged.push(id);
    } catch (e) {
      out.failed.push(`${id}: ${(e as Error).message}`);
    }
  }
  for (const e of stale) {
    const why = keepReason(e, opts);
    if (why) {
      out.kept.push(`${refText(refOf(e))}: ${why}`);
      continue;
    }
    const live = await kube.get(refOf(e));
    if (live && appliedByUs(live)) {
      out.pruned.push(refText(refOf(e)));
      log(`would prune ${refText(refOf(e))}`);
    }
  }
}

/** The objects in waves: the Namespaces, then each sync wave in order (`objects` is in apply order). */
function syncWaves(objects: KObject[]): KObject[][] {
  const waveOf = (o: KObject) => (o.kind === 'Namespace' ? -100 : Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0));
  const waves: KObject[][] = [];
  for (const o of objects) {
    if (waves.length === 0 || waveOf(waves[waves.length - 1][0]) !== waveOf(o)) waves.push([]);
    waves[waves.length - 1].push(o);
  }
  return waves;
}

/** One object applied (server-side) unless another stack owns it or nothing would change; a CRD waited for until Established. */
async function applyObject(run: Run, o: KObject): Promise<void> {
  const { kube, stack, opts, out, log } = run;
  const id = refText(o);
  try {
    const live = await kube.get(o);
    const owner = live && otherStack(live, stack);
    if (owner) {
      out.failed.push(`${id}: belongs to stack "${owner}" (its app.kubernetes.io/instance label); give this stack another metadata.name`);
      return;
    }
    if (!live) {
      await kube.apply(o);
      out.created.push(id);
      log(`created ${id}`);
    } else {
      // A server-side dry run first: when it changes no field of an object we applied before, nothing is
      // written (a no-op apply can still rewrite managedFields, e.g. a finalizer an admission plugin added).
      const dry = appliedByUs(live) ? await kube.apply(o, { dryRun: true }) : undefined;
      const changes = dry ? fieldChanges(live, dry) : undefined;
      if (changes && changes.length === 0) out.unchanged.push(id);
      else {
        const applied = await kube.apply(o);
        const made = fieldChanges(live, applied);
        if (made.length > 0) {
          out.configured.push(id);
          log(
            `configured ${id} (${made
              .map((c) => c.path)
              .slice(0, 5)
              .join(', ')}${made.length > 5 ? ', ...' : ''})`,
          );
        } else out.unchanged.push(id);
      }
    }
    if (o.kind === 'CustomResourceDefinition') await waitEstablished(kube, o, opts.crdTimeoutMs ?? 60_000);
  } catch (e) {
    out.failed.push(`${id}: ${(e as Error).message}`);
    log(`failed ${id}: ${(e as Error).message}`);
  }
}

/**
 * The objects the spec no longer emits deleted, last wave first: those we applied and no keepReason protects.
 * Returns the entries still to remember in the inventory (kept on purpose, or whose delete failed).
 */
async function pruneStale(run: Run, stale: InventoryEntry[]): Promise<InventoryEntry[]> {
  const { kube, opts, out, log } = run;
  const keptEntries: InventoryEntry[] = [];
  for (const e of [...stale].sort((a, b) => pruneWave(b) - pruneWave(a))) {
    const ref = refOf(e);
    const id = refText(ref);
    const why = keepReason(e, opts);
    let live: KObject | undefined;
    try {
      live = await kube.get(ref);
    } catch (err) {
      if (err instanceof KubeError && err.reason === 'NoKind') continue; // its CRD is gone, and with it the object
      throw err;
    }
    if (!live) continue;
    if (!appliedByUs(live)) {
      out.kept.push(`${id}: not applied by ai-monitoring (no server-side apply of ours in its managedFields), left alone`);
      continue;
    }
    if (why) {
      out.kept.push(`${id}: ${why}`);
      keptEntries.push(e);
      continue;
    }
    try {
      await kube.delete(ref, { uid: live.metadata.uid });
      out.pruned.push(id);
      log(`pruned ${id}`);
    } catch (err) {
      out.failed.push(`prune ${id}: ${(err as Error).message}`);
      keptEntries.push(e);
    }
  }
  return keptEntries;
}

export async function applyStack(kube: Kube, result: SynthesisResult, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const { stack, namespace } = stackIdentity(result);
  const out: ApplyResult = { created: [], configured: [], unchanged: [], pruned: [], kept: [], failed: [], refused: [] };
  const run: Run = { kube, stack, opts, out, log: opts.log ?? (() => undefined) };
  const objects = applyOrder(result);
  const previous: Inventory | undefined = await readInventory(kube, namespace, stack).catch((e) => {
    if (e instanceof KubeError && e.status === 404) return undefined;
    throw e;
  });

  if (previous && previous.snapshot.length > 0 && !opts.allowRecreate) {
    out.refused.push(...unsafeChanges(previous.snapshot, objects));
    if (out.refused.length > 0) return out;
  }

  const desiredKeys = new Set(objects.map((o) => groupKindKey(entryOf(o))));
  const stale = (previous?.entries ?? []).filter((e) => !desiredKeys.has(groupKindKey(e)));

  if (opts.dryRun) {
    await previewApply(run, objects, stale);
    return out;
  }

  // Namespaces first, then the inventory (old and new objects, so an interrupted apply still knows what it created).
  const entries = new Map<string, InventoryEntry>();
  for (const e of previous?.entries ?? []) entries.set(groupKindKey(e), e);
  for (const o of objects) entries.set(groupKindKey(entryOf(o)), entryOf(o));
  let inventoryWritten = false;
  const writeUnion = async () => {
    if (inventoryWritten) return;
    await writeInventory(
      kube,
      namespace,
      stack,
      { entries: [...entries.values()], snapshot: previous?.snapshot ?? [] },
      opts.inventoryLabels,
    );
    inventoryWritten = true;
  };

  // One wave at a time (Namespaces, then each sync wave in order); the objects of a wave in parallel, a few at once.
  for (const wave of syncWaves(objects)) {
    if (wave[0].kind !== 'Namespace' && !inventoryWritten) {
      try {
        await writeUnion();
      } catch (e) {
        out.failed.push(`inventory ConfigMap in namespace ${namespace}: ${(e as Error).message}`);
        return out;
      }
    }
    await inParallel(wave, APPLY_CONCURRENCY, (o) => applyObject(run, o));
  }
  if (!inventoryWritten) await writeUnion();
  if (out.failed.length > 0) return out; // nothing is pruned after a failure: the next apply retries

  const keptEntries = await pruneStale(run, stale);
  await writeInventory(
    kube,
    namespace,
    stack,
    { entries: [...objects.map(entryOf), ...keptEntries], snapshot: upgradeSnapshot(result.manifests.map((m) => m.object)) },
    opts.inventoryLabels,
  );
  return out;
}

function keepReason(e: InventoryEntry, opts: ApplyOptions): string | undefined {
  if (e.kind === 'Namespace') return `deleting a Namespace deletes everything in it; when it is empty: kubectl delete namespace ${e.name}`;
  if (e.kind === 'PersistentVolumeClaim' && !opts.prunePvcs) return `a PersistentVolumeClaim holds data; apply --prune-pvcs deletes it`;
  return undefined;
}

/** The one-line summary printed after an apply. */
export function summary(r: ApplyResult, dryRun = false): string {
  const w = dryRun ? 'would be ' : '';
  return `${r.created.length} ${w}created, ${r.configured.length} ${w}configured, ${r.unchanged.length} unchanged, ${r.pruned.length} ${w}pruned, ${r.kept.length} kept${r.failed.length ? `, ${r.failed.length} failed` : ''}`;
}
