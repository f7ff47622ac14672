/**
 * The inventory: what a stack applied, kept in the cluster so `apply` (and
 * the operator) can prune exactly the objects this stack created and no
 * longer emits, and nothing else. One ConfigMap per stack in the stack's
 * namespace, `ai-monitoring-inventory-<metadata.name>`, labelled with the
 * stack id, holding one line per applied object (`apiVersion kind namespace
 * name`) and the last applied form of the fields the upgrade check compares
 * (selectors, claim templates, PVC sizes, Service IPs), so a change
 * Kubernetes cannot apply in place is refused before anything is sent.
 * Nothing in it grows per service: it lists objects, which grow per kind.
 */
import type { ManifestObject } from '../synthesize';
import { FIELD_MANAGER, type Kube, type KObject } from './kube';

export const STACK_LABEL = 'monitoring.cdk8s-ai.dev/stack';
export const INVENTORY_PREFIX = 'ai-monitoring-inventory-';

export interface InventoryEntry {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Inventory {
  readonly entries: InventoryEntry[];
  /** Last applied form of the objects the upgrade check compares. */
  readonly snapshot: object[];
}

export const entryKey = (e: InventoryEntry): string => `${e.apiVersion} ${e.kind} ${e.namespace ?? '-'} ${e.name}`;
/** The same object across versions of its API (apps/v1beta1 -> apps/v1) keeps one key for pruning. */
export const groupKindKey = (e: InventoryEntry): string =>
  `${e.apiVersion.includes('/') ? e.apiVersion.split('/')[0] : ''} ${e.kind} ${e.namespace ?? '-'} ${e.name}`;

export function entryOf(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): InventoryEntry {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
  };
}

export function refOf(e: InventoryEntry): KObject {
  return { apiVersion: e.apiVersion, kind: e.kind, metadata: { name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) } };
}

export function inventoryRef(namespace: string, stack: string): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: `${INVENTORY_PREFIX}${stack}` } };
}

/** The fields charts/lib/upgrade-check.ts compares, and only those. */
export function upgradeSnapshot(objects: readonly ManifestObject[]): object[] {
  const pick = (o: any, keys: string[]) => Object.fromEntries(keys.filter((k) => o?.[k] !== undefined).map((k) => [k, o[k]]));
  return objects
    .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet', 'PersistentVolumeClaim', 'Service'].includes(o.kind))
    .map((o: any) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
      spec: pick(o.spec, [
        'selector',
        'serviceName',
        'podManagementPolicy',
        'volumeClaimTemplates',
        'replicas',
        'resources',
        'storageClassName',
        'accessModes',
        'volumeMode',
        'clusterIP',
        'clusterIPs',
        'type',
      ]),
    }));
}

export function parseInventory(cm: { data?: Record<string, string> } | KObject | undefined): Inventory | undefined {
  if (!cm) return undefined;
  const entries: InventoryEntry[] = [];
  for (const line of (cm.data?.objects ?? '').split('\n')) {
    const [apiVersion, kind, namespace, name] = line.trim().split(/\s+/);
    if (!name) continue;
    entries.push({ apiVersion, kind, ...(namespace !== '-' ? { namespace } : {}), name });
  }
  let snapshot: object[] = [];
  try {
    snapshot = JSON.parse(cm.data?.['upgrade-check.json'] ?? '[]');
  } catch {
    snapshot = [];
  }
  return { entries, snapshot };
}

export async function readInventory(kube: Kube, namespace: string, stack: string): Promise<Inventory | undefined> {
  return parseInventory(await kube.get(inventoryRef(namespace, stack)));
}

export function inventoryObject(namespace: string, stack: string, inv: Inventory, labels: Record<string, string> = {}): KObject {
  const ref = inventoryRef(namespace, stack);
  const lines = [...new Map(inv.entries.map((e) => [entryKey(e), e])).values()].map(entryKey).sort();
  return {
    ...ref,
    metadata: {
      ...ref.metadata,
      labels: { ...labels, [STACK_LABEL]: stack, 'app.kubernetes.io/managed-by': FIELD_MANAGER },
      annotations: {
        'monitoring.cdk8s-ai.dev/note': 'what ai-monitoring applied for this stack; apply and the operator prune from it. Do not edit.',
      },
    },
    data: { objects: lines.length ? `${lines.join('\n')}\n` : '', 'upgrade-check.json': JSON.stringify(inv.snapshot) },
  };
}

export async function writeInventory(
  kube: Kube,
  namespace: string,
  stack: string,
  inv: Inventory,
  labels: Record<string, string> = {},
): Promise<void> {
  await kube.apply(inventoryObject(namespace, stack, inv, labels));
}

/** True when `o` was applied by us (a server-side apply by FIELD_MANAGER is recorded in its managedFields). */
export function appliedByUs(o: KObject): boolean {
  return (o.metadata.managedFields ?? []).some((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply');
}
