/**
 * Building blocks shared by every component: resources, security contexts,
 * probes, config checksums. Each helper encodes one convention of the stack
 * so a component cannot forget it.
 */
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import type { Resources } from '../spec-schema';
import { canonicalQuantity } from '../core/quantity';

/** A quantity as the API server writes it back (`1024Mi` → `1Gi`), so a second apply changes nothing. */
export function quantity(q: string | number): k8s.Quantity {
  return k8s.Quantity.fromString(canonicalQuantity(q));
}

export function resources(r: Resources): k8s.ResourceRequirements {
  return {
    requests: { cpu: quantity(r.requests.cpu), memory: quantity(r.requests.memory) },
    limits: { cpu: quantity(r.limits.cpu), memory: quantity(r.limits.memory) },
  };
}

export interface ContainerSecurityOptions {
  /** @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** Capabilities added back after dropping ALL; document why at the call site. @default none */
  readonly addCapabilities?: string[];
  /** Run as root; only node agents that need host access, with a comment at the call site. @default false */
  readonly runAsRoot?: boolean;
}

/** Container security context: no privilege escalation, every capability dropped, RuntimeDefault seccomp. */
export function containerSecurity(o: ContainerSecurityOptions = {}): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: o.readOnlyRootFilesystem ?? true,
    privileged: false,
    capabilities: { drop: ['ALL'], ...(o.addCapabilities?.length ? { add: o.addCapabilities } : {}) },
    ...(o.runAsRoot ? { runAsNonRoot: false, runAsUser: 0 } : { runAsNonRoot: true }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod security context for a non-root component owning its volumes through fsGroup. */
export function podSecurity(uid: number, fsGroup = uid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export interface ProbeOptions {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly scheme?: 'HTTP' | 'HTTPS';
}

export function httpProbe(path: string, port: string | number, o: ProbeOptions = {}): k8s.Probe {
  return {
    httpGet: {
      path,
      port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port),
      ...(o.scheme ? { scheme: o.scheme } : {}),
    },
    // 0 is the server's default, which it drops: written only when set, so the live probe equals the manifest
    ...(o.initialDelaySeconds ? { initialDelaySeconds: o.initialDelaySeconds } : {}),
    periodSeconds: o.periodSeconds ?? 10,
    timeoutSeconds: o.timeoutSeconds ?? 3,
    failureThreshold: o.failureThreshold ?? 3,
  };
}

/** sha256 of config contents, for the `checksum/config` pod annotation that rolls pods on change. */
export function checksum(...contents: string[]): string {
  const h = createHash('sha256');
  for (const c of contents) h.update(c).update('\0');
  return h.digest('hex');
}

/** Tolerate every taint: node agents must run on every node, including tainted GPU and control-plane nodes. */
export const TOLERATE_EVERYTHING: k8s.Toleration[] = [{ operator: 'Exists' }];

/** The `data` volume claim of a StatefulSet: one ReadWriteOnce volume per replica. */
export function dataVolumeClaim(storage: { size: string; storageClassName?: string }, labels: Record<string, string>): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: 'data', labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
      resources: { requests: { storage: quantity(storage.size) } },
    },
  };
}

/**
 * A StatefulSet whose claim templates read as the API server stores them: it writes `apiVersion`, `kind`,
 * `spec.volumeMode: Filesystem` and `status.phase: Pending` into each and compares the list as a whole
 * (server-side apply: atomic; client-side apply: replaced), so a template without them is re-patched by
 * every `kubectl apply` and conflicts on `--server-side`. The typed props (and JSON patches, which the
 * typed toJson filters) cannot carry these fields, hence toJson.
 */
export class CanonicalStatefulSet extends k8s.KubeStatefulSet {
  public override toJson(): any {
    const json = super.toJson();
    const templates: any[] = json.spec?.volumeClaimTemplates ?? [];
    if (templates.length) {
      json.spec.volumeClaimTemplates = templates.map((t) => ({
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t, spec: { volumeMode: 'Filesystem', ...t.spec }, status: { phase: 'Pending', ...t.status },
      }));
    }
    return json;
  }
}

/** Roll node agents a tenth of the nodes at a time. */
export const NODE_AGENT_UPDATE_STRATEGY: k8s.DaemonSetUpdateStrategy = {
  type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') },
};

/**
 * Scheduling shared by the node agents (node-exporter, cAdvisor, Promtail, Alloy): on every Linux node,
 * whatever its taints, and never evicted before the workloads they watch.
 */
export const NODE_AGENT_SCHEDULING = {
  priorityClassName: 'system-node-critical',
  tolerations: TOLERATE_EVERYTHING,
  nodeSelector: { 'kubernetes.io/os': 'linux' },
} as const;

/** Spread replicas across nodes when there are several (preferred, so a small cluster still schedules them). */
export function spreadAcrossNodes(replicas: number, selector: Record<string, string>): Pick<k8s.PodSpec, 'affinity'> {
  if (replicas <= 1) return {};
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
        }],
      },
    },
  };
}
