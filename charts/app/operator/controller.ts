/**
 * `ai-monitoring operator`: reconciles MonitoringStack resources
 * (monitoring.cdk8s-ai.dev/v1alpha1, CRD in crds/) with the same code as the
 * CLI — `synthesize` in process, `applyStack` (server-side apply, prune).
 *
 * Per resource:
 * - a finalizer (`monitoring.cdk8s-ai.dev/cleanup`) so deleting the resource
 *   first deletes what the stack applied (its inventory), PVCs and
 *   Namespaces retained (their data, and anything foreign in them);
 * - the spec is validated by the loader; an invalid spec applies nothing (the
 *   cluster keeps the last good state) and sets Ready=False, reason
 *   InvalidSpec, with the loader's message naming the field and the fix;
 * - `spec.namespace` defaults to the resource's own namespace, so two stacks
 *   in two namespaces never share objects; two resources with the same name
 *   (cluster-scoped objects carry it) are refused by condition;
 * - status: observedGeneration, conditions Ready / Progressing / Degraded,
 *   written only when they change; an Event per change applied or failure;
 * - a periodic resync (default 60 s) re-applies every stack: a field edited
 *   by hand on a managed object is restored within one resync. The synthesis
 *   is cached per resource generation, so a resync is only the apply
 *   (requests; no change means no write, no event, no status update).
 *
 * One worker processes a queue of resource keys (a key is queued once however
 * many events arrive); the watch reconnects after an API server restart and
 * relists, queueing only resources whose generation was not yet observed.
 *
 * `runOperator` with `leaderElection` (`--leader-elect`, leader.ts) reconciles
 * only while holding a coordination.k8s.io Lease, so two replicas never
 * reconcile at once; on SIGTERM it finishes the reconcile in progress and
 * releases the Lease. `healthPort` serves /healthz and /readyz (health.ts).
 * Its Deployment and RBAC: charts/components/operator (spec.operator).
 */
import { randomUUID } from 'crypto';
import * as os from 'os';
import { SpecError } from '../../spec-load';
import { API_VERSION, KIND } from '../../spec-schema';
import { synthesize, type SynthesisResult } from '../synthesize';
import { applyStack, changeCount, summary, type ApplyResult } from '../live/apply';
import { appliedByUs, readInventory, refOf } from '../live/inventory';
import { KubeError, refText, type Kube, type KObject } from '../live/kube';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION } from './crd';
import { startHealthServer } from './health';
import { LeaderElector, type LeaderElectionOptions } from './leader';

export const FINALIZER = `${CRD_GROUP}/cleanup`;
export const OPERATOR_MANAGER = 'ai-monitoring-operator';
/** Label on the inventory naming the owning resource (namespace.name). */
export const OWNER_LABEL = `${CRD_GROUP}/owner`;

export interface OperatorOptions {
  /** Watch one namespace; default all. */
  readonly namespace?: string;
  /** Re-apply every stack this often (ms); default 60 000. */
  readonly resyncMs?: number;
  /** Stop when this aborts (tests); the process otherwise runs until SIGTERM/SIGINT. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** Annotation and label keys Kubernetes tools put on the resource itself; never copied onto the stack's objects. */
const SYSTEM_KEY = /(^|\.)(kubernetes\.io|k8s\.io)\//;

/** The MonitoringStack spec document of a custom resource (what a user would write in monitoring.yaml). */
export function specOfResource(cr: KObject): object {
  const keep = (m?: Record<string, string>) => {
    const e = Object.entries(m ?? {}).filter(([k]) => !SYSTEM_KEY.test(k));
    return e.length ? Object.fromEntries(e) : undefined;
  };
  const spec = { ...(cr.spec ?? {}) };
  if (spec.namespace === undefined && cr.metadata.namespace) spec.namespace = cr.metadata.namespace;
  const labels = keep(cr.metadata.labels);
  const annotations = keep(cr.metadata.annotations);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: cr.metadata.name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec,
  };
}

const keyOf = (cr: KObject) => `${cr.metadata.namespace}/${cr.metadata.name}`;

export class Operator {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly known = new Map<string, KObject>();
  private readonly synthCache = new Map<string, { uid: string; generation: number; result: SynthesisResult }>();
  private wake?: () => void;
  private readonly log: (line: string) => void;
  /** Reconciles done, and applies that changed something (tests and the bench read them). */
  public reconciles = 0;
  /** The resource being reconciled and its generation: events caused by our own status writes are not queued again. */
  private current?: { key: string; generation?: number };
  public changes = 0;

  constructor(
    private readonly kube: Kube,
    private readonly opts: OperatorOptions = {},
  ) {
    this.log = opts.log ?? ((l) => console.log(`${new Date().toISOString()} ${l}`));
  }

  private get collection(): string {
    return this.opts.namespace
      ? `/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${encodeURIComponent(this.opts.namespace)}/${CRD_PLURAL}`
      : `/apis/${CRD_GROUP}/${CRD_VERSION}/${CRD_PLURAL}`;
  }

  enqueue(key: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.wake?.();
  }

  private needsWork(cr: KObject): boolean {
    return (
      !!cr.metadata.deletionTimestamp ||
      cr.metadata.generation !== cr.status?.observedGeneration ||
      !(cr.metadata.finalizers ?? []).includes(FINALIZER)
    );
  }

  private observe(type: string, cr: KObject): void {
    if (!cr?.metadata?.name) return;
    const key = keyOf(cr);
    if (type === 'DELETED') {
      this.known.delete(key);
      this.synthCache.delete(key);
      return;
    }
    this.known.set(key, cr);
    const own = this.current?.key === key && this.current.generation === cr.metadata.generation && !cr.metadata.deletionTimestamp;
    if (!own && this.needsWork(cr)) this.enqueue(key);
  }

  /** List, queue what needs work, then watch from the list's resourceVersion; on any error relist after a pause. */
  private async watchLoop(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      try {
        const list = await this.kube.request<any>('GET', this.collection);
        const seen = new Set<string>();
        for (const item of list.items ?? []) {
          const cr = { apiVersion: API_VERSION, kind: KIND, ...item } as KObject;
          seen.add(keyOf(cr));
          this.observe('ADDED', cr);
        }
        for (const k of [...this.known.keys()]) if (!seen.has(k)) this.known.delete(k);
        let rv: string = list.metadata?.resourceVersion;
        backoff = 500;
        while (!signal.aborted) {
          let expired = false;
          await this.kube.watch(
            this.collection,
            { resourceVersion: rv, timeoutSeconds: 300 },
            (type, obj) => {
              if (type === 'BOOKMARK') {
                rv = obj?.metadata?.resourceVersion ?? rv;
                return;
              }
              if (type === 'ERROR') {
                expired = true;
                return;
              }
              rv = obj?.metadata?.resourceVersion ?? rv;
              this.observe(type, { apiVersion: API_VERSION, kind: KIND, ...obj });
            },
            signal,
          );
          if (expired) break; // 410 Gone: relist
        }
      } catch (e) {
        if (signal.aborted) return;
        this.log(`watch ${this.collection}: ${(e as Error).message}; relisting in ${backoff} ms`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const every = this.opts.resyncMs ?? 60_000;
    while (!signal.aborted) {
      await sleep(every, signal);
      for (const k of this.known.keys()) this.enqueue(k);
    }
  }

  private async workLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const key = this.queue.shift();
      if (!key) {
        await new Promise<void>((r) => {
          const onAbort = () => r();
          this.wake = () => {
            signal.removeEventListener('abort', onAbort);
            r();
          };
          signal.addEventListener('abort', onAbort, { once: true });
        });
        this.wake = undefined;
        continue;
      }
      this.queued.delete(key);
      try {
        await this.reconcile(key);
      } catch (e) {
        this.current = undefined;
        this.log(`reconcile ${key}: ${(e as Error).message}; retrying in 5 s`);
        setTimeout(() => {
          if (!signal.aborted) this.enqueue(key);
        }, 5000).unref();
      }
    }
  }

  async run(): Promise<void> {
    const ctl = new AbortController();
    const outer = this.opts.signal;
    if (outer) {
      if (outer.aborted) ctl.abort();
      else outer.addEventListener('abort', () => ctl.abort(), { once: true });
    }
    await Promise.all([this.watchLoop(ctl.signal), this.resyncLoop(ctl.signal), this.workLoop(ctl.signal)]);
  }

  /** One resource: delete, refuse, or synthesize + apply + prune, then status. */
  async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const ref: KObject = { apiVersion: API_VERSION, kind: KIND, metadata: { namespace: ns, name } };
    const cr = await this.kube.get(ref);
    if (!cr) {
      this.known.delete(key);
      return;
    }
    this.known.set(key, cr);
    this.reconciles++;
    this.current = { key, generation: cr.metadata.generation };
    try {
      await this.reconcileResource(key, ns, name, cr);
    } finally {
      this.current = undefined;
    }
  }

  private async reconcileResource(key: string, ns: string, name: string, cr: KObject): Promise<void> {
    const started = Date.now();
    if (cr.metadata.deletionTimestamp) return this.finalize(cr);
    await this.ensureFinalizer(cr, ns, name);
    const generation = cr.metadata.generation ?? 0;
    if (await this.refuseTakenName(key, name, cr, generation)) return;
    const result = await this.synthesisOf(key, cr, generation);
    if (!result) return;
    if (cr.status?.observedGeneration !== generation) await this.markProgressing(cr, generation);
    const r: ApplyResult = await applyStack(this.kube, result, {
      inventoryLabels: { [OWNER_LABEL]: `${ns}.${name}` },
    });
    const took = Date.now() - started;
    if (r.refused.length) return this.reportRefused(cr, r, generation);
    const n = changeCount(r);
    this.changes += n > 0 ? 1 : 0;
    if (n > 0 || r.failed.length) this.log(`${key}: generation ${generation}: ${summary(r)} in ${took} ms`);
    if (r.failed.length) return this.reportFailed(cr, r, generation);
    await this.reportApplied(cr, r, result, generation, n);
  }

  /** Add the finalizer if missing (json-patch tested on the resourceVersion, so a concurrent edit fails it). */
  private async ensureFinalizer(cr: KObject, ns: string, name: string): Promise<void> {
    if ((cr.metadata.finalizers ?? []).includes(FINALIZER)) return;
    await this.kube.request('PATCH', await this.kube.path(API_VERSION, KIND, ns, name), {
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cr.metadata.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: [...(cr.metadata.finalizers ?? []), FINALIZER] },
      ],
      contentType: 'application/json-patch+json',
    });
  }

  /** An older live resource of the same name in another namespace: refuse this one by condition (true when refused). */
  private async refuseTakenName(key: string, name: string, cr: KObject, generation: number): Promise<boolean> {
    const twin = [...this.known.values()].find(
      (o) =>
        o.metadata.name === name &&
        keyOf(o) !== key &&
        !o.metadata.deletionTimestamp &&
        (o.metadata.creationTimestamp ?? '') < (cr.metadata.creationTimestamp ?? '~'),
    );
    if (!twin) return false;
    await this.setStatus(
      cr,
      [
        cond(
          'Ready',
          'False',
          'NameTaken',
          `MonitoringStack ${keyOf(twin)} has the same name; cluster-scoped objects (ClusterRoles, ...) carry the name, so rename this resource (metadata.name)`,
          generation,
        ),
        cond('Progressing', 'False', 'NameTaken', 'nothing applied', generation),
        cond('Degraded', 'True', 'NameTaken', 'nothing applied', generation),
      ],
      {},
    );
    return true;
  }

  /** The synthesis of this generation (cached per uid and generation); undefined, with status and event, when it fails. */
  private async synthesisOf(key: string, cr: KObject, generation: number): Promise<SynthesisResult | undefined> {
    const cached = this.synthCache.get(key);
    if (cached && cached.uid === cr.metadata.uid && cached.generation === generation) return cached.result;
    let result: SynthesisResult;
    try {
      result = synthesize(specOfResource(cr), { source: `MonitoringStack ${key}` });
    } catch (e) {
      const msg =
        e instanceof SpecError
          ? `invalid spec, nothing applied (the cluster keeps the last good state): ${e.problems.join('; ')}`
          : `synthesis failed, nothing applied: ${(e as Error).message}`;
      const first = cr.status?.observedGeneration !== generation;
      if (first) await this.event(cr, 'Warning', 'InvalidSpec', msg);
      await this.setStatus(
        cr,
        [
          cond('Ready', 'False', 'InvalidSpec', msg, generation),
          cond('Progressing', 'False', 'InvalidSpec', 'waiting for a valid spec', generation),
          cond('Degraded', 'True', 'InvalidSpec', msg, generation),
        ],
        {},
      );
      if (first) this.log(`${key}: generation ${generation}: ${msg}`);
      return undefined;
    }
    this.synthCache.set(key, { uid: cr.metadata.uid!, generation, result });
    return result;
  }

  /** Progressing=True for a new generation, before the apply (observedGeneration left as it is). */
  private async markProgressing(cr: KObject, generation: number): Promise<void> {
    await this.setStatus(
      cr,
      [
        ...(cr.status?.conditions ?? []).filter((c: Condition) => c.type !== 'Progressing'),
        cond('Progressing', 'True', 'Applying', `applying generation ${generation}`, generation),
      ],
      {},
      false,
    );
  }

  /** The apply refused an in-place change of an immutable field: nothing applied, the migration to follow. */
  private async reportRefused(cr: KObject, r: ApplyResult, generation: number): Promise<void> {
    const msg = `refused, nothing applied: ${r.refused.map((c) => `${c.object} ${c.field} cannot change in place`).join('; ')}; follow the migration in README "Upgrades", then annotate the resource or revert the change`;
    if (cr.status?.observedGeneration !== generation) await this.event(cr, 'Warning', 'UpgradeRefused', msg);
    await this.setStatus(
      cr,
      [
        cond('Ready', 'False', 'UpgradeRefused', msg, generation),
        cond('Progressing', 'False', 'UpgradeRefused', msg, generation),
        cond('Degraded', 'True', 'UpgradeRefused', msg, generation),
      ],
      {},
    );
  }

  /** Some objects were not applied (so nothing was pruned): event and Degraded. */
  private async reportFailed(cr: KObject, r: ApplyResult, generation: number): Promise<void> {
    const msg = `${r.failed.length} object(s) not applied (nothing pruned): ${r.failed.slice(0, 5).join('; ')}${r.failed.length > 5 ? '; ...' : ''}; run ai-monitoring preflight for what the cluster lacks`;
    await this.event(cr, 'Warning', 'ApplyFailed', msg);
    await this.setStatus(
      cr,
      [
        cond('Ready', 'False', 'ApplyFailed', msg, generation),
        cond('Progressing', 'False', 'ApplyFailed', msg, generation),
        cond('Degraded', 'True', 'ApplyFailed', msg, generation),
      ],
      { objects: r.created.length + r.configured.length + r.unchanged.length },
    );
  }

  /** Everything applied: an event when something changed (Applied, or DriftRestored on a resync), then Ready. */
  private async reportApplied(cr: KObject, r: ApplyResult, result: SynthesisResult, generation: number, changes: number): Promise<void> {
    if (changes > 0)
      await this.event(
        cr,
        'Normal',
        cr.status?.lastAppliedGeneration === generation ? 'DriftRestored' : 'Applied',
        `generation ${generation}: ${summary(r)}`,
      );
    await this.setStatus(
      cr,
      [
        cond(
          'Ready',
          'True',
          'Applied',
          `generation ${generation} applied: ${result.manifests.length} objects${r.kept.length ? `; kept ${r.kept.length} the spec no longer emits (${r.kept.slice(0, 3).join('; ')})` : ''}`,
          generation,
        ),
        cond('Progressing', 'False', 'Applied', 'every object applied; ai-monitoring status reports the rollout', generation),
        cond('Degraded', 'False', 'Applied', 'no failures', generation),
      ],
      { objects: result.manifests.length, lastAppliedGeneration: generation },
    );
  }

  /** Deletion: delete what the stack applied (never PVCs or Namespaces), the inventory, then the finalizer. */
  private async finalize(cr: KObject): Promise<void> {
    if (!(cr.metadata.finalizers ?? []).includes(FINALIZER)) return;
    const key = keyOf(cr);
    const cached = this.synthCache.get(key)?.result;
    const stackNs = cached?.spec.spec.namespace ?? cr.spec?.namespace ?? cr.metadata.namespace!;
    const inv = await readInventory(this.kube, stackNs, cr.metadata.name).catch(() => undefined);
    const retained: string[] = [];
    let deleted = 0;
    for (const e of inv?.entries ?? []) {
      const ref = refOf(e);
      if (e.kind === 'PersistentVolumeClaim' || e.kind === 'Namespace') {
        retained.push(refText(ref));
        continue;
      }
      let live: KObject | undefined;
      try {
        live = await this.kube.get(ref);
      } catch (err) {
        if (err instanceof KubeError && err.reason === 'NoKind') continue;
        throw err;
      }
      if (!live || !appliedByUs(live)) continue;
      await this.kube.delete(ref, { uid: live.metadata.uid });
      deleted++;
    }
    if (inv) {
      await this.kube.delete({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { namespace: stackNs, name: `ai-monitoring-inventory-${cr.metadata.name}` },
      });
    }
    await this.event(
      cr,
      'Normal',
      'Deleted',
      `deleted ${deleted} objects; retained ${retained.length} (PersistentVolumeClaims keep their data, Namespaces may hold other objects): ${retained.join(', ')}`,
    );
    const finalizers = (cr.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.kube.request('PATCH', await this.kube.path(API_VERSION, KIND, cr.metadata.namespace, cr.metadata.name), {
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cr.metadata.resourceVersion },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers },
      ],
      contentType: 'application/json-patch+json',
    });
    this.synthCache.delete(key);
    this.log(`${key}: deleted ${deleted} objects, retained ${retained.length}`);
  }

  /** Write status when it differs from what is there (lastTransitionTime kept for an unchanged condition). */
  private async setStatus(
    cr: KObject,
    conditions: Condition[],
    extra: { objects?: number; lastAppliedGeneration?: number },
    observed = true,
  ): Promise<void> {
    const old: Condition[] = cr.status?.conditions ?? [];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const merged = conditions.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
    });
    const status: Record<string, unknown> = {
      ...(observed
        ? { observedGeneration: cr.metadata.generation }
        : cr.status?.observedGeneration !== undefined
          ? { observedGeneration: cr.status.observedGeneration }
          : {}),
      objects: extra.objects ?? cr.status?.objects,
      lastAppliedGeneration: extra.lastAppliedGeneration ?? cr.status?.lastAppliedGeneration,
      conditions: merged,
    };
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    const same = JSON.stringify(strip(status)) === JSON.stringify(strip(cr.status ?? {}));
    if (same) return;
    const updated = await this.kube.applyStatus(
      { apiVersion: API_VERSION, kind: KIND, metadata: { namespace: cr.metadata.namespace, name: cr.metadata.name }, status },
      OPERATOR_MANAGER,
    );
    cr.status = updated.status;
    cr.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private async event(cr: KObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      await this.kube.create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          namespace: cr.metadata.namespace,
          name: `${cr.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 1e4).toString(16)}`,
        },
        involvedObject: {
          apiVersion: API_VERSION,
          kind: KIND,
          namespace: cr.metadata.namespace,
          name: cr.metadata.name,
          uid: cr.metadata.uid,
          resourceVersion: cr.metadata.resourceVersion,
        },
        reason,
        message: message.slice(0, 1000),
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: OPERATOR_MANAGER },
        reportingComponent: OPERATOR_MANAGER,
        reportingInstance: process.env.HOSTNAME ?? 'local',
      });
    } catch (e) {
      this.log(`event ${reason} for ${keyOf(cr)}: ${(e as Error).message}`);
    }
  }
}

function cond(type: string, status: Condition['status'], reason: string, message: string, observedGeneration: number): Condition {
  return { type, status, reason, message: message.length > 2000 ? `${message.slice(0, 1997)}...` : message, observedGeneration };
}

function strip(s: any): unknown {
  return { ...s, conditions: (s.conditions ?? []).map((c: Condition) => ({ ...c, lastTransitionTime: undefined })) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const onAbort = () => {
      clearTimeout(t);
      r();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      r();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RunOptions extends OperatorOptions {
  /** Campaign for a Lease and reconcile only while holding it (two replicas never reconcile at once). */
  readonly leaderElection?: Omit<LeaderElectionOptions, 'log' | 'identity'> & { readonly identity?: string };
  /** Serve /healthz and /readyz on this port. @default none */
  readonly healthPort?: number;
}

/** The identity of this process in leader election: the pod name in a cluster (HOSTNAME), plus a random suffix. */
export const leaderIdentity = (): string => `${process.env.HOSTNAME || os.hostname()}_${randomUUID().slice(0, 8)}`;

/** Lead (or wait for the Lease), run the operator while leading; true when it stopped because leadership was lost. */
async function leadAndRun(
  kube: Kube,
  opts: RunOptions,
  elector: LeaderElector | undefined,
  stop: AbortSignal,
  log: (l: string) => void,
): Promise<{ lost: boolean; op?: Operator }> {
  if (elector && !(await elector.acquire(stop))) return { lost: false };
  const ctl = new AbortController();
  const onStop = () => ctl.abort();
  stop.addEventListener('abort', onStop, { once: true });
  const op = new Operator(kube, { ...opts, signal: ctl.signal, log });
  log(
    `operator: watching ${KIND} in ${opts.namespace ?? 'all namespaces'}, resync every ${Math.round((opts.resyncMs ?? 60_000) / 1000)} s`,
  );
  let lost = false;
  const leading = elector?.keepLeading(ctl.signal).then((kept) => {
    if (!kept && !stop.aborted) {
      lost = true;
      ctl.abort();
    }
  });
  await op.run();
  ctl.abort();
  await leading;
  stop.removeEventListener('abort', onStop);
  if (elector && !lost) await elector.release();
  return { lost, op };
}

/** `ai-monitoring operator`: runs until SIGTERM or SIGINT (exit 0), or until it loses its Lease (exit 1: restarted, it campaigns again). */
export async function runOperator(kube: Kube, opts: RunOptions = {}): Promise<number> {
  const log = opts.log ?? ((l: string) => console.log(`${new Date().toISOString()} ${l}`));
  const started = Date.now();
  let crdServed = false;
  let lastContact = 0;
  const elector = opts.leaderElection ? new LeaderElector(kube, { identity: leaderIdentity(), ...opts.leaderElection, log }) : undefined;
  const staleAfter = 2 * (opts.leaderElection?.leaseDurationMs ?? 15_000);
  const health =
    opts.healthPort === undefined
      ? undefined
      : await startHealthServer(opts.healthPort, {
          live: () => undefined,
          ready: () => {
            if (!crdServed) return `waiting for the API server to serve ${KIND} (${API_VERSION})`;
            const contact = Math.max(lastContact, elector?.lastContact ?? 0);
            return elector && Date.now() - contact > staleAfter
              ? `no answer from the API server for ${Math.round((Date.now() - contact) / 1000)} s`
              : undefined;
          },
        });
  if (health) log(`operator: /healthz and /readyz on port ${health.port}`);
  try {
    if (!(await kube.resource(API_VERSION, KIND))) {
      console.error(
        `the cluster does not serve ${KIND} (${API_VERSION}): kubectl apply --server-side -f crds/${CRD_GROUP}_${CRD_PLURAL}.yaml`,
      );
      return 1;
    }
    crdServed = true;
    lastContact = Date.now();
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const { lost, op } = await leadAndRun(kube, opts, elector, ctl.signal, log);
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    log(
      `operator: ${lost ? 'lost the Lease, ' : ''}stopped after ${op?.reconciles ?? 0} reconciles (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    return lost ? 1 : 0;
  } finally {
    await health?.close();
  }
}
