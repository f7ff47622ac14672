/** Speech-to-text: QPS, errors, latency (overall and /transcribe), audio and words throughput, GPU, resources. */
import {
  type DashboardContext,
  type DashboardModule,
  jobVariable,
  namespaceVariable,
  neutral,
  podVariable,
  type Row,
  SERVICE_SEL as SEL,
  warnCrit,
} from '../../../dashboards/lib';
import { containerResourcesRow, latencySteps, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

/** Targets up, QPS, error ratio, real-time factor, requests and errors by endpoint. */
function trafficRow(): Row {
  return {
    title: 'Traffic',
    panels: [
      upStat(SEL),
      {
        type: 'stat',
        title: 'QPS',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Requests per second.',
        queries: [{ expr: `sum(rate(stt_requests_total{${SEL}}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Error ratio',
        unit: 'percentunit',
        thresholds: warnCrit(0.05, 0.1),
        description: 'Failed requests / requests.',
        queries: [
          {
            expr: `sum(rate(stt_request_errors_total{${SEL}}[${RATE}])) / sum(rate(stt_requests_total{${SEL}}[${RATE}]))`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Real-time factor',
        unit: 'suffix: × real time',
        thresholds: neutral(),
        description: 'Seconds of audio transcribed per second of wall time, all instances.',
        queries: [{ expr: `sum(rate(stt_audio_seconds_total{${SEL}}[${RATE}]))`, instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Requests and errors by endpoint',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Requests and errors per second by endpoint.',
        queries: [
          { expr: `sum by (endpoint) (rate(stt_requests_total{${SEL}}[${RATE}]))`, legend: '{{endpoint}}' },
          { expr: `sum by (endpoint) (rate(stt_request_errors_total{${SEL}}[${RATE}]))`, legend: 'errors {{endpoint}}' },
        ],
      },
    ],
  };
}

/** Latency (all endpoints and /transcribe), audio transcribed and words per second. */
function latencyRow(ctx: DashboardContext): Row {
  return {
    title: 'Latency and throughput',
    panels: [
      {
        type: 'timeseries',
        title: 'Latency (all endpoints)',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'stt', 5),
        description: 'p50/p95/p99 of stt_request_duration_seconds.',
        queries: quantiles('stt_request_duration_seconds_bucket', SEL),
      },
      {
        type: 'timeseries',
        title: 'Latency of /transcribe',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'stt', 5),
        description: 'p50/p95/p99 of the /transcribe endpoint.',
        queries: quantiles('stt_request_duration_seconds_bucket', `${SEL}, endpoint="/transcribe"`),
      },
      {
        type: 'timeseries',
        title: 'Audio transcribed',
        unit: 'suffix: × real time',
        min: 0,
        thresholds: neutral(),
        description: 'Seconds of audio transcribed per second, per pod.',
        queries: [{ expr: `sum by (pod) (rate(stt_audio_seconds_total{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Words per second',
        unit: 'suffix: words/s',
        min: 0,
        thresholds: neutral(),
        description: 'Words transcribed per second, per pod.',
        queries: [{ expr: `sum by (pod) (rate(stt_words_total{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
      },
    ],
  };
}

export const stt: DashboardModule = {
  uid: 'stt',
  include: (ctx) => ctx.jobsOf('stt').length > 0,
  build: (ctx) => ({
    uid: 'stt',
    title: 'Speech-to-text',
    description:
      'Speech-to-text services: QPS, error ratio, latency, audio seconds and words transcribed per second, GPU and container resources.',
    folder: 'ai-services',
    tags: ['ai-services', 'stt'],
    variables: [jobVariable(ctx, 'stt'), namespaceVariable(), podVariable()],
    rows: [workloadStatusRow(ctx.spec, 'stt'), trafficRow(), latencyRow(ctx), ...ctx.podRows(), containerResourcesRow()],
  }),
};
