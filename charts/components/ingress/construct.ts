/**
 * Ingresses (spec.exposure: ingress): one per exposed UI, in the stack
 * namespace, with any controller class.
 *
 * - Grafana (Service `grafana`, port 3000) whenever `spec.ingress.domain` or
 *   `spec.ingress.grafana.host` is set. Grafana has its own login.
 * - Prometheus (9090) and Alertmanager (9093) on request. They enforce basic
 *   auth themselves (spec.webAuth, charts/lib/web-auth.ts): nothing here
 *   depends on a controller honouring an annotation, so no controller can
 *   expose them without authentication.
 *
 * Portable part (every controller): ingressClassName, host rules, TLS
 * Secrets, cert-manager's ingress-shim annotation. Controller extras only for
 * the controller declared (spec.ingress.controller):
 * - ingress-nginx: HTTP->HTTPS redirect and long proxy timeouts (Grafana Live
 *   websockets, slow queries) as nginx.ingress.kubernetes.io annotations; the
 *   synth warns that ingress-nginx is retired (March 2026: no releases or
 *   security fixes);
 * - traefik: the HTTPS routers on the websecure entrypoint, and a second
 *   Ingress per host on the web entrypoint through a RedirectScheme Middleware
 *   (traefik.io/v1alpha1, dist/91-traefik-middlewares.yaml: it needs
 *   Traefik's CRD). A Traefik router with TLS never serves plain HTTP, so
 *   the redirect cannot ride on the same Ingress;
 * - other: nothing controller-specific (configure redirects in the
 *   controller; the synth says so).
 *
 * Backends are referenced by their fixed Service names, so an Ingress works
 * as soon as the component it fronts is deployed.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { recommendedLabels } from '../../core/labels';
import { COMPONENT_NAMES, PORTS } from '../../core/names';
import { Middleware } from '../../../imports/traefik.io';
import { createdIssuerName, exposedHosts, ingressController, type ExposedUi, type IngressController, type IngressSpec } from './spec';

/** The Service and port behind each UI (fixed names from the component table). */
export const UI_BACKENDS: Record<ExposedUi, { service: string; port: number }> = {
  grafana: { service: COMPONENT_NAMES.grafana, port: PORTS.grafana },
  prometheus: { service: COMPONENT_NAMES.prometheus, port: PORTS.prometheus },
  alertmanager: { service: COMPONENT_NAMES.alertmanager, port: PORTS.alertmanager },
};

/** Seconds ingress-nginx waits on the backend (long queries, Grafana Live websockets). */
export const PROXY_TIMEOUT_SECONDS = 300;

/** Traefik Middleware redirecting HTTP to HTTPS (with spec.ingress.controller: traefik). */
export const TRAEFIK_REDIRECT_MIDDLEWARE = 'redirect-https';

/** ingress-nginx is retired: said once per synth that uses it. */
export const INGRESS_NGINX_RETIRED =
  'spec.ingress.controller is ingress-nginx, which the Kubernetes project retired in March 2026 (no releases or security fixes since): move to spec.exposure: gateway, or to a maintained controller such as Traefik (spec.ingress.controller: traefik)';

/** What the synth tells the user about the declared controller (ComponentDef.warnings). */
export function ingressWarnings(spec: IngressSpec): string[] {
  if (Object.keys(exposedHosts(spec)).length === 0) return [];
  const controller = ingressController(spec);
  if (controller === 'ingress-nginx') return [INGRESS_NGINX_RETIRED];
  if (controller === 'other' && spec.tls.enabled) {
    return [
      `spec.ingress.controller is "other" (class ${spec.ingressClassName}): the Ingresses carry no controller-specific annotations, so configure the HTTP->HTTPS redirect (and timeouts for Grafana Live) in the controller itself`,
    ];
  }
  return [];
}

/**
 * One Ingress per exposed UI, for any controller class. Nothing of the stack's spec: the stack maps `spec.ingress`
 * onto these in one step (`ingressesProps`, index.ts).
 */
export interface IngressesProps {
  /** Namespace of the Ingresses: where the UIs' Services are. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** UI -> host name; a UI left out is not exposed. */
  readonly hosts: Readonly<Partial<Record<ExposedUi, string>>>;
  /** IngressClass of the controller. @default 'nginx' */
  readonly ingressClassName?: string;
  /** The controller behind the class, for its own extras. @default from the class name: nginx -> ingress-nginx, traefik -> traefik, else other */
  readonly controller?: IngressController;
  /** Serve HTTPS (TLS Secrets per host) and redirect HTTP to HTTPS. @default true */
  readonly tls?: boolean;
  /** TLS Secret per UI (cert-manager writes it). @default `<ui>-tls` */
  readonly tlsSecretNames?: Readonly<Partial<Record<ExposedUi, string>>>;
  /** cert-manager ClusterIssuer (annotation cert-manager.io/cluster-issuer). @default none */
  readonly clusterIssuer?: string;
  /** Or a cert-manager Issuer in `namespace` (annotation cert-manager.io/issuer). @default none */
  readonly issuer?: string;
  /** The chart of the Traefik Middleware (a CRD-dependent file); required with controller traefik and TLS. @default none */
  readonly middlewareScope?: Construct;
}

export class Ingresses extends Construct {
  /** UI -> host name of what this construct exposes. */
  public readonly hosts: Partial<Record<ExposedUi, string>>;
  public readonly ingresses: k8s.KubeIngress[] = [];

  constructor(scope: Construct, id: string, props: IngressesProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    this.hosts = { ...props.hosts };
    const className = props.ingressClassName ?? 'nginx';
    const controller = props.controller ?? ingressController({ ingressClassName: className });
    const tls = props.tls ?? true;
    const traefikRedirect = controller === 'traefik' && tls && Object.keys(this.hosts).length > 0;
    if (traefikRedirect) {
      if (!props.middlewareScope)
        throw new Error(
          'Ingresses: spec.ingress.controller traefik with TLS needs middlewareScope (the chart of dist/91-traefik-middlewares.yaml)',
        );
      new Middleware(props.middlewareScope, 'redirect-https', {
        metadata: {
          name: TRAEFIK_REDIRECT_MIDDLEWARE,
          namespace: ns,
          labels: recommendedLabels({ name: 'ingress', instance, component: 'ingress' }),
        },
        spec: { redirectScheme: { scheme: 'https', permanent: true } },
      });
    }
    const traefikRef = `${ns}-${TRAEFIK_REDIRECT_MIDDLEWARE}@kubernetescrd`;

    for (const ui of Object.keys(this.hosts) as ExposedUi[]) {
      const host = this.hosts[ui] as string;
      const backend = UI_BACKENDS[ui];
      const rules = [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: backend.service, port: { number: backend.port } } },
              },
            ],
          },
        },
      ];
      const labels = recommendedLabels({ name: ui, instance, component: 'ingress' });
      this.ingresses.push(
        new k8s.KubeIngress(this, ui, {
          metadata: { name: ui, namespace: ns, labels, annotations: ingressAnnotations(controller, tls, props) },
          spec: {
            ingressClassName: className,
            ...(tls ? { tls: [{ hosts: [host], secretName: props.tlsSecretNames?.[ui] ?? `${ui}-tls` }] } : {}),
            rules,
          },
        }),
      );
      if (traefikRedirect) {
        // Plain HTTP on the web entrypoint: redirected before any backend is asked (the backend only satisfies the API).
        this.ingresses.push(
          new k8s.KubeIngress(this, `${ui}-http`, {
            metadata: {
              name: `${ui}-http-redirect`,
              namespace: ns,
              labels,
              annotations: {
                'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
                'traefik.ingress.kubernetes.io/router.middlewares': traefikRef,
              },
            },
            spec: { ingressClassName: className, rules },
          }),
        );
      }
    }
  }
}

/** The controller's annotations of a UI's Ingress (timeouts, redirects, entrypoints) and cert-manager's issuer. */
function ingressAnnotations(
  controller: IngressController,
  tls: boolean,
  props: Pick<IngressesProps, 'clusterIssuer' | 'issuer'>,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (controller === 'ingress-nginx') {
    annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'] = String(PROXY_TIMEOUT_SECONDS);
    annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'] = String(PROXY_TIMEOUT_SECONDS);
  }
  if (!tls) return annotations;
  if (controller === 'ingress-nginx') {
    annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = 'true';
    // Also redirect when TLS ends at a load balancer in front of the controller.
    annotations['nginx.ingress.kubernetes.io/force-ssl-redirect'] = 'true';
  }
  if (controller === 'traefik') {
    annotations['traefik.ingress.kubernetes.io/router.entrypoints'] = 'websecure';
    annotations['traefik.ingress.kubernetes.io/router.tls'] = 'true';
  }
  if (props.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = props.clusterIssuer;
  else if (props.issuer) annotations['cert-manager.io/issuer'] = props.issuer;
  return annotations;
}

/** The TLS Secret of a UI's host: `spec.ingress.tls.secretNames.<ui>`, default `<ui>-tls`. */
export function tlsSecretName(spec: IngressSpec, ui: ExposedUi): string {
  return spec.tls.secretNames[ui] ?? `${ui}-tls`;
}

/** The name of the ClusterIssuer `createClusterIssuer` creates. */
export function clusterIssuerName(spec: IngressSpec): string {
  const c = spec.tls.createClusterIssuer;
  if (!c) throw new Error('spec.ingress.tls.createClusterIssuer is not set');
  return createdIssuerName(c);
}
