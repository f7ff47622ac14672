/**
 * Ingresses: one per exposed UI, in the stack namespace.
 *
 * - Grafana (Service `grafana`, port 3000) whenever `spec.ingress.domain` or
 *   `spec.ingress.grafana.host` is set. Grafana has its own login.
 * - Prometheus (9090) and Alertmanager (9093) on request, always behind
 *   ingress-nginx basic auth: neither has a login of its own, and both can
 *   change state (silences, admin endpoints are off but reload is on).
 *
 * TLS: a per-host Secret that cert-manager's ingress-shim fills when the
 * `cert-manager.io/cluster-issuer` (or `issuer`) annotation is present;
 * without an issuer the Secret must be created by hand. HTTP is redirected
 * to HTTPS. Websockets (Grafana Live) need nothing special with
 * ingress-nginx, which forwards `Upgrade` headers by default; the long
 * read/send timeouts keep those connections and slow queries open.
 *
 * Backends are referenced by their fixed Service names, so an Ingress works
 * as soon as the component it fronts is deployed.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { StackContext } from '../../core/context';
import { recommendedLabels } from '../../core/labels';
import { COMPONENT_NAMES, PORTS } from '../../core/names';
import { ExposedUi, exposedHosts, IngressSpec } from './spec';

/** The Service and port behind each UI (fixed names from the component table). */
export const UI_BACKENDS: Record<ExposedUi, { service: string; port: number }> = {
  grafana: { service: COMPONENT_NAMES.grafana, port: PORTS.grafana },
  prometheus: { service: COMPONENT_NAMES.prometheus, port: PORTS.prometheus },
  alertmanager: { service: COMPONENT_NAMES.alertmanager, port: PORTS.alertmanager },
};

/** Seconds ingress-nginx waits on the backend (long queries, Grafana Live websockets). */
export const PROXY_TIMEOUT_SECONDS = 300;

export interface IngressesProps {
  readonly context: StackContext;
  readonly spec: IngressSpec;
}

export class Ingresses extends Construct {
  /** UI -> host name of what this construct exposes. */
  public readonly hosts: Partial<Record<ExposedUi, string>>;
  public readonly ingresses: k8s.KubeIngress[] = [];

  constructor(scope: Construct, id: string, props: IngressesProps) {
    super(scope, id);
    const { context: ctx, spec } = props;
    this.hosts = exposedHosts(spec);
    const clusterIssuer = spec.tls.clusterIssuer
      ?? (spec.tls.createClusterIssuer ? clusterIssuerName(spec) : undefined);

    for (const ui of Object.keys(this.hosts) as ExposedUi[]) {
      const host = this.hosts[ui] as string;
      const backend = UI_BACKENDS[ui];
      const annotations: Record<string, string> = {
        'nginx.ingress.kubernetes.io/proxy-read-timeout': String(PROXY_TIMEOUT_SECONDS),
        'nginx.ingress.kubernetes.io/proxy-send-timeout': String(PROXY_TIMEOUT_SECONDS),
      };
      if (spec.tls.enabled) {
        annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = 'true';
        // Also redirect when TLS ends at a load balancer in front of the controller.
        annotations['nginx.ingress.kubernetes.io/force-ssl-redirect'] = 'true';
        if (clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = clusterIssuer;
        else if (spec.tls.issuer) annotations['cert-manager.io/issuer'] = spec.tls.issuer;
      }
      if (ui !== 'grafana') {
        annotations['nginx.ingress.kubernetes.io/auth-type'] = 'basic';
        annotations['nginx.ingress.kubernetes.io/auth-secret'] = spec[ui].basicAuthSecretName;
        annotations['nginx.ingress.kubernetes.io/auth-secret-type'] = 'auth-file';
        annotations['nginx.ingress.kubernetes.io/auth-realm'] = ui === 'prometheus' ? 'Prometheus' : 'Alertmanager';
      }
      this.ingresses.push(new k8s.KubeIngress(this, ui, {
        metadata: {
          name: ui,
          namespace: ctx.namespace,
          labels: recommendedLabels({ name: ui, instance: ctx.instance, component: 'ingress' }),
          annotations,
        },
        spec: {
          ingressClassName: spec.ingressClassName,
          ...(spec.tls.enabled ? { tls: [{ hosts: [host], secretName: tlsSecretName(spec, ui) }] } : {}),
          rules: [{
            host,
            http: {
              paths: [{
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: backend.service, port: { number: backend.port } } },
              }],
            },
          }],
        },
      }));
    }
  }
}

/** The TLS Secret of a UI's host: `spec.ingress.tls.secretNames.<ui>`, default `<ui>-tls`. */
export function tlsSecretName(spec: IngressSpec, ui: ExposedUi): string {
  return spec.tls.secretNames[ui] ?? `${ui}-tls`;
}

/** The name of the ClusterIssuer `createClusterIssuer` creates. */
export function clusterIssuerName(spec: IngressSpec): string {
  const c = spec.tls.createClusterIssuer;
  if (!c) throw new Error('spec.ingress.tls.createClusterIssuer is not set');
  return c.name ?? `letsencrypt-${c.server}`;
}
