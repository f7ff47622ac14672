/**
 * The MonitoringStack's own metadata.labels and metadata.annotations, copied
 * onto every object the stack renders (dist/ and gitops/), so a user's
 * `team: ml-platform` or `example.com/owner: sre` is never silently dropped.
 * The loader refuses keys the stack or Kubernetes owns (app.kubernetes.io/*,
 * argocd.argoproj.io/*, ...); selectors and pod templates are left alone, so
 * adding or changing one never needs a workload to be recreated.
 */
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';

export function applyStackMetadata(root: IConstruct, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }): void {
  const labels = Object.entries(metadata.labels ?? {});
  const annotations = Object.entries(metadata.annotations ?? {});
  if (labels.length === 0 && annotations.length === 0) return;
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    for (const [k, v] of labels) c.metadata.addLabel(k, v);
    for (const [k, v] of annotations) c.metadata.addAnnotation(k, v);
  }
}

/**
 * Which stack an output folder holds, recorded in its marker file
 * (`.cdk8s-ai-monitoring`) by every synth: the MonitoringStack's name, its
 * namespace and the spec file it came from (relative to the output folder's
 * parent, so `monitoring.yaml` for dist/). The upgrade check compares the new
 * output only with a previous output of the same stack: dist/ holding another
 * spec's output (an example synthesized into it, the project's own dist/ in a
 * fresh clone) is "no previous output", not a deployment to protect.
 */
export interface StackIdentity {
  readonly stack: string;
  readonly namespace: string;
  readonly spec: string;
}

const IDENTITY_KEYS = ['stack', 'namespace', 'spec'] as const;

export function stackIdentity(name: string, namespace: string, specPath: string | undefined, outDir: string): StackIdentity {
  const spec = specPath === undefined
    ? '(built-in default)'
    : path.relative(path.dirname(path.resolve(outDir)), path.resolve(specPath)).split(path.sep).join('/');
  return { stack: name, namespace, spec };
}

/** The marker lines recording `id` (appended after the marker's first line). */
export function formatIdentity(id: StackIdentity): string {
  return IDENTITY_KEYS.map((k) => `${k}: ${id[k]}\n`).join('');
}

/** The identity recorded in a marker's text; undefined for a marker written before identities were recorded. */
export function parseIdentity(markerText: string): StackIdentity | undefined {
  const found: Record<string, string> = {};
  for (const line of markerText.split('\n')) {
    const m = /^(stack|namespace|spec): (.*)$/.exec(line);
    if (m) found[m[1]] = m[2];
  }
  return IDENTITY_KEYS.every((k) => found[k] !== undefined) ? { stack: found.stack, namespace: found.namespace, spec: found.spec } : undefined;
}

export function sameStack(a: StackIdentity, b: StackIdentity): boolean {
  return IDENTITY_KEYS.every((k) => a[k] === b[k]);
}

export function describeIdentity(id: StackIdentity): string {
  return `stack ${id.stack} (namespace ${id.namespace}) from ${id.spec}`;
}
