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
import {
  Gateway,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
} from '../../../imports/gateway-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesPathType,
  type HttpRouteSpecParentRefs,
} from '../../../imports/httproute-gateway.networking.k8s.io';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { UI_BACKENDS } from '../ingress/construct';

/** A UI the routes may expose: grafana, prometheus or alertmanager (their Services: UI_BACKENDS). */
export type ExposedUi = keyof typeof UI_BACKENDS;

export const HTTP_LISTENER = 'http';
/** A parentRef's group and kind as the CRD defaults them. */
const GATEWAY_REF = { group: 'gateway.networking.k8s.io', kind: 'Gateway' } as const;
export const httpsListener = (ui: ExposedUi): string => `https-${ui}`;

/** A Gateway (listener) the HTTPRoutes attach to. */
export interface GatewayParentRef {
  readonly name: string;
  /** @default the routes' namespace */
  readonly namespace?: string;
  /** Listener to attach to. @default every listener that allows the routes */
  readonly sectionName?: string;
}

/** The Gateway the stack creates: an HTTP listener (redirect, ACME challenges) and one HTTPS listener per host. */
export interface CreatedGateway {
  readonly name: string;
  /** GatewayClass of your Gateway API implementation (kubectl get gatewayclass). */
  readonly gatewayClassName: string;
}

/**
 * One HTTPRoute per exposed UI, attached to your Gateway (`parentRefs`) or to one created here (`create`): set exactly
 * one. Nothing of the stack's spec: the stack maps `spec.ingress` and `spec.gateway` onto these (`gatewayRoutesProps`, index.ts).
 */
export interface GatewayRoutesProps {
  /** Namespace of the routes (and of the created Gateway): where the UIs' Services are. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** UI -> host name; a UI left out is not exposed. */
  readonly hosts: Readonly<Partial<Record<ExposedUi, string>>>;
  /** HTTPS listeners (certificates from cert-manager) and an HTTP->HTTPS redirect on the created Gateway. @default true */
  readonly tls?: boolean;
  /** TLS Secret per UI (cert-manager writes it). @default `<ui>-tls` */
  readonly tlsSecretNames?: Readonly<Partial<Record<ExposedUi, string>>>;
  /** cert-manager ClusterIssuer of the created Gateway's certificates (annotation cert-manager.io/cluster-issuer). @default none */
  readonly clusterIssuer?: string;
  /** Or a cert-manager Issuer in `namespace` (annotation cert-manager.io/issuer). @default none */
  readonly issuer?: string;
  /** Attach the routes to these Gateways. @default none: `create` must be set */
  readonly parentRefs?: readonly GatewayParentRef[];
  /** Create a Gateway in `namespace` for the routes. @default none: `parentRefs` must be set */
  readonly create?: CreatedGateway;
}

/** The parentRefs of cert-manager's HTTP-01 solver routes (the ClusterIssuer's gatewayHTTPRoute solver). */
export function http01ParentRefs(
  namespace: string,
  g: { readonly create?: CreatedGateway; readonly parentRefs?: readonly GatewayParentRef[] },
): { group: string; name: string; namespace: string; kind: 'Gateway'; sectionName?: string }[] {
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
    if (Boolean(props.create) === Boolean(props.parentRefs))
      throw new Error('GatewayRoutes: set exactly one of parentRefs (your Gateway) or create (a Gateway for the routes)');
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    this.hosts = { ...props.hosts };
    const uis = Object.keys(this.hosts) as ExposedUi[];
    const tls = props.tls ?? true;
    const labels = recommendedLabels({ name: 'gateway', instance, component: 'gateway' });
    const create = props.create;
    if (create) this.gateway = this.createGateway(props, create, { uis, tls, labels });

    // Every field the CRDs default is written out (group, kind, weight, the default match), so the live
    // objects equal these and a second apply changes nothing.
    const parentsOf = (ui: ExposedUi): HttpRouteSpecParentRefs[] =>
      create
        ? [{ ...GATEWAY_REF, name: create.name, sectionName: tls ? httpsListener(ui) : HTTP_LISTENER }]
        : (props.parentRefs ?? []).map((p) => ({
            ...GATEWAY_REF,
            name: p.name,
            ...(p.namespace ? { namespace: p.namespace } : {}),
            ...(p.sectionName ? { sectionName: p.sectionName } : {}),
          }));

    for (const ui of uis) {
      const backend = UI_BACKENDS[ui];
      this.routes.push(
        new HttpRoute(this, ui, {
          metadata: { name: ui, namespace: ns, labels: recommendedLabels({ name: ui, instance, component: 'gateway' }) },
          spec: {
            parentRefs: parentsOf(ui),
            hostnames: [this.hosts[ui] as string],
            rules: [
              {
                matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
                backendRefs: [{ group: '', kind: 'Service', name: backend.service, port: backend.port, weight: 1 }],
              },
            ],
          },
        }),
      );
    }

    if (create && tls && uis.length) {
      this.routes.push(
        new HttpRoute(this, 'https-redirect', {
          metadata: { name: 'https-redirect', namespace: ns, labels },
          spec: {
            parentRefs: [{ ...GATEWAY_REF, name: create.name, sectionName: HTTP_LISTENER }],
            hostnames: uis.map((ui) => this.hosts[ui] as string),
            rules: [
              {
                matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
                filters: [
                  {
                    type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                    requestRedirect: {
                      scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                      statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                    },
                  },
                ],
              },
            ],
          },
        }),
      );
    }
  }

  /** The created Gateway: the HTTP listener, and with TLS one HTTPS listener per host. */
  private createGateway(
    props: GatewayRoutesProps,
    create: CreatedGateway,
    o: { uis: ExposedUi[]; tls: boolean; labels: Record<string, string> },
  ): Gateway {
    const annotations: Record<string, string> = {};
    if (o.tls && props.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = props.clusterIssuer;
    else if (o.tls && props.issuer) annotations['cert-manager.io/issuer'] = props.issuer;
    const same = { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } };
    return new Gateway(this, 'gateway', {
      metadata: {
        name: create.name,
        namespace: props.namespace,
        labels: o.labels,
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      spec: {
        gatewayClassName: create.gatewayClassName,
        listeners: [
          { name: HTTP_LISTENER, protocol: 'HTTP', port: 80, allowedRoutes: same },
          ...(o.tls
            ? o.uis.map((ui) => ({
                name: httpsListener(ui),
                protocol: 'HTTPS',
                port: 443,
                hostname: this.hosts[ui],
                tls: {
                  mode: GatewaySpecListenersTlsMode.TERMINATE,
                  certificateRefs: [{ group: '', kind: 'Secret', name: props.tlsSecretNames?.[ui] ?? `${ui}-tls` }],
                },
                allowedRoutes: same,
              }))
            : []),
        ],
      },
    });
  }
}

export interface GatewayProxyPolicyProps {
  /** Namespace of the created Gateway (and of the UIs' pods). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of the policy and of the UIs' pods. @default 'monitoring' */
  readonly instance?: string;
  /** The created Gateway's name (its proxies carry gateway.networking.k8s.io/gateway-name: <name>, GEP-1762). */
  readonly gatewayName: string;
  /** The exposed UIs (UI -> host): the proxies may reach these. */
  readonly hosts: Readonly<Partial<Record<ExposedUi, string>>>;
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
    const instance = props.instance ?? 'monitoring';
    const uis = Object.keys(props.hosts) as ExposedUi[];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: {
        name: `gateway-${props.gatewayName}`,
        namespace: props.namespace,
        labels: recommendedLabels({ name: 'network-policies', instance, component: 'network-policy' }),
      },
      spec: {
        podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': props.gatewayName } },
        policyTypes: ['Ingress', 'Egress'],
        // The public entry point: any client, on the proxy's own ports (implementations map 80/443 differently).
        ingress: [{}],
        egress: uis.map((ui) => ({
          to: [{ podSelector: { matchLabels: selectorLabels(UI_BACKENDS[ui].service, instance) } }],
          ports: [{ port: k8s.IntOrString.fromNumber(UI_BACKENDS[ui].port), protocol: 'TCP' }],
        })),
      },
    });
  }
}
