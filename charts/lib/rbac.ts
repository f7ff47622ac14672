/**
 * The identity of a component that reads the Kubernetes API: a
 * ServiceAccount (token mounted), a read-only ClusterRole named
 * `<instance>-<name>` (cluster-scoped, so two stacks in one cluster do not
 * collide) and its binding. Verbs are get/list/watch only; the security
 * gates over dist/ enforce it.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface ApiReaderProps {
  /** ServiceAccount name (the component's name). */
  readonly name: string;
  readonly namespace: string;
  /** The stack instance, prefix of the ClusterRole name. */
  readonly instance: string;
  readonly labels: Record<string, string>;
  readonly rules: k8s.PolicyRule[];
  /** ServiceAccount annotations (workload identity: IRSA, Azure, GKE). */
  readonly annotations?: Record<string, string>;
}

export function apiReader(scope: Construct, p: ApiReaderProps): { serviceAccountName: string; clusterRoleName: string } {
  new k8s.KubeServiceAccount(scope, 'sa', {
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels, ...(p.annotations && Object.keys(p.annotations).length ? { annotations: p.annotations } : {}) },
    automountServiceAccountToken: true,
  });
  const clusterRoleName = `${p.instance}-${p.name}`;
  new k8s.KubeClusterRole(scope, 'cluster-role', { metadata: { name: clusterRoleName, labels: p.labels }, rules: p.rules });
  new k8s.KubeClusterRoleBinding(scope, 'cluster-role-binding', {
    metadata: { name: clusterRoleName, labels: p.labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName },
    subjects: [{ kind: 'ServiceAccount', name: p.name, namespace: p.namespace }],
  });
  return { serviceAccountName: p.name, clusterRoleName };
}
