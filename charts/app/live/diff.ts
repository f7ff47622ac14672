/**
 * `ai-monitoring diff`: the live objects against the desired ones as the
 * server would store them (a server-side dry-run apply, so defaults and
 * admission are applied to both sides): one line per drifted field, and one
 * per object that is missing. Nothing is changed.
 */
import type { SynthesisResult } from '../synthesize';
import { applyOrder, inParallel } from './apply';
import { fieldChanges, shortValue } from './fields';
import { refText, type Kube } from './kube';

export interface DiffLine {
  readonly object: string;
  readonly path?: string;
  readonly text: string;
}

export async function diffStack(kube: Kube, result: SynthesisResult): Promise<DiffLine[]> {
  const objects = applyOrder(result);
  const per: DiffLine[][] = objects.map(() => []);
  await inParallel(
    objects.map((o, i) => ({ o, i })),
    8,
    async ({ o, i }) => {
      const out = per[i];
      const id = refText(o);
      if (!(await kube.resource(o.apiVersion, o.kind))) {
        out.push({ object: id, text: `${id}: missing (the cluster does not serve ${o.kind} ${o.apiVersion}; install its CRD)` });
        return;
      }
      const live = await kube.get(o);
      if (!live) {
        out.push({ object: id, text: `${id}: missing (ai-monitoring apply creates it)` });
        return;
      }
      let desired;
      try {
        desired = await kube.apply(o, { dryRun: true });
      } catch (e) {
        out.push({ object: id, text: `${id}: the server refuses the desired object: ${(e as Error).message}` });
        return;
      }
      for (const c of fieldChanges(live, desired)) {
        out.push({ object: id, path: c.path, text: `${id}: ${c.path}: live ${shortValue(c.live)}, desired ${shortValue(c.desired)}` });
      }
    },
  );
  return per.flat();
}
