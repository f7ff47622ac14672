/** MCP servers (Python, prometheus-fastapi-instrumentator names). */
import type { KindDef } from '../types';
import { FASTAPI, FASTAPI_AVAILABILITY, FASTAPI_REQUEST, histogram, PYTHON } from '../shared';
import { mcp as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'mcp',
  title: 'MCP servers (Python, prometheus-fastapi-instrumentator names: http_requests_total{handler,method,status})',
  scrape: { path: '/metrics' },
  metrics: ['http_requests_total', ...histogram('http_request_duration_seconds'), ...PYTHON],
  http: FASTAPI(2),
  slis: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  dashboard: { ...dashboard, file: 'charts/kinds/mcp/dashboard.ts' },
};
