/**
 * Objects a platform needs before the stack's pods can start. GKE: a
 * ResourceQuota in the agent namespace scoped to the system-node-critical
 * priority class (profiles.ts, gke): GKE admits pods of that class outside
 * kube-system only in namespaces holding such a quota, and the node agents
 * (node-exporter, cAdvisor, log collectors, the GPU exporter) run with it so they
 * are the last evicted under node pressure.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { recommendedLabels } from '../../core/labels';
import { quantity } from '../../lib/workload';

/** The priority class of the node agents (charts/lib/workload.ts NODE_AGENT_SCHEDULING, and the GPU exporter's). */
export const NODE_AGENT_PRIORITY_CLASS = 'system-node-critical';
/** Pods the quota admits: a cap far above the node agents' (a few per node), never a limit in practice. */
export const CRITICAL_PODS_QUOTA = 5000;

/** The critical-pods quota in the node agents' namespace. */
export interface PlatformObjectsProps {
  /** The node agents' namespace. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of the quota. @default 'monitoring' */
  readonly instance?: string;
}

export class CriticalPodsQuota extends Construct {
  public readonly quota: k8s.KubeResourceQuota;

  constructor(scope: Construct, id: string, props: PlatformObjectsProps) {
    super(scope, id);
    this.quota = new k8s.KubeResourceQuota(this, 'quota', {
      metadata: {
        name: 'critical-pods',
        namespace: props.namespace,
        labels: recommendedLabels({ name: 'platform', instance: props.instance ?? 'monitoring', component: 'resource-quota' }),
      },
      spec: {
        hard: { pods: quantity(CRITICAL_PODS_QUOTA) },
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [NODE_AGENT_PRIORITY_CLASS] }] },
      },
    });
  }
}
