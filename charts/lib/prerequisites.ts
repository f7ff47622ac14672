/**
 * What the synthesized manifests need from the cluster before `kubectl apply`
 * works: Secrets they reference (with the `kubectl create secret` command
 * for each, never a value), CRDs of custom resources, and the controllers
 * the objects rely on. Derived from the rendered objects, so it cannot drift
 * from what is actually referenced.
 */

interface Obj { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> }; spec?: any }

export interface SecretNeed {
  readonly namespace: string;
  readonly name: string;
  readonly keys: string[];
  /** htpasswd file under "auth" (basic auth), a TLS pair, or literal keys. */
  readonly type: 'basic-auth' | 'tls' | 'generic';
  readonly usedBy: string[];
  readonly optional: boolean;
}

export interface Prerequisites {
  readonly secrets: SecretNeed[];
  readonly crds: string[];
  readonly controllers: string[];
}

const CRD_OWNERS: Record<string, string> = {
  'cert-manager.io': 'cert-manager (https://cert-manager.io/docs/installation/)',
  'argoproj.io': 'Argo CD',
  'monitoring.coreos.com': 'the Prometheus Operator',
  'velero.io': 'Velero (https://velero.io/docs/main/basic-install/)',
  'gateway.networking.k8s.io': 'the Gateway API CRDs, standard channel (https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api), and an implementation',
  'snapshot.storage.k8s.io': 'the CSI snapshot CRDs and snapshot-controller (kubernetes-csi/external-snapshotter)',
  'traefik.io': 'Traefik\'s CRDs (k3s installs them)',
};

/** API groups the API server serves itself; any other group is a CRD's (gateway.networking.k8s.io and snapshot.storage.k8s.io included). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'networking.k8s.io',
  'storage.k8s.io', 'node.k8s.io', 'scheduling.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'coordination.k8s.io',
  'discovery.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io', 'apiregistration.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'internal.apiserver.k8s.io', 'storagemigration.k8s.io']);

export function prerequisites(objects: Obj[]): Prerequisites {
  const created = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`));
  const secrets = new Map<string, { namespace: string; name: string; keys: Set<string>; type: SecretNeed['type']; usedBy: Set<string>; optional: boolean }>();
  const need = (namespace: string, name: string, by: string, type: SecretNeed['type'], key?: string, optional = false) => {
    const id = `${namespace}/${name}`;
    if (created.has(id)) return;
    const s = secrets.get(id) ?? { namespace, name, keys: new Set<string>(), type, usedBy: new Set<string>(), optional: true };
    if (key) s.keys.add(key);
    s.usedBy.add(by);
    s.optional = s.optional && optional;
    secrets.set(id, s);
  };
  const crds = new Set<string>();
  const controllers = new Set<string>();
  for (const o of objects) {
    const ns = o.metadata?.namespace ?? 'default';
    const by = `${o.kind}/${o.metadata?.name}`;
    const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
    if (!BUILT_IN_GROUPS.has(group)) {
      crds.add(`${o.kind}.${group}: install ${CRD_OWNERS[group] ?? `the project that owns ${group}`}`);
    }
    const tpl = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
    const pod = tpl?.spec;
    if (pod) {
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        for (const e of c.env ?? []) {
          const r = e.valueFrom?.secretKeyRef;
          if (r?.name) need(ns, r.name, by, 'generic', r.key, r.optional === true);
        }
        for (const e of c.envFrom ?? []) if (e.secretRef?.name) need(ns, e.secretRef.name, by, 'generic', undefined, e.secretRef.optional === true);
      }
      for (const v of pod.volumes ?? []) {
        if (v.secret?.secretName) {
          const keys: string[] = (v.secret.items ?? []).map((i: any) => i.key);
          if (keys.length === 0) need(ns, v.secret.secretName, by, 'generic', undefined, v.secret.optional === true);
          for (const k of keys) need(ns, v.secret.secretName, by, 'generic', k, v.secret.optional === true);
        }
        for (const src of v.projected?.sources ?? []) {
          if (src.secret?.name) for (const i of src.secret.items ?? [{}]) need(ns, src.secret.name, by, 'generic', i.key, src.secret.optional === true);
        }
      }
      if (pod.runtimeClassName && !objects.some((x) => x.kind === 'RuntimeClass' && x.metadata?.name === pod.runtimeClassName)) {
        controllers.add(`RuntimeClass "${pod.runtimeClassName}" (created by the NVIDIA GPU operator; kubectl get runtimeclass)`);
      }
    }
    if (o.kind === 'Ingress') {
      const a = o.metadata?.annotations ?? {};
      controllers.add(`an ingress controller serving IngressClass "${o.spec?.ingressClassName ?? '(cluster default)'}" (ingress-nginx: the annotations are its own)`);
      if (a['nginx.ingress.kubernetes.io/auth-secret']) need(ns, a['nginx.ingress.kubernetes.io/auth-secret'], by, 'basic-auth', 'auth');
      const issued = a['cert-manager.io/cluster-issuer'] || a['cert-manager.io/issuer'];
      if (issued) controllers.add('cert-manager (issues the Ingress TLS certificates; its CRDs must exist)');
      for (const t of o.spec?.tls ?? []) if (t.secretName && !issued) need(ns, t.secretName, by, 'tls', 'tls.crt');
    }
    if (o.kind === 'Gateway') {
      controllers.add(`a Gateway API implementation serving GatewayClass "${o.spec?.gatewayClassName}" (kubectl get gatewayclass)`);
      if (o.metadata?.annotations?.['cert-manager.io/cluster-issuer'] || o.metadata?.annotations?.['cert-manager.io/issuer']) {
        controllers.add('cert-manager with Gateway API support (Helm: config.enableGatewayAPI=true; issues the Gateway\'s listener certificates)');
      }
    }
    if (o.kind === 'HTTPRoute') {
      for (const p of o.spec?.parentRefs ?? []) {
        if (!objects.some((x) => x.kind === 'Gateway' && x.metadata?.name === p.name && (x.metadata?.namespace ?? 'default') === (p.namespace ?? ns))) {
          controllers.add(`the Gateway ${p.namespace ?? ns}/${p.name} (yours), allowing routes from namespace ${ns}`);
        }
      }
    }
    if (o.kind === 'NetworkPolicy') controllers.add('a CNI that enforces NetworkPolicy (Calico, Cilium, ...): without one the policies are ignored');
    const claims = o.kind === 'PersistentVolumeClaim' ? [o] : o.kind === 'StatefulSet' ? (o.spec?.volumeClaimTemplates ?? []) : [];
    for (const c of claims) {
      const cls = c.spec?.storageClassName;
      controllers.add(cls ? `StorageClass "${cls}" (kubectl get storageclass)` : 'a default StorageClass for PersistentVolumeClaims (kubectl get storageclass)');
    }
  }
  return {
    secrets: [...secrets.values()].map((s) => ({ ...s, keys: [...s.keys].sort(), usedBy: [...s.usedBy].sort() }))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    crds: [...crds].sort(),
    controllers: [...controllers].sort(),
  };
}

/** The command that creates a needed Secret (placeholders, never values). */
export function createSecretCommand(s: SecretNeed): string {
  if (s.type === 'basic-auth') return `htpasswd -c -B auth admin && kubectl -n ${s.namespace} create secret generic ${s.name} --from-file=auth && rm auth`;
  if (s.type === 'tls') return `kubectl -n ${s.namespace} create secret tls ${s.name} --cert=tls.crt --key=tls.key`;
  const keys = s.keys.length ? s.keys : ['<key>'];
  return `kubectl -n ${s.namespace} create secret generic ${s.name} ${keys.map((k) => `--from-literal=${k}='<${k}>'`).join(' ')}`;
}

/**
 * The text synth prints. With `secretsCommand` (main.ts: `npm run secrets -- <spec>`), the Secrets are listed
 * with their keys and that one command creates them (charts/app/secrets.ts); without it, each gets its
 * `kubectl create secret` line with placeholders.
 */
export function formatPrerequisites(p: Prerequisites, secretsCommand?: string): string {
  const lines: string[] = ['Before kubectl apply, the cluster needs:'];
  if (p.crds.length) {
    lines.push('  CRDs (install their controllers first, or the custom resources fail to apply):');
    for (const c of p.crds) lines.push(`    - ${c}`);
  }
  if (p.controllers.length) {
    lines.push('  Controllers and cluster objects:');
    for (const c of p.controllers) lines.push(`    - ${c}`);
  }
  if (p.secrets.length) {
    if (secretsCommand) {
      lines.push(`  Secrets (values never go into the spec or dist/); ${secretsCommand} creates them (--dry-run shows how):`);
      for (const s of p.secrets) lines.push(`    - ${s.namespace}/${s.name}${s.optional ? ' (optional)' : ''}: ${s.keys.join(', ') || 'any keys'}; used by ${s.usedBy.join(', ')}`);
      return lines.join('\n');
    }
    lines.push('  Secrets (create them yourself; values never go into the spec or dist/):');
    for (const s of p.secrets) {
      lines.push(`    - ${s.namespace}/${s.name}${s.optional ? ' (optional)' : ''}, used by ${s.usedBy.join(', ')}:`, `        ${createSecretCommand(s)}`);
    }
  }
  return lines.join('\n');
}
