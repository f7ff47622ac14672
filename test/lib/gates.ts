/**
 * Security gates over synthesized manifests. Each gate is a function from
 * objects to problems, generic over every object, so components merged later
 * are covered without touching this file; what a component may do beyond
 * the defaults is listed in the exemption tables below, each with its reason
 * (and a comment at the construct's call site, checked by the gate test).
 */
import { parse } from 'yaml';
import { REFERENCE_KEY_RE, SECRET_KEY_RE, SECRET_VALUE_PATTERNS } from '../../charts/spec/secrets';
import { podTemplates } from './dist';
import type { K8sObject } from './k8s-validate';

export interface Exemption {
  /** Runs as root (uid 0 / runAsNonRoot false): why. */
  readonly runAsRoot?: string;
  /** Capabilities added after dropping ALL: capability -> why. */
  readonly capabilities?: Record<string, string>;
  /** hostNetwork / hostPID / hostPath: why. Only in the agent namespace ("privileged"). */
  readonly hostAccess?: string;
}

/** What each component may do beyond the defaults, keyed by app.kubernetes.io/name. */
export const EXEMPTIONS: Record<string, Exemption> = {
  'node-exporter': {
    hostAccess: 'hostNetwork and hostPID to report the node\'s network devices and processes; read-only hostPath /, /proc, /sys (runs as uid 65534)',
  },
  cadvisor: {
    runAsRoot: 'reads the root-owned containerd socket, /var/lib/containerd and the cgroup tree; not privileged, every capability dropped, mounts read-only',
    hostAccess: 'read-only hostPath mounts of /, /sys, /var/run, /var/lib/containerd, /dev/disk',
  },
  'dcgm-exporter': {
    runAsRoot: 'talks to the NVIDIA driver devices and the kubelet pod-resources socket, both root-owned',
    capabilities: { SYS_ADMIN: 'DCGM profiling metrics (DCP: SM and tensor-core activity), only when profiling metrics are enabled' },
    hostAccess: 'hostPath /var/lib/kubelet/pod-resources to attribute GPUs to pods',
  },
  promtail: {
    runAsRoot: 'reads /var/log/pods and /var/log/containers, root-owned 0640 on the node',
    hostAccess: 'read-only hostPath /var/log/pods (and its positions file)',
  },
  alloy: {
    runAsRoot: 'reads /var/log/pods and /var/log/containers, root-owned 0640 on the node',
    hostAccess: 'read-only hostPath /var/log/pods (and its positions file)',
  },
};

/** Components that call the Kubernetes API and so mount a ServiceAccount token: why. */
export const API_CLIENTS: Record<string, string> = {
  prometheus: 'Kubernetes service discovery (pods, services, endpoints, nodes)',
  promtail: 'discovers the pods whose logs it tails',
  alloy: 'discovers the pods whose logs it tails',
  'alloy-events': 'watches Kubernetes events (spec.logs.events)',
  'kube-state-metrics': 'lists and watches the objects it reports on',
  backup: 'creates, lists and deletes the VolumeSnapshots of the stack\'s claims (spec.backup, method volumesnapshot)',
  operator: 'watches its MonitoringStack resource, applies and prunes the stack (spec.operator)',
};

/** Annotation keys whose value names a Secret (not a secret value). */
const SECRET_NAME_ANNOTATIONS = new Set(['nginx.ingress.kubernetes.io/auth-secret', 'nginx.ingress.kubernetes.io/auth-tls-secret']);

/** Values that point at a secret instead of holding one. */
const REFERENCE_VALUE_RE = [
  /^\$__(file|env)\{[^}]+\}$/, // Grafana: $__file{/path}, $__env{VAR}
  /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/, // ${VAR} expanded from the environment
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $VAR
  /^\/\S*$/, // a file path
];
/** Environment variable names that hold a secret (TEAMS_WEBHOOK_URL, GF_SECURITY_ADMIN_PASSWORD; not WORKFLOW_WEBHOOK=true, not *_FILE). */
const ENV_SECRET_NAME_RE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|WEBHOOK_?URL|PRIVATE_?KEY|CREDENTIALS?)$/i;
const FLAG_VALUE_RE = /^(true|false|yes|no|on|off|\d+)$/i;

const idOf = (o: K8sObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
const isReference = (v: string) => v.trim() === '' || REFERENCE_VALUE_RE.some((re) => re.test(v.trim()));
const secretKey = (k: string) => SECRET_KEY_RE.test(k) && !REFERENCE_KEY_RE.test(k);

function scanString(v: string, key: string | undefined, where: string, out: string[]): void {
  const candidates = [v, ...v.split('\n').map((l) => l.trim())];
  const hit = SECRET_VALUE_PATTERNS.find((p) => candidates.some((c) => p.re.test(c)));
  if (hit) out.push(`${where}: holds ${hit.what}`);
  if (key !== undefined && secretKey(key) && !isReference(v) && !SECRET_NAME_ANNOTATIONS.has(key)) {
    out.push(`${where}: a secret-looking field "${key}" holds a literal value`);
  }
  if (!v.includes('\n')) return;
  // Embedded config files: YAML/JSON are walked like objects, anything else is read as key = value lines (INI).
  let doc: unknown;
  try { doc = parse(v); } catch { doc = undefined; }
  if (doc !== null && typeof doc === 'object') {
    scanValue(doc, undefined, `${where}(embedded)`, out);
    return;
  }
  for (const line of v.split('\n')) {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m && secretKey(m[1]) && !isReference(m[2].replace(/^["']|["']$/g, ''))) out.push(`${where}: line "${m[1]} = ..." holds a literal secret`);
  }
}

function scanValue(v: unknown, key: string | undefined, where: string, out: string[]): void {
  if (typeof v === 'string') { scanString(v, key, where, out); return; }
  if (Array.isArray(v)) { v.forEach((x, i) => scanValue(x, undefined, `${where}[${i}]`, out)); return; }
  if (v === null || typeof v !== 'object') return;
  const rec = v as Record<string, unknown>;
  // Container env: { name: ADMIN_PASSWORD, value: literal } (valueFrom.secretKeyRef is the right way).
  if (typeof rec.name === 'string' && typeof rec.value === 'string' && ENV_SECRET_NAME_RE.test(rec.name) && !isReference(rec.value) && !FLAG_VALUE_RE.test(rec.value)) {
    out.push(`${where}: environment variable ${rec.name} has a literal value; use valueFrom.secretKeyRef`);
  }
  for (const [k, x] of Object.entries(rec)) scanValue(x, k, `${where}.${k}`, out);
}

/** No secret literal anywhere: webhook URLs, passwords, tokens, private keys, htpasswd entries. */
export function secretLiteralProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const id = idOf(o);
    if (o.kind === 'Secret') {
      // Decoded, a Secret's data is scanned like any other value (a config Secret may hold no secret at all).
      for (const [k, b64] of Object.entries((o.data as Record<string, string>) ?? {})) {
        scanString(Buffer.from(b64, 'base64').toString('utf8'), k, `${id} data.${k}`, out);
      }
    }
    scanValue(o, undefined, id, out);
  }
  return out;
}

/** Every image pinned: a tag other than `latest`, or a digest. */
export function imageProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      const image: string = c.image ?? '';
      const noDigest = image.split('@')[0];
      const tag = noDigest.slice(noDigest.lastIndexOf('/') + 1).split(':')[1];
      if (!image.includes('@sha256:') && (!tag || tag === 'latest')) {
        out.push(`${idOf(object)} container ${c.name}: image "${image}" is not pinned (a version tag other than latest, or a digest)`);
      }
    }
  }
  return out;
}

const componentOf = (o: K8sObject) => ((o.metadata?.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name']) ?? (o.metadata?.name ?? '');

/**
 * Every container: requests and limits, readiness and liveness probes,
 * RuntimeDefault seccomp, no privilege escalation, not privileged, ALL
 * capabilities dropped and only exempted ones added, non-root unless exempt.
 */
export function containerHardeningProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    const component = componentOf(object);
    const ex = EXEMPTIONS[component] ?? {};
    const pod = podSpec.securityContext ?? {};
    const inits = podSpec.initContainers ?? [];
    for (const c of [...inits, ...(podSpec.containers ?? [])]) {
      const where = `${idOf(object)} container ${c.name}`;
      const sc = c.securityContext ?? {};
      for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) if (!c.resources?.[k]?.[r]) out.push(`${where}: no ${k}.${r}`);
      // Run-to-completion pods (CronJob, Job) serve nothing: checks.ts requires a deadline instead of probes.
      if (!inits.includes(c) && object.kind !== 'CronJob' && object.kind !== 'Job') {
        if (!c.readinessProbe) out.push(`${where}: no readinessProbe`);
        if (!c.livenessProbe) out.push(`${where}: no livenessProbe`);
      }
      const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault') out.push(`${where}: seccompProfile is ${seccomp ?? 'unset'}, expected RuntimeDefault (pod or container)`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation must be false`);
      if (sc.privileged === true) out.push(`${where}: privileged containers are not allowed`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities must drop ALL`);
      for (const cap of sc.capabilities?.add ?? []) {
        if (!ex.capabilities?.[cap]) out.push(`${where}: adds capability ${cap}, which no exemption for ${component} documents`);
      }
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      const uid = sc.runAsUser ?? pod.runAsUser;
      if ((nonRoot !== true || uid === 0) && !ex.runAsRoot) out.push(`${where}: must run as non-root (runAsNonRoot: true, runAsUser != 0); no exemption for ${component}`);
    }
  }
  return out;
}

/** Host network, PID, IPC and hostPath: only exempted components, never in a "restricted" namespace. */
export function hostAccessProblems(objects: K8sObject[]): string[] {
  const restricted = new Set(objects.filter((o) => o.kind === 'Namespace'
    && (o.metadata?.labels as Record<string, string> | undefined)?.['pod-security.kubernetes.io/enforce'] === 'restricted').map((o) => o.metadata?.name));
  const out: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    const uses = [
      podSpec.hostNetwork && 'hostNetwork', podSpec.hostPID && 'hostPID', podSpec.hostIPC && 'hostIPC',
      (podSpec.volumes ?? []).some((v: any) => v.hostPath) && 'hostPath',
      [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])].some((c: any) => (c.ports ?? []).some((p: any) => p.hostPort)) && 'hostPort',
    ].filter(Boolean);
    if (uses.length === 0) continue;
    const component = componentOf(object);
    if (!EXEMPTIONS[component]?.hostAccess) out.push(`${idOf(object)}: uses ${uses.join(', ')}, which no exemption for ${component} documents`);
    if (restricted.has(object.metadata?.namespace)) out.push(`${idOf(object)}: uses ${uses.join(', ')} in a "restricted" namespace; node agents belong in the agent namespace`);
  }
  return out;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/**
 * The only write access in the stack, each reviewed: role (kind/name) -> "apiGroup/resource" -> extra verbs.
 * The backup CronJob takes and prunes VolumeSnapshots in the stack's namespace (a namespaced Role).
 */
const WRITE_GRANTS: Record<string, Record<string, readonly string[]>> = {
  'Role/backup': { 'snapshot.storage.k8s.io/volumesnapshots': ['create', 'delete'] },
};

/**
 * The operator's roles (spec.operator), reviewed as a whole: it applies the stack, so it writes (get, create, patch,
 * delete; no list or watch but on its MonitoringStack resources), `bind`/`escalate` only with resourceNames, the
 * Lease get/update only by name; never a wildcard.
 */
function operatorRuleProblems(where: string, r: any): string[] {
  const out: string[] = [];
  const verbs: string[] = r.verbs ?? [];
  const resources: string[] = r.resources ?? [];
  for (const field of ['apiGroups', 'resources', 'nonResourceURLs', 'verbs']) if ((r[field] ?? []).some((x: string) => x.includes('*'))) out.push(`${where}: wildcard in ${field}`);
  const watchable = resources.every((x) => x === 'monitoringstacks');
  for (const v of verbs) {
    const ok = ['get', 'create', 'patch', 'delete'].includes(v) || (['list', 'watch'].includes(v) && watchable)
      || (['bind', 'escalate'].includes(v) && (r.resourceNames ?? []).length > 0) || (v === 'update' && resources.join() === 'leases' && (r.resourceNames ?? []).length > 0);
    if (!ok) out.push(`${where}: verb "${v}" on ${resources.join(', ')} (the operator applies with get/create/patch/delete; bind/escalate and update only by name)`);
  }
  return out;
}

/** RBAC read-only: verbs get/list/watch, no wildcards, bindings only to roles defined (and checked) here. */
export function rbacProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const roles = new Set<string>();
  for (const o of objects.filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')) {
    roles.add(`${o.kind}/${o.kind === 'Role' ? `${o.metadata?.namespace}/` : ''}${o.metadata?.name}`);
    if (o.aggregationRule) out.push(`${idOf(o)}: aggregated roles inherit rules that are not reviewed here`);
    const grants = WRITE_GRANTS[`${o.kind}/${o.metadata?.name}`] ?? {};
    const applier = componentOf(o) === 'operator'; // the operator applies the stack: checked by operatorRuleProblems
    ((o.rules as any[]) ?? []).forEach((r, i) => {
      if (applier) { out.push(...operatorRuleProblems(`${idOf(o)} rules[${i}]`, r)); return; }
      const targets: string[] = (r.apiGroups ?? []).flatMap((g: string) => (r.resources ?? []).map((res: string) => `${g}/${res}`));
      const granted = (v: string) => targets.length > 0 && targets.every((t) => grants[t]?.includes(v));
      for (const v of r.verbs ?? []) if (!READ_VERBS.has(v) && !granted(v)) out.push(`${idOf(o)} rules[${i}]: verb "${v}" (only get, list, watch)`);
      for (const field of ['apiGroups', 'resources', 'nonResourceURLs', 'verbs']) {
        if ((r[field] ?? []).some((x: string) => x.includes('*'))) out.push(`${idOf(o)} rules[${i}]: wildcard in ${field}`);
      }
    });
  }
  for (const b of objects.filter((x) => x.kind === 'ClusterRoleBinding' || x.kind === 'RoleBinding')) {
    const ref = b.roleRef as { kind: string; name: string };
    const key = `${ref.kind}/${ref.kind === 'Role' ? `${b.metadata?.namespace}/` : ''}${ref.name}`;
    if (!roles.has(key)) out.push(`${idOf(b)}: binds ${ref.kind} ${ref.name}, which is not part of the stack (its rules cannot be checked)`);
  }
  return out;
}

/** ServiceAccount tokens mounted only in the components that call the Kubernetes API (API_CLIENTS). */
export function tokenMountProblems(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    const saName = podSpec.serviceAccountName ?? 'default';
    const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata?.name === saName && o.metadata?.namespace === object.metadata?.namespace);
    const mounted = podSpec.automountServiceAccountToken ?? (sa?.automountServiceAccountToken as boolean | undefined) ?? true;
    const component = componentOf(object);
    if (mounted && !API_CLIENTS[component]) {
      out.push(`${idOf(object)}: mounts a ServiceAccount token but ${component} does not call the Kubernetes API; set automountServiceAccountToken: false`);
    }
  }
  return out;
}

export const GATES = {
  'no secret literals': secretLiteralProblems,
  'pinned images': imageProblems,
  'container hardening': containerHardeningProblems,
  'host access': hostAccessProblems,
  'read-only RBAC': rbacProblems,
  'ServiceAccount tokens': tokenMountProblems,
} as const;

export function allGateProblems(objects: K8sObject[]): string[] {
  return Object.entries(GATES).flatMap(([name, gate]) => gate(objects).map((p) => `[${name}] ${p}`));
}
