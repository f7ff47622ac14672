/** Kubernetes recommended labels (app.kubernetes.io/*) for every object of the stack. */
export const PART_OF = 'cdk8s-ai-monitoring';

export interface LabelProps {
  /** app.kubernetes.io/name, e.g. `prometheus`. */
  readonly name: string;
  /** app.kubernetes.io/instance: the MonitoringStack's metadata.name. */
  readonly instance: string;
  /** app.kubernetes.io/component, e.g. `metrics-server`. */
  readonly component: string;
  /** app.kubernetes.io/version: the image tag. */
  readonly version?: string;
}

export function recommendedLabels(p: LabelProps): Record<string, string> {
  return {
    'app.kubernetes.io/name': p.name,
    'app.kubernetes.io/instance': p.instance,
    ...(p.version ? { 'app.kubernetes.io/version': p.version.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, '_') } : {}),
    'app.kubernetes.io/component': p.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** The immutable subset used in selectors (never the version: selectors cannot change). */
export function selectorLabels(name: string, instance: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': instance };
}
