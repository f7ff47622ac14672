/**
 * GPU rules on the DCGM exporter's series (job `dcgm-exporter`): recording
 * rules per node and per pod for the GPU dashboard, and alerts on saturation,
 * temperature, hardware errors, a blind exporter, and GPUs allocated to a pod
 * that leaves them idle.
 *
 * Labels of a DCGM series: `gpu` (index), `UUID`, `modelName`, `Hostname`,
 * `node` (set by the scrape job), and `namespace`/`pod`/`container` of the
 * workload when a pod holds the GPU (absent on unallocated GPUs).
 */
import type { RuleArea } from '../../core/rule-types';
import { runbookUrl } from '../../core/rule-types';

const JOB = 'job="dcgm-exporter"';

/** Recording rule names the GPU dashboard reads. Ratios are 0-1, memory in bytes, power in watts. */
export const GPU_RECORDING = {
  nodeUtilisation: 'node:dcgm_gpu_utilisation:avg',
  nodeMemoryUsed: 'node:dcgm_gpu_memory_used_bytes:sum',
  nodeMemoryTotal: 'node:dcgm_gpu_memory_total_bytes:sum',
  nodeMemoryUtilisation: 'node:dcgm_gpu_memory_utilisation:ratio',
  nodePower: 'node:dcgm_gpu_power_watts:sum',
  nodeGpus: 'node:dcgm_gpus:count',
  podUtilisation: 'namespace_pod:dcgm_gpu_utilisation:avg',
  podMemoryUsed: 'namespace_pod:dcgm_gpu_memory_used_bytes:sum',
  podMemoryUtilisation: 'namespace_pod:dcgm_gpu_memory_utilisation:ratio',
  podPower: 'namespace_pod:dcgm_gpu_power_watts:sum',
  podGpus: 'namespace_pod:dcgm_gpus:count',
} as const;

/** The DCGM metrics the rules rely on (listed in the counters file the exporter is given). */
export const GPU_RULE_METRICS = [
  'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_GPU_TEMP',
  'DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
] as const;

const MIB = 1048576;
const GPU = 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on node {{ $labels.node }}';
const HOLDER = '{{ if $labels.pod }} used by {{ $labels.namespace }}/{{ $labels.pod }} (container {{ $labels.container }}){{ end }}';

export const gpuRules: RuleArea = (ctx) => {
  const gpu = ctx.spec.gpu;
  if (!gpu.enabled) return undefined;
  const a = gpu.alerts;
  const pod = `${JOB},pod!=""`;
  return {
    fileName: 'gpu.yaml',
    title: 'NVIDIA GPUs (DCGM exporter)',
    groups: [
      {
        name: 'gpu.recording',
        rules: [
          { record: GPU_RECORDING.nodeUtilisation, expr: `avg by (node) (DCGM_FI_DEV_GPU_UTIL{${JOB}}) / 100` },
          { record: GPU_RECORDING.nodeMemoryUsed, expr: `sum by (node) (DCGM_FI_DEV_FB_USED{${JOB}}) * ${MIB}` },
          { record: GPU_RECORDING.nodeMemoryTotal, expr: `sum by (node) (DCGM_FI_DEV_FB_USED{${JOB}} + DCGM_FI_DEV_FB_FREE{${JOB}}) * ${MIB}` },
          { record: GPU_RECORDING.nodeMemoryUtilisation, expr: `${GPU_RECORDING.nodeMemoryUsed} / ${GPU_RECORDING.nodeMemoryTotal}` },
          { record: GPU_RECORDING.nodePower, expr: `sum by (node) (DCGM_FI_DEV_POWER_USAGE{${JOB}})` },
          { record: GPU_RECORDING.nodeGpus, expr: `count by (node) (DCGM_FI_DEV_GPU_UTIL{${JOB}})` },
          { record: GPU_RECORDING.podUtilisation, expr: `avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{${pod}}) / 100` },
          { record: GPU_RECORDING.podMemoryUsed, expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}}) * ${MIB}` },
          {
            record: GPU_RECORDING.podMemoryUtilisation,
            expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}}) / sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}} + DCGM_FI_DEV_FB_FREE{${pod}})`,
          },
          { record: GPU_RECORDING.podPower, expr: `sum by (namespace, pod) (DCGM_FI_DEV_POWER_USAGE{${pod}})` },
          { record: GPU_RECORDING.podGpus, expr: `count by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{${pod}})` },
        ],
      },
      {
        name: 'gpu.alerts',
        rules: [
          {
            alert: 'GpuHighUtilisation',
            expr: `DCGM_FI_DEV_GPU_UTIL{${JOB}} > ${a.highUtilisation.percent}`,
            for: a.highUtilisation.for,
            labels: { severity: 'warning' },
            annotations: {
              summary: `GPU busy above ${a.highUtilisation.percent}% for ${a.highUtilisation.for}`,
              description: `${GPU}${HOLDER} has been at {{ $value }}% utilisation for ${a.highUtilisation.for}: requests queue up behind it.`,
              runbook_url: runbookUrl('GpuHighUtilisation'),
            },
          },
          {
            alert: 'GpuMemoryNearlyFull',
            expr: `DCGM_FI_DEV_FB_USED{${JOB}} / (DCGM_FI_DEV_FB_USED{${JOB}} + DCGM_FI_DEV_FB_FREE{${JOB}}) * 100 > ${a.memoryFull.percent}`,
            for: a.memoryFull.for,
            labels: { severity: 'warning' },
            annotations: {
              summary: `GPU memory (VRAM) above ${a.memoryFull.percent}% for ${a.memoryFull.for}`,
              description: `${GPU}${HOLDER} has {{ printf "%.1f" $value }}% of its memory in use: the next allocation may fail with CUDA out of memory.`,
              runbook_url: runbookUrl('GpuMemoryNearlyFull'),
            },
          },
          {
            alert: 'GpuTemperatureHigh',
            expr: `DCGM_FI_DEV_GPU_TEMP{${JOB}} > ${a.highTemperature.celsius}`,
            for: a.highTemperature.for,
            labels: { severity: 'warning' },
            annotations: {
              summary: `GPU above ${a.highTemperature.celsius} °C for ${a.highTemperature.for}`,
              description: `${GPU}${HOLDER} is at {{ $value }} °C: it will throttle its clocks, then shut down if it keeps heating.`,
              runbook_url: runbookUrl('GpuTemperatureHigh'),
            },
          },
          {
            alert: 'GpuXidError',
            expr: `DCGM_FI_DEV_XID_ERRORS{${JOB}} > 0`,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'GPU reported an XID error',
              description: `${GPU}${HOLDER} reported XID {{ $value }}: the driver saw a GPU, driver or application fault.`,
              runbook_url: runbookUrl('GpuXidError'),
            },
          },
          {
            alert: 'GpuEccDoubleBitErrors',
            expr: `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{${JOB}} > 0`,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'GPU memory has uncorrectable (double-bit) ECC errors',
              description: `${GPU}${HOLDER} has {{ $value }} uncorrectable ECC error(s) since its driver loaded: data in GPU memory was corrupted.`,
              runbook_url: runbookUrl('GpuEccDoubleBitErrors'),
            },
          },
          {
            alert: 'GpuRowRemapFailure',
            expr: `DCGM_FI_DEV_ROW_REMAP_FAILURE{${JOB}} > 0`,
            labels: { severity: 'critical' },
            annotations: {
              summary: 'GPU could not remap a failing memory row',
              description: `${GPU}${HOLDER} failed to remap a memory row (value {{ $value }}): it has run out of spare rows and needs replacing.`,
              runbook_url: runbookUrl('GpuRowRemapFailure'),
            },
          },
          {
            alert: 'DcgmExporterDown',
            expr: 'up{job="dcgm-exporter"} == 0',
            for: '5m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'DCGM exporter down on a GPU node',
              description: 'The DCGM exporter {{ $labels.exporter_namespace }}/{{ $labels.exporter_pod }} on GPU node {{ $labels.node }} has not answered scrapes for 5 minutes (up = {{ $value }}): no GPU metrics and no GPU alerts from that node.',
              runbook_url: runbookUrl('DcgmExporterDown'),
            },
          },
          {
            alert: 'GpuAllocatedButIdle',
            expr: `DCGM_FI_DEV_GPU_UTIL{${pod}} < ${a.idleAllocated.percent}`,
            for: a.idleAllocated.for,
            labels: { severity: 'warning' },
            annotations: {
              summary: `GPU allocated to a pod but below ${a.idleAllocated.percent}% busy for ${a.idleAllocated.for}`,
              description: `${GPU} is allocated to {{ $labels.namespace }}/{{ $labels.pod }} (container {{ $labels.container }}) but has been at {{ $value }}% utilisation for ${a.idleAllocated.for}: a paid-for GPU nobody else can use.`,
              runbook_url: runbookUrl('GpuAllocatedButIdle'),
            },
          },
        ],
      },
    ],
    runbooks: {
      GpuHighUtilisation: {
        meaning: `The GPU has been busier than ${a.highUtilisation.percent}% for ${a.highUtilisation.for}. For an inference server (vLLM, STT, TTS) this means it is saturated: new requests wait in its queue and latency grows.`,
        check: 'Open the GPU dashboard for the node and pod. Compare with the service\'s own queue metrics (vLLM: `vllm:num_requests_waiting`) and latency. `kubectl -n <namespace> top pod <pod>` and `kubectl exec` into the pod for `nvidia-smi`.',
        fix: 'Scale the service out (more replicas on more GPUs), lower its batch or concurrency limits, or move batch jobs to other GPUs. If the load is expected, raise `spec.gpu.alerts.highUtilisation.percent` or its `for`.',
      },
      GpuMemoryNearlyFull: {
        meaning: `More than ${a.memoryFull.percent}% of the GPU's framebuffer memory (VRAM) has been in use for ${a.memoryFull.for}; the next allocation can fail with "CUDA out of memory". Note that vLLM reserves \`--gpu-memory-utilization\` of the VRAM (0.9 by default) at start for its KV cache, so a vLLM GPU sits near that level by design.`,
        check: '`kubectl exec` into the pod holding the GPU and run `nvidia-smi` to see which processes hold memory. Check the pod\'s logs for out-of-memory errors and the GPU dashboard for growth over time (a leak) versus a flat line (a reservation).',
        fix: 'For vLLM, lower `--gpu-memory-utilization` or raise this alert\'s threshold (`spec.gpu.alerts.memoryFull.percent`, e.g. 97) for that cluster. Otherwise reduce batch size or model size, restart a leaking process, or give the workload a larger GPU.',
      },
      GpuTemperatureHigh: {
        meaning: `The GPU core has been hotter than ${a.highTemperature.celsius} °C for ${a.highTemperature.for}. GPUs slow their clocks near their slowdown temperature and shut down at their shutdown temperature.`,
        check: '`nvidia-smi -q -d TEMPERATURE,PERFORMANCE` on the node (or in the exporter pod) shows the slowdown/shutdown temperatures and active throttle reasons; the dashboard shows DCGM_FI_DEV_CLOCKS_EVENT_REASONS and DCGM_FI_DEV_THERMAL_VIOLATION. Compare with the other GPUs of the node and the rack.',
        fix: 'Check the node\'s cooling: fans, airflow, blocked filters, data-centre inlet temperature. Lower the power limit (`nvidia-smi -pl`) or move load away meanwhile. If one GPU is much hotter than its neighbours, open a hardware ticket.',
      },
      GpuXidError: {
        meaning: 'The NVIDIA driver reported an XID error for this GPU; the value is the XID code. Some codes are application faults (13, 31, 43: a bad kernel or an out-of-range access in the workload), others are hardware or driver faults (48 double-bit ECC, 63/64 row remapping, 74 NVLink, 79 GPU fell off the bus, 94/95 contained/uncontained memory errors). DCGM reports the most recent code, so the alert stays active until the GPU is reset.',
        check: 'Look the code up in NVIDIA\'s XID catalogue. On the node: `dmesg -T | grep -i xid` (or `journalctl -k | grep -i xid`) for the full message and the process involved; `nvidia-smi -q` for ECC and remapping state. Check the logs of the pod that held the GPU.',
        fix: 'Application XIDs: fix or restart the workload. Hardware or driver XIDs: cordon and drain the node (`kubectl cordon <node>`, `kubectl drain <node> --ignore-daemonsets`), reset the GPU (`nvidia-smi -r`) or reboot the node, and open a hardware ticket if the XID comes back. Silence the alert once handled if the GPU cannot be reset yet.',
      },
      GpuEccDoubleBitErrors: {
        meaning: 'The GPU memory had uncorrectable (double-bit) ECC errors since the driver loaded: data was corrupted and the process using it most likely crashed or computed wrong results. The volatile counter resets when the GPU is reset or the driver reloads.',
        check: '`nvidia-smi -q -d ECC,ROW_REMAPPER,PAGE_RETIREMENT` on the node. Check DCGM_FI_DEV_ECC_DBE_AGG_TOTAL (lifetime count) and the remapped-row or retired-page series on the dashboard, and the workload\'s logs for crashes.',
        fix: 'Cordon and drain the node, then reset the GPU (`nvidia-smi -r`) or reboot so a spare row is remapped (Ampere and newer) or the page retired (older GPUs). If errors recur or the aggregate count keeps growing, replace the GPU.',
      },
      GpuRowRemapFailure: {
        meaning: 'The GPU tried to remap a failing memory row and could not: it has no spare rows left for that bank. Its memory can no longer be repaired and further errors will corrupt data.',
        check: '`nvidia-smi -q -d ROW_REMAPPER` on the node shows "Remapping Failure Occurred: Yes" and the remapped-row histogram. DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS on the dashboard.',
        fix: 'Cordon and drain the node and keep the GPU out of service: it needs replacing (open a hardware RMA with the vendor).',
      },
      DcgmExporterDown: {
        meaning: 'Prometheus cannot scrape the DCGM exporter on a GPU node: no GPU metrics and none of the GPU alerts (XID, ECC, temperature) for that node until it is back.',
        check: '`kubectl -n <agent namespace> get pods -l app.kubernetes.io/name=dcgm-exporter -o wide`, then `kubectl logs` and `kubectl describe pod` of the pod on that node. Typical causes: the RuntimeClass `nvidia` missing ("RuntimeClass not found"), the NVIDIA driver or container toolkit broken on the node ("Failed to initialize NVML"), a fields file the DCGM version does not know, or the pod still initialising DCGM.',
        fix: 'Install or repair the NVIDIA driver and container toolkit (or GPU operator) on the node; create the RuntimeClass (`spec.gpu.createRuntimeClass: true`) or set `spec.gpu.runtimeClassName: null` where nvidia is the default runtime. Restart the exporter pod. If the GPU operator also runs its own dcgm-exporter, keep only one of them.',
      },
      GpuAllocatedButIdle: {
        meaning: `A pod holds this GPU (nvidia.com/gpu request) but has kept it below ${a.idleAllocated.percent}% busy for ${a.idleAllocated.for}. Nobody else can schedule on it: an expensive GPU is wasted.`,
        check: 'Find the pod\'s owner (`kubectl -n <namespace> get pod <pod> -o jsonpath={.metadata.ownerReferences}`) and whether it serves traffic at all (its request rate on its dashboard). A stuck job, a forgotten notebook or a replica count above the load are the usual causes.',
        fix: 'Scale the workload down or to zero when idle (KEDA or HPA on request rate), delete forgotten pods, or share GPUs between light services (time-slicing or MIG). If the pod is a standby on purpose, raise `spec.gpu.alerts.idleAllocated.for` or silence it.',
      },
    },
  };
};
