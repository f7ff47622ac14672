/** MySQL / MariaDB (mysqld_exporter): the Twitch seed's connections, QPS, slow queries and buffer pool queries. */
import {
  type DashboardModule,
  jobVariable,
  lowIsBad,
  namespaceVariable,
  neutral,
  podVariable,
  type Row,
  SERVICE_SEL as SEL,
  upDown,
  warnCrit,
} from '../../../dashboards/lib';
import { RATE } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

/** Up, connection utilisation, queries per second and buffer pool hit rate. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      {
        type: 'stat',
        title: 'MySQL up',
        unit: 'short',
        thresholds: upDown(),
        description: '1 when the exporter reaches the server (mysql_up). Alert: 1 minute down.',
        queries: [{ expr: `min(mysql_up{${SEL}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Connection utilisation',
        unit: 'percentunit',
        thresholds: warnCrit(0.8, 0.9),
        description: 'threads_connected / max_connections (seed). Alert: 80%.',
        queries: [
          {
            expr: `max(mysql_global_status_threads_connected{${SEL}} / mysql_global_variables_max_connections{${SEL}})`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Queries per second',
        unit: 'qps',
        thresholds: neutral(),
        description: 'Statements per second (seed: rate(mysql_global_status_questions[5m])).',
        queries: [{ expr: `sum(rate(mysql_global_status_questions{${SEL}}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Buffer pool hit rate',
        unit: 'percentunit',
        thresholds: lowIsBad(0.95, 0.99),
        description: '(read requests - disk reads) / read requests of the InnoDB buffer pool (seed).',
        queries: [
          {
            expr: `1 - sum(rate(mysql_global_status_innodb_buffer_pool_reads{${SEL}}[${RATE}])) / sum(rate(mysql_global_status_innodb_buffer_pool_read_requests{${SEL}}[${RATE}]))`,
            instant: true,
          },
        ],
      },
    ],
  };
}

/** Connections, queries, slow queries and aborted connections per server. */
function activityRow(): Row {
  return {
    title: 'Activity',
    panels: [
      {
        type: 'timeseries',
        title: 'Connections',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: 'Threads connected and running, and max_connections.',
        queries: [
          { expr: `sum by (pod) (mysql_global_status_threads_connected{${SEL}})`, legend: 'connected {{pod}}' },
          { expr: `sum by (pod) (mysql_global_status_threads_running{${SEL}})`, legend: 'running {{pod}}' },
          { expr: `max by (pod) (mysql_global_variables_max_connections{${SEL}})`, legend: 'max {{pod}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Queries per second',
        unit: 'qps',
        min: 0,
        thresholds: neutral(),
        description: 'Statements per second per server.',
        queries: [{ expr: `sum by (pod) (rate(mysql_global_status_questions{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Slow queries',
        unit: 'qps',
        min: 0,
        thresholds: warnCrit(1, 5),
        description: 'Queries slower than long_query_time per second (seed). Alert: above 5/s.',
        queries: [{ expr: `sum by (pod) (rate(mysql_global_status_slow_queries{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Aborted connections',
        unit: 'cps',
        min: 0,
        thresholds: warnCrit(0.1, 1),
        description: 'Failed connection attempts per second (bad credentials, network).',
        queries: [{ expr: `sum by (pod) (rate(mysql_global_status_aborted_connects{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
    ],
  };
}

export const mysql: DashboardModule = {
  uid: 'mysql',
  include: (ctx) => ctx.jobsOf('mysql-exporter').length > 0,
  build: (ctx) => ({
    uid: 'mysql',
    title: 'MySQL',
    description:
      'MySQL / MariaDB through mysqld_exporter: availability, connections against max_connections, queries, slow queries, InnoDB buffer pool.',
    folder: 'data-stores',
    tags: ['data-stores', 'mysql'],
    variables: [jobVariable(ctx, 'mysql-exporter'), namespaceVariable(), podVariable()],
    rows: [workloadStatusRow(ctx.spec, 'mysql-exporter'), overviewRow(), activityRow()],
  }),
};
