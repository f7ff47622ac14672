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
import { cidr, className, dnsLabel, hostHint, labelSelector } from '../../spec/formats';

/** A DNS name (RFC 1123 subdomain): `grafana.example.com`. */
export const hostName = () =>
  z
    .string()
    .max(253, { error: 'must be at most 253 characters' })
    .regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
      error: (i) =>
        `expected a lowercase DNS name such as "grafana.example.com" (no scheme, port or path), found ${JSON.stringify(i.input)}${hostHint(i.input)}`,
    });

/** A Kubernetes object name (RFC 1123 subdomain, also used for Secret names). */
const objectName = () =>
  z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: (i) => `expected a Kubernetes object name (lowercase letters, digits, "-" and "."), found ${JSON.stringify(i.input)}`,
    });

/** The UIs the stack can expose. */
export const EXPOSED_UIS = ['grafana', 'prometheus', 'alertmanager'] as const;
export type ExposedUi = (typeof EXPOSED_UIS)[number];

const protectedUi = (ui: 'prometheus' | 'alertmanager') =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe(`expose ${ui} (it enforces basic auth itself: spec.webAuth)`),
      host: hostName().optional().describe(`host name; defaults to ${ui}.<domain>`),
    })
    .prefault({});

// --- exposure mode and ingress controller (issue 17) ---------------------------------

/** How the UIs are exposed: Ingresses (any controller) or Gateway API HTTPRoutes (charts/components/gateway). */
export const EXPOSURE_MODES = ['ingress', 'gateway'] as const;
export type ExposureMode = (typeof EXPOSURE_MODES)[number];
export const exposureSchema = z
  .enum(EXPOSURE_MODES, {
    error: (i) => `expected "ingress" or "gateway", found ${JSON.stringify(i.input)}`,
  })
  .default('ingress')
  .describe(
    'expose the UIs (hosts and TLS from spec.ingress) through Ingresses ("ingress", any controller) or Gateway API HTTPRoutes ("gateway", spec.gateway)',
  );

/** Controllers whose own extras (redirects, timeouts) the stack knows; "other" gets portable Ingresses only. */
export const INGRESS_CONTROLLERS = ['ingress-nginx', 'traefik', 'other'] as const;
export type IngressController = (typeof INGRESS_CONTROLLERS)[number];

/** The declared controller, or the one the class name implies ("nginx": ingress-nginx, "traefik": Traefik, else other). */
export function ingressController(s: Pick<IngressSpec, 'ingressClassName'> & Partial<Pick<IngressSpec, 'controller'>>): IngressController {
  if (s.controller) return s.controller;
  return s.ingressClassName === 'nginx' ? 'ingress-nginx' : s.ingressClassName === 'traefik' ? 'traefik' : 'other';
}
// --- end exposure mode and ingress controller ------------------------------------------

export const ingressSchema = z
  .strictObject({
    domain: hostName()
      .optional()
      .describe(
        'base domain: hosts default to grafana.<domain>, prometheus.<domain>, alertmanager.<domain>; Grafana is exposed whenever a domain or grafana.host is set',
      ),
    ingressClassName: className('IngressClass', 'nginx')
      .default('nginx')
      .describe('IngressClass of the controller (spec.exposure: ingress)'),
    controller: z
      .enum(INGRESS_CONTROLLERS, { error: (i) => `expected one of ${INGRESS_CONTROLLERS.join(', ')}, found ${JSON.stringify(i.input)}` })
      .optional()
      .describe(
        'the controller behind ingressClassName, for its own extras: ingress-nginx (annotations; retired in March 2026), traefik (a redirect Middleware), other (portable Ingresses only); defaults from the class name: nginx, traefik, else other',
      ),
    grafana: z
      .strictObject({
        host: hostName().optional().describe('Grafana host name; defaults to grafana.<domain>'),
      })
      .prefault({}),
    prometheus: protectedUi('prometheus'),
    alertmanager: protectedUi('alertmanager'),
    tls: z
      .strictObject({
        enabled: z.boolean().default(true).describe('serve HTTPS (and redirect HTTP to HTTPS)'),
        clusterIssuer: dnsLabel()
          .optional()
          .describe('cert-manager ClusterIssuer that issues the certificates (annotation cert-manager.io/cluster-issuer)'),
        issuer: dnsLabel()
          .optional()
          .describe('cert-manager Issuer in spec.namespace (annotation cert-manager.io/issuer); exclusive with clusterIssuer'),
        secretNames: z
          .strictObject({
            grafana: objectName().optional(),
            prometheus: objectName().optional(),
            alertmanager: objectName().optional(),
          })
          .prefault({})
          .describe('TLS Secret per host (cert-manager writes it); defaults to <ui>-tls'),
        createClusterIssuer: z
          .strictObject({
            name: dnsLabel().optional().describe('defaults to letsencrypt-<server>'),
            email: z.email({
              error: (i) => `expected an e-mail address for the ACME account (expiry notices), found ${JSON.stringify(i.input)}`,
            }),
            server: z
              .enum(['staging', 'production'], { error: (i) => `expected "staging" or "production", found ${JSON.stringify(i.input)}` })
              .default('staging')
              .describe("Let's Encrypt staging (untrusted test certificates, high rate limits) or production"),
          })
          .optional()
          .describe(
            'create an ACME ClusterIssuer (HTTP-01 through the ingress class, or the Gateway with spec.exposure: gateway); needs cert-manager installed',
          ),
        acmeHttp01: z
          .boolean()
          .optional()
          .describe(
            "the issuer answers ACME HTTP-01 challenges through the ingress controller, so the NetworkPolicies let it reach cert-manager's solver pods (port 8089); default true whenever cert-manager issues the certificates; false for a DNS-01 or non-ACME issuer",
          ),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    if (s.tls.clusterIssuer && s.tls.issuer) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'issuer'], message: 'set either tls.clusterIssuer or tls.issuer, not both' });
    }
    if (s.tls.createClusterIssuer) {
      const name = createdIssuerName(s.tls.createClusterIssuer);
      if (s.tls.issuer)
        ctx.addIssue({
          code: 'custom',
          path: ['tls', 'issuer'],
          message: 'tls.createClusterIssuer creates a ClusterIssuer: remove tls.issuer (tls.clusterIssuer defaults to the created one)',
        });
      if (s.tls.clusterIssuer && s.tls.clusterIssuer !== name) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls', 'clusterIssuer'],
          message: `tls.createClusterIssuer creates "${name}" but tls.clusterIssuer names "${s.tls.clusterIssuer}"; remove tls.clusterIssuer or make them equal`,
        });
      }
      if (!s.tls.enabled)
        ctx.addIssue({
          code: 'custom',
          path: ['tls', 'createClusterIssuer'],
          message: 'a ClusterIssuer is useless with tls.enabled: false',
        });
    }
    for (const ui of ['prometheus', 'alertmanager'] as const) {
      if (s[ui].enabled && !s[ui].host && !s.domain) {
        ctx.addIssue({
          code: 'custom',
          path: [ui, 'host'],
          message: `required when ${ui}.enabled is true and no spec.ingress.domain is set (e.g. "${ui}.example.com")`,
        });
      }
      if (!s[ui].enabled && s[ui].host) {
        ctx.addIssue({
          code: 'custom',
          path: [ui, 'enabled'],
          message: `${ui}.host is set but ${ui}.enabled is false: set enabled: true to expose ${ui}, or remove the host`,
        });
      }
    }
    if (!s.domain && !s.grafana.host && (s.prometheus.enabled || s.alertmanager.enabled)) {
      ctx.addIssue({
        code: 'custom',
        path: ['grafana', 'host'],
        message:
          "required when Prometheus or Alertmanager is exposed and no spec.ingress.domain is set: Grafana is the stack's main entry point",
      });
    }
  });

export type IngressSpec = z.output<typeof ingressSchema>;

const kubeSystem = { 'kubernetes.io/metadata.name': 'kube-system' };

export const networkPoliciesSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('default-deny NetworkPolicies in both namespaces plus the flows the stack needs (needs a CNI that enforces NetworkPolicy)'),
    ingressControllerNamespaceSelector: labelSelector()
      .optional()
      .describe(
        'labels of the namespace of the ingress controller or Gateway proxies, allowed to reach the exposed UIs; defaults from the controller: ingress-nginx -> namespace ingress-nginx, traefik -> kube-system (k3s), a Gateway -> its namespace; required with controller "other"',
      ),
    ingressControllerPodSelector: labelSelector()
      .optional()
      .describe(
        "labels of the controller's pods in that namespace; defaults: app.kubernetes.io/name ingress-nginx or traefik, gateway.networking.k8s.io/gateway-name of a created Gateway; otherwise every pod of the namespace",
      ),
    dnsNamespaceSelector: labelSelector().default(kubeSystem).describe('labels of the namespace of the cluster DNS (UDP and TCP 53)'),
    apiServerCidrs: z
      .array(peerCidr())
      .default([])
      .describe(
        'where the Kubernetes API server listens (443/6443); empty: any address except link-local on those ports, with a synth warning',
      ),
    nodeCidrs: z
      .array(peerCidr())
      .default([])
      .describe(
        'node addresses (exporters on the host network, kubelet 10250); empty: any address except link-local on those ports, with a synth warning',
      ),
    // One list for every remote store rather than one per URL: the ports stay per URL and per component, the
    // addresses of a store cannot be resolved at synth time anyway, and remote stores usually sit behind one
    // range (a peered VPC, an egress proxy, a provider's published ranges); a per-URL field would repeat in
    // five places (remoteWrite, its token URLs, loki.storage, loki.external, grafana.datasources).
    remoteCidrs: z
      .array(peerCidr())
      .default([])
      .describe(
        "addresses of the remote stores outside the cluster (remote write and its token endpoints, Loki object storage, an external Loki, Grafana datasource overrides), reached on each URL's port; in-cluster Service URLs (<svc>.<ns>.svc) open their namespace instead; empty: any address except link-local on those ports, with a synth warning",
      ),
  })
  .prefault({});

export type NetworkPoliciesSpec = z.output<typeof networkPoliciesSchema>;

/** The peer that reaches the exposed UIs: namespace and pod labels of the ingress controller or Gateway proxies. */
export interface ControllerPeer {
  readonly namespaceSelectors: Record<string, string>[];
  readonly podSelector?: Record<string, string>;
}

/**
 * Where the traffic of the exposed UIs comes from, for the NetworkPolicies:
 * the user's selectors, else the declared controller's own (ingress-nginx's
 * chart: namespace ingress-nginx; Traefik on k3s: kube-system, pods
 * app.kubernetes.io/name=traefik), else the Gateway's namespace (proxies of a
 * created Gateway carry gateway.networking.k8s.io/gateway-name, GEP-1762).
 * Undefined when it cannot be known (controller "other" without selectors).
 */
export function controllerPeer(spec: {
  namespace: string;
  exposure: ExposureMode;
  ingress: IngressSpec;
  networkPolicies: NetworkPoliciesSpec;
  gateway?: { parentRefs?: { name: string; namespace?: string }[]; create?: { name: string } };
}): ControllerPeer | undefined {
  const np = spec.networkPolicies;
  const ns = (name: string) => ({ 'kubernetes.io/metadata.name': name });
  let d: ControllerPeer | undefined;
  if (spec.exposure === 'gateway') {
    const g = spec.gateway ?? {};
    d = g.create
      ? { namespaceSelectors: [ns(spec.namespace)], podSelector: { 'gateway.networking.k8s.io/gateway-name': g.create.name } }
      : { namespaceSelectors: [...new Set((g.parentRefs ?? []).map((p) => p.namespace ?? spec.namespace))].map(ns) };
  } else {
    const c = ingressController(spec.ingress);
    if (c === 'ingress-nginx')
      d = { namespaceSelectors: [ns('ingress-nginx')], podSelector: { 'app.kubernetes.io/name': 'ingress-nginx' } };
    if (c === 'traefik') d = { namespaceSelectors: [ns('kube-system')], podSelector: { 'app.kubernetes.io/name': 'traefik' } };
  }
  if (np.ingressControllerNamespaceSelector) {
    return { namespaceSelectors: [np.ingressControllerNamespaceSelector], podSelector: np.ingressControllerPodSelector };
  }
  if (!d) return undefined;
  return np.ingressControllerPodSelector ? { ...d, podSelector: np.ingressControllerPodSelector } : d;
}

/** A peer CIDR: strict (cidrProblem), and never inside the link-local range (cloud metadata, 169.254.169.254). */
function peerCidr() {
  return cidr().refine((c) => !(/^169\.254\./.test(c) && Number(c.split('/')[1]) >= 16) && !/^fe[89ab][0-9a-f]?:/i.test(c), {
    error: (i) =>
      `${JSON.stringify(i.input)} is link-local (169.254.0.0/16 or fe80::/10, where the cloud metadata service answers): never a peer of the stack`,
  });
}

/** Whether cert-manager solves ACME HTTP-01 challenges for the stack's Ingresses (the solver needs a flow). */
export function usesAcmeHttp01(s: IngressSpec): boolean {
  const certManager = s.tls.createClusterIssuer !== undefined || s.tls.clusterIssuer !== undefined || s.tls.issuer !== undefined;
  return s.tls.enabled && certManager && s.tls.acmeHttp01 !== false && Object.keys(exposedHosts(s)).length > 0;
}

export const gitopsSchema = z
  .strictObject({
    argocd: z
      .strictObject({
        repoURL: z
          .string()
          .regex(/^(https?:\/\/|ssh:\/\/|git@)\S+$/, {
            error: (i) =>
              `expected a Git repository URL such as "https://git.example.com/platform/monitoring.git" or "git@git.example.com:platform/monitoring.git", found ${JSON.stringify(i.input)}`,
          })
          .describe('repository holding this project (credentials belong in an Argo CD repository Secret, never in the URL)'),
        targetRevision: z.string().min(1).default('HEAD').describe('branch, tag or commit to sync'),
        path: z
          .string()
          .regex(/^[^/\s][^\s]*$/, { error: 'expected a path relative to the repository root, such as "dist"' })
          .default('dist')
          .describe('folder of the synthesized manifests in the repository'),
        project: dnsLabel().default('default').describe('Argo CD AppProject'),
        namespace: dnsLabel().default('argocd').describe('namespace Argo CD runs in (where the Application lives)'),
        destination: z
          .strictObject({
            server: z.string().url().default('https://kubernetes.default.svc').describe('API server of the target cluster'),
            namespace: dnsLabel().optional().describe('defaults to spec.namespace'),
          })
          .prefault({}),
      })
      .optional()
      .describe('write gitops/argocd-application.yaml: an Argo CD Application syncing path from repoURL'),
  })
  .prefault({});

export type GitopsSpec = z.output<typeof gitopsSchema>;

/** The sections this file adds to `specSchema` (one spread line there). */
export const EXPOSURE_SECTIONS = {
  ingress: ingressSchema,
  networkPolicies: networkPoliciesSchema,
  gitops: gitopsSchema,
};

/** The name of the ClusterIssuer `createClusterIssuer` creates: its name, else `letsencrypt-<server>`. */
export function createdIssuerName(c: { readonly name?: string; readonly server: string }): string {
  return c.name ?? `letsencrypt-${c.server}`;
}

/** The cert-manager issuer of the exposed hosts' certificates: the named or created ClusterIssuer, else the Issuer. */
export function certIssuers(s: IngressSpec): { readonly clusterIssuer?: string; readonly issuer?: string } {
  const c = s.tls.createClusterIssuer;
  return { clusterIssuer: s.tls.clusterIssuer ?? (c ? createdIssuerName(c) : undefined), issuer: s.tls.issuer };
}

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
  return {
    ...grafana,
    domain: grafana.domain ?? host,
    rootUrl: grafana.rootUrl ?? (grafana.domain ? undefined : externalUrls(ingress).grafana),
  };
}

/** Checks across sections (called from specSchema's superRefine): Grafana's own host must match its Ingress. */
export function exposureCrossChecks(
  spec: {
    namespace: string;
    exposure: ExposureMode;
    ingress: IngressSpec;
    networkPolicies: NetworkPoliciesSpec;
    grafana?: { domain?: string };
  },
  ctx: z.RefinementCtx,
): void {
  if (spec.networkPolicies.enabled && Object.keys(exposedHosts(spec.ingress)).length > 0 && !controllerPeer(spec)) {
    ctx.addIssue({
      code: 'custom',
      path: ['networkPolicies', 'ingressControllerNamespaceSelector'],
      message: `required with spec.ingress.controller "other" (class ${spec.ingress.ingressClassName}): the labels of your controller's namespace (e.g. {kubernetes.io/metadata.name: ${spec.ingress.ingressClassName}}), so the NetworkPolicies let it reach the UIs`,
    });
  }
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
export const specSections = { exposure: exposureSchema, ingress: ingressSchema };
