/**
 * `spec.blackboxExporter`: probes from inside the cluster. Every declared
 * service's HTTP endpoint and every Ingress host (over HTTPS when TLS is on)
 * is probed by the blackbox exporter; an endpoint down and a TLS certificate
 * close to expiry alert. When the stack uses cert-manager (an Issuer or
 * ClusterIssuer on the Ingresses), cert-manager's own metrics are scraped too
 * (certificates not ready, not renewed).
 */
import { z } from 'zod';
import { dnsLabel, duration, httpPath, labelSelector, port } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { BLACKBOX_INTERVAL, BLACKBOX_RESOURCES, BLACKBOX_TIMEOUT } from './construct';

const days = (def: number, what: string) =>
  z
    .number({ error: (i) => `expected a number of days, found ${JSON.stringify(i.input)}` })
    .positive({ error: 'must be above 0' })
    .default(def)
    .describe(what);

export function blackboxExporterSchema() {
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          'deploy the blackbox exporter: probe the declared services and the Ingress hosts, alert on endpoints down and TLS certificates expiring',
        ),
      image: imageSchema().optional().describe('override the pinned image'),
      resources: resourcesSchema(BLACKBOX_RESOURCES),
      interval: duration().default(BLACKBOX_INTERVAL).describe('probe interval (the scrape interval of the probe jobs)'),
      timeout: duration()
        .default(BLACKBOX_TIMEOUT)
        .describe('probe timeout: the module timeout and the scrape timeout; at most the interval'),
      servicePaths: z
        .record(dnsLabel(), httpPath())
        .default({})
        .describe(
          "HTTP path probed per declared service (by spec.services[].name), e.g. { vllm: /health }; default: the service's metrics path",
        ),
      alerts: z
        .strictObject({
          downFor: duration().default('5m').describe('how long a probe fails before BlackboxProbeFailed fires'),
          certificateWarningDays: days(
            14,
            'TlsCertificateExpiringSoon (warning) fires when a probed certificate expires within this many days',
          ),
          certificateCriticalDays: days(
            3,
            'TlsCertificateExpiringSoon (critical) fires when a probed certificate expires within this many days',
          ),
        })
        .prefault({}),
      certManager: z
        .strictObject({
          enabled: z
            .boolean()
            .optional()
            .describe(
              "scrape cert-manager's controller metrics; default: when the Ingresses use cert-manager (tls.clusterIssuer, tls.issuer or tls.createClusterIssuer)",
            ),
          namespace: dnsLabel().default('cert-manager').describe('namespace cert-manager runs in'),
          selector: labelSelector()
            .default({ 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' })
            .describe("labels of the cert-manager controller pods (the Helm chart's defaults)"),
          port: port().default(9402).describe('controller metrics port (9402 in the Helm chart)'),
          renewalGrace: duration()
            .default('1h')
            .describe('CertManagerCertificateNotRenewed fires when a certificate is still not renewed this long after its renewal time'),
        })
        .prefault({}),
    })
    .prefault({})
    .superRefine((s, ctx) => {
      if (s.alerts.certificateCriticalDays >= s.alerts.certificateWarningDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['alerts', 'certificateCriticalDays'],
          message: `must be below alerts.certificateWarningDays (${s.alerts.certificateWarningDays}): the warning has to fire first`,
        });
      }
    });
}

export type BlackboxExporterSpec = z.output<ReturnType<typeof blackboxExporterSchema>>;

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { blackboxExporter: blackboxExporterSchema() };
