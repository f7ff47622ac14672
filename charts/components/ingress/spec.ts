/**
 * Exposure, network isolation and GitOps sections of the spec:
 *
 * - `spec.ingress`: one Ingress per UI (Grafana whenever a domain or a host
 *   is set; Prometheus and Alertmanager on request, behind basic auth), TLS
 *   through cert-manager annotations, optionally an ACME ClusterIssuer;
 * - `spec.networkPolicies`: default deny plus the flows the stack needs;
 * - `spec.gitops.argocd`: an Argo CD Application written outside dist/.
 */
import { z } from 'zod';
import { dnsLabel, labelSelector } from '../../spec/formats';

/** A DNS name (RFC 1123 subdomain): `grafana.example.com`. */
export const hostName = () =>
  z.string().max(253, { error: 'must be at most 253 characters' }).regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
    error: (i) => `expected a lowercase DNS name such as "grafana.example.com" (no scheme, port or path), found ${JSON.stringify(i.input)}`,
  });

/** A Kubernetes object name (RFC 1123 subdomain, also used for Secret names). */
const objectName = () =>
  z.string().max(253).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: (i) => `expected a Kubernetes object name (lowercase letters, digits, "-" and "."), found ${JSON.stringify(i.input)}`,
  });

/** The UIs the stack can expose. */
export const EXPOSED_UIS = ['grafana', 'prometheus', 'alertmanager'] as const;
export type ExposedUi = (typeof EXPOSED_UIS)[number];

const protectedUi = (ui: 'prometheus' | 'alertmanager') => z.strictObject({
  enabled: z.boolean().default(false).describe(`expose ${ui} (it has no login of its own: basic auth is always in front of it)`),
  host: hostName().optional().describe(`host name; defaults to ${ui}.<domain>`),
  basicAuthSecretName: objectName().default(`${ui}-basic-auth`)
    .describe('Secret (in spec.namespace) with an htpasswd file under the key "auth" (ingress-nginx auth-file format); create it with htpasswd and kubectl create secret generic'),
}).prefault({});

export const ingressSchema = z.strictObject({
  domain: hostName().optional().describe('base domain: hosts default to grafana.<domain>, prometheus.<domain>, alertmanager.<domain>; Grafana is exposed whenever a domain or grafana.host is set'),
  ingressClassName: z.string().min(1).default('nginx').describe('IngressClass of the controller (ingress-nginx: the annotations for redirects, timeouts and basic auth are ingress-nginx\'s)'),
  grafana: z.strictObject({
    host: hostName().optional().describe('Grafana host name; defaults to grafana.<domain>'),
  }).prefault({}),
  prometheus: protectedUi('prometheus'),
  alertmanager: protectedUi('alertmanager'),
  tls: z.strictObject({
    enabled: z.boolean().default(true).describe('serve HTTPS (and redirect HTTP to HTTPS)'),
    clusterIssuer: dnsLabel().optional().describe('cert-manager ClusterIssuer that issues the certificates (annotation cert-manager.io/cluster-issuer)'),
    issuer: dnsLabel().optional().describe('cert-manager Issuer in spec.namespace (annotation cert-manager.io/issuer); exclusive with clusterIssuer'),
    secretNames: z.strictObject({
      grafana: objectName().optional(),
      prometheus: objectName().optional(),
      alertmanager: objectName().optional(),
    }).prefault({}).describe('TLS Secret per host (cert-manager writes it); defaults to <ui>-tls'),
    createClusterIssuer: z.strictObject({
      name: dnsLabel().optional().describe('defaults to letsencrypt-<server>'),
      email: z.email({ error: (i) => `expected an e-mail address for the ACME account (expiry notices), found ${JSON.stringify(i.input)}` }),
      server: z.enum(['staging', 'production'], { error: (i) => `expected "staging" or "production", found ${JSON.stringify(i.input)}` }).default('staging').describe('Let\'s Encrypt staging (untrusted test certificates, high rate limits) or production'),
    }).optional().describe('create an ACME ClusterIssuer (HTTP-01 through the ingress class); needs cert-manager installed'),
  }).prefault({}),
}).prefault({}).superRefine((s, ctx) => {
  if (s.tls.clusterIssuer && s.tls.issuer) {
    ctx.addIssue({ code: 'custom', path: ['tls', 'issuer'], message: 'set either tls.clusterIssuer or tls.issuer, not both' });
  }
  if (s.tls.createClusterIssuer) {
    const name = s.tls.createClusterIssuer.name ?? `letsencrypt-${s.tls.createClusterIssuer.server}`;
    if (s.tls.issuer) ctx.addIssue({ code: 'custom', path: ['tls', 'issuer'], message: 'tls.createClusterIssuer creates a ClusterIssuer: remove tls.issuer (tls.clusterIssuer defaults to the created one)' });
    if (s.tls.clusterIssuer && s.tls.clusterIssuer !== name) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'clusterIssuer'], message: `tls.createClusterIssuer creates "${name}" but tls.clusterIssuer names "${s.tls.clusterIssuer}"; remove tls.clusterIssuer or make them equal` });
    }
    if (!s.tls.enabled) ctx.addIssue({ code: 'custom', path: ['tls', 'createClusterIssuer'], message: 'a ClusterIssuer is useless with tls.enabled: false' });
  }
  for (const ui of ['prometheus', 'alertmanager'] as const) {
    if (s[ui].enabled && !s[ui].host && !s.domain) {
      ctx.addIssue({ code: 'custom', path: [ui, 'host'], message: `required when ${ui}.enabled is true and no spec.ingress.domain is set (e.g. "${ui}.example.com")` });
    }
    if (!s[ui].enabled && s[ui].host) {
      ctx.addIssue({ code: 'custom', path: [ui, 'enabled'], message: `${ui}.host is set but ${ui}.enabled is false: set enabled: true to expose ${ui}, or remove the host` });
    }
  }
  if (!s.domain && !s.grafana.host && (s.prometheus.enabled || s.alertmanager.enabled)) {
    ctx.addIssue({ code: 'custom', path: ['grafana', 'host'], message: 'required when Prometheus or Alertmanager is exposed and no spec.ingress.domain is set: Grafana is the stack\'s main entry point' });
  }
});

export type IngressSpec = z.output<typeof ingressSchema>;

const kubeSystem = { 'kubernetes.io/metadata.name': 'kube-system' };

/** An IPv4 or IPv6 CIDR. */
const cidr = () => z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/, {
  error: (i) => `expected a CIDR such as "10.0.0.0/8", found ${JSON.stringify(i.input)}`,
});

export const networkPoliciesSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('default-deny NetworkPolicies in both namespaces plus the flows the stack needs (needs a CNI that enforces NetworkPolicy)'),
  ingressControllerNamespaceSelector: labelSelector().default({ 'kubernetes.io/metadata.name': 'ingress-nginx' })
    .describe('labels of the namespace of the ingress controller, allowed to reach the exposed UIs'),
  dnsNamespaceSelector: labelSelector().default(kubeSystem).describe('labels of the namespace of the cluster DNS (UDP and TCP 53)'),
  apiServerCidrs: z.array(cidr()).default([]).describe('where the Kubernetes API server listens (443/6443); empty: any address on those ports'),
  nodeCidrs: z.array(cidr()).default([]).describe('node addresses (node-exporter on the host network, kubelet 10250); empty: any address on those ports'),
}).prefault({});

export type NetworkPoliciesSpec = z.output<typeof networkPoliciesSchema>;

export const gitopsSchema = z.strictObject({
  argocd: z.strictObject({
    repoURL: z.string().regex(/^(https?:\/\/|ssh:\/\/|git@)\S+$/, {
      error: (i) => `expected a Git repository URL such as "https://git.example.com/platform/monitoring.git" or "git@git.example.com:platform/monitoring.git", found ${JSON.stringify(i.input)}`,
    }).describe('repository holding this project (credentials belong in an Argo CD repository Secret, never in the URL)'),
    targetRevision: z.string().min(1).default('HEAD').describe('branch, tag or commit to sync'),
    path: z.string().regex(/^[^/\s][^\s]*$/, { error: 'expected a path relative to the repository root, such as "dist"' }).default('dist')
      .describe('folder of the synthesized manifests in the repository'),
    project: dnsLabel().default('default').describe('Argo CD AppProject'),
    namespace: dnsLabel().default('argocd').describe('namespace Argo CD runs in (where the Application lives)'),
    destination: z.strictObject({
      server: z.string().url().default('https://kubernetes.default.svc').describe('API server of the target cluster'),
      namespace: dnsLabel().optional().describe('defaults to spec.namespace'),
    }).prefault({}),
  }).optional().describe('write gitops/argocd-application.yaml: an Argo CD Application syncing path from repoURL'),
}).prefault({});

export type GitopsSpec = z.output<typeof gitopsSchema>;

/** The sections this file adds to `specSchema` (one spread line there). */
export const EXPOSURE_SECTIONS = {
  ingress: ingressSchema,
  networkPolicies: networkPoliciesSchema,
  gitops: gitopsSchema,
};

/** The host of each exposed UI (undefined: not exposed). */
export function exposedHosts(s: IngressSpec): Partial<Record<ExposedUi, string>> {
  const out: Partial<Record<ExposedUi, string>> = {};
  const grafana = s.grafana.host ?? (s.domain ? `grafana.${s.domain}` : undefined);
  if (grafana) out.grafana = grafana;
  for (const ui of ['prometheus', 'alertmanager'] as const) {
    if (s[ui].enabled) out[ui] = s[ui].host ?? `${ui}.${s.domain}`;
  }
  return out;
}

/**
 * The external URL of each exposed UI (`https://grafana.example.com/`), for
 * components that must know it: Grafana's `server.root_url`,
 * Alertmanager's and Prometheus' `--web.external-url`.
 */
export function externalUrls(s: IngressSpec): Partial<Record<ExposedUi, string>> {
  const scheme = s.tls.enabled ? 'https' : 'http';
  return Object.fromEntries(Object.entries(exposedHosts(s)).map(([ui, host]) => [ui, `${scheme}://${host}/`]));
}

/**
 * Grafana's public host and root URL default to its Ingress host, so links,
 * redirects and alert notifications point where users reach it
 * (`spec.grafana.domain` / `rootUrl` still win when set).
 */
export function grafanaUrlDefaults<T extends { domain?: string; rootUrl?: string }>(grafana: T, ingress: IngressSpec): T {
  const host = exposedHosts(ingress).grafana;
  if (!host) return grafana;
  return { ...grafana, domain: grafana.domain ?? host, rootUrl: grafana.rootUrl ?? (grafana.domain ? undefined : externalUrls(ingress).grafana) };
}

/** Checks across sections (called from specSchema's superRefine): Grafana's own host must match its Ingress. */
export function exposureCrossChecks(spec: { ingress: IngressSpec; grafana?: { domain?: string } }, ctx: z.RefinementCtx): void {
  const host = exposedHosts(spec.ingress).grafana;
  if (host && spec.grafana?.domain && spec.grafana.domain !== host) {
    ctx.addIssue({
      code: 'custom',
      path: ['grafana', 'domain'],
      message: `"${spec.grafana.domain}" differs from Grafana's Ingress host "${host}" (spec.ingress): remove spec.grafana.domain (it defaults to the Ingress host) or make them equal`,
    });
  }
}

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { ingress: ingressSchema };
