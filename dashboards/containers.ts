/**
 * Containers: cAdvisor CPU, memory, network and disk per container, and the
 * kube-state-metrics restarts, OOM kills and waiting containers
 * (dashboards/panels/kube-state.ts) when spec.kubeStateMetrics.enabled.
 * To add a panel, append it to a row: it ships when its metrics' source is on.
 */
import type { Spec } from '../charts/spec-schema';
import { RECORDING } from '../charts/core/recording';
import { type DashboardModule, neutral, type Row, warnCrit } from './lib';
import { RATE } from './panels';
import { containerStateRow } from './panels/kube-state';

const SEL = 'namespace=~"$namespace", pod=~"$pod", container=~"$container"';
const CAD = `job="cadvisor", container!="", container!="POD", ${SEL}`;
const BY = 'namespace, pod, container';

/** CPU: usage, usage against the limit, and CFS throttling per container. */
const cpuRow = (): Row => ({
  title: 'CPU',
  panels: [
    {
      type: 'timeseries',
      title: 'CPU usage',
      unit: 'short',
      min: 0,
      thresholds: neutral(),
      description: 'CPU cores used per container (5m rate of container_cpu_usage_seconds_total; seed: per-container CPU).',
      queries: [{ expr: `sum by (${BY}) (${RECORDING.containerCpu}{${SEL}})`, legend: '{{namespace}}/{{pod}}/{{container}}' }],
    },
    {
      type: 'timeseries',
      title: 'CPU usage vs limit',
      unit: 'percentunit',
      min: 0,
      thresholds: warnCrit(0.8, 0.9),
      description: 'CPU used / CPU limit (quota / period), for containers with a limit. Alert: 80%.',
      queries: [
        {
          expr: `sum by (${BY}) (${RECORDING.containerCpu}{${SEL}}) / sum by (${BY}) (container_spec_cpu_quota{${CAD}} / container_spec_cpu_period{${CAD}})`,
          legend: '{{namespace}}/{{pod}}/{{container}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'CPU throttling',
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: warnCrit(0.25, 0.5),
      description: 'Share of CFS periods in which the container was throttled by its CPU limit.',
      queries: [
        {
          expr: `sum by (${BY}) (rate(container_cpu_cfs_throttled_periods_total{${CAD}}[${RATE}])) / sum by (${BY}) (rate(container_cpu_cfs_periods_total{${CAD}}[${RATE}]))`,
          legend: '{{namespace}}/{{pod}}/{{container}}',
        },
      ],
    },
  ],
});

/** Memory: working set, working set against the limit, and RSS per container. */
const memoryRow = (): Row => ({
  title: 'Memory',
  panels: [
    {
      type: 'timeseries',
      title: 'Memory working set',
      unit: 'bytes',
      min: 0,
      thresholds: neutral(),
      description: 'Working set per container (what the OOM killer compares with the limit).',
      queries: [{ expr: `sum by (${BY}) (${RECORDING.containerMemory}{${SEL}})`, legend: '{{namespace}}/{{pod}}/{{container}}' }],
    },
    {
      type: 'timeseries',
      title: 'Memory vs limit',
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: warnCrit(0.85, 0.95),
      description: 'Working set / memory limit, for containers with a limit. Alert: 85%.',
      queries: [
        {
          expr: `sum by (${BY}) (${RECORDING.containerMemory}{${SEL}}) / sum by (${BY}) (container_spec_memory_limit_bytes{${CAD}} > 0)`,
          legend: '{{namespace}}/{{pod}}/{{container}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Memory RSS',
      unit: 'bytes',
      min: 0,
      thresholds: neutral(),
      description: 'Anonymous memory (RSS) per container.',
      queries: [{ expr: `sum by (${BY}) (container_memory_rss{${CAD}})`, legend: '{{namespace}}/{{pod}}/{{container}}' }],
    },
  ],
});

/** Network (per pod: the counters belong to the sandbox) and disk I/O per container. */
const networkAndDiskRow = (): Row => ({
  title: 'Network and disk',
  panels: [
    {
      type: 'timeseries',
      title: 'Network received',
      unit: 'Bps',
      thresholds: neutral(),
      description: 'Bytes received per second per pod (network counters belong to the pod sandbox).',
      queries: [
        {
          expr: `sum by (namespace, pod) (rate(container_network_receive_bytes_total{job="cadvisor", namespace=~"$namespace", pod=~"$pod"}[${RATE}]))`,
          legend: '{{namespace}}/{{pod}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Network sent',
      unit: 'Bps',
      thresholds: neutral(),
      description: 'Bytes sent per second per pod.',
      queries: [
        {
          expr: `sum by (namespace, pod) (rate(container_network_transmit_bytes_total{job="cadvisor", namespace=~"$namespace", pod=~"$pod"}[${RATE}]))`,
          legend: '{{namespace}}/{{pod}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Disk I/O',
      unit: 'Bps',
      thresholds: neutral(),
      description: 'Bytes read and written per second per container.',
      queries: [
        {
          expr: `sum by (${BY}) (rate(container_fs_reads_bytes_total{${CAD}}[${RATE}]))`,
          legend: 'read {{namespace}}/{{pod}}/{{container}}',
        },
        {
          expr: `sum by (${BY}) (rate(container_fs_writes_bytes_total{${CAD}}[${RATE}]))`,
          legend: 'write {{namespace}}/{{pod}}/{{container}}',
        },
      ],
    },
  ],
});

/** The rows of the Containers dashboard: cAdvisor's, then kube-state-metrics' container states. */
export const containerRows = (spec: Spec): Row[] => [cpuRow(), memoryRow(), networkAndDiskRow(), containerStateRow(spec, SEL)];

export const containers: DashboardModule = {
  uid: 'containers',
  include: (ctx) => ctx.sources.has('cadvisor'),
  build: (ctx) => ({
    uid: 'containers',
    title: 'Containers',
    description:
      'CPU, memory, network and disk of every container (cAdvisor), restarts, OOM kills and waiting containers (kube-state-metrics).',
    folder: 'infrastructure',
    tags: ['infrastructure', 'cadvisor'],
    variables: [
      { kind: 'query', name: 'namespace', label: 'namespace', query: `label_values(${RECORDING.containerMemory}, namespace)` },
      { kind: 'query', name: 'pod', label: 'pod', query: `label_values(${RECORDING.containerMemory}{namespace=~"$namespace"}, pod)` },
      {
        kind: 'query',
        name: 'container',
        label: 'container',
        query: `label_values(${RECORDING.containerMemory}{namespace=~"$namespace", pod=~"$pod"}, container)`,
      },
    ],
    rows: containerRows(ctx.spec),
  }),
};
