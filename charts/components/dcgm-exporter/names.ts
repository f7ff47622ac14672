/**
 * The names of the DCGM exporter, in one place: its workload name
 * (app.kubernetes.io/name), Prometheus job, dist/ file, port, and the
 * recording rules other parts read. A leaf module (it imports only charts/core), so the
 * rules, the dashboards and the construct of this folder share it, and
 * nothing outside the folder (but the registry and the image table) names the
 * component.
 */
import { RECORDING } from '../../core/recording';

/** app.kubernetes.io/name of the DaemonSet, its Prometheus job and the stem of its objects' names. */
export const DCGM_NAME = 'dcgm-exporter';
/** The Prometheus job of its series (also of the GPU Operator's exporter with `exporter: external`). */
export const DCGM_JOB = DCGM_NAME;
/** The dist/ file it writes. */
export const DCGM_FILE = '22-dcgm-exporter';
/** The exporter's metrics port (DCGM_EXPORTER_LISTEN). */
export const DCGM_PORT = 9400;

/**
 * Recording rules, by level. Ratios are 0-1, memory in bytes, power in watts,
 * `gpus` in GPU equivalents (a MIG instance counts as its share of the GPU's
 * compute slices), cost per hour in the currency of `spec.gpu.cost.currency`.
 */
export const GPU_RECORDING = {
  /** Per GPU, or per MIG instance: DCGM_FI_PROF_GR_ENGINE_ACTIVE where collected, else DCGM_FI_DEV_GPU_UTIL / 100; label `source` says which. */
  busy: 'gpu:dcgm_gpu_busy:ratio',
  nodeUtilisation: 'node:dcgm_gpu_utilisation:avg',
  nodeMemoryUsed: 'node:dcgm_gpu_memory_used_bytes:sum',
  nodeMemoryTotal: 'node:dcgm_gpu_memory_total_bytes:sum',
  nodeMemoryUtilisation: 'node:dcgm_gpu_memory_utilisation:ratio',
  nodePower: 'node:dcgm_gpu_power_watts:sum',
  nodeGpus: 'node:dcgm_gpus:count',
  /** The busy ratio of the GPUs each pod holds: the neutral name service kinds read (charts/core/recording.ts). */
  podUtilisation: RECORDING.podGpuUtilisation,
  podMemoryUsed: 'namespace_pod:dcgm_gpu_memory_used_bytes:sum',
  podMemoryUtilisation: 'namespace_pod:dcgm_gpu_memory_utilisation:ratio',
  podPower: 'namespace_pod:dcgm_gpu_power_watts:sum',
  podGpus: 'namespace_pod:dcgm_gpus:count',
  /** The GPU model of each node's GPUs (value 1), for joining allocations to a model. */
  nodeModel: 'node_model:dcgm_gpu_model:info',
  /** GPU equivalents a pod holds (kube-state-metrics requests of nvidia.com/gpu and nvidia.com/mig-*), with its node's GPU model. */
  podAllocated: 'namespace_pod_model:gpu_allocated:sum',
  /** GPU equivalents a pod keeps busy (busy ratio × the GPUs it holds, from DCGM pod attribution). */
  podUsed: 'namespace_pod_model:gpu_used:sum',
  /** Per namespace, team (the pod label spec.gpu.cost.teamLabel) and GPU model: allocated, used, idle GPU equivalents. */
  allocated: 'namespace_team_model:gpu_allocated:sum',
  used: 'namespace_team_model:gpu_used:sum',
  idle: 'namespace_team_model:gpu_idle:sum',
  /** Price of one GPU-hour per GPU model (spec.gpu.cost). */
  price: 'model:gpu_price_per_hour:value',
  /** Cost per hour of the allocated and of the idle GPU equivalents. */
  allocatedCost: 'namespace_team_model:gpu_allocated_cost_per_hour:sum',
  idleCost: 'namespace_team_model:gpu_idle_cost_per_hour:sum',
  /** GPU-hours over the last day (average GPU equivalents × 24). */
  allocatedHours1d: 'namespace_team_model:gpu_allocated_hours:1d',
  usedHours1d: 'namespace_team_model:gpu_used_hours:1d',
  idleHours1d: 'namespace_team_model:gpu_idle_hours:1d',
  idleCost1d: 'namespace_team_model:gpu_idle_cost:1d',
} as const;
