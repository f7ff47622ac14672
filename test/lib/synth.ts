/** Synthesize a spec in memory or into a temporary folder, for tests. */
import * as path from 'path';
import { App } from 'cdk8s';
import { MonitoringStack } from '../../charts/stack';
import { renderManifests, writeAtomically } from '../../charts/lib/output';
import { validateSpec } from '../../charts/spec/load';
import { API_VERSION, KIND } from '../../charts/spec/schema';
import { readManifests } from './dist';
import { testTempDir } from './tmp';
import type { K8sObject } from './k8s-validate';

export interface Synthesized {
  readonly stack: MonitoringStack;
  readonly dir: string;
  readonly objects: K8sObject[];
}

/** A full MonitoringStack document around `spec` (the `spec:` section only). */
export function stackDoc(spec: Record<string, unknown> = {}, name = 'test-stack'): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec };
}

/** Validate, build and write `spec` into a fresh temporary folder. */
export function synth(spec: Record<string, unknown> = {}): Synthesized {
  const app = new App();
  const stack = new MonitoringStack(app, 'stack', { spec: validateSpec(stackDoc(spec), 'test spec') });
  const dir = testTempDir('cdk8s-ai-monitoring-');
  writeAtomically(path.join(dir, 'dist'), renderManifests(stack));
  return { stack, dir: path.join(dir, 'dist'), objects: readManifests(path.join(dir, 'dist')).map((d) => d.object) };
}

export function find(objects: K8sObject[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
}
