/**
 * Registry entry: the NVIDIA DCGM exporter (GPU metrics with pod attribution)
 * and everything about GPUs: spec section (`spec.gpu`, with the GPU-hour
 * prices), construct and its props, scrape job, flows, alerts and recording
 * rules with their promtool tests, metric catalog, the GPU and GPU cost
 * dashboards, and the GPU row of the service dashboards. Nothing outside
 * this folder names it but charts/registry.ts and the image table.
 */
import { tcp, type ComponentDef } from '../../core/component';
import type { StackContext } from '../../core/context';
import type { Spec } from '../../spec-schema';
import { durationMs } from '../../spec/formats';
import { DcgmExporter, type DcgmExporterProps, type GpuNodeLabelTerm } from './construct';
import { ExternalScrapePolicy, externalJob } from '../../lib/external-scrape';
import { PROFILES } from '../platform/profiles';
import { catalog, gpuCostDashboard, gpuDashboard, gpuPodRows } from './dashboards';
import { DCGM_FILE, DCGM_JOB, DCGM_NAME, DCGM_PORT } from './names';
import { gpuRules } from './rules';

export * from './construct';
export * from './names';
export * from './spec';

/** The RuntimeClass of the exporter's pods: spec.gpu.runtimeClassName, else the platform's (null: none). */
export function gpuRuntimeClassName(spec: Spec): string | null {
  return spec.gpu.runtimeClassName === undefined ? PROFILES[spec.platform].runtimeClassName : spec.gpu.runtimeClassName;
}

/**
 * The one typed step from the parsed spec to the construct's props. What spec.gpu leaves unset about GPU nodes
 * (labels, taints, RuntimeClass) comes from the spec.platform profile.
 */
export function dcgmExporterProps(spec: Spec, context: StackContext): DcgmExporterProps {
  const g = spec.gpu;
  const platform = PROFILES[spec.platform];
  const nodeLabels: readonly GpuNodeLabelTerm[] = g.nodeSelector
    ? [{ key: g.nodeSelector.label, operator: 'In', values: [g.nodeSelector.value] }]
    : (g.nodeLabels ?? platform.gpuNodeLabels);
  return {
    namespace: context.agentNamespace,
    instance: context.instance,
    image: g.image,
    nodeLabels,
    tolerations: g.tolerations ?? platform.gpuTolerations,
    runtimeClassName: gpuRuntimeClassName(spec),
    createRuntimeClass: g.createRuntimeClass,
    profilingMetrics: g.profilingMetrics,
    timeSlicing: g.timeSlicing,
    collectIntervalMs: durationMs(g.collectInterval),
    podResourcesPath: g.podResourcesPath,
    resources: g.resources,
  };
}

export const component: ComponentDef<Spec> = {
  name: DCGM_NAME,
  workload: true,
  specPath: 'spec.gpu',
  nodeSelection: {
    field: 'spec.gpu.nodeLabels',
    fix: " on each GPU node (the NVIDIA GPU operator's feature discovery sets them), or set spec.gpu.nodeLabels to the labels your GPU nodes carry",
  },
  image: 'dcgmExporter',
  files: [DCGM_FILE],
  ports: { metrics: DCGM_PORT },
  jobs: [DCGM_JOB],
  ruleAreas: [gpuRules],
  catalog,
  dashboards: [gpuDashboard, gpuCostDashboard],
  podRows: gpuPodRows,
  // The team label the cost rules group by: kube-state-metrics exposes it on kube_pod_labels.
  podLabels: (spec) => [spec.gpu.cost.teamLabel],
  flows: [{ from: 'prometheus', to: DCGM_NAME, ports: tcp(DCGM_PORT), why: 'scrape' }],
  enabled: (spec) => spec.gpu.enabled,
  specChecks: (spec, ctx) => {
    if (spec.gpu.createRuntimeClass && gpuRuntimeClassName(spec) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['gpu', 'createRuntimeClass'],
        message:
          'needs spec.gpu.runtimeClassName (the name of the RuntimeClass to create); set runtimeClassName: nvidia or createRuntimeClass: false',
      });
    }
  },
  warnings: (spec) =>
    spec.gpu.enabled && spec.gpu.exporter === 'deploy' && spec.platform === 'gke' && gpuRuntimeClassName(spec) === null
      ? [
          'spec.platform gke: with GKE-managed drivers the DCGM exporter the stack deploys cannot read the GPUs (no nvidia RuntimeClass; ' +
            "GKE gives the driver only to containers that request nvidia.com/gpu): set spec.gpu.exporter: external to scrape the GPU Operator's " +
            "or GKE's exporter, or spec.gpu.runtimeClassName: nvidia where the GPU Operator manages the nodes",
        ]
      : [],
  build: ({ chart, context, spec, prometheus }) => {
    if (spec.gpu.exporter === 'external') {
      // The GPU Operator's exporter (or another one): scraped as job dcgm-exporter, none deployed. Its pod,
      // namespace and container labels are the workload's (as with ours), so no exporter pod labels are attached.
      prometheus.addScrapeConfig(externalJob({ jobName: DCGM_JOB, target: spec.gpu.external, instance: 'node', podLabels: false }));
      if (spec.networkPolicies.enabled) {
        new ExternalScrapePolicy(chart(DCGM_FILE, DCGM_NAME), 'external', {
          namespace: context.namespace,
          instance: context.instance,
          name: DCGM_NAME,
          target: spec.gpu.external,
          nodeCidrs: spec.networkPolicies.nodeCidrs,
        });
      }
      return undefined;
    }
    return new DcgmExporter(chart(DCGM_FILE, DCGM_NAME), DCGM_NAME, { ...dcgmExporterProps(spec, context), prometheus });
  },
};
