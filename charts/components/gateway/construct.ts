/**
 * Gateway API exposure (spec.exposure: gateway): one HTTPRoute per exposed UI
 * (the same hosts and Services as the Ingresses), attached to the Gateway
 * the user names (spec.gateway.parentRefs) or to one the stack creates
 * (spec.gateway.create).
 *
 * The created Gateway (gateway.networking.k8s.io/v1, standard channel v1.6.1):
 * - one HTTPS listener per host (`https-<ui>`, port 443, TLS terminated with
 *   the Secret <ui>-tls), whose certificate cert-manager's gateway-shim issues
 *   from the `cert-manager.io/cluster-issuer` (or `issuer`) annotation of the
 *   Gateway (cert-manager needs its Gateway API support on: `enableGatewayAPI`);
 * - one HTTP listener (`http`, port 80) that only carries the redirect
 *   HTTPRoute (301 to https) and cert-manager's HTTP-01 solver routes, whose
 *   Exact path match on /.well-known/acme-challenge/<token> wins over the
 *   redirect's `/` prefix.
 * Without TLS (spec.ingress.tls.enabled: false) it has the HTTP listener
 * only and the UI routes attach there.
 *
 * Prometheus and Alertmanager enforce basic auth themselves (spec.webAuth), so
 * no Gateway implementation can expose them without it. Every object needs
 * the Gateway API CRDs, hence the file dist/92-gateway.yaml (applied last).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode } from '../../../imports/gateway-gateway.networking.k8s.io';
import {
  HttpRoute, HttpRouteSpecRulesFiltersRequestRedirectScheme, HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesPathType, type HttpRouteSpecParentRefs,
} from '../../../imports/httproute-gateway.networking.k8s.io';
import type { StackContext } from '../../core/context';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { clusterIssuerName, tlsSecretName, UI_BACKENDS } from '../ingress/construct';
import { exposedHosts, type ExposedUi, type IngressSpec } from '../ingress/spec';
import type { GatewaySpec } from './spec';

export const HTTP_LISTENER = 'http';
/** A parentRef's group and kind as the CRD defaults them. */
const GATEWAY_REF = { group: 'gateway.networking.k8s.io', kind: 'Gateway' } as const;
export const httpsListener = (ui: ExposedUi): string => `https-${ui}`;

export interface GatewayRoutesProps {
  readonly context: StackContext;
  /** Hosts and TLS (shared with the Ingress mode). */
  readonly ingress: IngressSpec;
  readonly gateway: GatewaySpec;
}

/** The parentRefs of cert-manager's HTTP-01 solver routes (the ClusterIssuer's gatewayHTTPRoute solver). */
export function http01ParentRefs(namespace: string, g: GatewaySpec): { group: string; name: string; namespace: string; kind: 'Gateway'; sectionName?: string }[] {
  if (g.create) return [{ ...GATEWAY_REF, name: g.create.name, namespace, sectionName: HTTP_LISTENER }];
  // The user's listeners: sectionName dropped, so the solver route attaches to the HTTP one.
  return (g.parentRefs ?? []).map((p) => ({ ...GATEWAY_REF, name: p.name, namespace: p.namespace ?? namespace }));
}

export class GatewayRoutes extends Construct {
  /** UI -> host name of what this construct exposes. */
  public readonly hosts: Partial<Record<ExposedUi, string>>;
  public readonly routes: HttpRoute[] = [];
  public readonly gateway?: Gateway;

  constructor(scope: Construct, id: string, props: GatewayRoutesProps) {
    super(scope, id);
    const { context: ctx, ingress: spec, gateway: g } = props;
    this.hosts = exposedHosts(spec);
    const uis = Object.keys(this.hosts) as ExposedUi[];
    const tls = spec.tls.enabled;
    const labels = recommendedLabels({ name: 'gateway', instance: ctx.instance, component: 'gateway' });

    if (g.create) {
      const clusterIssuer = spec.tls.clusterIssuer ?? (spec.tls.createClusterIssuer ? clusterIssuerName(spec) : undefined);
      const annotations: Record<string, string> = {};
      if (tls && clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = clusterIssuer;
      else if (tls && spec.tls.issuer) annotations['cert-manager.io/issuer'] = spec.tls.issuer;
      const same = { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } };
      this.gateway = new Gateway(this, 'gateway', {
        metadata: { name: g.create.name, namespace: ctx.namespace, labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
          gatewayClassName: g.create.gatewayClassName,
          listeners: [
            { name: HTTP_LISTENER, protocol: 'HTTP', port: 80, allowedRoutes: same },
            ...(tls ? uis.map((ui) => ({
              name: httpsListener(ui),
              protocol: 'HTTPS',
              port: 443,
              hostname: this.hosts[ui],
              tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecretName(spec, ui) }] },
              allowedRoutes: same,
            })) : []),
          ],
        },
      });
    }

    // Every field the CRDs default is written out (group, kind, weight, the default match), so the live
    // objects equal these and a second apply changes nothing.
    const parentsOf = (ui: ExposedUi): HttpRouteSpecParentRefs[] => (g.create
      ? [{ ...GATEWAY_REF, name: g.create.name, sectionName: tls ? httpsListener(ui) : HTTP_LISTENER }]
      : (g.parentRefs ?? []).map((p) => ({ ...GATEWAY_REF, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.sectionName ? { sectionName: p.sectionName } : {}) })));

    for (const ui of uis) {
      const backend = UI_BACKENDS[ui];
      this.routes.push(new HttpRoute(this, ui, {
        metadata: { name: ui, namespace: ctx.namespace, labels: recommendedLabels({ name: ui, instance: ctx.instance, component: 'gateway' }) },
        spec: {
          parentRefs: parentsOf(ui),
          hostnames: [this.hosts[ui] as string],
          rules: [{
            matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
            backendRefs: [{ group: '', kind: 'Service', name: backend.service, port: backend.port, weight: 1 }],
          }],
        },
      }));
    }

    if (g.create && tls && uis.length) {
      this.routes.push(new HttpRoute(this, 'https-redirect', {
        metadata: { name: 'https-redirect', namespace: ctx.namespace, labels },
        spec: {
          parentRefs: [{ ...GATEWAY_REF, name: g.create.name, sectionName: HTTP_LISTENER }],
          hostnames: uis.map((ui) => this.hosts[ui] as string),
          rules: [{
            matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
            filters: [{
              type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
              requestRedirect: { scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301 },
            }],
          }],
        },
      }));
    }
  }
}

export interface GatewayProxyPolicyProps {
  readonly context: StackContext;
  /** The created Gateway's name (its proxies carry gateway.networking.k8s.io/gateway-name: <name>, GEP-1762). */
  readonly gatewayName: string;
  readonly hosts: Partial<Record<ExposedUi, string>>;
}

/**
 * A created Gateway lives in the stack namespace, under its default deny.
 * Implementations that run the proxy beside the Gateway (Istio, NGINX Gateway
 * Fabric, kgateway: GEP-1762 label gateway.networking.k8s.io/gateway-name)
 * would be cut off: this policy lets the world reach the proxy pods and the
 * proxies reach the exposed UIs. Implementations that run their proxies
 * elsewhere (Envoy Gateway's envoy-gateway-system, Cilium's node proxy) match
 * no pod here; spec.networkPolicies.ingressControllerNamespaceSelector/PodSelector
 * then name them for the UIs' policies.
 */
export class GatewayProxyPolicy extends Construct {
  constructor(scope: Construct, id: string, props: GatewayProxyPolicyProps) {
    super(scope, id);
    const { context: ctx } = props;
    const uis = Object.keys(props.hosts) as ExposedUi[];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: {
        name: `gateway-${props.gatewayName}`,
        namespace: ctx.namespace,
        labels: recommendedLabels({ name: 'network-policies', instance: ctx.instance, component: 'network-policy' }),
      },
      spec: {
        podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': props.gatewayName } },
        policyTypes: ['Ingress', 'Egress'],
        // The public entry point: any client, on the proxy's own ports (implementations map 80/443 differently).
        ingress: [{}],
        egress: uis.map((ui) => ({
          to: [{ podSelector: { matchLabels: selectorLabels(UI_BACKENDS[ui].service, ctx.instance) } }],
          ports: [{ port: k8s.IntOrString.fromNumber(UI_BACKENDS[ui].port), protocol: 'TCP' }],
        })),
      },
    });
  }
}
