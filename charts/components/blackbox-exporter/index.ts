/**
 * Registry entry: the blackbox exporter (probes of the declared services and
 * the Ingress hosts, TLS certificate expiry, cert-manager's certificates).
 * Everything it owns lives in this folder: spec section, construct and
 * module config, scrape jobs, flows, alerts with their promtool tests,
 * metric catalog and dashboard.
 */
import { ext, tcp, type ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import { durationMs } from '../../spec/formats';
import type { StackContext } from '../../core/context';
import { exposedHosts } from '../ingress/spec';
import { BLACKBOX_JOBS, BLACKBOX_NAME, BLACKBOX_PORT, BlackboxExporter, type BlackboxExporterProps } from './construct';
import { catalog, probesDashboard } from './dashboards';
import { blackboxEnabled, certManagerEnabled } from './enabled';
import { blackboxRules } from './rules';

export * from './construct';
export * from './spec';
export { certManagerEnabled } from './enabled';

/** The typed step from the parsed spec to the construct's props (everything defaulted by the schema is set). */
export function blackboxExporterProps(spec: Spec, context: StackContext): Omit<BlackboxExporterProps, 'prometheus'> {
  const b = spec.blackboxExporter;
  return {
    namespace: context.namespace,
    instance: context.instance,
    image: b.image,
    resources: b.resources,
    interval: b.interval,
    timeout: b.timeout,
    services: spec.services,
    servicePaths: b.servicePaths,
    // The exposed hosts, whichever exposes them (the Ingresses or the Gateway API HTTPRoutes): the same hosts.
    ingressHosts: exposedHosts(spec.ingress),
    tls: spec.ingress.tls.enabled,
    certManager: certManagerEnabled(spec) ? b.certManager : undefined,
  };
}

export const component: ComponentDef<Spec> = {
  name: BLACKBOX_NAME,
  workload: true,
  image: 'blackboxExporter',
  files: ['14-blackbox-exporter'],
  ports: { http: BLACKBOX_PORT },
  // Scrape job names; the services' probe jobs are named per group (blackbox-services/<namespace>/<port>) and carry job="blackbox-services".
  jobs: [BLACKBOX_JOBS.exporter, BLACKBOX_JOBS.ingress, BLACKBOX_JOBS.certManager],
  ruleAreas: [blackboxRules],
  catalog,
  dashboards: [probesDashboard],
  flows: [
    { from: 'prometheus', to: BLACKBOX_NAME, ports: tcp(BLACKBOX_PORT), why: 'probe requests (/probe) and its own metrics' },
    { from: BLACKBOX_NAME, to: ext('user-services'), ports: [], why: "HTTP probes of the declared services' pods" },
    {
      from: BLACKBOX_NAME,
      to: ext('ingress-controller'),
      ports: tcp(80, 443),
      why: 'probes of the Ingress hosts when they resolve to the controller inside the cluster',
    },
    {
      from: BLACKBOX_NAME,
      to: ext('internet'),
      ports: tcp(80, 443),
      why: 'probes of the Ingress hosts through their public address, as users reach them',
    },
    {
      from: BLACKBOX_NAME,
      to: ext('dns'),
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
      why: 'resolves the probed host names',
    },
  ],
  enabled: blackboxEnabled,
  specChecks: (spec, ctx) => {
    const b = spec.blackboxExporter;
    const names = new Set(spec.services.map((s) => s.name));
    for (const name of Object.keys(b.servicePaths)) {
      if (!names.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['blackboxExporter', 'servicePaths', name],
          message: `no service "${name}" in spec.services (declared: ${[...names].join(', ') || 'none'}); use a spec.services[].name`,
        });
      }
    }
    if ((durationMs(b.timeout) ?? 0) > (durationMs(b.interval) ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['blackboxExporter', 'timeout'],
        message: `must not exceed blackboxExporter.interval (${b.interval}), found "${b.timeout}"`,
      });
    }
  },
  build: ({ chart, context, spec, prometheus }) =>
    new BlackboxExporter(chart('14-blackbox-exporter', BLACKBOX_NAME), BLACKBOX_NAME, {
      ...blackboxExporterProps(spec, context),
      prometheus,
    }),
};
