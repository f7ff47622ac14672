/**
 * Data stores behind the AI services, from mysqld_exporter and
 * redis_exporter (spec.services[] of kind mysql-exporter / redis-exporter, or
 * any exporter discovered through annotations): availability, connections,
 * slow queries, memory.
 */
import { alert, ratio } from './helpers';
import type { AlertRule, RuleArea, RulesContext, Runbook } from '../charts/core/rule-types';

type Add = (rb: Runbook, r: AlertRule) => void;
type Thresholds = RulesContext['spec']['alerting']['thresholds'];

export const datastoreRules: RuleArea = (ctx) => {
  const t = ctx.spec.alerting.thresholds;
  const runbooks: Record<string, Runbook> = {};
  const rules: AlertRule[] = [];
  const add = (rb: Runbook, r: AlertRule) => { rules.push(r); runbooks[r.alert] = rb; };

  mysqlAlerts(add, t);
  redisAlerts(add, t);

  return {
    fileName: 'datastores.yaml',
    title: 'Data stores (MySQL, Redis)',
    groups: [{ name: 'datastores', rules }],
    runbooks,
  };
};

/** MySQL: down, connections, slow queries, restarts. */
function mysqlAlerts(add: Add, t: Thresholds): void {
  add({
    meaning: 'mysqld_exporter cannot connect to MySQL/MariaDB: the database is down, refuses connections, or the exporter\'s credentials are wrong.',
    check: '`kubectl -n <namespace> get pods` for the database; exporter logs (`kubectl logs <exporter-pod>`) show the connection error; `mysqladmin -h <host> ping`.',
    fix: 'Restart the database or fix its storage; if only the exporter fails, fix its DSN Secret or the grants of its user (PROCESS, REPLICATION CLIENT, SELECT).',
  }, alert({
    name: 'MySQLDown',
    expr: 'mysql_up == 0',
    for: t.datastoreDownFor,
    severity: 'critical',
    summary: 'MySQL behind {{ $labels.job }}/{{ $labels.instance }} is down',
    description: 'mysqld_exporter {{ $labels.instance }} ({{ $labels.job }}) cannot reach its MySQL server (mysql_up = {{ $value }}).',
  }));

  add({
    meaning: 'Open connections approach max_connections; new connections will soon be refused ("Too many connections").',
    check: '`SHOW PROCESSLIST` for idle or stuck clients; per-client pool sizes of the services; `mysql_global_status_threads_running`.',
    fix: 'Lower the connection pool sizes of the clients or use a pooler; kill stuck sessions; raise max_connections if memory allows.',
  }, alert({
    name: 'MySQLTooManyConnections',
    expr: `max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections > ${ratio(t.mysqlConnections.warning)}`,
    for: t.mysqlConnections.for,
    severity: 'warning',
    summary: 'MySQL {{ $labels.instance }} is running out of connections',
    description: `MySQL {{ $labels.instance }} ({{ $labels.job }}) uses {{ $value | humanizePercentage }} of max_connections (threshold ${t.mysqlConnections.warning}%).`,
  }));

  add({
    meaning: 'Many queries exceed long_query_time: the database is overloaded or queries lack indexes.',
    check: 'The slow query log (`mysqldumpslow`), `performance_schema.events_statements_summary_by_digest` sorted by total latency; `EXPLAIN` the top ones.',
    fix: 'Add the missing indexes, rewrite the heavy queries, or scale the database (CPU, buffer pool).',
  }, alert({
    name: 'MySQLSlowQueries',
    expr: `rate(mysql_global_status_slow_queries[5m]) > ${t.mysqlSlowQueries.perSecond}`,
    for: t.mysqlSlowQueries.for,
    severity: 'warning',
    summary: 'MySQL {{ $labels.instance }} runs many slow queries',
    description: `MySQL {{ $labels.instance }} ({{ $labels.job }}) runs {{ $value | humanize }} slow queries per second (threshold ${t.mysqlSlowQueries.perSecond}/s).`,
  }));

  add({
    meaning: 'MySQL restarted in the last minute (crash, OOM kill or deliberate restart); connections were dropped and caches are cold.',
    check: 'The MySQL error log and `kubectl describe pod` (OOMKilled, liveness failures).',
    fix: 'For crashes, fix the cause (memory settings vs limit, disk full); no action for planned restarts.',
  }, alert({
    name: 'MySQLRestarted',
    expr: 'mysql_global_status_uptime < 60',
    severity: 'warning',
    summary: 'MySQL {{ $labels.instance }} restarted',
    description: 'MySQL {{ $labels.instance }} ({{ $labels.job }}) has been up for only {{ $value }} seconds.',
  }));
}

/** Redis: down, memory, rejected connections. */
function redisAlerts(add: Add, t: Thresholds): void {
  add({
    meaning: 'redis_exporter cannot reach Redis: the RQ queues (WhisperX) and caches that depend on it stop working.',
    check: '`kubectl -n <namespace> get pods` for Redis; `redis-cli -h <host> ping`; the exporter\'s logs for the connection error.',
    fix: 'Restart Redis or fix its storage/memory; if only the exporter fails, fix its address or password Secret.',
  }, alert({
    name: 'RedisDown',
    expr: 'redis_up == 0',
    for: t.datastoreDownFor,
    severity: 'critical',
    summary: 'Redis behind {{ $labels.job }}/{{ $labels.instance }} is down',
    description: 'redis_exporter {{ $labels.instance }} ({{ $labels.job }}) cannot reach its Redis server (redis_up = {{ $value }}).',
  }));

  add({
    meaning: 'Redis uses most of its maxmemory: it will evict keys (possibly queued jobs) or refuse writes, depending on its eviction policy.',
    check: '`redis-cli info memory` and `redis-cli --bigkeys`; the size of RQ registries (finished/failed jobs kept too long).',
    fix: 'Shorten job result TTLs and clean old registries, raise maxmemory (and the container limit), or move caches to another instance.',
  }, alert({
    name: 'RedisHighMemory',
    expr: `redis_memory_used_bytes / redis_memory_max_bytes > ${ratio(t.redisMemory.warning)} and redis_memory_max_bytes > 0`,
    for: t.redisMemory.for,
    severity: 'warning',
    summary: 'Redis {{ $labels.instance }} is near its memory limit',
    description: `Redis {{ $labels.instance }} ({{ $labels.job }}) uses {{ $value | humanizePercentage }} of maxmemory (threshold ${t.redisMemory.warning}%).`,
  }));

  add({
    meaning: 'Redis refuses connections because it reached maxclients.',
    check: '`redis-cli info clients` and `redis-cli client list` to find the client that leaks connections.',
    fix: 'Fix the leaking client (connection pool without limit); raise maxclients if the load is legitimate.',
  }, alert({
    name: 'RedisRejectedConnections',
    expr: 'increase(redis_rejected_connections_total[5m]) > 0',
    severity: 'warning',
    summary: 'Redis {{ $labels.instance }} rejects connections',
    description: 'Redis {{ $labels.instance }} ({{ $labels.job }}) rejected {{ $value | humanize }} connections in 5 minutes.',
  }));
}
