/** Logs explorer (Loki): volume and error lines per container, error lines, live search. */
import { EVENTS_STREAM, eventsShipped } from '../charts/core/events';
import { type DashboardModule, type Row, neutral, warnCrit } from './lib';

const STREAM = '{namespace=~"$namespace", container=~"$container"}';
/** What counts as an error line (case-insensitive). */
export const ERROR_FILTER = '|~ "(?i)(error|exception|fatal|panic)"';

export const logsDashboard: DashboardModule = {
  uid: 'logs',
  include: (ctx) => ctx.sources.has('loki'),
  build: (ctx) => ({
    uid: 'logs',
    title: 'Logs',
    description: "Every container's logs from Loki: volume and errors per container, error lines, and a searchable live view.",
    folder: 'logs',
    tags: ['logs', 'loki'],
    refresh: '10s',
    from: 'now-1h',
    variables: [
      { kind: 'query', name: 'namespace', label: 'namespace', datasource: 'loki', query: 'label_values(namespace)' },
      {
        kind: 'query',
        name: 'container',
        label: 'container',
        datasource: 'loki',
        query: 'label_values({namespace=~"$namespace"}, container)',
      },
      { kind: 'textbox', name: 'search', label: 'line filter (regex)', default: '' },
    ],
    rows: [
      {
        title: 'Volume and errors',
        panels: [
          {
            type: 'timeseries',
            datasource: 'loki',
            title: 'Log lines per container',
            unit: 'short',
            min: 0,
            thresholds: neutral(),
            stack: true,
            description: 'Log lines per container per interval.',
            queries: [{ expr: `sum by (container) (count_over_time(${STREAM} [$__interval]))`, legend: '{{container}}' }],
          },
          {
            type: 'timeseries',
            datasource: 'loki',
            title: 'Error lines per minute per container',
            unit: 'short',
            min: 0,
            thresholds: warnCrit(10, 100),
            description:
              'Lines matching error|exception|fatal|panic per container per minute (seed: sum(rate({...} |= "error" [1m])) by (container)).',
            queries: [{ expr: `sum by (container) (count_over_time(${STREAM} ${ERROR_FILTER} [1m]))`, legend: '{{container}}' }],
          },
          {
            type: 'timeseries',
            datasource: 'loki',
            title: 'Log bytes per namespace',
            unit: 'bytes',
            min: 0,
            thresholds: neutral(),
            stack: true,
            description: "Bytes of log lines per namespace per interval (what drives Loki's disk use).",
            queries: [{ expr: `sum by (namespace) (bytes_over_time(${STREAM} [$__interval]))`, legend: '{{namespace}}' }],
          },
        ],
      },
      {
        title: 'Lines',
        panels: [
          {
            type: 'logs',
            title: 'Error lines',
            height: 12,
            description: 'The latest lines matching error|exception|fatal|panic.',
            queries: [{ expr: `${STREAM} ${ERROR_FILTER}` }],
          },
          {
            type: 'logs',
            title: 'Live view (filter with $search)',
            height: 14,
            description: 'Every line of the selected containers, filtered by the regex in the "line filter" box.',
            queries: [{ expr: `${STREAM} |~ "$search"` }],
          },
        ],
      },
      ...(eventsShipped(ctx.spec) ? [EVENTS_ROW] : []),
    ],
  }),
};

// --- Kubernetes events (issue 16; shipped by Alloy's events pipeline, charts/core/events.ts)
const EVENTS_ROW: Row = {
  title: 'Kubernetes events',
  panels: [
    {
      type: 'timeseries',
      datasource: 'loki',
      title: 'Warning events by reason',
      unit: 'short',
      min: 0,
      thresholds: neutral(),
      stack: true,
      description:
        'Warning events per reason per interval in the selected namespaces (FailedScheduling, BackOff, FailedMount, Unhealthy, ...). Events are lines of the {job="integrations/kubernetes/eventhandler"} stream.',
      queries: [
        {
          expr: `sum by (reason) (count_over_time({${EVENTS_STREAM}, namespace=~"$namespace", type="Warning"} [$__interval]))`,
          legend: '{{reason}}',
        },
      ],
    },
    {
      type: 'timeseries',
      datasource: 'loki',
      title: 'GPU pods not scheduled',
      unit: 'short',
      min: 0,
      thresholds: warnCrit(1, 3),
      description:
        'FailedScheduling events naming nvidia.com/gpu, per pod per 5 minutes: pods waiting for a GPU (KubeEventGpuPodUnschedulable fires at 3 in 15 minutes).',
      queries: [
        {
          expr: `sum by (namespace, name) (count_over_time({${EVENTS_STREAM}, namespace=~"$namespace", kind="Pod", reason="FailedScheduling"} |= "nvidia.com/gpu" | logfmt name [5m]))`,
          legend: '{{namespace}}/{{name}}',
        },
      ],
    },
    {
      type: 'logs',
      title: 'Warning events',
      height: 12,
      description: 'The latest Warning events (name, kind, reason, count, message) in the selected namespaces.',
      queries: [{ expr: `{${EVENTS_STREAM}, namespace=~"$namespace", type="Warning"}` }],
    },
  ],
};
