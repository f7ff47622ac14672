/**
 * The stack's namespaces, with deliberate Pod Security admission levels:
 *
 * - `spec.namespace` enforces "restricted": Prometheus and every other
 *   server run non-root, without host access, with RuntimeDefault seccomp.
 * - `spec.agentNamespace` enforces "privileged": node-exporter, cAdvisor and
 *   the log collectors need hostPath mounts, hostNetwork and hostPID, which
 *   "baseline" forbids. Isolating them keeps the exception to the agents.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PART_OF } from '../../core/labels';

/** The stack's two namespaces (the stack maps its context onto these: `namespacesProps`, index.ts). */
export interface NamespacesProps {
  /** The servers' namespace, Pod Security "restricted". */
  readonly namespace: string;
  /** The node agents' namespace, Pod Security "privileged". */
  readonly agentNamespace: string;
  /** app.kubernetes.io/instance of both. @default 'monitoring' */
  readonly instance?: string;
}

export class Namespaces extends Construct {
  constructor(scope: Construct, id: string, props: NamespacesProps) {
    super(scope, id);
    const common = {
      'app.kubernetes.io/instance': props.instance ?? 'monitoring',
      'app.kubernetes.io/part-of': PART_OF,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
    new k8s.KubeNamespace(this, 'stack', {
      metadata: {
        name: props.namespace,
        labels: {
          ...common,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    new k8s.KubeNamespace(this, 'agents', {
      metadata: {
        name: props.agentNamespace,
        labels: {
          ...common,
          // Node agents read host filesystems and use the host network and PID namespace.
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    });
  }
}
