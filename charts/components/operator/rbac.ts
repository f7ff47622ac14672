/**
 * The operator's permissions, derived from the objects the stack emits (never a hand-written list), so its
 * RBAC grants exactly the API groups and resources it applies and prunes, and nothing else:
 *
 * - cluster-wide (ClusterRole), per emitted group: `get` (prune and diff read the live object), `create` and
 *   `patch` (server-side apply), `delete` (prune), on the emitted resources only; never `list`/`watch`/`*`;
 * - `bind` and `escalate` on the ClusterRoles and Roles the stack itself emits, by name (resourceNames):
 *   the API server refuses to let a client create a role granting, or a binding to, permissions it does not
 *   hold itself, and the stack's roles (Prometheus reading pods and nodes, ...) grant what the operator does
 *   not otherwise need;
 * - in the stack namespace only (Role): its MonitoringStack resources (get, list, watch: the watch; patch:
 *   the finalizer) and their status, Events, and its leader-election Lease (create; get and update by name).
 */

/** What the derivation reads of an emitted object. */
export interface EmittedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** One PolicyRule (rbac.authorization.k8s.io/v1). */
export interface OperatorRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** Kinds whose REST resource is not the regular plural of the kind. */
const IRREGULAR: Readonly<Record<string, string>> = { Endpoints: 'endpoints' };

/** The REST resource of a kind (lowercase plural, as the API server names it in discovery). */
export function resourceOf(kind: string): string {
  if (IRREGULAR[kind]) return IRREGULAR[kind];
  const k = kind.toLowerCase();
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** Verbs on every emitted kind: read, server-side apply (create or patch), prune. */
export const APPLY_VERBS = ['get', 'create', 'patch', 'delete'];

/** The ClusterRole rules: the emitted kinds by group, then bind/escalate on the emitted roles by name. */
export function clusterRules(objects: readonly EmittedObject[]): OperatorRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const o of objects) {
    const g = groupOf(o.apiVersion);
    byGroup.set(g, (byGroup.get(g) ?? new Set()).add(resourceOf(o.kind)));
  }
  // The inventory ConfigMap (what the stack applied, kept in the stack namespace) is written by the operator.
  byGroup.set('', (byGroup.get('') ?? new Set()).add('configmaps'));
  const rules: OperatorRule[] = [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([g, r]) => ({ apiGroups: [g], resources: [...r].sort(), verbs: [...APPLY_VERBS] }));
  for (const [kind, resource] of [
    ['ClusterRole', 'clusterroles'],
    ['Role', 'roles'],
  ] as const) {
    const names = [
      ...new Set(objects.filter((o) => o.kind === kind && groupOf(o.apiVersion) === 'rbac.authorization.k8s.io').map((o) => o.name)),
    ].sort();
    if (names.length)
      rules.push({ apiGroups: ['rbac.authorization.k8s.io'], resources: [resource], verbs: ['bind', 'escalate'], resourceNames: names });
  }
  return rules;
}

/** The Role rules in the stack namespace: the MonitoringStack resources, their status, Events, the Lease. */
export function namespaceRules(crd: { group: string; plural: string }, leaseName: string): OperatorRule[] {
  return [
    { apiGroups: [crd.group], resources: [crd.plural], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [crd.group], resources: [`${crd.plural}/status`], verbs: ['patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    // create cannot be limited by name (the object does not exist yet); get and update only the operator's Lease.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [leaseName] },
  ];
}
