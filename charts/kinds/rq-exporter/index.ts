/** RQ job queues (WhisperX workers) through mdawar/rq-exporter: rq_jobs{queue,status}, rq_workers{name,queues,state}. */
import type { KindDef } from '../types';
import { whisperxJobs as dashboard } from './dashboard';
import { rqAlerts } from './rules';

export const kind: KindDef = {
  name: 'rq-exporter',
  title: 'mdawar/rq-exporter (RQ job queues; rq_jobs{queue,status}, rq_workers{name,queues,state})',
  scrape: { path: '/metrics', port: 9726 },
  metrics: [
    'rq_workers',
    'rq_jobs',
    'rq_workers_success_total',
    'rq_workers_failed_total',
    'rq_workers_working_time_total',
    'rq_request_processing_seconds_count',
    'rq_request_processing_seconds_sum',
  ],
  slis: { latency: [] },
  dashboard: { ...dashboard, file: 'charts/kinds/rq-exporter/dashboard.ts' },
  alerts: rqAlerts,
};
