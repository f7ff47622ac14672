/** Ray Serve, per application and deployment: requests and errors, queued and ongoing requests, processing latency, replica health. */
import { type DashboardModule, jobVariable, namespaceVariable, neutral, podVariable, SERVICE_SEL, warnCrit } from '../../../dashboards/lib';
import { containerResourcesRow, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const SEL = `${SERVICE_SEL}, application=~"$application"`;

export const rayServe: DashboardModule = {
  uid: 'ray-serve',
  include: (ctx) => ctx.jobsOf('ray-serve').length > 0,
  build: (ctx) => ({
    uid: 'ray-serve',
    title: 'Ray Serve',
    description: 'Ray Serve applications and deployments: HTTP requests and errors, queued and ongoing requests, processing latency per deployment, healthy replicas.',
    folder: 'ai-services',
    tags: ['ai-services', 'ray-serve'],
    variables: [
      jobVariable(ctx, 'ray-serve'), namespaceVariable(), podVariable(),
      { kind: 'query', name: 'application', label: 'application', query: 'label_values(ray_serve_num_http_requests_total{job=~"$job"}, application)' },
    ],
    rows: [
      workloadStatusRow(ctx.spec, 'ray-serve'),
      {
        title: 'Overview',
        panels: [
          upStat(SERVICE_SEL),
          {
            type: 'stat', title: 'HTTP requests per second', unit: 'reqps', thresholds: neutral(),
            description: 'Requests through the Serve HTTP proxy (ray_serve_num_http_requests_total).',
            queries: [{ expr: `sum(rate(ray_serve_num_http_requests_total{${SEL}}[${RATE}]))`, instant: true }],
          },
          {
            type: 'stat', title: '5xx ratio', unit: 'percentunit', thresholds: warnCrit(0.01, 0.05),
            description: 'Share of proxy responses with a 5xx status; LLMHighErrorRate pages above 5 % by default.',
            queries: [{ expr: `sum(rate(ray_serve_num_http_requests_total{${SEL}, status_code=~"5.."}[${RATE}])) / sum(rate(ray_serve_num_http_requests_total{${SEL}}[${RATE}]))`, instant: true }],
          },
          {
            type: 'stat', title: 'Queued requests', unit: 'short', thresholds: warnCrit(10, 50),
            description: 'Requests submitted and not yet assigned to a replica (ray_serve_deployment_queued_queries).',
            queries: [{ expr: `sum(ray_serve_deployment_queued_queries{${SEL}})`, instant: true }],
          },
        ],
      },
      {
        title: 'Deployments',
        panels: [
          {
            type: 'timeseries', title: 'Queued and ongoing requests by deployment', unit: 'short', min: 0, thresholds: neutral(),
            description: 'Requests waiting for a replica, and requests sent to replicas and executing, per deployment.',
            queries: [
              { expr: `sum by (deployment) (ray_serve_deployment_queued_queries{${SEL}})`, legend: 'queued {{deployment}}' },
              { expr: `sum by (deployment) (ray_serve_num_ongoing_requests_at_replicas{${SEL}})`, legend: 'ongoing {{deployment}}' },
            ],
          },
          {
            type: 'timeseries', title: 'Processing latency by deployment', unit: 'ms', min: 0, thresholds: neutral(),
            description: 'p50/p95/p99 of ray_serve_deployment_processing_latency_ms (replica-side, DeploymentHandle calls).',
            queries: quantiles('ray_serve_deployment_processing_latency_ms_bucket', SEL, ['deployment']),
          },
          {
            type: 'timeseries', title: 'HTTP errors by deployment', unit: 'reqps', min: 0, thresholds: neutral(),
            description: 'Non-200 responses per second returned by each deployment, by error code.',
            queries: [{ expr: `sum by (deployment, error_code) (rate(ray_serve_num_deployment_http_error_requests_total{${SEL}}[${RATE}]))`, legend: '{{deployment}} {{error_code}}' }],
          },
          {
            type: 'timeseries', title: 'HTTP latency by application', unit: 'ms', min: 0, thresholds: neutral(),
            description: 'p50/p95/p99 of ray_serve_http_request_latency_ms, end to end at the proxy.',
            queries: quantiles('ray_serve_http_request_latency_ms_bucket', SEL, ['application']),
          },
          {
            type: 'timeseries', title: 'Healthy replicas by deployment', unit: 'short', min: 0, thresholds: neutral(),
            description: 'Replicas reporting healthy (ray_serve_deployment_replica_healthy = 1).',
            queries: [{ expr: `sum by (deployment) (ray_serve_deployment_replica_healthy{${SEL}})`, legend: '{{deployment}}' }],
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
