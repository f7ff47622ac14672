/**
 * The MonitoringStack's own metadata.labels and metadata.annotations, copied
 * onto every object the stack renders (dist/ and gitops/), so a user's
 * `team: ml-platform` or `example.com/owner: sre` is never silently dropped.
 * The loader refuses keys the stack or Kubernetes owns (app.kubernetes.io/*,
 * argocd.argoproj.io/*, ...); selectors and pod templates are left alone, so
 * adding or changing one never needs a workload to be recreated.
 */
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
