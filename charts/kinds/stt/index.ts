/** Speech-to-text services (FastAPI, prometheus-fastapi-instrumentator names, plus the stt_* contract of docs/dashboards.md). */
import type { KindDef } from '../types';
import { FASTAPI, FASTAPI_AVAILABILITY, FASTAPI_LOWR, FASTAPI_REQUEST, histogram, PYTHON, SRC_FASTAPI } from '../shared';
import { stt as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'stt',
  title: 'speech-to-text service (contract: stt_* names; seeds name no standard)',
  scrape: { path: '/metrics' },
  metrics: [
    'stt_requests_total',
    'stt_request_errors_total',
    ...histogram('stt_request_duration_seconds'),
    'stt_audio_seconds_total',
    'stt_words_total',
    ...PYTHON,
  ],
  http: FASTAPI(5),
  slis: {
    availability: FASTAPI_AVAILABILITY,
    latency: [
      {
        name: 'transcribe',
        id: 'stt_transcribe_duration',
        metric: 'http_request_duration_seconds',
        matchers: 'handler="/transcribe"',
        buckets: FASTAPI_LOWR,
        source: SRC_FASTAPI,
        description: 'duration of POST /transcribe',
      },
      FASTAPI_REQUEST,
    ],
  },
  dashboard: { ...dashboard, file: 'charts/kinds/stt/dashboard.ts' },
};
