/** Text-to-speech services (FastAPI names, plus the tts_* contract of docs/dashboards.md). */
import type { KindDef } from '../types';
import { FASTAPI, FASTAPI_AVAILABILITY, FASTAPI_REQUEST, histogram, PYTHON } from '../shared';
import { tts as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'tts',
  title: 'text-to-speech service (contract: tts_* names; seeds name no standard)',
  scrape: { path: '/metrics' },
  metrics: ['tts_active_connections', 'tts_active_sessions', 'tts_steps_total', ...histogram('tts_step_duration_seconds'), ...PYTHON],
  http: FASTAPI(5),
  slis: { availability: FASTAPI_AVAILABILITY, latency: [FASTAPI_REQUEST] },
  dashboard: { ...dashboard, file: 'charts/kinds/tts/dashboard.ts' },
};
