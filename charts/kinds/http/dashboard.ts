/**
 * Generic HTTP services (kind http, e.g. the SODAV seed's sodav_http_requests_total):
 * request rate, error ratio, latency percentiles, per endpoint and status.
 * Metric names match any prefix; the endpoint and status label names are
 * variables because instrumentation libraries name them differently.
 */
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
import { latencySteps, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

/**
 * Generic HTTP service metrics, whatever the prefix (`sodav_http_requests_total`,
 * `http_requests_total` of prometheus-fastapi-instrumentator, ...): panels
 * select them with a `__name__` regex, listed in the catalog verbatim.
 */
export const HTTP_REQUESTS_ANY_PREFIX = '(.+_)?http_requests_total';
export const HTTP_DURATION_BUCKET_ANY_PREFIX = '(.+_)?http_request_duration_seconds_bucket';
export const HTTP_DURATION_COUNT_ANY_PREFIX = '(.+_)?http_request_duration_seconds_count';
export const HTTP_DURATION_SUM_ANY_PREFIX = '(.+_)?http_request_duration_seconds_sum';

const REQ = `{__name__=~"${HTTP_REQUESTS_ANY_PREFIX}", ${SEL}}`;
const REQ_5XX = `{__name__=~"${HTTP_REQUESTS_ANY_PREFIX}", ${SEL}, $status_label=~"5.."}`;
const BUCKET = `{__name__=~"${HTTP_DURATION_BUCKET_ANY_PREFIX}", ${SEL}}`;

/** Targets up, request rate, 5xx ratio and p95 latency. */
function overviewRow(ctx: DashboardContext): Row {
  return {
    title: 'Overview',
    panels: [
      upStat(SEL),
      {
        type: 'stat',
        title: 'Request rate',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Requests per second.',
        queries: [{ expr: `sum(rate(${REQ}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Error ratio (5xx)',
        unit: 'percentunit',
        thresholds: warnCrit(0.01, 0.05),
        description: 'Responses with a 5xx status / all responses.',
        queries: [{ expr: `sum(rate(${REQ_5XX}[${RATE}])) / sum(rate(${REQ}[${RATE}]))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Latency p95',
        unit: 's',
        thresholds: latencySteps(ctx, 'http', 1),
        description: '95th percentile of request duration.',
        queries: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(${BUCKET}[${RATE}])))`, instant: true }],
      },
    ],
  };
}

/** Requests, errors and latency per endpoint and status. */
function endpointRow(ctx: DashboardContext): Row {
  return {
    title: 'Per endpoint and status',
    panels: [
      {
        type: 'timeseries',
        title: 'Requests by endpoint',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Requests per second by endpoint (the label chosen in "endpoint label").',
        queries: [{ expr: `sum by ($endpoint_label) (rate(${REQ}[${RATE}]))`, legend: `{{$endpoint_label}}` }],
      },
      {
        type: 'timeseries',
        title: 'Requests by status',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Requests per second by status code.',
        queries: [{ expr: `sum by ($status_label) (rate(${REQ}[${RATE}]))`, legend: `{{$status_label}}` }],
      },
      {
        type: 'timeseries',
        title: 'Error ratio by endpoint',
        unit: 'percentunit',
        min: 0,
        thresholds: warnCrit(0.01, 0.05),
        description: '5xx responses / all responses per endpoint.',
        queries: [
          {
            expr: `sum by ($endpoint_label) (rate(${REQ_5XX}[${RATE}])) / sum by ($endpoint_label) (rate(${REQ}[${RATE}]))`,
            legend: `{{$endpoint_label}}`,
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Latency percentiles',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'http', 1),
        description: 'p50/p95/p99 of request duration.',
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(${BUCKET}[${RATE}])))`,
          legend: `p${Math.round(q * 100)}`,
        })),
      },
      {
        type: 'timeseries',
        title: 'Latency p95 by endpoint',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'http', 1),
        description: '95th percentile of request duration per endpoint.',
        queries: [
          { expr: `histogram_quantile(0.95, sum by (le, $endpoint_label) (rate(${BUCKET}[${RATE}])))`, legend: `{{$endpoint_label}}` },
        ],
      },
    ],
  };
}

export const httpServices: DashboardModule = {
  uid: 'http-services',
  include: (ctx) => ctx.jobsOf('http').length > 0,
  build: (ctx) => ({
    uid: 'http-services',
    title: 'HTTP services',
    description:
      'Services of kind http: request rate, error ratio and latency percentiles, per endpoint and status (any metric prefix, e.g. sodav_http_requests_total).',
    folder: 'ai-services',
    tags: ['ai-services', 'http'],
    variables: [
      jobVariable(ctx, 'http'),
      namespaceVariable(),
      podVariable(),
      {
        kind: 'custom',
        name: 'endpoint_label',
        label: 'endpoint label',
        values: ['endpoint', 'handler', 'path', 'route'],
        includeAll: false,
      },
      { kind: 'custom', name: 'status_label', label: 'status label', values: ['status_code', 'status', 'code'], includeAll: false },
    ],
    rows: [workloadStatusRow(ctx.spec, 'http'), overviewRow(ctx), endpointRow(ctx)],
  }),
};
