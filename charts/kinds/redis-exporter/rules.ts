/** Redis alerts from prometheus/redis_exporter (shipped always: exporters found through annotations count too), in datastores.yaml. */
import { alert, ratio } from '../../core/rule-builder';
import type { KindAlerts } from '../types';

export const alerts: KindAlerts = {
  file: 'datastores',
  build: (ctx) => {
    const t = ctx.spec.alerting.thresholds;
    return [
      {
        runbook: {
          meaning: 'redis_exporter cannot reach Redis: the RQ queues (WhisperX) and caches that depend on it stop working.',
          check: "`kubectl -n <namespace> get pods` for Redis; `redis-cli -h <host> ping`; the exporter's logs for the connection error.",
          fix: 'Restart Redis or fix its storage/memory; if only the exporter fails, fix its address or password Secret.',
        },
        rule: alert({
          name: 'RedisDown',
          expr: 'redis_up == 0',
          for: t.datastoreDownFor,
          severity: 'critical',
          summary: 'Redis behind {{ $labels.job }}/{{ $labels.instance }} is down',
          description: 'redis_exporter {{ $labels.instance }} ({{ $labels.job }}) cannot reach its Redis server (redis_up = {{ $value }}).',
        }),
      },
      {
        runbook: {
          meaning:
            'Redis uses most of its maxmemory: it will evict keys (possibly queued jobs) or refuse writes, depending on its eviction policy.',
          check: '`redis-cli info memory` and `redis-cli --bigkeys`; the size of RQ registries (finished/failed jobs kept too long).',
          fix: 'Shorten job result TTLs and clean old registries, raise maxmemory (and the container limit), or move caches to another instance.',
        },
        rule: alert({
          name: 'RedisHighMemory',
          expr: `redis_memory_used_bytes / redis_memory_max_bytes > ${ratio(t.redisMemory.warning)} and redis_memory_max_bytes > 0`,
          for: t.redisMemory.for,
          severity: 'warning',
          summary: 'Redis {{ $labels.instance }} is near its memory limit',
          description: `Redis {{ $labels.instance }} ({{ $labels.job }}) uses {{ $value | humanizePercentage }} of maxmemory (threshold ${t.redisMemory.warning}%).`,
        }),
      },
      {
        runbook: {
          meaning: 'Redis refuses connections because it reached maxclients.',
          check: '`redis-cli info clients` and `redis-cli client list` to find the client that leaks connections.',
          fix: 'Fix the leaking client (connection pool without limit); raise maxclients if the load is legitimate.',
        },
        rule: alert({
          name: 'RedisRejectedConnections',
          expr: 'increase(redis_rejected_connections_total[5m]) > 0',
          severity: 'warning',
          summary: 'Redis {{ $labels.instance }} rejects connections',
          description: 'Redis {{ $labels.instance }} ({{ $labels.job }}) rejected {{ $value | humanize }} connections in 5 minutes.',
        }),
      },
    ];
  },
};
