/** MCP servers: health latency, requests, CPU, RSS and Python runtime of each MCP server. */
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

/** Targets up, health-check latency, requests by handler and 5xx ratio. */
function healthRow(ctx: DashboardContext): Row {
  return {
    title: 'Health and traffic',
    panels: [
      upStat(SEL),
      {
        type: 'timeseries',
        title: 'Health check latency',
        unit: 's',
        min: 0,
        thresholds: latencySteps(ctx, 'mcp', 0.5),
        width: 18,
        description: 'p50/p95/p99 of the /health handler per job (http_request_duration_seconds).',
        queries: quantiles('http_request_duration_seconds_bucket', `${SEL}, handler=~"/health.*"`, ['job']),
      },
      {
        type: 'timeseries',
        title: 'Requests by handler',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'Requests per second by job and handler.',
        queries: [{ expr: `sum by (job, handler) (rate(http_requests_total{${SEL}}[${RATE}]))`, legend: '{{job}} {{handler}}' }],
      },
      {
        type: 'timeseries',
        title: 'Error ratio (5xx)',
        unit: 'percentunit',
        min: 0,
        thresholds: warnCrit(0.01, 0.05),
        description: '5xx responses / all responses per job.',
        queries: [
          {
            expr: `sum by (job) (rate(http_requests_total{${SEL}, status=~"5.."}[${RATE}])) / sum by (job) (rate(http_requests_total{${SEL}}[${RATE}]))`,
            legend: '{{job}}',
          },
        ],
      },
    ],
  };
}

/** CPU, resident memory and Python garbage collections of each server process. */
function processRow(): Row {
  return {
    title: 'Process',
    panels: [
      {
        type: 'timeseries',
        title: 'CPU',
        unit: 'percentunit',
        min: 0,
        thresholds: warnCrit(0.8, 0.95),
        description: 'CPU used by each server process, as a share of one core (process_cpu_seconds_total).',
        queries: [{ expr: `sum by (job, pod) (rate(process_cpu_seconds_total{${SEL}}[${RATE}]))`, legend: '{{job}} {{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Resident memory (RSS)',
        unit: 'bytes',
        min: 0,
        thresholds: neutral(),
        description: 'Resident memory of each server process.',
        queries: [{ expr: `sum by (job, pod) (process_resident_memory_bytes{${SEL}})`, legend: '{{job}} {{pod}}' }],
      },
      {
        type: 'timeseries',
        title: 'Python GC collections',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: 'Garbage collections per second by generation.',
        queries: [
          {
            expr: `sum by (job, generation) (rate(python_gc_collections_total{${SEL}}[${RATE}]))`,
            legend: '{{job}} gen {{generation}}',
          },
        ],
      },
    ],
  };
}

export const mcp: DashboardModule = {
  uid: 'mcp',
  include: (ctx) => ctx.jobsOf('mcp').length > 0,
  build: (ctx) => ({
    uid: 'mcp',
    title: 'MCP servers',
    description: 'MCP servers (internal and external): health-check latency, requests per second, CPU, resident memory and Python runtime.',
    folder: 'ai-services',
    tags: ['ai-services', 'mcp'],
    variables: [jobVariable(ctx, 'mcp'), namespaceVariable(), podVariable()],
    rows: [workloadStatusRow(ctx.spec, 'mcp'), healthRow(ctx), processRow(), containerResourcesRow()],
  }),
};
