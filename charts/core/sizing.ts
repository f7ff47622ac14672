/**
 * Resources that follow the load (issue 11): from the expected cluster
 * (spec.sizing) to the requests, limits, volume sizes and retention size of
 * Prometheus, Loki and kube-state-metrics. Pure and leaf: the spec loader
 * fills these in wherever the spec leaves the field unset, so every derived
 * value stays overridable field by field.
 *
 * Inputs, and where each figure comes from:
 * - series: the series budget per object the README documents (kube-state-
 *   metrics 18 per pod and 20 per node; kubelet 5 per node + 6 per claim),
 *   node-exporter measured after filtering (test/config/node-exporter.test.ts: 56
 *   stored on a 2-CPU host, +8 per further CPU), cAdvisor's kept container
 *   series, the GPU exporter's fields per GPU, and spec.sizing.seriesPerService for
 *   each declared service;
 * - bytes per sample: 3.5, measured with the real TSDB on two hours of
 *   15 s samples shaped like ours (`npx tsx bench/bytes-per-sample.ts`:
 *   3.51 with the index, 3.04 for chunks alone);
 * - memory per head series: 4 KiB; the real Prometheus holds 3,825 bytes of
 *   resident memory per head series (`npx tsx bench/head-bytes-per-series.ts`:
 *   50,000 series scraped every second for a minute, against an empty target);
 * - kube-state-metrics: its README's rule of thumb, 2 MiB and 0.001 core per
 *   node on top of a base (ours is smaller: --resources and the allowlist).
 */

export interface ClusterLoad {
  /** Nodes that run the node agents. */
  readonly nodes: number;
  /** Of which with NVIDIA GPUs (the GPU exporter's series). */
  readonly gpuNodes: number;
  readonly gpusPerGpuNode: number;
  /** CPUs of a typical node (node-exporter's per-CPU series). */
  readonly cpusPerNode: number;
  /** Running pods, cluster-wide. */
  readonly pods: number;
  /** Declared services (spec.services). */
  readonly services: number;
  /** Series one declared service's targets expose. */
  readonly seriesPerService: number;
  /** Log volume a pod writes per day, in MiB, before compression. */
  readonly logMiBPerPodPerDay: number;
  readonly scrapeIntervalSeconds: number;
  readonly prometheusRetentionSeconds: number;
  readonly lokiRetentionDays: number;
}

/** Series per object: the documented budget (docs/configuration.md "Series budget") plus the measured exporters. */
export const SERIES_BUDGET = {
  /** kube-state-metrics 18 (1 typical container) + cAdvisor ~16 (kept container series, network per pod) + ~3 (workload share). */
  perPod: 18 + 16 + 3,
  /** kube-state-metrics 20 + kubelet 5 + node-exporter 56 (2 CPUs, measured) + cAdvisor machine ~30 + the log collector's own ~150. */
  perNode: 20 + 5 + 56 + 30 + 150,
  /** node-exporter: node_cpu_seconds_total has 8 modes per CPU. */
  perExtraCpu: 8,
  /** The GPU exporter: a series per field of its counters file, per GPU (its folder's test holds this to the file). */
  perGpu: 31,
  /** Prometheus, Alertmanager, Loki, Grafana, kube-state-metrics' telemetry, the stack's claims, recording rules. */
  stack: 4000,
} as const;

export const BYTES_PER_SAMPLE = 3.5;
export const HEAD_BYTES_PER_SERIES = 4096;

const MI = 1024 ** 2;
const GI = 1024 ** 3;

/** Round a byte count up to a multiple of `step` MiB, as a quantity ("448Mi"). */
function mebibytes(bytes: number, step = 32): string {
  return `${Math.ceil(bytes / MI / step) * step}Mi`;
}
function gibibytes(bytes: number, min: number): string {
  return `${Math.max(min, Math.ceil(bytes / GI))}Gi`;
}
/** Cores rounded up to 10m, as a quantity ("130m", "2"). */
function cores(c: number): string {
  const m = Math.ceil((c * 1000) / 10) * 10;
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export interface SizedResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface Sizing {
  /** Active series Prometheus is expected to hold. */
  readonly series: number;
  readonly prometheus: { readonly resources: SizedResources; readonly storageSize: string };
  readonly loki: { readonly resources: SizedResources; readonly storageSize: string };
  readonly kubeStateMetrics: { readonly resources: SizedResources };
}

/** The load of a spec that describes nothing: 3 nodes of 8 CPUs, 30 pods each, no GPU, no service, 15 s scrapes, 15 d / 7 d retention. */
export const DEFAULT_LOAD: ClusterLoad = {
  nodes: 3,
  gpuNodes: 0,
  gpusPerGpuNode: 1,
  cpusPerNode: 8,
  pods: 90,
  services: 0,
  seriesPerService: 300,
  logMiBPerPodPerDay: 20,
  scrapeIntervalSeconds: 15,
  prometheusRetentionSeconds: 15 * 86_400,
  lokiRetentionDays: 7,
};

export function expectedSeries(c: ClusterLoad): number {
  return (
    SERIES_BUDGET.stack +
    c.nodes * (SERIES_BUDGET.perNode + Math.max(0, c.cpusPerNode - 2) * SERIES_BUDGET.perExtraCpu) +
    c.pods * SERIES_BUDGET.perPod +
    c.gpuNodes * c.gpusPerGpuNode * SERIES_BUDGET.perGpu +
    c.services * c.seriesPerService
  );
}

export function sizeStack(c: ClusterLoad): Sizing {
  const series = expectedSeries(c);

  // Prometheus: memory follows the head series, CPU the ingestion and rule load, the volume the retained samples.
  const promMem = 384 * MI + series * HEAD_BYTES_PER_SERIES;
  const promCpu = 0.1 + (series / 100_000) * 0.25;
  const samples = (series / c.scrapeIntervalSeconds) * c.prometheusRetentionSeconds;
  // x1.2 for the WAL and compaction; retentionSize defaults to 85% of the volume.
  const promDisk = (samples * BYTES_PER_SAMPLE * 1.2) / 0.85;

  // Loki: memory follows the streams (a container's stdout and stderr: ~2 per pod, their open chunks),
  // CPU the ingested bytes (~0.5 core per MiB/s) and the streams; chunks compress logs ~7x;
  // x1.3 for index, WAL and compaction.
  const ingestMiBps = (c.pods * c.logMiBPerPodPerDay) / 86_400;
  const lokiMem = 256 * MI + c.pods * 0.5 * MI;
  const lokiCpu = 0.1 + ingestMiBps * 0.5 + c.pods * 0.0001;
  const lokiDisk = c.pods * c.logMiBPerPodPerDay * MI * 0.15 * c.lokiRetentionDays * 1.3;

  const ksmMem = 96 * MI + c.nodes * 2 * MI + c.pods * 10 * 1024;
  const ksmCpu = 0.05 + c.nodes * 0.001;

  const sized = (cpu: number, mem: number, minCpuLimit: number, minMemLimit: number): SizedResources => ({
    requests: { cpu: cores(cpu), memory: mebibytes(mem) },
    limits: { cpu: cores(Math.max(minCpuLimit, cpu * 4)), memory: mebibytes(Math.max(minMemLimit, mem * 2)) },
  });
  return {
    series,
    prometheus: { resources: sized(promCpu, promMem, 1, GI), storageSize: gibibytes(promDisk, 10) },
    loki: { resources: sized(lokiCpu, lokiMem, 1, GI), storageSize: gibibytes(lokiDisk, 10) },
    kubeStateMetrics: { resources: sized(ksmCpu, ksmMem, 1, 512 * MI) },
  };
}

/**
 * The sizes of DEFAULT_LOAD: the schema's defaults (what the JSON schema shows). The loader
 * replaces them with the sizes of the spec's own cluster wherever the spec sets none.
 */
export const DEFAULT_SIZING: Sizing = sizeStack(DEFAULT_LOAD);
