/** Ray Serve, per application and deployment: requests and errors, queued and ongoing requests, processing latency, replica health. */
import type { Row } from '../../../dashboards/lib';
import { neutral, warnCrit } from '../../../dashboards/lib';
import { RATE } from '../../../dashboards/panels';
import { engineDashboard, graph, instantStat, quantileGraph, rateBy, sumBy } from '../llm-dashboard';

function deploymentsRow(sel: string): Row {
  return {
    title: 'Deployments',
    panels: [
      graph({
        title: 'Queued and ongoing requests by deployment',
        unit: 'short',
        thresholds: neutral(),
        description: 'Requests waiting for a replica, and requests sent to replicas and executing, per deployment.',
        queries: [
          sumBy('ray_serve_deployment_queued_queries', sel, 'deployment', 'queued'),
          sumBy('ray_serve_num_ongoing_requests_at_replicas', sel, 'deployment', 'ongoing'),
        ],
      }),
      quantileGraph({
        title: 'Processing latency by deployment',
        unit: 'ms',
        thresholds: neutral(),
        description: 'p50/p95/p99 of ray_serve_deployment_processing_latency_ms (replica-side, DeploymentHandle calls).',
        bucket: 'ray_serve_deployment_processing_latency_ms_bucket',
        sel,
        by: ['deployment'],
      }),
      graph({
        title: 'HTTP errors by deployment',
        unit: 'reqps',
        thresholds: neutral(),
        description: 'Non-200 responses per second returned by each deployment, by error code.',
        queries: [rateBy('ray_serve_num_deployment_http_error_requests_total', sel, 'deployment, error_code')],
      }),
      quantileGraph({
        title: 'HTTP latency by application',
        unit: 'ms',
        thresholds: neutral(),
        description: 'p50/p95/p99 of ray_serve_http_request_latency_ms, end to end at the proxy.',
        bucket: 'ray_serve_http_request_latency_ms_bucket',
        sel,
        by: ['application'],
      }),
      graph({
        title: 'Healthy replicas by deployment',
        unit: 'short',
        thresholds: neutral(),
        description: 'Replicas reporting healthy (ray_serve_deployment_replica_healthy = 1).',
        queries: [sumBy('ray_serve_deployment_replica_healthy', sel, 'deployment')],
      }),
    ],
  };
}

export const rayServe = engineDashboard({
  kind: 'ray-serve',
  title: 'Ray Serve',
  description:
    'Ray Serve applications and deployments: HTTP requests and errors, queued and ongoing requests, processing latency per deployment, healthy replicas.',
  tags: ['ai-services', 'ray-serve'],
  filter: { label: 'application', variable: 'application', metric: 'ray_serve_num_http_requests_total' },
  overview: (sel) => [
    instantStat({
      title: 'HTTP requests per second',
      unit: 'reqps',
      thresholds: neutral(),
      description: 'Requests through the Serve HTTP proxy (ray_serve_num_http_requests_total).',
      expr: `sum(rate(ray_serve_num_http_requests_total{${sel}}[${RATE}]))`,
    }),
    instantStat({
      title: '5xx ratio',
      unit: 'percentunit',
      thresholds: warnCrit(0.01, 0.05),
      description: 'Share of proxy responses with a 5xx status; LLMHighErrorRate pages above 5 % by default.',
      expr: `sum(rate(ray_serve_num_http_requests_total{${sel}, status_code=~"5.."}[${RATE}])) / sum(rate(ray_serve_num_http_requests_total{${sel}}[${RATE}]))`,
    }),
    instantStat({
      title: 'Queued requests',
      unit: 'short',
      thresholds: warnCrit(10, 50),
      description: 'Requests submitted and not yet assigned to a replica (ray_serve_deployment_queued_queries).',
      expr: `sum(ray_serve_deployment_queued_queries{${sel}})`,
    }),
  ],
  rows: (sel) => [deploymentsRow(sel)],
});
