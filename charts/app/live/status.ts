/**
 * `ai-monitoring status`: is the applied stack healthy? Every Deployment,
 * StatefulSet and DaemonSet rolled out at the generation applied (the
 * controller observed it, every replica updated and available), every pod of
 * the stack ready, every PersistentVolumeClaim bound, and the recent Warning
 * events of the stack's objects and pods. Healthy only when the first three
 * hold; events are shown as context.
 */
import type { SynthesisResult } from '../synthesize';
import { applyOrder } from './apply';
import { refText, type Kube, type KObject } from './kube';

export interface StatusReport {
  readonly healthy: boolean;
  /** One line per problem (not rolled out, not ready, not bound, missing). */
  readonly problems: string[];
  /** One line per workload/claim that is fine. */
  readonly ok: string[];
  /** Recent Warning events of the stack's objects. */
  readonly events: string[];
}

function rollout(live: KObject): string | undefined {
  const s = live.status ?? {};
  const gen = live.metadata.generation ?? 0;
  if ((s.observedGeneration ?? 0) < gen)
    return `generation ${gen} not yet observed by its controller (observed ${s.observedGeneration ?? 'none'})`;
  if (live.kind === 'Deployment') {
    const want = live.spec?.replicas ?? 1;
    const stuck = (s.conditions ?? []).find((c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
    if (stuck) return `rollout stuck: ${stuck.message}`;
    if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0}/${want} replicas updated`;
    if ((s.replicas ?? 0) > want) return `${s.replicas - want} old replicas still terminating`;
    if ((s.availableReplicas ?? 0) < want) return `${s.availableReplicas ?? 0}/${want} replicas available`;
  } else if (live.kind === 'StatefulSet') {
    const want = live.spec?.replicas ?? 1;
    if ((s.readyReplicas ?? 0) < want) return `${s.readyReplicas ?? 0}/${want} replicas ready`;
    if (live.spec?.updateStrategy?.type !== 'OnDelete' && s.updateRevision && s.currentRevision !== s.updateRevision)
      return `rolling out revision ${s.updateRevision} (${s.updatedReplicas ?? 0}/${want} updated)`;
  } else if (live.kind === 'DaemonSet') {
    const want = s.desiredNumberScheduled ?? 0;
    if ((s.updatedNumberScheduled ?? 0) < want) return `${s.updatedNumberScheduled ?? 0}/${want} pods updated`;
    if ((s.numberAvailable ?? 0) < want) return `${s.numberAvailable ?? 0}/${want} pods available`;
  }
  return undefined;
}

export async function stackStatus(kube: Kube, result: SynthesisResult, opts: { sinceMinutes?: number } = {}): Promise<StatusReport> {
  const problems: string[] = [];
  const ok: string[] = [];
  const events: string[] = [];
  const objects = applyOrder(result);
  const instance = result.spec.metadata.name;
  const namespaces = new Set<string>();
  const names = new Set<string>();
  for (const o of objects) {
    if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
    names.add(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'PersistentVolumeClaim'].includes(o.kind)) continue;
    const id = refText(o);
    const live = await kube.get(o);
    if (!live) {
      problems.push(`${id}: missing (run ai-monitoring apply)`);
      continue;
    }
    if (o.kind === 'PersistentVolumeClaim') {
      if (live.status?.phase !== 'Bound')
        problems.push(
          `${id}: ${live.status?.phase ?? 'Pending'}, not Bound (kubectl -n ${o.metadata.namespace} describe pvc ${o.metadata.name})`,
        );
      else ok.push(`${id}: Bound`);
      continue;
    }
    const why = rollout(live);
    if (why)
      problems.push(
        `${id}: not rolled out: ${why} (kubectl -n ${o.metadata.namespace} rollout status ${o.kind.toLowerCase()}/${o.metadata.name})`,
      );
    else ok.push(`${id}: rolled out at generation ${live.metadata.generation}`);
  }
  const selector = `app.kubernetes.io/instance=${instance},app.kubernetes.io/part-of=cdk8s-ai-monitoring`;
  for (const ns of [...namespaces].sort()) {
    for (const pvc of await kube.list('v1', 'PersistentVolumeClaim', {
      namespace: ns,
      labelSelector: `app.kubernetes.io/instance=${instance}`,
    })) {
      if (names.has(`PersistentVolumeClaim/${ns}/${pvc.metadata.name}`)) continue;
      if (pvc.status?.phase !== 'Bound')
        problems.push(
          `PersistentVolumeClaim ${ns}/${pvc.metadata.name}: ${pvc.status?.phase ?? 'Pending'}, not Bound (kubectl -n ${ns} describe pvc ${pvc.metadata.name})`,
        );
      else ok.push(`PersistentVolumeClaim ${ns}/${pvc.metadata.name}: Bound`);
    }
    const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector: selector });
    for (const p of pods) {
      if (p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded') continue;
      const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      if (!ready) {
        const waiting = (p.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason).filter(Boolean);
        problems.push(
          `Pod ${ns}/${p.metadata.name}: not ready (${p.status?.phase ?? 'Pending'}${waiting.length ? `, ${waiting.join(', ')}` : ''}; kubectl -n ${ns} describe pod ${p.metadata.name})`,
        );
      }
    }
    const podNames = new Set(pods.map((p) => p.metadata.name));
    const since = Date.now() - (opts.sinceMinutes ?? 15) * 60_000;
    for (const e of await kube.list('v1', 'Event', { namespace: ns, fieldSelector: 'type=Warning' })) {
      const io = (e as any).involvedObject ?? {};
      const at = Date.parse((e as any).lastTimestamp ?? (e as any).eventTime ?? (e as any).metadata?.creationTimestamp ?? '');
      if (!(at >= since)) continue;
      const ours =
        names.has(`${io.kind}/${io.namespace ?? ''}/${io.name}`) ||
        (io.kind === 'Pod' && podNames.has(io.name)) ||
        (io.kind === 'ReplicaSet' &&
          objects.some((o) => o.kind === 'Deployment' && o.metadata.namespace === ns && String(io.name).startsWith(`${o.metadata.name}-`)));
      if (ours)
        events.push(
          `${io.kind} ${ns}/${io.name}: ${(e as any).reason}: ${(e as any).message}${(e as any).count > 1 ? ` (x${(e as any).count})` : ''}`,
        );
    }
  }
  return { healthy: problems.length === 0, problems, ok, events };
}
