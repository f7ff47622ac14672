/** Redis (redis_exporter): up, clients, memory, hit rate, commands, keys (the Twitch seed's queries). */
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

/**
 * The memory Redis may use: maxmemory when set, otherwise (maxmemory 0, the default) the
 * system memory Redis reports (total_system_memory: the node's, not a container limit), which
 * redis_exporter exports with --include-system-metrics (redis_total_system_memory_bytes).
 */
const MEMORY_LIMIT = `((redis_memory_max_bytes{${SEL}} > 0) or redis_total_system_memory_bytes{${SEL}})`;

/** Up, connected clients, memory against maxmemory and hit rate. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      {
        type: 'stat',
        title: 'Redis up',
        unit: 'short',
        thresholds: upDown(),
        description: '1 when the exporter reaches Redis (redis_up). Alert: 1 minute down.',
        queries: [{ expr: `min(redis_up{${SEL}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Connected clients',
        unit: 'short',
        thresholds: neutral(),
        description: 'Client connections (seed: redis_connected_clients).',
        queries: [{ expr: `sum(redis_connected_clients{${SEL}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Memory vs maxmemory',
        unit: 'percentunit',
        thresholds: warnCrit(0.8, 0.9),
        description:
          'used / maxmemory (seed); against the system memory Redis reports when maxmemory is 0 (the default; needs redis_exporter --include-system-metrics). Alert: 90% of maxmemory.',
        queries: [{ expr: `max(redis_memory_used_bytes{${SEL}} / ${MEMORY_LIMIT})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Hit rate',
        unit: 'percentunit',
        thresholds: lowIsBad(0.5, 0.8),
        description: 'hits / (hits + misses) over 5 minutes (seed).',
        queries: [
          {
            expr: `sum(rate(redis_keyspace_hits_total{${SEL}}[${RATE}])) / (sum(rate(redis_keyspace_hits_total{${SEL}}[${RATE}])) + sum(rate(redis_keyspace_misses_total{${SEL}}[${RATE}])))`,
            instant: true,
          },
        ],
      },
    ],
  };
}

/** Commands, memory, keys by database, evicted and expired keys. */
function activityRow(): Row {
  return {
    title: 'Activity',
    panels: [
      {
        type: 'timeseries',
        title: 'Commands per second',
        unit: 'ops',
        min: 0,
        thresholds: neutral(),
        description: 'Commands processed per second (seed: rate(redis_commands_processed_total[5m])).',
        queries: [{ expr: `sum by (pod) (rate(redis_commands_processed_total{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Memory used',
        unit: 'bytes',
        min: 0,
        thresholds: neutral(),
        description: 'Memory used, and maxmemory (or the system memory Redis reports when maxmemory is 0).',
        queries: [
          { expr: `sum by (pod) (redis_memory_used_bytes{${SEL}})`, legend: 'used {{pod}}' },
          { expr: `sum by (pod) (${MEMORY_LIMIT})`, legend: 'maxmemory or system {{pod}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Keys by database',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: 'Keys per database.',
        queries: [{ expr: `sum by (db) (redis_db_keys{${SEL}})`, legend: '{{db}}' }],
      },
      {
        type: 'timeseries',
        title: 'Evicted and expired keys',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: 'Keys evicted (memory pressure) and expired per second.',
        queries: [
          { expr: `sum(rate(redis_evicted_keys_total{${SEL}}[${RATE}]))`, legend: 'evicted' },
          { expr: `sum(rate(redis_expired_keys_total{${SEL}}[${RATE}]))`, legend: 'expired' },
        ],
      },
    ],
  };
}

export const redis: DashboardModule = {
  uid: 'redis',
  include: (ctx) => ctx.jobsOf('redis-exporter').length > 0,
  build: (ctx) => ({
    uid: 'redis',
    title: 'Redis',
    description: 'Redis through redis_exporter: availability, clients, memory against maxmemory, hit rate, commands and keys.',
    folder: 'data-stores',
    tags: ['data-stores', 'redis'],
    variables: [jobVariable(ctx, 'redis-exporter'), namespaceVariable(), podVariable()],
    rows: [workloadStatusRow(ctx.spec, 'redis-exporter'), overviewRow(), activityRow()],
  }),
};
