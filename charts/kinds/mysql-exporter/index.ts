/** MySQL/MariaDB through prometheus/mysqld_exporter (its alerts ship always, in datastores.yaml). */
import type { KindDef } from '../types';
import { mysql as dashboard } from './dashboard';
import { alerts } from './rules';

export const kind: KindDef = {
  name: 'mysql-exporter',
  title: 'prometheus/mysqld_exporter',
  scrape: { path: '/metrics', port: 9104 },
  metrics: [
    'mysql_up',
    'mysql_global_status_threads_connected',
    'mysql_global_status_threads_running',
    'mysql_global_variables_max_connections',
    'mysql_global_status_questions',
    'mysql_global_status_slow_queries',
    'mysql_global_status_innodb_buffer_pool_read_requests',
    'mysql_global_status_innodb_buffer_pool_reads',
    'mysql_global_status_aborted_connects',
  ],
  slis: { latency: [] },
  dashboard: { ...dashboard, file: 'charts/kinds/mysql-exporter/dashboard.ts' },
  alerts,
};
