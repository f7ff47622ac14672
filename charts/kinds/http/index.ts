/** Any HTTP service whose metrics follow `<prefix>_http_requests_total` / `<prefix>_http_request_duration_seconds`. */
import type { KindDef } from '../types';
import { FASTAPI, FASTAPI_AVAILABILITY, FASTAPI_REQUEST, PROCESS } from '../shared';
import {
  httpServices as dashboard,
  HTTP_DURATION_BUCKET_ANY_PREFIX,
  HTTP_DURATION_COUNT_ANY_PREFIX,
  HTTP_DURATION_SUM_ANY_PREFIX,
  HTTP_REQUESTS_ANY_PREFIX,
} from './dashboard';

export const kind: KindDef = {
  name: 'http',
  title: 'generic HTTP service (any metric prefix: `<prefix>_http_requests_total`, `<prefix>_http_request_duration_seconds`)',
  scrape: { path: '/metrics' },
  metrics: [
    HTTP_REQUESTS_ANY_PREFIX,
    HTTP_DURATION_BUCKET_ANY_PREFIX,
    HTTP_DURATION_COUNT_ANY_PREFIX,
    HTTP_DURATION_SUM_ANY_PREFIX,
    ...PROCESS,
  ],
  http: FASTAPI(1),
  slis: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  dashboard: { ...dashboard, file: 'charts/kinds/http/dashboard.ts' },
};
