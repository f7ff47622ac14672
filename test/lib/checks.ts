/**
 * The checks `npm run validate` runs over dist/: strict schema validity,
 * object size, and the workload conventions every container must follow.
 */
import { MAX_OBJECT_BYTES } from '../../charts/app/output';
import { podTemplates } from './dist';
import { K8sObject, validateObject } from './k8s-validate';

export function schemaProblems(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => validateObject(o));
}

export function sizeProblems(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const size = Buffer.byteLength(JSON.stringify(o));
    return size > MAX_OBJECT_BYTES ? [`${o.kind} ${o.metadata?.name}: ${size} bytes serialized, over the 256 KiB that client-side apply can store`] : [];
  });
}

/** Every container: requests and limits, readiness and liveness probes (a deadline for CronJobs and Jobs), a security context. */
export function containerProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    const id = `${object.kind} ${object.metadata?.name}`;
    // Run-to-completion pods (CronJob, Job) serve nothing to be ready for: a deadline bounds a hang instead of a liveness probe.
    const runToCompletion = object.kind === 'CronJob' || object.kind === 'Job';
    const jobSpec = (object.kind === 'CronJob' ? (object.spec as any)?.jobTemplate?.spec : object.spec) as { activeDeadlineSeconds?: number } | undefined;
    if (runToCompletion && !jobSpec?.activeDeadlineSeconds) problems.push(`${id}: no activeDeadlineSeconds (a hung run would never end)`);
    for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      const init = (podSpec.initContainers ?? []).includes(c);
      const where = `${id} container ${c.name}`;
      for (const k of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) if (!c.resources?.[k]?.[r]) problems.push(`${where}: no ${k}.${r}`);
      }
      if (!init && !runToCompletion && !c.readinessProbe) problems.push(`${where}: no readinessProbe`);
      if (!init && !runToCompletion && !c.livenessProbe) problems.push(`${where}: no livenessProbe`);
      if (!c.securityContext) problems.push(`${where}: no securityContext`);
      if (c.imagePullPolicy !== 'IfNotPresent') problems.push(`${where}: imagePullPolicy should be IfNotPresent for pinned images, found ${c.imagePullPolicy}`);
    }
  }
  return problems;
}

export function allProblems(objects: K8sObject[]): string[] {
  return [...schemaProblems(objects), ...sizeProblems(objects), ...containerProblems(objects)];
}
