/** Registry entry: Grafana with its datasources and the dashboards the stack builds (provided as "dashboards"). */
import { tcp, type ComponentDef, type IEndpoint } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { grafanaUrlDefaults } from '../ingress/spec';
import { Grafana, GrafanaDashboards, type GrafanaDashboardsProps } from './construct';

export * from './construct';
export * from './spec';

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
  build: ({ chart, context, spec, prometheus, get, lookup }) => {
    const dashboards = new GrafanaDashboards(chart('41-grafana-dashboards', 'grafana-dashboards'), 'grafana-dashboards', {
      context, dashboards: lookup<GrafanaDashboardsProps['dashboards']>('dashboards') ?? [],
    });
    return new Grafana(chart('40-grafana', 'grafana'), 'grafana', {
      context, spec: grafanaUrlDefaults(spec.grafana, spec.ingress), prometheus, dashboards,
      loki: get<IEndpoint>('loki'),
      alertmanager: get<IEndpoint>('alertmanager'),
    });
  },
};
