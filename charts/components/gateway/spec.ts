/**
 * `spec.gateway` (with `spec.exposure: gateway`): where the HTTPRoutes of the
 * exposed UIs attach. Hosts and TLS come from `spec.ingress` (domain, hosts,
 * tls.*), shared by both exposure modes.
 *
 * Either `parentRefs` (your Gateway, e.g. a shared one in another namespace
 * whose listeners allow routes from spec.namespace) or `create` (the stack
 * creates a Gateway in spec.namespace: an HTTP listener redirecting to HTTPS
 * and one HTTPS listener per host whose certificate cert-manager's gateway-shim
 * issues from the cert-manager.io/(cluster-)issuer annotation).
 */
import { z } from 'zod';
import { dnsLabel } from '../../spec/formats';

const sectionName = () =>
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      error: (i) => `expected a listener name (lowercase letters, digits and "-"), found ${JSON.stringify(i.input)}`,
    })
    .max(253);

export const parentRefSchema = z.strictObject({
  name: dnsLabel().describe('Gateway name'),
  namespace: dnsLabel().optional().describe('Gateway namespace; defaults to spec.namespace'),
  sectionName: sectionName().optional().describe('listener to attach to (e.g. "https"); all listeners that allow the routes when unset'),
});

export const gatewaySchema = z
  .strictObject({
    parentRefs: z.array(parentRefSchema).min(1).optional().describe('attach the HTTPRoutes to your Gateway(s)'),
    create: z
      .strictObject({
        name: dnsLabel().default('monitoring').describe('name of the Gateway created in spec.namespace'),
        gatewayClassName: z.string().min(1).max(253).describe('GatewayClass of your Gateway API implementation (kubectl get gatewayclass)'),
      })
      .optional()
      .describe('create a Gateway for the stack (HTTPS listeners with cert-manager certificates, HTTP redirected to HTTPS)'),
  })
  .prefault({});

export type GatewaySpec = z.output<typeof gatewaySchema>;
export type ParentRefSpec = z.output<typeof parentRefSchema>;

/** Checks across sections, for spec.exposure: gateway. */
export function gatewayCrossChecks(
  spec: { exposure: string; gateway: GatewaySpec; ingress: { tls: { enabled: boolean } } },
  ctx: z.RefinementCtx,
): void {
  const g = spec.gateway;
  if (spec.exposure !== 'gateway') {
    if (g.parentRefs || g.create)
      ctx.addIssue({
        code: 'custom',
        path: ['gateway'],
        message: 'spec.gateway is set but spec.exposure is not "gateway": set exposure: gateway, or remove spec.gateway',
      });
    return;
  }
  if (!g.parentRefs && !g.create) {
    ctx.addIssue({
      code: 'custom',
      path: ['gateway'],
      message:
        'spec.exposure is "gateway": set gateway.parentRefs (your Gateway) or gateway.create.gatewayClassName (a Gateway for the stack)',
    });
  }
  if (g.parentRefs && g.create) {
    ctx.addIssue({ code: 'custom', path: ['gateway', 'create'], message: 'set either gateway.parentRefs or gateway.create, not both' });
  }
}

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { gateway: gatewaySchema };
