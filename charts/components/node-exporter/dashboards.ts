/** node-exporter's metric source and the Node overview dashboard (the seeds' CPU, memory, disk and network queries, on the node recording rules). */
import { type DashboardModule, lowIsBad, type MetricSource, neutral, RATE, type Row, warnCrit } from '../../core/dashboard-model';
import { NODE_EXPORTER_JOB, NODE_EXPORTER_NAME, NODE_RECORDING as RECORDING } from './names';

/** The metrics a panel may read from node-exporter (the dashboards' catalog entry, checked against the exporter's contract). */
export const catalog: readonly MetricSource[] = [
  {
    id: NODE_EXPORTER_NAME,
    title: 'node-exporter (host metrics) and the node recording rules',
    metrics: [
      'node_cpu_seconds_total',
      'node_load15',
      'node_memory_MemAvailable_bytes',
      'node_memory_MemTotal_bytes',
      'node_filesystem_avail_bytes',
      'node_filesystem_size_bytes',
      'node_filesystem_files',
      'node_filesystem_files_free',
      'node_network_receive_bytes_total',
      'node_network_transmit_bytes_total',
      'node_network_receive_errs_total',
      'node_network_transmit_errs_total',
      'node_disk_read_bytes_total',
      'node_disk_written_bytes_total',
      'node_disk_io_time_seconds_total',
      'node_uname_info',
      'node_boot_time_seconds',
      'node_time_seconds',
      RECORDING.nodeCpuUtilisation,
      RECORDING.nodeMemoryUtilisation,
      RECORDING.nodeFilesystemUsage,
      RECORDING.nodeNetworkReceive,
      RECORDING.nodeNetworkTransmit,
    ],
  },
];

const NODE = `job="${NODE_EXPORTER_JOB}", instance=~"$instance"`;
const FS = `${NODE}, fstype!=""`;

/** CPU, memory and root filesystem use, and uptime, per node. */
function overviewRow(): Row {
  return {
    title: 'Overview',
    panels: [
      {
        type: 'stat',
        title: 'CPU utilisation',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.9),
        description: 'Share of CPU time not idle over 5 minutes (seed: 100 - idle%). Alerts: 80% warning, 90% critical.',
        queries: [{ expr: `${RECORDING.nodeCpuUtilisation}{${NODE}}`, legend: '{{instance}}', instant: true }],
      },
      {
        type: 'stat',
        title: 'Memory utilisation',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.85, 0.95),
        description: '1 - MemAvailable / MemTotal (seed). Alerts: 85% warning, 95% critical.',
        queries: [{ expr: `${RECORDING.nodeMemoryUtilisation}{${NODE}}`, legend: '{{instance}}', instant: true }],
      },
      {
        type: 'stat',
        title: 'Root filesystem used',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.85, 0.95),
        description: '1 - avail / size of the filesystem mounted on / (seed). Alerts: 85% warning, 95% critical.',
        queries: [{ expr: `${RECORDING.nodeFilesystemUsage}{${NODE}, mountpoint="/"}`, legend: '{{instance}}', instant: true }],
      },
      {
        type: 'stat',
        title: 'Uptime',
        unit: 's',
        thresholds: lowIsBad(600, 3600),
        description: 'Time since boot; orange/red right after a reboot.',
        queries: [{ expr: `node_time_seconds{${NODE}} - node_boot_time_seconds{${NODE}}`, legend: '{{instance}}', instant: true }],
      },
    ],
  };
}

/** CPU utilisation, by mode and load per CPU; memory utilisation and available memory, over time. */
function cpuMemoryRow(): Row {
  return {
    title: 'CPU and memory',
    panels: [
      {
        type: 'timeseries',
        title: 'CPU utilisation',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.9),
        description: 'Non-idle CPU share per node (recording rule instance:node_cpu_utilisation:ratio_rate5m).',
        queries: [{ expr: `${RECORDING.nodeCpuUtilisation}{${NODE}}`, legend: '{{instance}}' }],
      },
      {
        type: 'timeseries',
        title: 'CPU by mode',
        unit: 'percentunit',
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: 'Where CPU time goes (user, system, iowait, steal, ...), as a share of all CPUs of the node.',
        queries: [
          {
            expr: `sum by (instance, mode) (rate(node_cpu_seconds_total{${NODE}, mode!="idle"}[${RATE}])) / on (instance) group_left () count by (instance) (node_cpu_seconds_total{${NODE}, mode="idle"})`,
            legend: '{{instance}} {{mode}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Load (15m) per CPU',
        unit: 'short',
        min: 0,
        thresholds: warnCrit(1, 2),
        description: 'node_load15 divided by the number of CPUs: above 1 means runnable tasks wait for a CPU.',
        queries: [
          {
            expr: `node_load15{${NODE}} / on (instance) group_left () count by (instance) (node_cpu_seconds_total{${NODE}, mode="idle"})`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Memory utilisation',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.85, 0.95),
        description: '1 - MemAvailable / MemTotal per node (recording rule instance:node_memory_utilisation:ratio).',
        queries: [{ expr: `${RECORDING.nodeMemoryUtilisation}{${NODE}}`, legend: '{{instance}}' }],
      },
      {
        type: 'timeseries',
        title: 'Memory available',
        unit: 'bytes',
        min: 0,
        thresholds: neutral(),
        description: 'MemAvailable and MemTotal per node.',
        queries: [
          { expr: `node_memory_MemAvailable_bytes{${NODE}}`, legend: 'available {{instance}}' },
          { expr: `node_memory_MemTotal_bytes{${NODE}}`, legend: 'total {{instance}}' },
        ],
      },
    ],
  };
}

/** Filesystem and inode use, disk throughput and busy time. */
function diskRow(): Row {
  return {
    title: 'Disk',
    panels: [
      {
        type: 'timeseries',
        title: 'Filesystem used',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.85, 0.95),
        description: 'Used share of every real filesystem (recording rule instance_mountpoint:node_filesystem_usage:ratio).',
        queries: [{ expr: `${RECORDING.nodeFilesystemUsage}{${NODE}}`, legend: '{{instance}} {{mountpoint}}' }],
      },
      {
        type: 'timeseries',
        title: 'Inodes used',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.85, 0.95),
        description: '1 - files_free / files per filesystem. Alert: 85%.',
        queries: [{ expr: `1 - node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}}`, legend: '{{instance}} {{mountpoint}}' }],
      },
      {
        type: 'timeseries',
        title: 'Disk throughput',
        unit: 'Bps',
        thresholds: neutral(),
        description: 'Bytes read and written per second per node (all block devices).',
        queries: [
          { expr: `sum by (instance) (rate(node_disk_read_bytes_total{${NODE}}[${RATE}]))`, legend: 'read {{instance}}' },
          { expr: `sum by (instance) (rate(node_disk_written_bytes_total{${NODE}}[${RATE}]))`, legend: 'write {{instance}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Disk busy',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.95),
        description: 'Share of time each device was busy with I/O (saturation).',
        queries: [{ expr: `rate(node_disk_io_time_seconds_total{${NODE}}[${RATE}])`, legend: '{{instance}} {{device}}' }],
      },
    ],
  };
}

/** Network traffic and errors. */
function networkRow(): Row {
  return {
    title: 'Network',
    panels: [
      {
        type: 'timeseries',
        title: 'Network traffic',
        unit: 'Bps',
        thresholds: neutral(),
        description: 'Bytes received and sent per second per node, physical interfaces only (seed: irate of node_network_*_bytes_total).',
        queries: [
          { expr: `${RECORDING.nodeNetworkReceive}{${NODE}}`, legend: 'rx {{instance}}' },
          { expr: `${RECORDING.nodeNetworkTransmit}{${NODE}}`, legend: 'tx {{instance}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Network errors',
        unit: 'cps',
        min: 0,
        thresholds: warnCrit(1, 10),
        description: 'Receive and transmit errors per second per node.',
        queries: [
          { expr: `sum by (instance) (rate(node_network_receive_errs_total{${NODE}}[${RATE}]))`, legend: 'rx errors {{instance}}' },
          { expr: `sum by (instance) (rate(node_network_transmit_errs_total{${NODE}}[${RATE}]))`, legend: 'tx errors {{instance}}' },
        ],
      },
    ],
  };
}

export const nodeOverview: DashboardModule = {
  uid: 'node-overview',
  file: 'charts/components/node-exporter/dashboards.ts',
  include: (ctx) => ctx.sources.has(NODE_EXPORTER_NAME),
  build: () => ({
    uid: 'node-overview',
    title: 'Node overview',
    description: 'Host CPU, memory, disk and network of every node (node-exporter and the node recording rules).',
    folder: 'infrastructure',
    tags: ['infrastructure', NODE_EXPORTER_NAME],
    variables: [
      { kind: 'query', name: 'instance', label: 'node', query: `label_values(node_uname_info{job="${NODE_EXPORTER_JOB}"}, instance)` },
    ],
    rows: [overviewRow(), cpuMemoryRow(), diskRow(), networkRow()],
  }),
};
