/**
 * An exporter another stack already runs (the NVIDIA GPU Operator's GPU
 * exporter, kube-prometheus-stack's node-exporter or kube-state-metrics):
 * where Prometheus finds it. Used by the `external` section of the exporters'
 * spec sections (with their `exporter` / `mode: external`):
 * the stack then deploys no exporter of its own, scrapes that one under the
 * stack's job name (dashboards and alerts select on it), and lets Prometheus
 * reach it through a NetworkPolicy.
 */
import { z } from 'zod';
import { describe, dnsLabel, httpPath, labelSelector, port } from './formats';

export interface ExternalTargetDefaults {
  readonly namespace: string;
  readonly service?: string;
  readonly podSelector?: Record<string, string>;
  readonly port: string | number;
  readonly targetPort?: number;
  readonly hostNetwork?: boolean;
}

/** Where an external exporter is: a Service (its endpoints) or a pod selector, in one namespace, and the port. */
export function externalTargetSchema(d: ExternalTargetDefaults) {
  return z
    .strictObject({
      namespace: dnsLabel().default(d.namespace).describe('namespace the exporter runs in'),
      service: dnsLabel().optional().describe('its Service: every ready endpoint behind it is scraped (endpointslice discovery)'),
      selector: labelSelector().optional().describe('or the labels of its pods (pod discovery), when it has no Service'),
      podSelector: z
        .record(z.string(), z.string())
        .default(d.podSelector ?? {})
        .describe('labels of its pods, for the NetworkPolicy that lets Prometheus reach them ({}: any pod of the namespace)'),
      port: port()
        .default(d.port)
        .describe('the metrics port: its name or number on the Service (with service) or the container (with selector)'),
      targetPort: (d.targetPort !== undefined
        ? z.number().int().min(1).max(65535).default(d.targetPort)
        : z.number().int().min(1).max(65535).optional()
      ).describe(
        'container port number behind the metrics port, for the NetworkPolicy (unset with a named port: every port of the selected pods)',
      ),
      hostNetwork: z
        .boolean()
        .default(d.hostNetwork ?? false)
        .describe(
          "the exporter pods run on the host network (as node exporters do): Prometheus reaches them on the nodes' addresses (spec.networkPolicies.nodeCidrs)",
        ),
      scheme: z.enum(['http', 'https']).default('http'),
      path: httpPath().default('/metrics'),
    })
    .prefault(d.service ? { service: d.service } : {})
    .superRefine((t, ctx) => {
      if ((t.service === undefined) === (t.selector === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'set exactly one of service (scrape the endpoints of that Service) or selector (scrape the pods with these labels)',
        });
      }
      // Not a host-access exception of ours: the other stack's exporter is on the host network, so Prometheus' egress
      // NetworkPolicy names the node addresses and that port number.
      if (t.hostNetwork && typeof t.port !== 'number' && t.targetPort === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['port'],
          message: `when the exporter is on the host network give the port number, or targetPort (the NetworkPolicy to the nodes needs the number), found ${describe(t.port)}`,
        });
      }
    });
}

export type ExternalTarget = z.output<ReturnType<typeof externalTargetSchema>>;

/** `deploy` runs the exporter; `external` scrapes one that already runs (its `external` section). */
export const exporterModeSchema = () =>
  z
    .enum(['deploy', 'external'], {
      error: (i) =>
        `expected "deploy" (the stack runs the exporter) or "external" (scrape one that already runs, see the external section beside it), found ${describe(i.input)}`,
    })
    .default('deploy');
