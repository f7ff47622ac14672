/** Redis through oliver006/redis_exporter (its alerts ship always, in datastores.yaml). */
import type { KindDef } from '../types';
import { redis as dashboard } from './dashboard';
import { alerts } from './rules';

export const kind: KindDef = {
  name: 'redis-exporter',
  title: 'oliver006/redis_exporter (redis_total_system_memory_bytes with --include-system-metrics)',
  scrape: { path: '/metrics', port: 9121 },
  metrics: [
    'redis_up',
    'redis_connected_clients',
    'redis_blocked_clients',
    'redis_memory_used_bytes',
    'redis_memory_max_bytes',
    'redis_total_system_memory_bytes',
    'redis_keyspace_hits_total',
    'redis_keyspace_misses_total',
    'redis_commands_processed_total',
    'redis_db_keys',
    'redis_evicted_keys_total',
    'redis_expired_keys_total',
  ],
  slis: { latency: [] },
  dashboard: { ...dashboard, file: 'charts/kinds/redis-exporter/dashboard.ts' },
  alerts,
};
