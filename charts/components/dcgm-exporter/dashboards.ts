/**
 * What the DCGM exporter gives the dashboards: its metric source (the DCGM
 * fields of the counters file and the GPU recording rules), the GPU
 * dashboard, the GPU cost dashboard, and the GPU row of every service
 * dashboard (ComponentDef.podRows).
 *
 * Utilisation everywhere is the busy ratio `gpu:dcgm_gpu_busy:ratio`:
 * DCGM_FI_PROF_GR_ENGINE_ACTIVE where DCGM profiles (spec.gpu.profilingMetrics;
 * the only utilisation that works per MIG instance), DCGM_FI_DEV_GPU_UTIL / 100
 * otherwise; its `source` label says which, and the panels say so.
 */
import type { DashboardContext, DashboardModule, MetricPanel, MetricSource, PodRows, Row } from '../../core/dashboard-model';
import { neutral, warnCrit } from '../../core/dashboard-model';
import { DEFAULT_COUNTERS, EXPORTER_COUNTERS, PROFILING_COUNTERS } from './construct';
import { DCGM_JOB, GPU_RECORDING as R } from './names';
import { XID_WINDOW } from './rules';

export const catalog: MetricSource[] = [
  {
    id: DCGM_JOB,
    title:
      'NVIDIA DCGM exporter (the fields of its counters file, DCGM_FI_PROF_* with spec.gpu.profilingMetrics) and the GPU recording rules',
    metrics: [
      'up',
      ...[...DEFAULT_COUNTERS, ...EXPORTER_COUNTERS, ...PROFILING_COUNTERS].filter((c) => c.type !== 'label').map((c) => c.field),
      ...Object.values(R),
    ],
  },
];

const GPU = `job="${DCGM_JOB}", node=~"$node"`;
const BUSY = `${R.busy}{node=~"$node"}`;
/** One GPU or MIG instance: time-sliced pods each get a copy of its series, counted once here. */
const DEVICE = 'node, UUID, GPU_I_ID';
const LEGEND = '{{node}} GPU {{gpu}} {{GPU_I_PROFILE}}';
const SOURCE_NOTE =
  'Busy ratio: DCGM_FI_PROF_GR_ENGINE_ACTIVE where profiling metrics are on (spec.gpu.profilingMetrics; the only utilisation that works per MIG instance), DCGM_FI_DEV_GPU_UTIL otherwise (label `source`).';
const TIME_SLICING_NOTE = "With time-slicing, every pod sharing a GPU gets the whole device's value: per-pod numbers are not shares.";

type GpuAlerts = DashboardContext['spec']['gpu']['alerts'];

/** GPUs and MIG instances, average busy, the utilisation source, new XID errors and idle allocated GPUs. */
function overviewRow(a: GpuAlerts): Row {
  return {
    title: 'Overview',
    panels: [
      {
        type: 'stat',
        title: 'GPUs',
        unit: 'short',
        thresholds: neutral(),
        width: 4,
        description:
          'Physical GPUs reporting to DCGM on the selected nodes (each counted once, whatever its MIG instances or time-sliced pods).',
        queries: [{ expr: `count(count by (node, UUID) (DCGM_FI_DEV_FB_USED{${GPU}}))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'MIG instances',
        unit: 'short',
        thresholds: neutral(),
        width: 4,
        description: 'GPU instances of MIG-partitioned GPUs (series with GPU_I_ID and GPU_I_PROFILE).',
        queries: [{ expr: `count(count by (${DEVICE}) (DCGM_FI_DEV_FB_USED{${GPU}, GPU_I_ID!=""})) or vector(0)`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Average busy',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.95),
        width: 4,
        description: `Mean busy ratio over the selected GPUs and MIG instances. ${SOURCE_NOTE}`,
        queries: [{ expr: `avg(max by (${DEVICE}) (${BUSY}))`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Utilisation source',
        unit: 'short',
        thresholds: neutral(),
        width: 4,
        description: `GPUs and MIG instances per source of the busy ratio. ${SOURCE_NOTE}`,
        queries: [{ expr: `count by (source) (max by (${DEVICE}, source) (${BUSY}))`, legend: '{{source}}', instant: true }],
      },
      {
        type: 'stat',
        title: 'GPUs with new XID errors',
        unit: 'short',
        thresholds: [
          [null, 'green'],
          [1, 'red'],
        ],
        width: 4,
        description: `GPUs with an XID error in the exporter's window (DCGM_EXP_XID_ERRORS_COUNT), or whose last XID code changed in the last ${XID_WINDOW}: DCGM_FI_DEV_XID_ERRORS keeps the last code for ever, so its value alone is no news.`,
        queries: [
          {
            expr: `count(count by (node, UUID) (DCGM_EXP_XID_ERRORS_COUNT{${GPU}} > 0 or changes(DCGM_FI_DEV_XID_ERRORS{${GPU}}[${XID_WINDOW}]) > 0)) or vector(0)`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Idle allocated GPUs',
        unit: 'short',
        thresholds: [
          [null, 'green'],
          [1, 'orange'],
        ],
        width: 4,
        description: `GPUs and MIG instances held by a pod but below ${a.idleAllocated.percent}% busy over the last ${a.idleAllocated.for}: paid for, unused. ${TIME_SLICING_NOTE}`,
        queries: [
          {
            expr: `count(count by (${DEVICE}) (max_over_time(${R.busy}{node=~"$node", pod!=""}[${a.idleAllocated.for}]) * 100 < ${a.idleAllocated.percent})) or vector(0)`,
            instant: true,
          },
        ],
      },
    ],
  };
}

/** Busy ratio and frame buffer used per GPU or MIG instance. */
function busyAndMemoryPanels(a: GpuAlerts): MetricPanel[] {
  return [
    {
      type: 'timeseries',
      title: 'Busy',
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: warnCrit(0.8, 0.95),
      description: `Busy ratio per GPU, or per MIG instance (legend: its profile). ${SOURCE_NOTE} Alert: above ${a.highUtilisation.percent}% for ${a.highUtilisation.for}.`,
      queries: [{ expr: `max by (node, gpu, GPU_I_PROFILE, GPU_I_ID, source) (${BUSY})`, legend: `${LEGEND} ({{source}})` }],
    },
    {
      type: 'timeseries',
      title: 'Memory used',
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: warnCrit(0.8, 0.9),
      description:
        'Frame buffer used / (used + free) per GPU, or per MIG instance (its own memory slice). Alert: above the memoryFull threshold.',
      queries: [
        {
          expr: `max by (node, gpu, GPU_I_PROFILE, GPU_I_ID) (DCGM_FI_DEV_FB_USED{${GPU}}) / (max by (node, gpu, GPU_I_PROFILE, GPU_I_ID) (DCGM_FI_DEV_FB_USED{${GPU}}) + max by (node, gpu, GPU_I_PROFILE, GPU_I_ID) (DCGM_FI_DEV_FB_FREE{${GPU}}))`,
          legend: LEGEND,
        },
      ],
    },
  ];
}

/** Temperature and power draw per physical GPU (MIG instances share them). */
function temperatureAndPowerPanels(a: GpuAlerts): MetricPanel[] {
  return [
    {
      type: 'timeseries',
      title: 'Temperature',
      unit: 'celsius',
      thresholds: warnCrit(75, a.highTemperature.celsius),
      description: 'GPU die temperature (per physical GPU: MIG instances share it).',
      queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_GPU_TEMP{${GPU}})`, legend: '{{node}} GPU {{gpu}}' }],
    },
    {
      type: 'timeseries',
      title: 'Power',
      unit: 'watt',
      min: 0,
      thresholds: neutral(),
      description: 'Power draw per physical GPU (MIG instances share it).',
      queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_POWER_USAGE{${GPU}})`, legend: '{{node}} GPU {{gpu}}' }],
    },
  ];
}

/** XID errors: those in the exporter's window and the last code per GPU. */
function xidPanels(): MetricPanel[] {
  return [
    {
      type: 'timeseries',
      title: 'XID errors in the window',
      unit: 'short',
      min: 0,
      thresholds: [
        [null, 'green'],
        [1, 'red'],
      ],
      description:
        "XID errors per GPU and code in the exporter's window (DCGM_EXP_XID_ERRORS_COUNT, 5 minutes by default); see NVIDIA's XID catalogue for the meaning of a code.",
      queries: [{ expr: `max by (node, gpu, xid) (DCGM_EXP_XID_ERRORS_COUNT{${GPU}} > 0)`, legend: '{{node}} GPU {{gpu}} XID {{xid}}' }],
    },
    {
      type: 'timeseries',
      title: 'Last XID code',
      unit: 'short',
      thresholds: neutral(),
      description:
        'DCGM_FI_DEV_XID_ERRORS: the last XID code per GPU (0 = none since the driver loaded). It never returns to 0: a flat line is an old error, a step a new one.',
      queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_XID_ERRORS{${GPU}})`, legend: '{{node}} GPU {{gpu}}' }],
    },
  ];
}

/** Busy, memory, temperature, power, XID errors and memory bandwidth of each GPU and MIG instance. */
function perDeviceRow(a: GpuAlerts): Row {
  return {
    title: 'Per GPU and MIG instance',
    panels: [
      ...busyAndMemoryPanels(a),
      ...temperatureAndPowerPanels(a),
      ...xidPanels(),
      {
        type: 'timeseries',
        title: 'Memory bandwidth utilisation',
        unit: 'percent',
        min: 0,
        max: 100,
        thresholds: warnCrit(80, 95),
        description: 'DCGM_FI_DEV_MEM_COPY_UTIL per physical GPU.',
        queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_MEM_COPY_UTIL{${GPU}})`, legend: '{{node}} GPU {{gpu}}' }],
      },
    ],
  };
}

/** Busy, memory used and idle allocated GPUs of each pod holding a GPU. */
function perPodRow(a: GpuAlerts): Row {
  return {
    title: 'Per pod',
    panels: [
      {
        type: 'timeseries',
        title: 'Busy by pod',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.95),
        description: `Busy ratio of the GPUs or MIG instances each pod holds (DCGM pod attribution through the kubelet pod-resources API). ${SOURCE_NOTE} ${TIME_SLICING_NOTE}`,
        queries: [
          {
            expr: `avg by (namespace, pod, container, GPU_I_PROFILE) (${R.busy}{node=~"$node", namespace=~"$namespace", pod!=""})`,
            legend: '{{namespace}}/{{pod}}/{{container}} {{GPU_I_PROFILE}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Memory used by pod',
        unit: 'bytes',
        min: 0,
        thresholds: neutral(),
        description: `Frame buffer used on the GPUs or MIG instances each pod holds. ${TIME_SLICING_NOTE}`,
        queries: [
          {
            expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${GPU}, namespace=~"$namespace", pod!=""}) * 1048576`,
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Idle allocated GPUs by pod',
        unit: 'short',
        min: 0,
        thresholds: [
          [null, 'green'],
          [1, 'orange'],
        ],
        description: `GPUs or MIG instances each pod holds that stayed below ${a.idleAllocated.percent}% busy over the last ${a.idleAllocated.for}. ${TIME_SLICING_NOTE}`,
        queries: [
          {
            expr: `count by (namespace, pod) (max_over_time(${R.busy}{node=~"$node", namespace=~"$namespace", pod!=""}[${a.idleAllocated.for}]) * 100 < ${a.idleAllocated.percent})`,
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      },
    ],
  };
}

export const gpuDashboard: DashboardModule = {
  uid: 'gpu',
  file: 'charts/components/dcgm-exporter/dashboards.ts',
  build: (ctx) => {
    const a = ctx.spec.gpu.alerts;
    return {
      uid: 'gpu',
      title: 'GPU',
      description:
        'NVIDIA GPUs (DCGM exporter): busy ratio, memory, temperature, power and XID errors per GPU and MIG instance, and per pod holding a GPU.',
      folder: 'gpu',
      tags: ['gpu', 'dcgm', 'mig'],
      variables: [
        { kind: 'query', name: 'node', label: 'node', query: `label_values(DCGM_FI_DEV_FB_USED{job="${DCGM_JOB}"}, node)` },
        { kind: 'query', name: 'namespace', label: 'namespace (pods)', query: `label_values(DCGM_FI_DEV_FB_USED{${GPU}}, namespace)` },
      ],
      rows: [overviewRow(a), perDeviceRow(a), perPodRow(a)],
    };
  },
};

const TEAM = 'namespace=~"$namespace", team=~"$team", modelName=~"$model"';

type GpuCost = DashboardContext['spec']['gpu']['cost'];

/** GPU-hours of a recording rule (one sample a minute) over the dashboard's time range. */
const hoursInRange = (record: string) => `sum(sum_over_time(${record}{${TEAM}}[$__range])) / 60`;

/** GPU-hours allocated, used and idle over the time range, and the idle share. */
function hoursRow(): Row {
  return {
    title: 'GPU-hours in the time range',
    panels: [
      {
        type: 'stat',
        title: 'Allocated GPU-hours',
        unit: 'short',
        decimals: 1,
        thresholds: neutral(),
        description:
          'GPU-hours requested by scheduled, unfinished pods (kube-state-metrics: nvidia.com/gpu, and nvidia.com/mig-<N>g.* as N/7 of a GPU) over the time range.',
        queries: [{ expr: hoursInRange(R.allocated), instant: true }],
      },
      {
        type: 'stat',
        title: 'Used GPU-hours',
        unit: 'short',
        decimals: 1,
        thresholds: neutral(),
        description: `Allocated GPU-hours × the busy ratio of the pods' GPUs (DCGM pod attribution). ${SOURCE_NOTE} ${TIME_SLICING_NOTE}`,
        queries: [{ expr: hoursInRange(R.used), instant: true }],
      },
      {
        type: 'stat',
        title: 'Idle GPU-hours',
        unit: 'short',
        decimals: 1,
        thresholds: neutral(),
        description: 'Allocated minus used: GPU-hours paid for and not used.',
        queries: [{ expr: hoursInRange(R.idle), instant: true }],
      },
      {
        type: 'stat',
        title: 'Idle share',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.5, 0.7),
        description: 'Idle GPU-hours / allocated GPU-hours over the time range.',
        queries: [
          {
            expr: `sum(sum_over_time(${R.idle}{${TEAM}}[$__range])) / sum(sum_over_time(${R.allocated}{${TEAM}}[$__range]))`,
            instant: true,
          },
        ],
      },
    ],
  };
}

/** GPUs allocated and idle over time, and the idle GPU-hours of the last day, by namespace and team. */
function allocationRow(): Row {
  return {
    title: 'GPUs by namespace, team and model',
    panels: [
      {
        type: 'timeseries',
        title: 'Allocated GPUs',
        unit: 'short',
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: 'GPU equivalents allocated, per namespace, team (pod label spec.gpu.cost.teamLabel; "none" without it) and GPU model.',
        queries: [
          { expr: `sum by (namespace, team, modelName) (${R.allocated}{${TEAM}})`, legend: '{{namespace}} {{team}} {{modelName}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Idle GPUs',
        unit: 'short',
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: `GPU equivalents allocated and not busy, per namespace, team and GPU model. ${TIME_SLICING_NOTE}`,
        queries: [{ expr: `sum by (namespace, team, modelName) (${R.idle}{${TEAM}})`, legend: '{{namespace}} {{team}} {{modelName}}' }],
      },
      {
        type: 'stat',
        title: 'Idle GPU-hours by namespace and team (last day)',
        unit: 'short',
        decimals: 1,
        thresholds: neutral(),
        width: 24,
        description:
          'Idle GPU-hours of the last 24 hours per namespace and team, largest first (recording rule namespace_team_model:gpu_idle_hours:1d).',
        queries: [
          { expr: `sort_desc(sum by (namespace, team) (${R.idleHours1d}{${TEAM}}))`, legend: '{{namespace}} / {{team}}', instant: true },
        ],
      },
    ],
  };
}

/** What allocated and idle GPUs cost, in the currency of spec.gpu.cost. */
function costRow(cost: GpuCost): Row {
  const currency = `currency:${cost.currency}`;
  return {
    title: `Cost (${cost.currency})`,
    panels: [
      {
        type: 'stat',
        title: 'Allocated cost in the time range',
        unit: currency,
        decimals: 2,
        thresholds: neutral(),
        description: `Allocated GPU-hours × the price per GPU-hour of their model (spec.gpu.cost), in ${cost.currency}.`,
        queries: [{ expr: `sum(sum_over_time(${R.allocatedCost}{${TEAM}}[$__range])) / 60`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Idle cost in the time range',
        unit: currency,
        decimals: 2,
        thresholds: [
          [null, 'green'],
          [1, 'orange'],
        ],
        description: `Idle GPU-hours × the price per GPU-hour of their model, in ${cost.currency}: what unused allocations cost.`,
        queries: [{ expr: `sum(sum_over_time(${R.idleCost}{${TEAM}}[$__range])) / 60`, instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Idle cost per hour',
        unit: currency,
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: `The rate at which idle allocations cost money, per namespace and team, in ${cost.currency} per hour.`,
        queries: [{ expr: `sum by (namespace, team) (${R.idleCost}{${TEAM}})`, legend: '{{namespace}} / {{team}}' }],
      },
      {
        type: 'stat',
        title: 'Idle cost report: last day by namespace, team and model',
        unit: currency,
        decimals: 2,
        thresholds: neutral(),
        width: 24,
        description: `Idle cost of the last 24 hours per namespace, team and GPU model, largest first, in ${cost.currency} (recording rule namespace_team_model:gpu_idle_cost:1d; docs/gpu.md shows the same report as a query).`,
        queries: [
          {
            expr: `sort_desc(sum by (namespace, team, modelName) (${R.idleCost1d}{${TEAM}}))`,
            legend: '{{namespace}} / {{team}} / {{modelName}}',
            instant: true,
          },
        ],
      },
    ],
  };
}

/** GPU-hours allocated, used and idle per namespace, team and GPU model, and their cost (spec.gpu.cost). */
export const gpuCostDashboard: DashboardModule = {
  uid: 'gpu-cost',
  file: 'charts/components/dcgm-exporter/dashboards.ts',
  // Allocation comes from kube-state-metrics' requests and pod labels.
  include: (ctx) => ctx.sources.has('kube-state-metrics'),
  build: (ctx) => {
    const cost = ctx.spec.gpu.cost;
    const priced = cost.pricePerGpuHour !== undefined || Object.keys(cost.modelPrices).length > 0;
    const rows: Row[] = [hoursRow(), allocationRow(), ...(priced ? [costRow(cost)] : [])];
    return {
      uid: 'gpu-cost',
      title: 'GPU cost',
      description: `GPU-hours allocated, used and idle per namespace, team and GPU model${priced ? `, priced per GPU-hour in ${cost.currency}` : ' (set spec.gpu.cost.pricePerGpuHour for the cost panels)'}.`,
      folder: 'gpu',
      tags: ['gpu', 'cost'],
      from: 'now-7d',
      variables: [
        { kind: 'query', name: 'namespace', label: 'namespace', query: `label_values(${R.allocated}, namespace)` },
        { kind: 'query', name: 'team', label: 'team', query: `label_values(${R.allocated}{namespace=~"$namespace"}, team)` },
        { kind: 'query', name: 'model', label: 'GPU model', query: `label_values(${R.allocated}{namespace=~"$namespace"}, modelName)` },
      ],
      rows,
    };
  },
};

/** The GPU row of a service dashboard: the GPUs (or MIG instances) the service's pods hold. */
export const gpuPodRows: PodRows = (podSel) => {
  const sel = `job="${DCGM_JOB}", ${podSel}`;
  return [
    {
      title: 'GPU',
      panels: [
        {
          type: 'timeseries',
          title: 'GPU busy by pod',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: warnCrit(0.8, 0.95),
          description: `Busy ratio of the GPUs or MIG instances each pod holds (DCGM pod attribution). ${SOURCE_NOTE} ${TIME_SLICING_NOTE}`,
          queries: [{ expr: `avg by (pod, gpu, GPU_I_PROFILE) (${R.busy}{${podSel}})`, legend: '{{pod}} GPU {{gpu}} {{GPU_I_PROFILE}}' }],
        },
        {
          type: 'timeseries',
          title: 'GPU memory used by pod',
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: warnCrit(0.8, 0.9),
          description: `Frame buffer used / (used + free) on the GPUs or MIG instances each pod holds. ${TIME_SLICING_NOTE}`,
          queries: [
            {
              expr: `sum by (pod, gpu, GPU_I_PROFILE) (DCGM_FI_DEV_FB_USED{${sel}}) / (sum by (pod, gpu, GPU_I_PROFILE) (DCGM_FI_DEV_FB_USED{${sel}}) + sum by (pod, gpu, GPU_I_PROFILE) (DCGM_FI_DEV_FB_FREE{${sel}}))`,
              legend: '{{pod}} GPU {{gpu}} {{GPU_I_PROFILE}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'GPU power by pod',
          unit: 'watt',
          min: 0,
          thresholds: neutral(),
          description: `Power draw of the GPUs each pod holds (a whole GPU's, also for a MIG instance). ${TIME_SLICING_NOTE}`,
          queries: [{ expr: `sum by (pod, gpu) (DCGM_FI_DEV_POWER_USAGE{${sel}})`, legend: '{{pod}} GPU {{gpu}}' }],
        },
      ],
    },
  ];
};
