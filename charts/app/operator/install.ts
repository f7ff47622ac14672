/**
 * What the operator needs to run in the cluster for a stack: its
 * ServiceAccount, a least-privilege ClusterRole and binding, and its
 * Deployment. The rules are derived from the synthesized objects, so they
 * grant exactly the kinds the stack emits and nothing else:
 *
 * - each emitted kind: get (prune and diff read it), create and patch
 *   (server-side apply creates or updates), delete (prune) — never list or
 *   watch, never a wildcard;
 * - MonitoringStack: get, list, watch (the watch), patch (the finalizer);
 *   its status: patch; Events: create;
 * - `bind` and `escalate` on exactly the ClusterRoles and Roles the stack
 *   manages (resourceNames): Kubernetes refuses to let a client create a role
 *   granting, or a binding to, permissions it does not hold itself, so the
 *   operator needs them to apply the stack's own RBAC (Prometheus' read access
 *   to pods and nodes, ...) — limited by name, it cannot bind anything else.
 *
 * Not yet wired as a component of the stack (`spec.operator.enabled`);
 * `operatorManifests(synthesize(spec))` returns the objects.
 */
import { IMAGES } from '../../core/images';
import type { SynthesisResult } from '../synthesize';
import { CRD_GROUP, CRD_PLURAL } from './crd';

export interface OperatorInstallOptions {
  /** Namespace of the operator's Deployment; default the stack's namespace. */
  readonly namespace?: string;
  readonly image?: string;
  readonly resyncSeconds?: number;
}

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }

/** The REST resource of a kind (lowercase plural, as the API server names it). */
export function resourceOf(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (k.endsWith('s') || k.endsWith('x')) return `${k}es`;
  return `${k}s`;
}

export function operatorRules(result: SynthesisResult): Rule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const { object: o } of result.manifests) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(resourceOf(o.kind)));
  }
  byGroup.set('', (byGroup.get('') ?? new Set()).add('configmaps')); // the inventory
  const rules: Rule[] = [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([g, r]) => ({ apiGroups: [g], resources: [...r].sort(), verbs: ['get', 'create', 'patch', 'delete'] }));
  rules.push(
    { apiGroups: [CRD_GROUP], resources: [CRD_PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [CRD_GROUP], resources: [`${CRD_PLURAL}/status`], verbs: ['patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  );
  const roles = (kind: string) => result.manifests.filter((m) => m.object.kind === kind).map((m) => m.object.metadata.name).sort();
  for (const [kind, resource] of [['ClusterRole', 'clusterroles'], ['Role', 'roles']] as const) {
    const names = [...new Set(roles(kind))];
    if (names.length) rules.push({ apiGroups: ['rbac.authorization.k8s.io'], resources: [resource], verbs: ['bind', 'escalate'], resourceNames: names });
  }
  return rules;
}

export function operatorManifests(result: SynthesisResult, opts: OperatorInstallOptions = {}): object[] {
  const instance = result.spec.metadata.name;
  const namespace = opts.namespace ?? result.spec.spec.namespace;
  const name = `${instance}-operator`;
  const labels = { 'app.kubernetes.io/name': 'ai-monitoring-operator', 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': 'operator', 'app.kubernetes.io/part-of': 'cdk8s-ai-monitoring' };
  const selector = { 'app.kubernetes.io/name': 'ai-monitoring-operator', 'app.kubernetes.io/instance': instance };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ai-monitoring-operator', namespace, labels }, automountServiceAccountToken: true },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: operatorRules(result) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: 'ai-monitoring-operator', namespace }] },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ai-monitoring-operator', namespace, labels },
      spec: {
        replicas: 1, // one writer: two replicas would reconcile the same stacks (no leader election)
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'ai-monitoring-operator',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'operator', image: opts.image ?? IMAGES.operator,
              args: ['operator', '--resync', `${opts.resyncSeconds ?? 60}s`],
              resources: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '768Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
  ];
}
