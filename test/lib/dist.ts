/** Reading dist/ (or any synthesized folder) back as objects, for checks and tests. */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './k8s-validate';

export interface DistObject {
  readonly file: string;
  readonly object: K8sObject;
}

export function readManifests(dir: string): DistObject[] {
  const out: DistObject[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const object = doc.toJS() as K8sObject | null;
      if (object) out.push({ file, object });
    }
  }
  return out;
}

export interface PodTemplateOwner {
  readonly object: K8sObject;
  readonly podSpec: Record<string, any>;
  readonly podMetadata: Record<string, any>;
}

/** Workloads with a pod template: Deployment, StatefulSet, DaemonSet, Job, CronJob. */
export function podTemplates(objects: K8sObject[]): PodTemplateOwner[] {
  const out: PodTemplateOwner[] = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, any> | undefined;
    const tpl = o.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template;
    if (tpl?.spec) out.push({ object: o, podSpec: tpl.spec, podMetadata: tpl.metadata ?? {} });
  }
  return out;
}

/** The data of a ConfigMap in dist/ by namespace-less name. */
export function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name);
  if (!cm) throw new Error(`no ConfigMap ${name} in the manifests`);
  return (cm.data as Record<string, string>) ?? {};
}
