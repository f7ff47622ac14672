/** Registry entry: Grafana with its datasources and the dashboards the stack builds (provided as "dashboards"). */
import { remoteFlow, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { grafanaUrlDefaults } from '../ingress/spec';
import { stackProps, type StackContext } from '../../core/context';
import { Grafana, GrafanaDashboards, type GrafanaProps } from './construct';
import { grafanaPersistence } from './spec';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec to the construct's props (domain and root URL from its Ingress when exposed). */
export function grafanaProps(spec: Spec, context: StackContext): Omit<GrafanaProps, 'prometheus' | 'loki' | 'alertmanager' | 'dashboards'> {
  const g = grafanaUrlDefaults(spec.grafana, spec.ingress);
  return {
    ...stackProps(context),
    image: g.image,
    domain: g.domain,
    rootUrl: g.rootUrl,
    adminSecret: g.adminSecret,
    secretKeyRef: g.secretKeyRef,
    persistence: grafanaPersistence(g.persistence),
    theme: g.theme,
    resources: g.resources,
    datasources: g.datasources,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'grafana',
  workload: true,
  image: 'grafana',
  files: ['40-grafana', '41-grafana-dashboards'],
  ports: { http: PORTS.grafana },
  jobs: [JOBS.grafana],
  ui: { service: 'grafana', port: PORTS.grafana },
  flows: [
    { from: 'grafana', to: 'prometheus', ports: tcp(PORTS.prometheus), why: 'Prometheus datasource' },
    { from: 'grafana', to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'Loki datasource' },
    { from: 'grafana', to: 'alertmanager', ports: tcp(PORTS.alertmanager), why: 'Alertmanager datasource (alerts, silences)' },
    { from: 'prometheus', to: 'grafana', ports: tcp(PORTS.grafana), why: 'scrape' },
  ],
  enabled: (spec) => spec.grafana.enabled,
  // Egress to the datasource overrides (central query URLs) and to an external Loki's query URL.
  specFlows: (spec) => {
    const ds = spec.grafana.datasources;
    const ext = spec.loki.mode === 'external' && !ds.loki ? spec.loki.external : undefined;
    return [
      ...(['prometheus', 'loki', 'alertmanager'] as const).flatMap((k) => {
        const o = ds[k];
        return o ? [remoteFlow('grafana', o.url, `${k} datasource (spec.grafana.datasources.${k}.url)`)] : [];
      }),
      ...(ext
        ? [
            remoteFlow(
              'grafana',
              ext.queryUrl ?? ext.pushUrl,
              `Loki datasource (spec.loki.external.${ext.queryUrl ? 'queryUrl' : 'pushUrl'})`,
            ),
          ]
        : []),
    ];
  },
  specChecks: (spec, ctx) => {
    // Scale-out (issue 12): an agent cannot answer queries; overrides read remote stores.
    const ds = spec.grafana.datasources;
    if (spec.grafana.enabled && spec.prometheus.mode === 'agent' && !ds.prometheus) {
      ctx.addIssue({
        code: 'custom',
        path: ['grafana', 'datasources', 'prometheus'],
        message:
          "Prometheus in agent mode answers no queries: set the central store's query URL (e.g. https://mimir.example.com/prometheus)",
      });
    }
    if (spec.grafana.enabled && spec.loki.mode === 'external' && !ds.loki && !spec.loki.external?.queryUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['grafana', 'datasources', 'loki'],
        message: 'Loki is external: set its query URL (and auth) here, or spec.loki.external.queryUrl',
      });
    }
    if ((ds.prometheus || ds.loki || ds.alertmanager) && !spec.cluster) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: "required with spec.grafana.datasources: the dashboards' cluster variable selects this cluster in the shared store",
      });
    }
  },
  build: ({ chart, context, spec, prometheus, offered }) => {
    const dashboards = new GrafanaDashboards(chart('41-grafana-dashboards', 'grafana-dashboards'), 'grafana-dashboards', {
      namespace: context.namespace,
      instance: context.instance,
      dashboards: offered('dashboards') ?? [],
    });
    return new Grafana(chart('40-grafana', 'grafana'), 'grafana', {
      ...grafanaProps(spec, context),
      prometheus,
      dashboards,
      loki: offered('logPush'),
      alertmanager: offered('alertApi'),
    });
  },
};
