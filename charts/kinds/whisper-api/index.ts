/** Whisper API (names from the Whisper API seed: whisper_transcription_*). */
import type { KindDef } from '../types';
import { histogram, PYTHON, PYTHON_DEFAULT_BUCKETS } from '../shared';
import { whisperApi as dashboard } from './dashboard';

export const kind: KindDef = {
  name: 'whisper-api',
  title: 'Whisper API (names from the Whisper API seed)',
  scrape: { path: '/metrics' },
  metrics: [
    'whisper_transcription_requests_total',
    'whisper_transcription_errors_total',
    'whisper_model_loaded',
    ...histogram('whisper_transcription_duration_seconds'),
    ...histogram('whisper_inference_duration_seconds'),
    ...histogram('whisper_audio_load_duration_seconds'),
    ...histogram('whisper_processing_duration_seconds'),
    ...histogram('whisper_decode_duration_seconds'),
    ...PYTHON,
  ],
  http: {
    requests: 'whisper_transcription_requests_total',
    errors: 'whisper_transcription_errors_total',
    latency: 'whisper_transcription_duration_seconds',
    latencySeconds: 30,
  },
  slis: {
    availability: {
      id: 'whisper_transcriptions',
      total: 'whisper_transcription_requests_total',
      errors: 'whisper_transcription_errors_total',
    },
    latency: [
      {
        // The seed names the metric, not its buckets: the Python client's defaults.
        name: 'transcription',
        id: 'whisper_transcription_duration',
        metric: 'whisper_transcription_duration_seconds',
        buckets: PYTHON_DEFAULT_BUCKETS,
        source: 'prometheus_client Histogram.DEFAULT_BUCKETS (the seed declares no buckets)',
        description: 'transcription duration',
      },
    ],
  },
  dashboard: { ...dashboard, file: 'charts/kinds/whisper-api/dashboard.ts' },
};
