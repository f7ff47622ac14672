/**
 * GPU rules on the DCGM exporter's series (job `dcgm-exporter`): the busy ratio
 * of every GPU or MIG instance (DCGM_FI_PROF_GR_ENGINE_ACTIVE where profiling
 * is on, DCGM_FI_DEV_GPU_UTIL otherwise), recording rules per node and per
 * pod, GPU-hours allocated, used and idle per namespace, team and GPU model
 * with their cost, and alerts on saturation, low use, temperature, hardware
 * errors (XID on a windowed count), a blind exporter, and GPUs allocated to a
 * pod that leaves them idle.
 *
 * Labels of a DCGM series: `gpu` (index), `UUID`, `modelName`, `Hostname`,
 * `node` (set by the scrape job), `GPU_I_PROFILE` and `GPU_I_ID` on a MIG
 * instance, and `namespace`/`pod`/`container` of the workload when a pod
 * holds the GPU (absent on unallocated GPUs). With time-slicing, every pod
 * sharing a GPU gets its own copy of the device's series: per-pod numbers
 * are the device's, and node-level rules count each GPU (or MIG instance,
 * keyed by node, UUID and GPU_I_ID) once.
 */
import type { AlertRule, RecordingRule, RuleArea, RuleGroup, Runbook, RulesContext } from '../../core/rule-types';
import { runbookUrl } from '../../core/rule-types';
import { KSM_JOB } from '../../core/names';
import type { GpuCostSpec } from './spec';
import { DCGM_JOB, GPU_RECORDING } from './names';

export { GPU_RECORDING } from './names';

const JOB = `job="${DCGM_JOB}"`;
const KSM = `job="${KSM_JOB}"`;

/** The DCGM metrics the rules rely on (listed in the counters file the exporter is given; GR_ENGINE_ACTIVE with profiling). */
export const GPU_RULE_METRICS = [
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_FREE',
  'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_GPU_TEMP',
  'DCGM_FI_DEV_XID_ERRORS',
  'DCGM_EXP_XID_ERRORS_COUNT',
  'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
  'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
] as const;

/** How far back a change of the last XID code (DCGM_FI_DEV_XID_ERRORS) counts as a new error, when the exporter gives no windowed count. */
export const XID_WINDOW = '10m';

/**
 * MIG: a pod requesting `nvidia.com/mig-<N>g.<mem>` (the device plugin's mixed strategy) holds N of the GPU's
 * 7 compute slices (A100, H100, H200, B200), counted as N/7 GPU equivalents.
 */
export const MIG_SLICES = [1, 2, 3, 4, 7] as const;
export const MIG_SLICES_PER_GPU = 7;

/** The `label_<key>` kube-state-metrics gives a pod label on kube_pod_labels (invalid characters become `_`). */
export function ksmLabelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A regex matching exactly these strings (RE2), as the text of a PromQL double-quoted string (backslashes doubled). */
function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\.+*?()|[\]{}^$"]/g, (c) => (c === '"' ? '\\"' : `\\\\${c}`))).join('|');
}

const MIB = 1048576;
/** One GPU, or one MIG instance of it. */
const DEVICE = 'node, UUID, GPU_I_ID';
const GPU =
  'GPU {{ $labels.gpu }}{{ if $labels.GPU_I_ID }} MIG instance {{ $labels.GPU_I_ID }} ({{ $labels.GPU_I_PROFILE }}){{ end }} ({{ $labels.modelName }}, {{ $labels.UUID }}) on node {{ $labels.node }}';
const HOLDER = '{{ if $labels.pod }} used by {{ $labels.namespace }}/{{ $labels.pod }} (container {{ $labels.container }}){{ end }}';
const PCT = '{{ printf "%.0f" $value }}%';

/** The busy ratio of every GPU or MIG instance: GR engine activity where DCGM profiles, GPU utilisation elsewhere. */
export function busyExpr(matchers = ''): string {
  const sel = `${JOB}${matchers ? `,${matchers}` : ''}`;
  return (
    `label_replace(DCGM_FI_PROF_GR_ENGINE_ACTIVE{${sel}}, "source", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "", "")` +
    ` or on (node, UUID) label_replace(DCGM_FI_DEV_GPU_UTIL{${sel}} / 100, "source", "DCGM_FI_DEV_GPU_UTIL", "", "")`
  );
}

function recordingGroup(): RuleGroup {
  const pod = `${JOB},pod!=""`;
  const R = GPU_RECORDING;
  return {
    name: 'gpu.recording',
    rules: [
      { record: R.busy, expr: busyExpr() },
      { record: R.nodeUtilisation, expr: `avg by (node) (max by (${DEVICE}) (${R.busy}))` },
      { record: R.nodeMemoryUsed, expr: `sum by (node) (max by (${DEVICE}) (DCGM_FI_DEV_FB_USED{${JOB}})) * ${MIB}` },
      {
        record: R.nodeMemoryTotal,
        expr: `sum by (node) (max by (${DEVICE}) (DCGM_FI_DEV_FB_USED{${JOB}} + DCGM_FI_DEV_FB_FREE{${JOB}})) * ${MIB}`,
      },
      { record: R.nodeMemoryUtilisation, expr: `${R.nodeMemoryUsed} / ${R.nodeMemoryTotal}` },
      { record: R.nodePower, expr: `sum by (node) (max by (node, UUID) (DCGM_FI_DEV_POWER_USAGE{${JOB}}))` },
      { record: R.nodeGpus, expr: `count by (node) (count by (node, UUID) (DCGM_FI_DEV_FB_USED{${JOB}}))` },
      { record: R.podUtilisation, expr: `avg by (namespace, pod) (${R.busy}{pod!=""})` },
      { record: R.podMemoryUsed, expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}}) * ${MIB}` },
      {
        record: R.podMemoryUtilisation,
        expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}}) / sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${pod}} + DCGM_FI_DEV_FB_FREE{${pod}})`,
      },
      { record: R.podPower, expr: `sum by (namespace, pod) (DCGM_FI_DEV_POWER_USAGE{${pod}})` },
      { record: R.podGpus, expr: `count by (namespace, pod) (count by (namespace, pod, UUID, GPU_I_ID) (DCGM_FI_DEV_FB_USED{${pod}}))` },
    ],
  };
}

/** GPU equivalents each scheduled, unfinished pod requests: nvidia.com/gpu, and MIG instances as their share of the GPU. */
export function requestedExpr(): string {
  const r = `kube_pod_container_resource_requests{${KSM},node!=""`;
  const terms = [
    `${r},resource="nvidia_com_gpu"}`,
    ...MIG_SLICES.map((n) => `${r},resource=~"nvidia_com_mig_${n}g_.+"} * ${n} / ${MIG_SLICES_PER_GPU}`),
  ];
  return (
    `sum by (namespace, pod, node) (${terms.join(' or ')})` +
    ` * on (namespace, pod) group_left () (sum by (namespace, pod) (kube_pod_status_phase{${KSM},phase=~"Pending|Running"}) > 0)`
  );
}

/** Per namespace, team and GPU model: `x` (per namespace, pod, node, modelName) joined to the pod's team label. */
function byTeam(x: string, teamLabel: string): string {
  const l = ksmLabelName(teamLabel);
  const joined = `${x} * on (namespace, pod) group_left (${l}) max by (namespace, pod, ${l}) (kube_pod_labels{${KSM}}) or on (namespace, pod) ${x}`;
  return `label_replace(sum by (namespace, team, modelName) (label_replace(${joined}, "team", "$1", "${l}", "(.+)")), "team", "none", "team", "")`;
}

/** GPU-hours, allocation and cost: needs kube-state-metrics (requests, phases, pod labels). Evaluated every minute. */
function costGroup(cost: GpuCostSpec): RuleGroup {
  const R = GPU_RECORDING;
  const requested = requestedExpr();
  const rules: RecordingRule[] = [
    { record: R.nodeModel, expr: `topk by (node) (1, group by (node, modelName) (DCGM_FI_DEV_FB_USED{${JOB}}))` },
    {
      record: R.podAllocated,
      expr: `${requested} * on (node) group_left (modelName) ${R.nodeModel} or on (namespace, pod) label_replace(${requested}, "modelName", "unknown", "", "")`,
    },
    // The pods' busy ratio computed here (as namespace_pod:gpu_utilisation:ratio is), so the group reads no other group's output.
    { record: R.podUsed, expr: `${R.podAllocated} * on (namespace, pod) group_left () avg by (namespace, pod) (${busyExpr('pod!=""')})` },
    { record: R.allocated, expr: byTeam(R.podAllocated, cost.teamLabel) },
    { record: R.used, expr: byTeam(R.podUsed, cost.teamLabel) },
    { record: R.idle, expr: `clamp_min(${R.allocated} - (${R.used} or ${R.allocated} * 0), 0)` },
    // One sample a minute (the group's interval): a sum over a day divided by 60 is GPU-hours.
    { record: R.allocatedHours1d, expr: `sum_over_time(${R.allocated}[1d]) / 60` },
    { record: R.usedHours1d, expr: `sum_over_time(${R.used}[1d]) / 60` },
    { record: R.idleHours1d, expr: `sum_over_time(${R.idle}[1d]) / 60` },
  ];
  const models = Object.entries(cost.modelPrices);
  for (const [modelName, price] of models) {
    rules.push({ record: R.price, expr: `vector(${price})`, labels: { modelName, currency: cost.currency } });
  }
  if (cost.pricePerGpuHour !== undefined) {
    const others =
      models.length === 0
        ? ''
        : models.length === 1
          ? `{modelName!="${models[0][0].replace(/["\\]/g, (c) => `\\${c}`)}"}`
          : `{modelName!~"${anyOf(models.map(([m]) => m))}"}`;
    rules.push({
      record: R.price,
      expr: `group by (modelName) (${R.podAllocated}${others}) * ${cost.pricePerGpuHour}`,
      labels: { currency: cost.currency },
    });
  }
  if (models.length || cost.pricePerGpuHour !== undefined) {
    rules.push(
      { record: R.allocatedCost, expr: `${R.allocated} * on (modelName) group_left (currency) ${R.price}` },
      { record: R.idleCost, expr: `${R.idle} * on (modelName) group_left (currency) ${R.price}` },
      { record: R.idleCost1d, expr: `${R.idleHours1d} * on (modelName) group_left (currency) ${R.price}` },
    );
  }
  return { name: 'gpu.cost', interval: '1m', rules };
}

type GpuAlerts = RulesContext['spec']['gpu']['alerts'];

/** A GPU saturated: busy, its memory nearly full, or hot. */
function loadAlerts(a: GpuAlerts): AlertRule[] {
  const R = GPU_RECORDING;
  return [
    {
      alert: 'GpuHighUtilisation',
      expr: `${R.busy} * 100 > ${a.highUtilisation.percent}`,
      for: a.highUtilisation.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: `GPU busy above ${a.highUtilisation.percent}% for ${a.highUtilisation.for}`,
        description: `${GPU}${HOLDER} has been ${PCT} busy ({{ $labels.source }}) for ${a.highUtilisation.for}: requests queue up behind it.`,
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
  ];
}

/** Hardware faults (XID, uncorrectable ECC, a failed row remap) and an exporter gone blind. */
function faultAlerts(): AlertRule[] {
  return [
    {
      alert: 'GpuXidError',
      // DCGM_FI_DEV_XID_ERRORS holds the last code and never returns to 0: alert on the exporter's windowed count of
      // XIDs per code, or, from an exporter without it, on a change of the last code within XID_WINDOW.
      expr:
        `DCGM_EXP_XID_ERRORS_COUNT{${JOB}} > 0` +
        ` or (DCGM_FI_DEV_XID_ERRORS{${JOB}} > 0 and changes(DCGM_FI_DEV_XID_ERRORS{${JOB}}[${XID_WINDOW}]) > 0) unless on (node, UUID) DCGM_EXP_XID_ERRORS_COUNT{${JOB}}`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'GPU reported an XID error',
        description: `${GPU}${HOLDER} reported {{ if $labels.xid }}XID {{ $labels.xid }} {{ $value }} time(s) in the exporter's window{{ else }}XID {{ $value }} in the last ${XID_WINDOW}{{ end }}: the driver saw a GPU, driver or application fault.`,
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
      expr: `up{${JOB}} == 0`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'DCGM exporter down on a GPU node',
        description:
          'The DCGM exporter {{ $labels.exporter_namespace }}/{{ $labels.exporter_pod }} on GPU node {{ $labels.node }} has not answered scrapes for 5 minutes (up = {{ $value }}): no GPU metrics and no GPU alerts from that node.',
        runbook_url: runbookUrl('DcgmExporterDown'),
      },
    },
  ];
}

/** GPUs held by a pod that leaves them idle or little used: paid for and unavailable to others. */
function wasteAlerts(a: GpuAlerts): AlertRule[] {
  const R = GPU_RECORDING;
  return [
    {
      alert: 'GpuAllocatedButIdle',
      expr: `${R.busy}{pod!=""} * 100 < ${a.idleAllocated.percent}`,
      for: a.idleAllocated.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: `GPU allocated to a pod but below ${a.idleAllocated.percent}% busy for ${a.idleAllocated.for}`,
        description: `${GPU} is allocated to {{ $labels.namespace }}/{{ $labels.pod }} (container {{ $labels.container }}) but has been ${PCT} busy ({{ $labels.source }}) for ${a.idleAllocated.for}: a paid-for GPU nobody else can use.`,
        runbook_url: runbookUrl('GpuAllocatedButIdle'),
      },
    },
    {
      alert: 'GpuLowUtilisation',
      // llm-d's warning; below idleAllocated.percent GpuAllocatedButIdle speaks instead.
      expr: `${R.podUtilisation} * 100 < ${a.lowUtilisation.percent} and ${R.podUtilisation} * 100 >= ${a.idleAllocated.percent}`,
      for: a.lowUtilisation.for,
      labels: { severity: 'warning' },
      annotations: {
        summary: `GPUs of a pod below ${a.lowUtilisation.percent}% busy for ${a.lowUtilisation.for}`,
        description: `The GPUs {{ $labels.namespace }}/{{ $labels.pod }} holds have been ${PCT} busy on average for ${a.lowUtilisation.for}: the pod could do with a smaller share (a MIG instance, time-slicing) or fewer replicas.`,
        runbook_url: runbookUrl('GpuLowUtilisation'),
      },
    },
  ];
}

/** The runbook of every GPU alert, with the thresholds in force. */
function gpuRunbooks(a: GpuAlerts): Record<string, Runbook> {
  return {
    GpuHighUtilisation: {
      meaning: `The GPU has been busier than ${a.highUtilisation.percent}% for ${a.highUtilisation.for}. For an inference server (vLLM, STT, TTS) this means it is saturated: new requests wait in its queue and latency grows.`,
      check:
        "Open the GPU dashboard for the node and pod. Compare with the service's own queue metrics (vLLM: `vllm:num_requests_waiting`) and latency. `kubectl -n <namespace> top pod <pod>` and `kubectl exec` into the pod for `nvidia-smi`.",
      fix: 'Scale the service out (more replicas on more GPUs), lower its batch or concurrency limits, or move batch jobs to other GPUs. If the load is expected, raise `spec.gpu.alerts.highUtilisation.percent` or its `for`.',
    },
    GpuMemoryNearlyFull: {
      meaning: `More than ${a.memoryFull.percent}% of the GPU's framebuffer memory (VRAM) has been in use for ${a.memoryFull.for}; the next allocation can fail with "CUDA out of memory". Note that vLLM reserves \`--gpu-memory-utilization\` of the VRAM (0.9 by default) at start for its KV cache, so a vLLM GPU sits near that level by design.`,
      check:
        "`kubectl exec` into the pod holding the GPU and run `nvidia-smi` to see which processes hold memory. Check the pod's logs for out-of-memory errors and the GPU dashboard for growth over time (a leak) versus a flat line (a reservation).",
      fix: "For vLLM, lower `--gpu-memory-utilization` or raise this alert's threshold (`spec.gpu.alerts.memoryFull.percent`, e.g. 97) for that cluster. Otherwise reduce batch size or model size, restart a leaking process, or give the workload a larger GPU.",
    },
    GpuTemperatureHigh: {
      meaning: `The GPU core has been hotter than ${a.highTemperature.celsius} °C for ${a.highTemperature.for}. GPUs slow their clocks near their slowdown temperature and shut down at their shutdown temperature.`,
      check:
        '`nvidia-smi -q -d TEMPERATURE,PERFORMANCE` on the node (or in the exporter pod) shows the slowdown/shutdown temperatures and active throttle reasons; the dashboard shows DCGM_FI_DEV_CLOCKS_EVENT_REASONS and DCGM_FI_DEV_THERMAL_VIOLATION. Compare with the other GPUs of the node and the rack.',
      fix: "Check the node's cooling: fans, airflow, blocked filters, data-centre inlet temperature. Lower the power limit (`nvidia-smi -pl`) or move load away meanwhile. If one GPU is much hotter than its neighbours, open a hardware ticket.",
    },
    GpuXidError: {
      meaning: `The NVIDIA driver reported an XID error for this GPU; the label or value is the XID code. Some codes are application faults (13, 31, 43: a bad kernel or an out-of-range access in the workload), others are hardware or driver faults (48 double-bit ECC, 63/64 row remapping, 74 NVLink, 79 GPU fell off the bus, 94/95 contained/uncontained memory errors). DCGM_FI_DEV_XID_ERRORS holds the most recent code and never returns to 0, so the alert reads the exporter's windowed count (DCGM_EXP_XID_ERRORS_COUNT, XIDs per code in its last 5 minutes) and resolves once no new XID arrives; from an exporter without that count it fires when the last code changes and resolves ${XID_WINDOW} later.`,
      check:
        "Look the code up in NVIDIA's XID catalogue. On the node: `dmesg -T | grep -i xid` (or `journalctl -k | grep -i xid`) for the full message and the process involved; `nvidia-smi -q` for ECC and remapping state. Check the logs of the pod that held the GPU.",
      fix: 'Application XIDs: fix or restart the workload. Hardware or driver XIDs: cordon and drain the node (`kubectl cordon <node>`, `kubectl drain <node> --ignore-daemonsets`), reset the GPU (`nvidia-smi -r`) or reboot the node, and open a hardware ticket if the XID comes back. Silence the alert once handled if the GPU cannot be reset yet.',
    },
    GpuEccDoubleBitErrors: {
      meaning:
        'The GPU memory had uncorrectable (double-bit) ECC errors since the driver loaded: data was corrupted and the process using it most likely crashed or computed wrong results. The volatile counter resets when the GPU is reset or the driver reloads.',
      check:
        "`nvidia-smi -q -d ECC,ROW_REMAPPER,PAGE_RETIREMENT` on the node. Check DCGM_FI_DEV_ECC_DBE_AGG_TOTAL (lifetime count) and the remapped-row or retired-page series on the dashboard, and the workload's logs for crashes.",
      fix: 'Cordon and drain the node, then reset the GPU (`nvidia-smi -r`) or reboot so a spare row is remapped (Ampere and newer) or the page retired (older GPUs). If errors recur or the aggregate count keeps growing, replace the GPU.',
    },
    GpuRowRemapFailure: {
      meaning:
        'The GPU tried to remap a failing memory row and could not: it has no spare rows left for that bank. Its memory can no longer be repaired and further errors will corrupt data.',
      check:
        '`nvidia-smi -q -d ROW_REMAPPER` on the node shows "Remapping Failure Occurred: Yes" and the remapped-row histogram. DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS on the dashboard.',
      fix: 'Cordon and drain the node and keep the GPU out of service: it needs replacing (open a hardware RMA with the vendor).',
    },
    DcgmExporterDown: {
      meaning:
        'Prometheus cannot scrape the DCGM exporter on a GPU node: no GPU metrics and none of the GPU alerts (XID, ECC, temperature) for that node until it is back.',
      check:
        '`kubectl -n <agent namespace> get pods -l app.kubernetes.io/name=dcgm-exporter -o wide`, then `kubectl logs` and `kubectl describe pod` of the pod on that node. Typical causes: the RuntimeClass `nvidia` missing ("RuntimeClass not found"), the NVIDIA driver or container toolkit broken on the node ("Failed to initialize NVML"), a fields file the DCGM version does not know, or the pod still initialising DCGM.',
      fix: 'Install or repair the NVIDIA driver and container toolkit (or GPU operator) on the node; create the RuntimeClass (`spec.gpu.createRuntimeClass: true`) or set `spec.gpu.runtimeClassName: null` where nvidia is the default runtime. Restart the exporter pod. If the GPU operator also runs its own dcgm-exporter, keep only one of them.',
    },
    GpuLowUtilisation: {
      meaning: `The GPUs a pod holds have been between ${a.idleAllocated.percent}% and ${a.lowUtilisation.percent}% busy on average for ${a.lowUtilisation.for} (llm-d's low-utilisation warning). The busy ratio is DCGM_FI_PROF_GR_ENGINE_ACTIVE where profiling metrics are on, else DCGM_FI_DEV_GPU_UTIL. With time-slicing every pod sharing a GPU sees the whole device's value.`,
      check:
        "The GPU dashboard (per pod, and the GPU cost dashboard for the idle GPU-hours of the namespace and team). Compare with the service's request rate and batch sizes: an inference server with little traffic, or too many replicas for the load.",
      fix: 'Fewer replicas (autoscale on queue length or request rate), a smaller GPU share (a MIG profile, time-slicing), or batch more work per GPU. If the headroom is on purpose, raise `spec.gpu.alerts.lowUtilisation.for` or lower its percent.',
    },
    GpuAllocatedButIdle: {
      meaning: `A pod holds this GPU (nvidia.com/gpu request) but has kept it below ${a.idleAllocated.percent}% busy for ${a.idleAllocated.for}. Nobody else can schedule on it: an expensive GPU is wasted.`,
      check:
        "Find the pod's owner (`kubectl -n <namespace> get pod <pod> -o jsonpath={.metadata.ownerReferences}`) and whether it serves traffic at all (its request rate on its dashboard). A stuck job, a forgotten notebook or a replica count above the load are the usual causes.",
      fix: 'Scale the workload down or to zero when idle (KEDA or HPA on request rate), delete forgotten pods, or share GPUs between light services (time-slicing or MIG). If the pod is a standby on purpose, raise `spec.gpu.alerts.idleAllocated.for` or silence it.',
    },
  };
}

export const gpuRules: RuleArea = (ctx) => {
  const gpu = ctx.spec.gpu;
  if (!gpu.enabled) return undefined;
  const a = gpu.alerts;
  const alerts: AlertRule[] = [...loadAlerts(a), ...faultAlerts(), ...wasteAlerts(a)];
  return {
    fileName: 'gpu.yaml',
    title: 'NVIDIA GPUs (DCGM exporter)',
    groups: [recordingGroup(), ...(ctx.spec.kubeStateMetrics.enabled ? [costGroup(gpu.cost)] : []), { name: 'gpu.alerts', rules: alerts }],
    runbooks: gpuRunbooks(a),
  };
};
