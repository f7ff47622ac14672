/** Qdrant: up, collections, RPS by method and endpoint, latency percentiles, 4xx/5xx, container resources. */
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

/** Targets up, collections, vectors and 5xx ratio. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      upStat(SEL),
      {
        type: 'stat',
        title: 'Collections',
        unit: 'short',
        thresholds: neutral(),
        description: 'Collections (max over the selected nodes).',
        queries: [{ expr: `max(collections_total{${SEL}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Vectors',
        unit: 'short',
        thresholds: neutral(),
        description: 'Vectors in all collections (max over the selected nodes).',
        queries: [{ expr: `max(collections_vector_total{${SEL}})`, instant: true }],
      },
      {
        type: 'stat',
        title: '5xx ratio',
        unit: 'percentunit',
        thresholds: warnCrit(0.01, 0.05),
        description: 'REST responses with a 5xx status / all REST responses.',
        queries: [
          {
            expr: `sum(rate(rest_responses_total{${SEL}, status=~"5.."}[${RATE}])) / sum(rate(rest_responses_total{${SEL}}[${RATE}]))`,
            instant: true,
          },
        ],
      },
    ],
  };
}

/** REST traffic by method and endpoint, latency and errors. */
function restRow(ctx: DashboardContext): Row {
  return {
    title: 'REST API',
    panels: [
      {
        type: 'timeseries',
        title: 'Requests by method and endpoint',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'REST responses per second by method and endpoint.',
        queries: [{ expr: `sum by (method, endpoint) (rate(rest_responses_total{${SEL}}[${RATE}]))`, legend: '{{method}} {{endpoint}}' }],
      },
      {
        type: 'timeseries',
        title: 'Latency',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'qdrant', 0.5),
        description: 'p50/p95/p99 of rest_responses_duration_seconds (Qdrant >= 1.8).',
        queries: quantiles('rest_responses_duration_seconds_bucket', SEL),
      },
      {
        type: 'timeseries',
        title: 'Latency p95 by endpoint',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'qdrant', 0.5),
        description: '95th percentile per endpoint: which call is slow.',
        queries: quantiles('rest_responses_duration_seconds_bucket', SEL, ['endpoint'], [0.95]),
      },
      {
        type: 'timeseries',
        title: '4xx and 5xx responses',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Client (4xx) and server (5xx) errors per second by status.',
        queries: [{ expr: `sum by (status) (rate(rest_responses_total{${SEL}, status=~"4..|5.."}[${RATE}]))`, legend: '{{status}}' }],
      },
    ],
  };
}

export const qdrant: DashboardModule = {
  uid: 'qdrant',
  include: (ctx) => ctx.jobsOf('qdrant').length > 0,
  build: (ctx) => ({
    uid: 'qdrant',
    title: 'Qdrant',
    description:
      'Qdrant vector database: availability, collections, REST traffic by method and endpoint, latency, errors and container resources.',
    folder: 'ai-services',
    tags: ['ai-services', 'qdrant'],
    variables: [jobVariable(ctx, 'qdrant'), namespaceVariable(), podVariable()],
    rows: [
      workloadStatusRow(ctx.spec, 'qdrant'),
      overviewRow(),
      restRow(ctx),
      containerResourcesRow('namespace=~"$namespace", pod=~"$pod"', true),
    ],
  }),
};
