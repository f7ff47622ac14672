/**
 * `ai-monitoring preflight`: everything the synthesized stack needs that the
 * cluster lacks, one finding per line naming the spec field or the object
 * and the command that fixes it. What is needed comes from the rendered
 * objects: Secrets and CRDs through charts/lib/prerequisites.ts (its
 * `createSecretCommand` is the fix), the classes, node labels and Pod
 * Security levels from the objects themselves. Each is then looked up in
 * the cluster; nothing is changed.
 */
import { parse as parseYaml } from 'yaml';
import { createSecretCommand, prerequisites, type SecretNeed } from '../../lib/prerequisites';
import { isCustomResource } from '../output';
import type { SynthesisResult, ManifestObject } from '../synthesize';
import type { Kube, KObject } from './kube';
import { COMPONENTS } from '../../registry';

const componentOf = (o: ManifestObject) =>
  COMPONENTS.find((c) => c.name === (o.metadata.labels?.['app.kubernetes.io/name'] ?? o.metadata.name));

export interface Finding {
  /** The spec field or the object the finding is about. */
  readonly subject: string;
  readonly problem: string;
  /** The command (or step) that fixes it. */
  readonly fix: string;
}

export const formatFinding = (f: Finding): string => `${f.subject}: ${f.problem}; fix: ${f.fix}`;

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** The spec section of a component, from its app.kubernetes.io/name label. */
function specSection(o: ManifestObject): string {
  const name = o.metadata.labels?.['app.kubernetes.io/name'] ?? o.metadata.name;
  return componentOf(o)?.specPath ?? `spec.${camel(name)}`;
}
const objName = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

function podSpec(o: any): any {
  return o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
}

type Term = { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
function matchesTerm(labels: Record<string, string>, t: Term): boolean {
  return (t.matchExpressions ?? []).every((e) => {
    const v = labels[e.key];
    switch (e.operator) {
      case 'In':
        return v !== undefined && (e.values ?? []).includes(v);
      case 'NotIn':
        return v === undefined || !(e.values ?? []).includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
      default:
        return true;
    }
  });
}

/** Whether a node with `labels` satisfies the pod spec's nodeSelector and required node affinity. */
export function nodeMatches(labels: Record<string, string>, pod: any): boolean {
  for (const [k, v] of Object.entries(pod?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: Term[] | undefined = pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.length === 0 || terms.some((t) => matchesTerm(labels, t));
}

function selectionText(pod: any): string {
  const parts = Object.entries<string>(pod?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  const terms: Term[] = pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const alt = terms
    .map((t) =>
      (t.matchExpressions ?? [])
        .map((e) => (e.operator === 'In' ? `${e.key}=${(e.values ?? []).join('|')}` : `${e.key} ${e.operator}`))
        .join(','),
    )
    .join(' or ');
  return [...parts, ...(alt ? [`(${alt})`] : [])].join(', ');
}

/** The label to put on a node so it satisfies the pod spec (the first choice of each requirement). */
function labelCommand(pod: any): string {
  const kv = Object.entries<string>(pod?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  const term: Term | undefined = pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
  for (const e of term?.matchExpressions ?? []) if (e.operator === 'In') kv.push(`${e.key}=${e.values?.[0]}`);
  return `kubectl label node <node> ${kv.join(' ')}`;
}

/** The web config's problems (exporter-toolkit: `basic_auth_users: {user: bcrypt hash}`; none means no auth at all). */
export function webConfigProblems(text: string, username: string): string[] {
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return [`is not valid YAML (${(e as Error).message.split('\n')[0]})`];
  }
  const users = doc?.basic_auth_users;
  if (!users || typeof users !== 'object' || Object.keys(users).length === 0)
    return ['lists no basic_auth_users, so Prometheus and Alertmanager would serve everything without authentication'];
  const out: string[] = [];
  for (const [u, h] of Object.entries<unknown>(users)) {
    const hash = typeof h === 'string' || typeof h === 'number' ? String(h) : '';
    if (hash.trim() === '') out.push(`has an empty password hash for user "${u}"`);
    else if (!/^\$2[aby]?\$\d\d\$/.test(hash))
      out.push(`has a password hash for user "${u}" that is not bcrypt (htpasswd -nbB ${u} <password>)`);
  }
  if (!(username in users)) out.push(`does not list user "${username}" (spec.webAuth.username), whom the stack's own clients log in as`);
  return out;
}

/** Create the web-auth Secret: a random password and its bcrypt hash in the web config (README "Secrets to create"). */
function webAuthCommand(ns: string, name: string, w: { username: string; passwordKey: string; webConfigKey: string }): string {
  return `P="$(openssl rand -hex 24)"; printf 'basic_auth_users:\\n  ${w.username}: %s\\n' "$(htpasswd -nbB ${w.username} "$P" | cut -d: -f2)" > ${w.webConfigKey} && kubectl -n ${ns} create secret generic ${name} --from-literal=${w.passwordKey}="$P" --from-file=${w.webConfigKey} && rm ${w.webConfigKey}; unset P`;
}

async function secretFindings(kube: Kube, result: SynthesisResult, s: SecretNeed, missingNamespaces: Set<string>): Promise<Finding[]> {
  const web = result.spec.spec.webAuth;
  const isWebAuth = web && s.name === web.secretName && s.namespace === result.spec.spec.namespace;
  const subject = isWebAuth
    ? `spec.webAuth.secretName (Secret ${s.namespace}/${s.name})`
    : `Secret ${s.namespace}/${s.name} (used by ${s.usedBy.join(', ')})`;
  const nsFirst = missingNamespaces.has(s.namespace)
    ? `(kubectl get namespace ${s.namespace} >/dev/null 2>&1 || kubectl create namespace ${s.namespace}) && `
    : '';
  const live: KObject | undefined = missingNamespaces.has(s.namespace)
    ? undefined
    : await kube.get({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: s.namespace, name: s.name } });
  if (!live) {
    const cmd = isWebAuth ? `${nsFirst}${webAuthCommand(s.namespace, s.name, web)}` : `${nsFirst}${createSecretCommand(s)}`;
    return [{ subject, problem: 'missing', fix: cmd }];
  }
  const out: Finding[] = [];
  const data: Record<string, string> = live.data ?? {};
  for (const k of s.keys) {
    if (data[k] === undefined)
      out.push({
        subject,
        problem: `has no key "${k}"`,
        fix: `kubectl -n ${s.namespace} patch secret ${s.name} -p '{"stringData":{"${k}":"<${k}>"}}'`,
      });
    else if (Buffer.from(data[k], 'base64').length === 0)
      out.push({
        subject,
        problem: `key "${k}" is empty`,
        fix: `kubectl -n ${s.namespace} patch secret ${s.name} -p '{"stringData":{"${k}":"<${k}>"}}'`,
      });
  }
  if (isWebAuth && data[web.webConfigKey]) {
    for (const p of webConfigProblems(Buffer.from(data[web.webConfigKey], 'base64').toString('utf8'), web.username)) {
      out.push({
        subject,
        problem: `key "${web.webConfigKey}" ${p}`,
        fix: `kubectl -n ${s.namespace} delete secret ${s.name} && ${webAuthCommand(s.namespace, s.name, web)}`,
      });
    }
  }
  return out;
}

/** The objects of a kind in the cluster; none when it cannot list them. */
const listOrNone = (kube: Kube, apiVersion: string, kind: string) => kube.list(apiVersion, kind).catch(() => [] as KObject[]);
const isDefaultClass = (o: KObject, annotation: string) => o.metadata.annotations?.[annotation] === 'true';

/** CRDs and their served versions: every custom resource the stack emits (but those whose CRD it emits itself). */
async function crdFindings(kube: Kube, objects: ManifestObject[], need: ReturnType<typeof prerequisites>): Promise<Finding[]> {
  const findings: Finding[] = [];
  const crdInstall = new Map(need.crds.map((c) => [c.slice(0, c.indexOf(':')), c.slice(c.indexOf(':') + 1).trim()]));
  const seen = new Set<string>();
  for (const o of objects) {
    if (!isCustomResource(o.apiVersion) || o.kind === 'CustomResourceDefinition') continue;
    const [group, version] = o.apiVersion.split('/');
    if (seen.has(`${o.kind}.${o.apiVersion}`)) continue;
    seen.add(`${o.kind}.${o.apiVersion}`);
    if (
      objects.some(
        (c) => c.kind === 'CustomResourceDefinition' && (c as any).spec?.group === group && (c as any).spec?.names?.kind === o.kind,
      )
    )
      continue;
    if (await kube.resource(o.apiVersion, o.kind)) continue;
    const groupInfo = await kube.request<any>('GET', `/apis/${group}`, { allow404: true });
    const served = (groupInfo?.versions ?? []).map((v: any) => v.version);
    const users = objects.filter((x) => x.apiVersion === o.apiVersion && x.kind === o.kind).map(objName);
    const fix = crdInstall.get(`${o.kind}.${group}`) ?? `install the CRD of ${o.kind}.${group}`;
    findings.push(
      served.length
        ? {
            subject: `CRD ${o.kind}.${group} (for ${users.join(', ')})`,
            problem: `the cluster serves ${group} ${served.join(', ')}, not ${version}`,
            fix: `upgrade the CRD: ${fix.replace(/^install /, '')}`,
          }
        : { subject: `CRD ${o.kind}.${group} (for ${users.join(', ')})`, problem: 'not installed', fix },
    );
  }
  return findings;
}

/** The IngressClass of every Ingress (named, or the default). */
async function ingressClassFindings(kube: Kube, objects: ManifestObject[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  if (ingresses.length) {
    const classes = await listOrNone(kube, 'networking.k8s.io/v1', 'IngressClass');
    for (const name of new Set(ingresses.map((i: any) => i.spec?.ingressClassName as string | undefined))) {
      const users = ingresses
        .filter((i: any) => i.spec?.ingressClassName === name)
        .map(objName)
        .join(', ');
      if (
        name
          ? !classes.some((c) => c.metadata.name === name)
          : !classes.some((c) => isDefaultClass(c, 'ingressclass.kubernetes.io/is-default-class'))
      ) {
        findings.push({
          subject: `spec.ingress.className${name ? ` "${name}"` : ''} (${users})`,
          problem: name ? `IngressClass "${name}" does not exist` : 'no default IngressClass',
          fix: `install an ingress controller that creates IngressClass "${name ?? '<default>'}" (ingress-nginx: helm install ingress-nginx ingress-nginx/ingress-nginx), or set the class in the spec (kubectl get ingressclass)`,
        });
      }
    }
  }
  return findings;
}

/** The GatewayClass of every Gateway, when the cluster serves Gateway API. */
async function gatewayClassFindings(kube: Kube, objects: ManifestObject[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const gateways = objects.filter((o) => o.kind === 'Gateway');
  if (gateways.length && (await kube.resource('gateway.networking.k8s.io/v1', 'GatewayClass'))) {
    const classes = await listOrNone(kube, 'gateway.networking.k8s.io/v1', 'GatewayClass');
    for (const g of gateways as any[]) {
      const name = g.spec?.gatewayClassName;
      if (!classes.some((c) => c.metadata.name === name))
        findings.push({
          subject: `spec.gateway.className "${name}" (${objName(g)})`,
          problem: `GatewayClass "${name}" does not exist`,
          fix: `install a Gateway API implementation that provides it (kubectl get gatewayclass), or set the class in the spec`,
        });
    }
  }
  return findings;
}

/** The StorageClass of every claim and claim template (named, or the default). */
async function storageClassFindings(kube: Kube, objects: ManifestObject[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const claims: { owner: ManifestObject; cls?: string }[] = [];
  for (const o of objects as any[]) {
    if (o.kind === 'PersistentVolumeClaim') claims.push({ owner: o, cls: o.spec?.storageClassName });
    if (o.kind === 'StatefulSet')
      for (const t of o.spec?.volumeClaimTemplates ?? []) claims.push({ owner: o, cls: t.spec?.storageClassName });
  }
  if (claims.length) {
    const classes = await listOrNone(kube, 'storage.k8s.io/v1', 'StorageClass');
    const hasDefault = classes.some((c) => isDefaultClass(c, 'storageclass.kubernetes.io/is-default-class'));
    const missing = new Map<string, string[]>();
    for (const c of claims) {
      const key = c.cls ?? '';
      if (key ? classes.some((s) => s.metadata.name === key) : hasDefault) continue;
      const field = c.owner.metadata.labels?.['app.kubernetes.io/name'] === 'grafana' ? 'persistence' : 'storage';
      missing.set(key, [...(missing.get(key) ?? []), `${specSection(c.owner)}.${field}.storageClassName (${objName(c.owner)})`]);
    }
    for (const [cls, users] of missing) {
      findings.push(
        cls
          ? {
              subject: users.join(', '),
              problem: `StorageClass "${cls}" does not exist`,
              fix: `create it (kubectl get storageclass lists those that exist) or set storageClassName to one of them`,
            }
          : {
              subject: users.join(', '),
              problem: 'no default StorageClass, so the claims stay Pending',
              fix: `kubectl patch storageclass <name> -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}', or set storageClassName in the spec`,
            },
      );
    }
  }
  return findings;
}

/** The RuntimeClass pods name (the NVIDIA runtime) when the stack does not create it. */
async function runtimeClassFindings(kube: Kube, objects: ManifestObject[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const runtimeUsers = new Map<string, ManifestObject[]>();
  for (const o of objects) {
    const rc = podSpec(o)?.runtimeClassName;
    if (rc && !objects.some((x) => x.kind === 'RuntimeClass' && x.metadata.name === rc))
      runtimeUsers.set(rc, [...(runtimeUsers.get(rc) ?? []), o]);
  }
  if (runtimeUsers.size) {
    const classes = await listOrNone(kube, 'node.k8s.io/v1', 'RuntimeClass');
    for (const [rc, users] of runtimeUsers) {
      if (classes.some((c) => c.metadata.name === rc)) continue;
      findings.push({
        subject: `${specSection(users[0])}.runtimeClassName "${rc}" (${users.map(objName).join(', ')})`,
        problem: `RuntimeClass "${rc}" does not exist`,
        fix: `install the NVIDIA GPU operator (it creates RuntimeClass "${rc}"), or set ${specSection(users[0])}.runtimeClassName: null where the NVIDIA runtime is containerd's default`,
      });
    }
  }
  return findings;
}

/** Nodes: every workload that selects nodes (GPU nodes by their labels) has at least one to run on. */
async function nodeFindings(kube: Kube, objects: ManifestObject[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const selective = objects.filter((o) => {
    const p = podSpec(o);
    return (
      ['DaemonSet', 'Deployment', 'StatefulSet'].includes(o.kind) &&
      p &&
      (Object.keys(p.nodeSelector ?? {}).length > 0 || p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
    );
  });
  const nodes = objects.some((o) => podSpec(o)) ? await listOrNone(kube, 'v1', 'Node') : [];
  if (objects.some((o) => podSpec(o)) && nodes.length === 0) {
    findings.push({
      subject: 'Nodes',
      problem: 'the cluster has no nodes, so no pod of the stack can run',
      fix: 'join nodes to the cluster (kubectl get nodes)',
    });
  } else {
    const bySelection = new Map<string, { pod: any; users: ManifestObject[] }>();
    for (const o of selective) {
      const p = podSpec(o);
      if (nodes.some((n) => nodeMatches(n.metadata.labels ?? {}, p))) continue;
      const text = selectionText(p);
      const entry = bySelection.get(text) ?? { pod: p, users: [] };
      entry.users.push(o);
      bySelection.set(text, entry);
    }
    for (const [text, { pod, users }] of bySelection) {
      const selection = users.map(componentOf).find((c) => c?.nodeSelection)?.nodeSelection;
      findings.push({
        subject: `${selection ? selection.field : [...new Set(users.map(specSection))].join(', ')} (${users.map(objName).join(', ')})`,
        problem: `no node carries the labels it selects: ${text}`,
        fix: `${labelCommand(pod)}${selection?.fix ?? ''}`,
      });
    }
  }
  return findings;
}

/**
 * Namespaces the stack creates that exist with other Pod Security levels than it sets, and namespaces it uses
 * but does not create that are missing (added to `missingNamespaces`).
 */
async function namespaceFindings(
  kube: Kube,
  result: SynthesisResult,
  objects: ManifestObject[],
  missingNamespaces: Set<string>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
    const live = await kube.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.metadata.name } });
    if (!live) {
      missingNamespaces.add(ns.metadata.name);
      continue;
    }
    const want = Object.entries(ns.metadata.labels ?? {}).filter(([k]) => k.startsWith('pod-security.kubernetes.io/'));
    const differ = want.filter(([k, v]) => (live.metadata.labels ?? {})[k] !== undefined && live.metadata.labels![k] !== v);
    if (differ.length) {
      const field = ns.metadata.name === result.spec.spec.namespace ? 'spec.namespace' : 'spec.agentNamespace';
      findings.push({
        subject: `${field} (Namespace ${ns.metadata.name})`,
        problem: `exists with ${differ.map(([k]) => `${k}=${live.metadata.labels![k]}`).join(', ')}; the stack sets ${differ.map(([k, v]) => `${k}=${v}`).join(', ')}, and other workloads in it may not pass`,
        fix: `move them out, or choose another ${field}; then kubectl label namespace ${ns.metadata.name} --overwrite ${differ.map(([k, v]) => `${k}=${v}`).join(' ')}`,
      });
    }
  }
  for (const o of objects.filter(
    (x) => x.metadata.namespace && !objects.some((n) => n.kind === 'Namespace' && n.metadata.name === x.metadata.namespace),
  )) {
    if (missingNamespaces.has(o.metadata.namespace!)) continue;
    const live = await kube.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.metadata.namespace! } });
    if (!live) {
      missingNamespaces.add(o.metadata.namespace!);
      findings.push({
        subject: `Namespace ${o.metadata.namespace} (for ${objName(o)})`,
        problem: 'missing, and the stack does not create it',
        fix: `kubectl create namespace ${o.metadata.namespace}`,
      });
    }
  }
  return findings;
}

export async function preflight(kube: Kube, result: SynthesisResult): Promise<Finding[]> {
  const objects = result.manifests.map((m) => m.object);
  const need = prerequisites(objects);
  const findings: Finding[] = [];
  findings.push(...(await crdFindings(kube, objects, need)));
  // Classes: IngressClass, GatewayClass, StorageClass (named or the default), RuntimeClass.
  findings.push(...(await ingressClassFindings(kube, objects)));
  findings.push(...(await gatewayClassFindings(kube, objects)));
  findings.push(...(await storageClassFindings(kube, objects)));
  findings.push(...(await runtimeClassFindings(kube, objects)));
  findings.push(...(await nodeFindings(kube, objects)));
  const missingNamespaces = new Set<string>();
  findings.push(...(await namespaceFindings(kube, result, objects, missingNamespaces)));
  // Secrets and each key they must hold.
  for (const s of need.secrets.filter((x) => !x.optional)) findings.push(...(await secretFindings(kube, result, s, missingNamespaces)));
  return findings;
}
