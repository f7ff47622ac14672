/** Qdrant vector database (/metrics; contracts/metrics/qdrant.json, v1.19.0). */
import type { KindDef } from '../types';
import { histogram } from '../shared';
import { qdrant as dashboard } from './dashboard';

/** lib/segment/src/common/operation_time_statistics.rs DEFAULT_BUCKET_BOUNDARIES_MICROS, exposed in seconds by src/common/metrics.rs. */
const QDRANT = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 10, 50];

export const kind: KindDef = {
  name: 'qdrant',
  title: 'Qdrant (/metrics; rest_responses_duration_seconds needs Qdrant >= 1.8)',
  scrape: { path: '/metrics', port: 6333 },
  contracts: ['qdrant'],
  metrics: [
    'app_info',
    'collections_total',
    'collections_vector_total',
    'rest_responses_total',
    'rest_responses_avg_duration_seconds',
    ...histogram('rest_responses_duration_seconds'),
    'grpc_responses_total',
  ],
  http: {
    requests: 'rest_responses_total',
    errors: 'rest_responses_total{status=~"5.."}',
    latency: 'rest_responses_duration_seconds',
    latencySeconds: 0.5,
  },
  slis: {
    availability: { id: 'qdrant_rest', total: 'rest_responses_total', errors: 'rest_responses_total{status=~"5.."}' },
    latency: [
      {
        name: 'request',
        id: 'qdrant_rest_duration',
        metric: 'rest_responses_duration_seconds',
        buckets: QDRANT,
        source: 'Qdrant v1.19.0 DEFAULT_BUCKET_BOUNDARIES_MICROS',
        description: 'REST response duration',
      },
    ],
  },
  dashboard: { ...dashboard, file: 'charts/kinds/qdrant/dashboard.ts' },
};
