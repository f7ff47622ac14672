/** Panels and rows shared by several dashboards. */
import { RECORDING } from '../charts/core/recording';
import type { ServiceKind } from './catalog';
import { type DashboardContext, type MetricPanel, neutral, type Query, type Row, type Steps, warnCrit } from './lib';

/** `rate(...[$__rate_interval])`: Grafana picks a window of at least four scrape intervals. */
import { RATE } from '../charts/core/dashboard-model';

export { RATE };

/** p50/p95/p99 (or the given quantiles) of a histogram, summed over `by` labels. */
export function quantiles(bucket: string, sel: string, by: string[] = [], qs: number[] = [0.5, 0.95, 0.99]): Query[] {
  const labels = ['le', ...by].join(', ');
  const suffix = by.length ? ` {{${by.join('}} {{')}}}` : '';
  return qs.map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${labels}) (rate(${bucket}{${sel}}[${RATE}])))`,
    legend: `p${Math.round(q * 100)}${suffix}`,
  }));
}

/**
 * Latency thresholds of a service kind: `latencyThresholdSeconds` of its
 * services (the smallest, as alerts use it) turns orange, twice that red.
 */
export function latencySteps(ctx: DashboardContext, kind: ServiceKind, fallbackSeconds: number): Steps {
  const set = ctx.spec.services
    .filter((s) => s.kind === kind)
    .map((s) => s.latencyThresholdSeconds)
    .filter((v): v is number => v !== undefined);
  const warn = set.length ? Math.min(...set) : fallbackSeconds;
  return warnCrit(warn, warn * 2);
}

/** CPU, memory, network and disk I/O of a service's pods (cAdvisor). */
export function containerResourcesRow(podSel = 'namespace=~"$namespace", pod=~"$pod"', io = false): Row {
  const panels: MetricPanel[] = [
    {
      type: 'timeseries',
      title: 'CPU (cores) by pod',
      unit: 'short',
      thresholds: neutral(),
      min: 0,
      description: 'CPU cores used by the containers of each pod (cAdvisor, 5m rate).',
      queries: [{ expr: `sum by (pod) (${RECORDING.containerCpu}{${podSel}})`, legend: '{{pod}}' }],
    },
    {
      type: 'timeseries',
      title: 'Memory working set by pod',
      unit: 'bytes',
      thresholds: neutral(),
      min: 0,
      description: 'Working set (what the kernel cannot reclaim, what the OOM killer compares to the limit) of each pod.',
      queries: [{ expr: `sum by (pod) (${RECORDING.containerMemory}{${podSel}})`, legend: '{{pod}}' }],
    },
    {
      type: 'timeseries',
      title: 'Network by pod',
      unit: 'Bps',
      thresholds: neutral(),
      description: 'Bytes received (positive) and sent per second by each pod.',
      queries: [
        { expr: `sum by (pod) (rate(container_network_receive_bytes_total{job="cadvisor", ${podSel}}[${RATE}]))`, legend: 'rx {{pod}}' },
        { expr: `sum by (pod) (rate(container_network_transmit_bytes_total{job="cadvisor", ${podSel}}[${RATE}]))`, legend: 'tx {{pod}}' },
      ],
    },
  ];
  if (io) {
    panels.push({
      type: 'timeseries',
      title: 'Disk I/O by pod',
      unit: 'Bps',
      thresholds: neutral(),
      description: 'Bytes read and written per second by the containers of each pod.',
      queries: [
        {
          expr: `sum by (pod) (rate(container_fs_reads_bytes_total{job="cadvisor", container!="", ${podSel}}[${RATE}]))`,
          legend: 'read {{pod}}',
        },
        {
          expr: `sum by (pod) (rate(container_fs_writes_bytes_total{job="cadvisor", container!="", ${podSel}}[${RATE}]))`,
          legend: 'write {{pod}}',
        },
      ],
    });
  }
  return { title: 'Container resources', panels };
}

/** Targets of the service up (stat, 1 = every target up). */
export function upStat(sel: string, width = 6): MetricPanel {
  return {
    type: 'stat',
    title: 'Targets up',
    unit: 'percentunit',
    min: 0,
    max: 1,
    width,
    thresholds: [
      [null, 'red'],
      [0.5, 'orange'],
      [1, 'green'],
    ],
    description: 'Share of the scrape targets of the selected services that answered the last scrape (up).',
    queries: [{ expr: `sum(up{${sel}}) / count(up{${sel}})`, instant: true }],
  };
}
