/** MySQL alerts from prometheus/mysqld_exporter (shipped always: exporters found through annotations count too), in datastores.yaml. */
import { alert, ratio } from '../../core/rule-builder';
import type { KindAlerts } from '../types';

export const alerts: KindAlerts = {
  file: 'datastores',
  build: (ctx) => {
    const t = ctx.spec.alerting.thresholds;
    return [
      {
        runbook: {
          meaning:
            "mysqld_exporter cannot connect to MySQL/MariaDB: the database is down, refuses connections, or the exporter's credentials are wrong.",
          check:
            '`kubectl -n <namespace> get pods` for the database; exporter logs (`kubectl logs <exporter-pod>`) show the connection error; `mysqladmin -h <host> ping`.',
          fix: 'Restart the database or fix its storage; if only the exporter fails, fix its DSN Secret or the grants of its user (PROCESS, REPLICATION CLIENT, SELECT).',
        },
        rule: alert({
          name: 'MySQLDown',
          expr: 'mysql_up == 0',
          for: t.datastoreDownFor,
          severity: 'critical',
          summary: 'MySQL behind {{ $labels.job }}/{{ $labels.instance }} is down',
          description:
            'mysqld_exporter {{ $labels.instance }} ({{ $labels.job }}) cannot reach its MySQL server (mysql_up = {{ $value }}).',
        }),
      },
      {
        runbook: {
          meaning: 'Open connections approach max_connections; new connections will soon be refused ("Too many connections").',
          check:
            '`SHOW PROCESSLIST` for idle or stuck clients; per-client pool sizes of the services; `mysql_global_status_threads_running`.',
          fix: 'Lower the connection pool sizes of the clients or use a pooler; kill stuck sessions; raise max_connections if memory allows.',
        },
        rule: alert({
          name: 'MySQLTooManyConnections',
          expr: `max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections > ${ratio(t.mysqlConnections.warning)}`,
          for: t.mysqlConnections.for,
          severity: 'warning',
          summary: 'MySQL {{ $labels.instance }} is running out of connections',
          description: `MySQL {{ $labels.instance }} ({{ $labels.job }}) uses {{ $value | humanizePercentage }} of max_connections (threshold ${t.mysqlConnections.warning}%).`,
        }),
      },
      {
        runbook: {
          meaning: 'Many queries exceed long_query_time: the database is overloaded or queries lack indexes.',
          check:
            'The slow query log (`mysqldumpslow`), `performance_schema.events_statements_summary_by_digest` sorted by total latency; `EXPLAIN` the top ones.',
          fix: 'Add the missing indexes, rewrite the heavy queries, or scale the database (CPU, buffer pool).',
        },
        rule: alert({
          name: 'MySQLSlowQueries',
          expr: `rate(mysql_global_status_slow_queries[5m]) > ${t.mysqlSlowQueries.perSecond}`,
          for: t.mysqlSlowQueries.for,
          severity: 'warning',
          summary: 'MySQL {{ $labels.instance }} runs many slow queries',
          description: `MySQL {{ $labels.instance }} ({{ $labels.job }}) runs {{ $value | humanize }} slow queries per second (threshold ${t.mysqlSlowQueries.perSecond}/s).`,
        }),
      },
      {
        runbook: {
          meaning:
            'MySQL restarted in the last minute (crash, OOM kill or deliberate restart); connections were dropped and caches are cold.',
          check: 'The MySQL error log and `kubectl describe pod` (OOMKilled, liveness failures).',
          fix: 'For crashes, fix the cause (memory settings vs limit, disk full); no action for planned restarts.',
        },
        rule: alert({
          name: 'MySQLRestarted',
          expr: 'mysql_global_status_uptime < 60',
          severity: 'warning',
          summary: 'MySQL {{ $labels.instance }} restarted',
          description: 'MySQL {{ $labels.instance }} ({{ $labels.job }}) has been up for only {{ $value }} seconds.',
        }),
      },
    ];
  },
};
