/** Whisper API performance (the Whisper API seed's dashboard: 5s refresh, last 15 minutes). */
import {
  type DashboardContext,
  type DashboardModule,
  jobVariable,
  namespaceVariable,
  neutral,
  podVariable,
  type Row,
  SERVICE_SEL as SEL,
  upDown,
  warnCrit,
} from '../../../dashboards/lib';
import { containerResourcesRow, latencySteps, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const STAGES = [
  ['audio load', 'whisper_audio_load_duration_seconds'],
  ['processing', 'whisper_processing_duration_seconds'],
  ['inference', 'whisper_inference_duration_seconds'],
  ['decode', 'whisper_decode_duration_seconds'],
] as const;

/** Targets up, request rate, error ratio and model loaded. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      upStat(SEL),
      {
        type: 'stat',
        title: 'Request rate',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Transcription requests per second (seed: rate(whisper_transcription_requests_total[5m])).',
        queries: [{ expr: `sum(rate(whisper_transcription_requests_total{${SEL}}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Error ratio',
        unit: 'percentunit',
        thresholds: warnCrit(0.05, 0.1),
        description: 'Errors / requests (seed). Alert: above 10%.',
        queries: [
          {
            expr: `sum(rate(whisper_transcription_errors_total{${SEL}}[${RATE}])) / sum(rate(whisper_transcription_requests_total{${SEL}}[${RATE}]))`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Model loaded',
        unit: 'short',
        thresholds: upDown(),
        description: '1 when every selected instance has its model loaded (whisper_model_loaded).',
        queries: [{ expr: `min(whisper_model_loaded{${SEL}})`, instant: true }],
      },
    ],
  };
}

/** Transcription duration, requests and errors, and where the time of a request goes. */
function latencyRow(ctx: DashboardContext): Row {
  return {
    title: 'Latency and traffic',
    panels: [
      {
        type: 'timeseries',
        title: 'Transcription duration',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'whisper-api', 10),
        description: 'p50/p95/p99 of whisper_transcription_duration_seconds (seed panel 1: p95 and p50 over 5m rates).',
        queries: quantiles('whisper_transcription_duration_seconds_bucket', SEL),
      },
      {
        type: 'timeseries',
        title: 'Requests and errors',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Requests and errors per second per pod.',
        queries: [
          { expr: `sum by (pod) (rate(whisper_transcription_requests_total{${SEL}}[${RATE}]))`, legend: 'requests {{pod}}' },
          { expr: `sum by (pod) (rate(whisper_transcription_errors_total{${SEL}}[${RATE}]))`, legend: 'errors {{pod}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Performance breakdown (mean per request)',
        unit: 's',
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: 'Mean time per stage: audio load, processing, inference, decode (seed panel 3; sum / count of each histogram).',
        queries: STAGES.map(([label, m]) => ({
          expr: `sum(rate(${m}_sum{${SEL}}[${RATE}])) / sum(rate(${m}_count{${SEL}}[${RATE}]))`,
          legend: label,
        })),
      },
      {
        type: 'timeseries',
        title: 'Stage latency (p95)',
        unit: 's',
        min: 0,
        thresholds: neutral(),
        description: '95th percentile of each stage.',
        queries: STAGES.map(([label, m]) => ({
          expr: `histogram_quantile(0.95, sum by (le) (rate(${m}_bucket{${SEL}}[${RATE}])))`,
          legend: label,
        })),
      },
    ],
  };
}

export const whisperApi: DashboardModule = {
  uid: 'whisper-api',
  include: (ctx) => ctx.jobsOf('whisper-api').length > 0,
  build: (ctx) => ({
    uid: 'whisper-api',
    title: 'Whisper API performance',
    description: 'Transcription latency, request rate, errors and the per-stage breakdown of the Whisper API.',
    folder: 'ai-services',
    tags: ['ai-services', 'whisper'],
    refresh: '5s',
    from: 'now-15m',
    variables: [jobVariable(ctx, 'whisper-api'), namespaceVariable(), podVariable()],
    rows: [workloadStatusRow(ctx.spec, 'whisper-api'), overviewRow(), latencyRow(ctx), ...ctx.podRows(), containerResourcesRow()],
  }),
};
