/**
 * NVIDIA DCGM exporter: GPU utilisation, memory, power, temperature, clocks,
 * throttling and hardware errors (XID, ECC, row remapping) of every GPU, each
 * series attributed to the pod, namespace and container that holds the GPU.
 *
 * A DaemonSet (in the stack: the agent namespace) that can only land on GPU
 * nodes: a required nodeAffinity whose terms are ORed, one per label that
 * marks GPU nodes (`nodeLabels`; the stack passes `spec.gpu.nodeLabels`, the
 * `spec.platform` profile's, or the one label of `spec.gpu.nodeSelector`),
 * tolerations for the GPU taint, and `runtimeClassName: nvidia` so the NVIDIA
 * container runtime injects the GPU devices and driver libraries. It requests
 * no `nvidia.com/gpu`: the exporter watches every GPU of its node without
 * taking one away from the workloads (the image sets NVIDIA_VISIBLE_DEVICES=all).
 *
 * Pod attribution: the exporter asks the kubelet's pod-resources API (a unix
 * socket under /var/lib/kubelet/pod-resources, mounted read-only) which pod
 * and container each GPU is allocated to, and adds `pod`, `namespace` and
 * `container` labels to that GPU's series. The Prometheus job keeps those
 * labels as the workload's (see `dcgmExporterJob`).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { checksum, containerSecurity, httpProbe, resources } from '../../lib/workload';
import type { IScrapeJobs } from '../../core/component';
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import type { Resources } from '../../spec/common';
import { INSTANCE_IS_NODE, podJob } from '../../lib/scrape';
import { DCGM_JOB, DCGM_NAME, DCGM_PORT } from './names';

export const DCGM_EXPORTER_PORT = DCGM_PORT;
/** Where the image looks for its counters by default (`-f` / DCGM_EXPORTER_COLLECTORS); our ConfigMap is mounted over it. */
export const COUNTERS_PATH = '/etc/dcgm-exporter/default-counters.csv';
/** RuntimeClass handler the NVIDIA container toolkit registers with containerd / CRI-O. */
export const NVIDIA_RUNTIME_HANDLER = 'nvidia';

/** One line of the counters CSV: DCGM field, Prometheus type, help. */
export interface DcgmCounter {
  readonly field: string;
  readonly type: 'gauge' | 'counter' | 'label';
  readonly help: string;
}

/**
 * The exporter's default counters (4.x `etc/default-counters.csv`, without its
 * profiling fields) plus ECC, retired pages, throttling and power limit. Every
 * name is a DCGM field id known to DCGM 4 (an unknown name stops the exporter).
 */
export const DEFAULT_COUNTERS: readonly DcgmCounter[] = [
  // Clocks
  { field: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock frequency (in MHz).' },
  { field: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', help: 'Memory clock frequency (in MHz).' },
  // Temperature
  { field: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).' },
  { field: 'DCGM_FI_DEV_MEMORY_TEMP', type: 'gauge', help: 'Memory temperature (in C).' },
  // Power
  { field: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).' },
  { field: 'DCGM_FI_DEV_POWER_MGMT_LIMIT', type: 'gauge', help: 'Power management limit (in W).' },
  { field: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: 'counter', help: 'Total energy consumption since boot (in mJ).' },
  // PCIe
  { field: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', help: 'Total number of PCIe retries.' },
  // Utilisation (the sample period depends on the product)
  { field: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', help: 'GPU utilization (in %).' },
  { field: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: 'gauge', help: 'Memory utilization (in %).' },
  { field: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', help: 'Encoder utilization (in %).' },
  { field: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', help: 'Decoder utilization (in %).' },
  // Framebuffer (VRAM)
  { field: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', help: 'Framebuffer memory free (in MiB).' },
  { field: 'DCGM_FI_DEV_FB_USED', type: 'gauge', help: 'Framebuffer memory used (in MiB).' },
  // Errors
  { field: 'DCGM_FI_DEV_XID_ERRORS', type: 'gauge', help: 'Value of the last XID error encountered.' },
  { field: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', type: 'counter', help: 'Total number of single-bit volatile ECC errors.' },
  { field: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', type: 'counter', help: 'Total number of double-bit volatile ECC errors.' },
  { field: 'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', type: 'counter', help: 'Total number of single-bit persistent ECC errors.' },
  { field: 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', type: 'counter', help: 'Total number of double-bit persistent ECC errors.' },
  { field: 'DCGM_FI_DEV_RETIRED_SBE', type: 'counter', help: 'Total number of retired pages due to single-bit errors.' },
  { field: 'DCGM_FI_DEV_RETIRED_DBE', type: 'counter', help: 'Total number of retired pages due to double-bit errors.' },
  { field: 'DCGM_FI_DEV_RETIRED_PENDING', type: 'counter', help: 'Total number of pages pending retirement.' },
  // Row remapping (Ampere and newer; replaces page retirement)
  { field: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for uncorrectable errors.' },
  { field: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', type: 'counter', help: 'Number of remapped rows for correctable errors.' },
  { field: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: 'gauge', help: 'Whether remapping of rows has failed.' },
  // Throttling: the bitmask of current clock event (throttle) reasons and the time spent throttled
  { field: 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS', type: 'gauge', help: 'Bitmask of the current clock event (throttle) reasons.' },
  { field: 'DCGM_FI_DEV_POWER_VIOLATION', type: 'counter', help: 'Throttling duration due to power constraints (in us).' },
  { field: 'DCGM_FI_DEV_THERMAL_VIOLATION', type: 'counter', help: 'Throttling duration due to thermal constraints (in us).' },
  // NVLink and vGPU
  { field: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', type: 'counter', help: 'Total number of NVLink bandwidth counters for all lanes.' },
  { field: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', type: 'gauge', help: 'vGPU License status.' },
  // Static information, exported as a label on the other series
  { field: 'DCGM_FI_DRIVER_VERSION', type: 'label', help: 'Driver version.' },
];

/**
 * Counters the exporter computes itself (not DCGM fields). DCGM_EXP_XID_ERRORS_COUNT: XID errors per code (label
 * `xid`) over the exporter's window (DCGM_EXPORTER_XID_COUNT_WINDOW_SIZE, 5 minutes by default), 0 without any: the
 * windowed count the XID alert reads, since DCGM_FI_DEV_XID_ERRORS holds the last code and never returns to 0.
 */
export const EXPORTER_COUNTERS: readonly DcgmCounter[] = [
  { field: 'DCGM_EXP_XID_ERRORS_COUNT', type: 'counter', help: "Count of XID errors per code within the exporter's window." },
];

/** Datacenter profiling (DCP) fields: only with `spec.gpu.profilingMetrics` (they need SYS_ADMIN). */
export const PROFILING_COUNTERS: readonly DcgmCounter[] = [
  { field: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', type: 'gauge', help: 'Ratio of time the graphics engine is active.' },
  { field: 'DCGM_FI_PROF_SM_ACTIVE', type: 'gauge', help: 'The ratio of cycles an SM has at least 1 warp assigned.' },
  { field: 'DCGM_FI_PROF_SM_OCCUPANCY', type: 'gauge', help: 'The ratio of number of warps resident on an SM.' },
  { field: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', type: 'gauge', help: 'Ratio of cycles the tensor (HMMA) pipe is active.' },
  {
    field: 'DCGM_FI_PROF_DRAM_ACTIVE',
    type: 'gauge',
    help: 'Ratio of cycles the device memory interface is active sending or receiving data.',
  },
  { field: 'DCGM_FI_PROF_PCIE_TX_BYTES', type: 'gauge', help: 'The rate of data transmitted over the PCIe bus, in bytes per second.' },
  { field: 'DCGM_FI_PROF_PCIE_RX_BYTES', type: 'gauge', help: 'The rate of data received over the PCIe bus, in bytes per second.' },
];

/** The counters CSV: `field, type, help` per line, `#` comments. */
export function countersCsv(profilingMetrics: boolean): string {
  const lines = [
    '# DCGM fields exported by dcgm-exporter (generated by cdk8s-ai-monitoring from spec.gpu).',
    '# Format: DCGM FIELD, Prometheus metric type, help message',
    ...DEFAULT_COUNTERS.map((c) => `${c.field}, ${c.type}, ${c.help}`),
    '# Computed by the exporter',
    ...EXPORTER_COUNTERS.map((c) => `${c.field}, ${c.type}, ${c.help}`),
  ];
  if (profilingMetrics) {
    lines.push(
      '# Datacenter profiling (spec.gpu.profilingMetrics: true)',
      ...PROFILING_COUNTERS.map((c) => `${c.field}, ${c.type}, ${c.help}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The scrape job. Target labels: `node` and `instance` (the node name) and the
 * exporter's own pod as `exporter_pod` / `exporter_namespace`, never as
 * `pod` / `namespace` / `container`: those names belong to the workload that
 * holds the GPU, as the exporter exposes them. With no clashing target labels
 * and honor_labels off, Prometheus keeps the exposed workload labels unchanged
 * (no `exported_pod`), and any label the exporter might expose that does clash
 * with ours (job, instance, node) is renamed `exported_*` rather than trusted.
 *
 * `exporter_pod` / `exporter_namespace` are removed again from the scraped
 * series by metric_relabel_configs, which do not apply to `up` and the other
 * scrape_* series: `up{job="dcgm-exporter"}` names the exporter pod that is
 * down, while GPU series keep the same identity when the DaemonSet rolls.
 */
export const EXPORTER_POD_LABELS: RelabelConfig[] = [
  { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'exporter_pod' },
  { source_labels: ['__meta_kubernetes_namespace'], target_label: 'exporter_namespace' },
];
export const DROP_EXPORTER_POD_LABELS: RelabelConfig = { regex: 'exporter_pod|exporter_namespace', action: 'labeldrop' };

export function dcgmExporterJob(namespace: string, selector: Record<string, string>): ScrapeConfig {
  return podJob({
    jobName: DCGM_JOB,
    namespace,
    selector,
    port: 'metrics',
    podLabels: false, // pod/namespace/container on GPU series are the workload's, set by the exporter
    honorLabels: false,
    relabel: [INSTANCE_IS_NODE, ...EXPORTER_POD_LABELS],
    metricRelabel: [DROP_EXPORTER_POD_LABELS],
  });
}

/** A node label that marks GPU nodes: one nodeAffinity term (`Exists`, or `In` some values). */
export interface GpuNodeLabelTerm {
  readonly key: string;
  readonly operator: 'Exists' | 'In';
  /** Only with `In`. */
  readonly values?: readonly string[];
}

/** A toleration of the exporter's pods (core/v1 Toleration). */
export interface GpuToleration {
  readonly key?: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** NVIDIA GPU Feature Discovery's label, and Node Feature Discovery's PCI vendor label for NVIDIA (10de). */
export const DEFAULT_GPU_NODE_LABELS: readonly GpuNodeLabelTerm[] = [
  { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
  { key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] },
];
/** The taint NVIDIA's and the clouds' guides put on GPU nodes. */
export const DEFAULT_GPU_TOLERATIONS: readonly GpuToleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
export const DEFAULT_POD_RESOURCES_PATH = '/var/lib/kubelet/pod-resources';
export const DEFAULT_RESOURCES: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

/** The nodeAffinity terms that select GPU nodes: ORed, one per label (a node with any of them is a GPU node). */
export function gpuNodeSelectorTerms(labels: readonly GpuNodeLabelTerm[]): k8s.NodeSelectorTerm[] {
  return labels.map((l) => ({
    matchExpressions: [{ key: l.key, operator: l.operator, ...(l.operator === 'In' ? { values: [...(l.values ?? [])] } : {}) }],
  }));
}

/**
 * Props of the DCGM exporter: everything it needs, nothing of the stack's spec, so it also works alone in
 * your own chart (`new DcgmExporter(chart, 'gpu', { namespace: 'gpu-monitoring' })`). The stack maps
 * `spec.gpu` onto these in one step (`dcgmExporterProps`, index.ts).
 */
export interface DcgmExporterProps {
  /** Namespace of the DaemonSet: it runs as root with a host path, so Pod Security "privileged". */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'dcgm-exporter' */
  readonly instance?: string;
  /** The exporter image, pinned to a version. @default IMAGES.dcgmExporter */
  readonly image?: string;
  /** Node labels that mark GPU nodes, ORed (required node affinity). @default DEFAULT_GPU_NODE_LABELS */
  readonly nodeLabels?: readonly GpuNodeLabelTerm[];
  /** Taints of GPU nodes the pods tolerate. @default DEFAULT_GPU_TOLERATIONS */
  readonly tolerations?: readonly GpuToleration[];
  /** RuntimeClass giving the pod the NVIDIA container runtime; null omits it (nvidia is the default runtime). @default 'nvidia' */
  readonly runtimeClassName?: string | null;
  /** Also create that RuntimeClass (handler "nvidia"). @default false (the GPU operator creates it) */
  readonly createRuntimeClass?: boolean;
  /** Collect the DCGM_FI_PROF_* fields (GR engine, SM, tensor, DRAM activity); adds SYS_ADMIN. @default false */
  readonly profilingMetrics?: boolean;
  /**
   * GPUs shared by time-slicing or MPS: give every pod sharing a GPU its own copy of the GPU's series
   * (KUBERNETES_VIRTUAL_GPUS; label `vgpu`), each with the whole device's value. Off, a shared GPU is
   * attributed to one of its pods. @default false
   */
  readonly timeSlicing?: boolean;
  /** How often DCGM samples the GPUs, in milliseconds (DCGM_EXPORTER_INTERVAL). @default 15000 */
  readonly collectIntervalMs?: number;
  /** Host directory of the kubelet pod-resources socket (attributes GPUs to pods). @default DEFAULT_POD_RESOURCES_PATH */
  readonly podResourcesPath?: string;
  /** Container requests and limits. @default DEFAULT_RESOURCES */
  readonly resources?: Resources;
  /** Where to add the scrape job. @default none: add `dcgmExporterJob(namespace, exporter.selector)` to your own Prometheus */
  readonly prometheus?: IScrapeJobs;
}

export class DcgmExporter extends Construct {
  public readonly port = DCGM_EXPORTER_PORT;
  public readonly daemonSet: k8s.KubeDaemonSet;
  public readonly runtimeClass?: k8s.KubeRuntimeClass;
  /** The pod selector labels (what a scrape job selects). */
  public readonly selector: Record<string, string>;
  /** The Prometheus scrape job of the exporter pods. */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: DcgmExporterProps) {
    super(scope, id);
    const runtimeClassName = props.runtimeClassName === undefined ? NVIDIA_RUNTIME_HANDLER : props.runtimeClassName;
    const createRuntimeClass = props.createRuntimeClass ?? false;
    const profilingMetrics = props.profilingMetrics ?? false;
    if (createRuntimeClass && runtimeClassName === null) {
      throw new Error('DcgmExporter: createRuntimeClass needs runtimeClassName (the name of the RuntimeClass to create)');
    }
    const ns = props.namespace;
    const instance = props.instance ?? DCGM_NAME;
    const image = props.image ?? IMAGES.dcgmExporter;
    const labels = recommendedLabels({ name: DCGM_NAME, instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels(DCGM_NAME, instance);
    this.selector = selector;
    const csv = countersCsv(profilingMetrics);

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: DCGM_NAME, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'counters', {
      metadata: { name: `${DCGM_NAME}-counters`, namespace: ns, labels },
      data: { 'counters.csv': csv },
    });

    if (createRuntimeClass && runtimeClassName) {
      this.runtimeClass = new k8s.KubeRuntimeClass(this, 'runtime-class', {
        metadata: { name: runtimeClassName, labels },
        handler: NVIDIA_RUNTIME_HANDLER,
      });
    }

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: DCGM_NAME, namespace: ns, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('25%') } },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(csv) } },
          spec: {
            serviceAccountName: DCGM_NAME,
            automountServiceAccountToken: false, // reads GPUs through DCGM and the kubelet's pod-resources socket, never the Kubernetes API
            priorityClassName: 'system-node-critical',
            // GPU nodes only: the GPU label, the GPU taint, and the NVIDIA runtime.
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: gpuNodeSelectorTerms(props.nodeLabels ?? DEFAULT_GPU_NODE_LABELS),
                },
              },
            },
            tolerations: (props.tolerations ?? DEFAULT_GPU_TOLERATIONS).map((t) => ({ ...t })),
            ...(runtimeClassName !== null ? { runtimeClassName } : {}),
            terminationGracePeriodSeconds: 30,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [dcgmContainer(props, image, profilingMetrics)],
            volumes: [
              { name: 'pod-resources', hostPath: { path: props.podResourcesPath ?? DEFAULT_POD_RESOURCES_PATH, type: 'Directory' } },
              { name: 'counters', configMap: { name: `${DCGM_NAME}-counters` } },
            ],
          },
        },
      },
    });

    this.scrapeConfig = dcgmExporterJob(ns, selector);
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}

/** The exporter container: DCGM's settings in its environment, root without capabilities (SYS_ADMIN for profiling). */
function dcgmContainer(props: DcgmExporterProps, image: string, profilingMetrics: boolean): k8s.Container {
  return {
    name: DCGM_NAME,
    image,
    imagePullPolicy: 'IfNotPresent',
    env: [
      { name: 'DCGM_EXPORTER_LISTEN', value: `:${DCGM_EXPORTER_PORT}` },
      { name: 'DCGM_EXPORTER_COLLECTORS', value: COUNTERS_PATH }, // the -f flag
      { name: 'DCGM_EXPORTER_INTERVAL', value: String(props.collectIntervalMs ?? 15000) },
      { name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' }, // map GPUs to pods through pod-resources
      // Time-slicing: every pod sharing a GPU gets the GPU's series (the device's value, not a share).
      ...(props.timeSlicing ? [{ name: 'KUBERNETES_VIRTUAL_GPUS', value: 'true' }] : []),
      // The Hostname label of every series: the node, not the exporter pod's hostname.
      { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    ],
    ports: [{ name: 'metrics', containerPort: DCGM_EXPORTER_PORT, protocol: 'TCP' }],
    resources: resources(props.resources ?? DEFAULT_RESOURCES),
    // Root, not privileged, every capability dropped:
    // - the kubelet's pod-resources socket is owned by root (connecting needs write permission on it);
    // - DCGM's embedded host engine is meant to run as root (NVIDIA's manifests run it as uid 0);
    // - the image's entrypoint refreshes the dynamic linker cache (`ldconfig`, under `set -e`) so the
    //   driver libraries the NVIDIA runtime injected are found, and dcgm-exporter 4.x checks for
    //   libdcgm with `ldconfig -p`: the root filesystem stays writable (nothing else is written).
    // SYS_ADMIN only with profilingMetrics: DCGM needs it for the DCGM_FI_PROF_* (DCP) fields and refuses
    // the whole field watch without it ("Host engine is running as non-root"), so the counters file
    // lists DCGM_FI_PROF_* only when the capability is granted.
    securityContext: containerSecurity({
      runAsRoot: true,
      readOnlyRootFilesystem: false,
      addCapabilities: profilingMetrics ? ['SYS_ADMIN'] : undefined,
    }),
    // DCGM initialisation takes tens of seconds on multi-GPU nodes: long initial delays.
    readinessProbe: httpProbe('/health', 'metrics', { initialDelaySeconds: 45, periodSeconds: 10, timeoutSeconds: 5 }),
    livenessProbe: httpProbe('/health', 'metrics', { initialDelaySeconds: 90, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 }),
    volumeMounts: [
      { name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true },
      { name: 'counters', mountPath: COUNTERS_PATH, subPath: 'counters.csv', readOnly: true },
    ],
  };
}
