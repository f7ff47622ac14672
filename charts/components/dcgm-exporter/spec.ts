/**
 * `spec.gpu`: the NVIDIA DCGM exporter on GPU nodes and the GPU alerts.
 *
 * On by default: the DaemonSet selects GPU nodes only, so on a cluster
 * without GPUs it schedules no pod and costs nothing.
 */
import { z } from 'zod';
import type { imageSchema as ImageSchema, resourcesSchema as ResourcesSchema } from '../../spec-schema';
import { imageSchema as commonImageSchema, resourcesSchema as commonResourcesSchema } from '../../spec/common';
import { describe, duration, durationMs, isLabelKey, isLabelValue } from '../../spec/formats';
import { exporterModeSchema, externalTargetSchema } from '../../spec/external-target';

/** One nodeAffinity term: a node label that marks GPU nodes (Exists, or In some values). */
export const gpuNodeLabelSchema = z
  .strictObject({
    key: z.string().refine(isLabelKey, {
      error: (i) => `expected a node label key such as "cloud.google.com/gke-accelerator", found ${describe(i.input)}`,
    }),
    operator: z.enum(['Exists', 'In']).default('Exists'),
    values: z.array(z.string().refine(isLabelValue, { error: (i) => `expected a label value, found ${describe(i.input)}` })).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.operator === 'In' && !(t.values && t.values.length))
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'operator In needs at least one value' });
    if (t.operator === 'Exists' && t.values !== undefined)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'must be omitted with operator Exists' });
  });
export type GpuNodeLabel = z.output<typeof gpuNodeLabelSchema>;

export const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** A Kubernetes toleration (core/v1 Toleration), checked for the combinations the API server rejects. */
export const tolerationSchema = z
  .strictObject({
    key: z.string().min(1).optional().describe('taint key; omit with operator Exists to tolerate every taint'),
    operator: z
      .enum(['Exists', 'Equal'], {
        error: (i) => `expected "Exists" or "Equal", found ${describe(i.input)}`,
      })
      .default('Equal'),
    value: z.string().optional().describe('taint value (operator Equal only)'),
    effect: z
      .enum(TOLERATION_EFFECTS, {
        error: (i) => `expected one of ${TOLERATION_EFFECTS.join(', ')}, found ${describe(i.input)}`,
      })
      .optional()
      .describe('taint effect; omit to tolerate every effect'),
    tolerationSeconds: z.number().int().min(0).optional().describe('NoExecute only: how long the pod stays after the taint appears'),
  })
  .superRefine((t, ctx) => {
    if (t.key !== undefined && !isLabelKey(t.key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `"${t.key}" is not a valid taint key (optional DNS prefix and "/", then at most 63 of A-Z a-z 0-9 - _ .)`,
      });
    }
    if (t.operator === 'Exists' && t.value !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'must be omitted when operator is "Exists" (Exists matches any value); use operator "Equal" to match one value',
      });
    }
    if (t.operator === 'Equal' && t.key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'required when operator is "Equal"; to tolerate every taint use { operator: Exists } without a key',
      });
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      ctx.addIssue({ code: 'custom', path: ['tolerationSeconds'], message: 'only applies to effect "NoExecute"' });
    }
  });
export type TolerationSpec = z.output<typeof tolerationSchema>;

const percent = (what: string, d: number) =>
  z
    .number({ error: (i) => `expected a percentage between 0 and 100, found ${describe(i.input)}` })
    .gt(0, { error: 'must be above 0 (a percentage)' })
    .lt(100, { error: 'must be below 100 (a percentage)' })
    .default(d)
    .describe(what);

const alertFor = (d: string) => duration().default(d).describe('how long the condition must hold before the alert fires');

export const gpuAlertsSchema = z
  .strictObject({
    highUtilisation: z
      .strictObject({
        percent: percent('GPU utilisation (DCGM_FI_DEV_GPU_UTIL) above which GpuHighUtilisation fires', 95),
        for: alertFor('15m'),
      })
      .prefault({}),
    memoryFull: z
      .strictObject({
        percent: percent('framebuffer (VRAM) use, % of used + free, above which GpuMemoryNearlyFull fires', 90),
        for: alertFor('15m'),
      })
      .prefault({}),
    highTemperature: z
      .strictObject({
        celsius: z
          .number({ error: (i) => `expected a temperature in °C, found ${describe(i.input)}` })
          .min(40, { error: 'must be at least 40 (°C): lower would fire on idle GPUs' })
          .max(110, { error: 'must be at most 110 (°C): GPUs shut down before that' })
          .default(85)
          .describe('GPU temperature (°C) above which GpuTemperatureHigh fires'),
        for: alertFor('10m'),
      })
      .prefault({}),
    idleAllocated: z
      .strictObject({
        percent: percent('utilisation below which a GPU allocated to a pod counts as idle (GpuAllocatedButIdle)', 5),
        for: alertFor('30m'),
      })
      .prefault({}),
    lowUtilisation: z
      .strictObject({
        percent: percent(
          "busy ratio of the GPUs a pod holds (GR engine active, else GPU utilisation) below which GpuLowUtilisation warns (llm-d's alert)",
          30,
        ),
        for: alertFor('30m'),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('GPU alert thresholds (defaults are the seed values)');

const price = (what: string) =>
  z
    .number({ error: (i) => `expected a price per GPU-hour such as 2.5, found ${describe(i.input)}` })
    .min(0, { error: 'must be 0 or more (a price)' })
    .max(10000, { error: 'must be at most 10000 per GPU-hour' })
    .describe(what);

/** `spec.gpu.cost`: GPU-hours allocated, used and idle per namespace, team and GPU model, priced per GPU-hour. */
export const gpuCostSchema = z
  .strictObject({
    pricePerGpuHour: price(
      'price of one GPU-hour (any GPU model without its own entry in modelPrices); unset: GPU-hours are recorded, no cost',
    ).optional(),
    modelPrices: z
      .record(
        z.string().min(1, { error: 'expected a GPU model name as DCGM reports it (modelName), such as "NVIDIA H100 80GB HBM3"' }),
        price('price of one GPU-hour of this model'),
      )
      .default({})
      .describe(
        'price per GPU-hour by GPU model, keyed by DCGM\'s modelName label (e.g. "NVIDIA H100 80GB HBM3": 4.5); wins over pricePerGpuHour',
      ),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: (i) => `expected an ISO 4217 currency code such as "USD" or "EUR", found ${describe(i.input)}` })
      .default('USD')
      .describe("currency of the prices (the `currency` label of the cost series and the panels' unit)"),
    teamLabel: z
      .string()
      .refine(isLabelKey, { error: (i) => `expected a pod label key such as "team" or "example.com/team", found ${describe(i.input)}` })
      .default('team')
      .describe(
        'pod label that names the team owning a workload: kube-state-metrics exposes it on kube_pod_labels, the cost rules group by it',
      ),
  })
  .prefault({})
  .describe('GPU-hours and their cost per namespace, team and GPU model (recording rules, the GPU cost dashboard)');
export type GpuCostSpec = z.output<typeof gpuCostSchema>;

/** The shared schema builders of schema.ts, passed in so this file needs no runtime import of schema.ts (which imports it). */
export interface SchemaBuilders {
  readonly imageSchema: typeof ImageSchema;
  readonly resourcesSchema: typeof ResourcesSchema;
}

/** One node label (and value) that marks the GPU nodes: spec.gpu.nodeSelector. */
function gpuNodeSelectorSchema() {
  return z.strictObject({
    label: z.string().refine(isLabelKey, {
      error: (i) => `expected a node label key such as "nvidia.com/gpu.present", found ${describe(i.input)}`,
    }),
    value: z
      .string()
      .refine(isLabelValue, {
        error: (i) => `expected a label value such as "true" (at most 63 of A-Z a-z 0-9 - _ .), found ${describe(i.input)}`,
      })
      .default('true'),
  });
}

/** Whether and how the exporter runs: deployed (its image), or the GPU Operator's one scraped where it is. */
function gpuExporterFields(imageSchema: SchemaBuilders['imageSchema']) {
  return {
    enabled: z
      .boolean()
      .default(true)
      .describe('deploy the DCGM exporter on GPU nodes and load the GPU alerts; harmless on clusters without GPUs (no node matches)'),
    image: imageSchema().optional().describe('override the pinned nvcr.io/nvidia/k8s/dcgm-exporter image'),
    exporter: exporterModeSchema().describe(
      'deploy: run the DCGM exporter DaemonSet; external: scrape the one the NVIDIA GPU Operator already runs (spec.gpu.external), deploying none',
    ),
    external: externalTargetSchema({
      // The GPU Operator's dcgm-exporter: Service nvidia-dcgm-exporter, port gpu-metrics (9400), pods app=nvidia-dcgm-exporter,
      // in the operator's namespace (gpu-operator in NVIDIA's install guide).
      namespace: 'gpu-operator',
      service: 'nvidia-dcgm-exporter',
      port: 'gpu-metrics',
      targetPort: 9400,
      podSelector: { app: 'nvidia-dcgm-exporter' },
    }).describe(
      "with exporter: external, where the running dcgm-exporter is (default: the GPU Operator's nvidia-dcgm-exporter Service in gpu-operator)",
    ),
  };
}

/** Which nodes the exporter runs on and with which runtime: node labels, tolerations, RuntimeClass. */
function gpuPlacementFields() {
  return {
    nodeSelector: gpuNodeSelectorSchema()
      .optional()
      .describe('one node label that marks your GPU nodes; when set it replaces spec.gpu.nodeLabels'),
    nodeLabels: z
      .array(gpuNodeLabelSchema)
      .min(1)
      .optional()
      .describe(
        'GPU nodes carry ANY of these labels (ORed nodeAffinity terms); default: the labels spec.platform puts on GPU nodes (generic: nvidia.com/gpu.present=true or feature.node.kubernetes.io/pci-10de.present=true)',
      ),
    tolerations: z
      .array(tolerationSchema)
      .optional()
      .describe(
        'taints of GPU nodes the exporter tolerates; default: the GPU taints of spec.platform (generic: the nvidia.com/gpu NoSchedule taint)',
      ),
    runtimeClassName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        error: (i) =>
          `expected a RuntimeClass name such as "nvidia" (lowercase DNS subdomain), or null to omit it, found ${describe(i.input)}`,
      })
      .max(253)
      .nullable()
      .optional()
      .describe(
        "RuntimeClass that gives the pod the NVIDIA container runtime (GPU devices and driver libraries); null where nvidia is the default runtime; default: spec.platform's (generic, k3s, eks: nvidia; gke, aks: null)",
      ),
    createRuntimeClass: z
      .boolean()
      .default(false)
      .describe('also create the RuntimeClass (handler "nvidia"); off because the GPU operator creates it'),
  };
}

/** What DCGM collects and how: profiling fields, time-slicing attribution, sampling interval, pod-resources socket. */
function gpuCollectionFields() {
  return {
    profilingMetrics: z
      .boolean()
      .default(false)
      .describe(
        'collect DCGM_FI_PROF_* (DCP) fields: tensor/SM/DRAM activity; adds the SYS_ADMIN capability, which DCGM needs for profiling',
      ),
    timeSlicing: z
      .boolean()
      .default(false)
      .describe(
        "GPUs are shared by time-slicing or MPS (the device plugin's replicas): attribute each GPU to every pod sharing it (KUBERNETES_VIRTUAL_GPUS, label vgpu); each of those pods then shows the whole device's numbers, not its share",
      ),
    collectInterval: duration()
      .default('15s')
      .refine((d) => (durationMs(d) ?? 0) >= 1000, { error: 'must be at least 1s' })
      .describe('how often DCGM samples the GPUs (DCGM_EXPORTER_INTERVAL); match spec.prometheus.scrapeInterval'),
    podResourcesPath: z
      .string()
      .regex(/^\/[^\s]*$/, {
        error: (i) => `expected an absolute host path such as "/var/lib/kubelet/pod-resources", found ${describe(i.input)}`,
      })
      .default('/var/lib/kubelet/pod-resources')
      .describe('host path of the kubelet pod-resources socket directory (attributes GPUs to pods)'),
  };
}

/** `spec.gpu`; schema.ts calls it with its builders: `gpu: gpuSchema({ imageSchema, resourcesSchema })`. */
export function gpuSchema({ imageSchema, resourcesSchema }: SchemaBuilders) {
  return z
    .strictObject({
      ...gpuExporterFields(imageSchema),
      ...gpuPlacementFields(),
      ...gpuCollectionFields(),
      resources: resourcesSchema({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
      alerts: gpuAlertsSchema,
      cost: gpuCostSchema,
    })
    .prefault({});
}

export type GpuSpec = z.output<ReturnType<typeof gpuSchema>>;

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { gpu: gpuSchema({ imageSchema: commonImageSchema, resourcesSchema: commonResourcesSchema }) };
