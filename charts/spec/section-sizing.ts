/**
 * `spec.sizing`: the cluster the stack is expected to watch. Prometheus',
 * Loki's and kube-state-metrics' requests, limits and volume sizes (and so
 * Prometheus' retentionSize, 85% of its volume) are derived from it
 * (charts/core/sizing.ts) wherever the spec leaves them unset; the retention
 * periods come from spec.prometheus.retention and spec.loki.retention.
 */
import { z } from 'zod';
import { type ClusterLoad, sizeStack, type Sizing } from '../core/sizing';
import { durationMs } from './formats';
import { isObj, specFiller, type Raw } from './fill';

const count = (min: number, def: number, what: string) => z.number().int().min(min).default(def).describe(what);

export const sizingSchema = z
  .strictObject({
    nodes: count(1, 3, 'nodes that run workloads (and the node agents)'),
    gpuNodes: count(0, 0, 'of which with NVIDIA GPUs'),
    gpusPerGpuNode: count(1, 1, 'GPUs per GPU node'),
    cpusPerNode: count(1, 8, 'CPUs of a typical node'),
    pods: z.number().int().min(0).optional().describe('running pods cluster-wide; defaults to 30 per node'),
    services: z.number().int().min(0).optional().describe('declared services to plan for; defaults to the number of spec.services'),
    seriesPerService: count(1, 300, 'series the targets of one declared service expose'),
    logMiBPerPodPerDay: z.number().positive().default(20).describe('log volume a pod writes per day (MiB, uncompressed)'),
  })
  .prefault({})
  .describe('the expected cluster: Prometheus, Loki and kube-state-metrics resources and volumes are derived from it');

/** The load of a raw (unvalidated) spec section, or undefined when its values are invalid (validation reports them). */
export function sizingLoad(spec: Raw): ClusterLoad | undefined {
  const cluster = sizingSchema.safeParse(spec.sizing);
  const prom = isObj(spec.prometheus) ? spec.prometheus : {};
  const loki = isObj(spec.loki) ? spec.loki : {};
  const interval = durationMs(typeof prom.scrapeInterval === 'string' ? prom.scrapeInterval : '15s');
  const retention = durationMs(typeof prom.retention === 'string' ? prom.retention : '15d');
  const lokiRetention = durationMs(typeof loki.retention === 'string' ? loki.retention : '7d');
  if (!cluster.success || !interval || !retention || !lokiRetention) return undefined;
  const c = cluster.data;
  return {
    nodes: c.nodes,
    gpuNodes: c.gpuNodes,
    gpusPerGpuNode: c.gpusPerGpuNode,
    cpusPerNode: c.cpusPerNode,
    pods: c.pods ?? c.nodes * 30,
    services: c.services ?? (Array.isArray(spec.services) ? spec.services.length : 0),
    seriesPerService: c.seriesPerService,
    logMiBPerPodPerDay: c.logMiBPerPodPerDay,
    scrapeIntervalSeconds: interval / 1000,
    prometheusRetentionSeconds: retention / 1000,
    lokiRetentionDays: lokiRetention / 86_400_000,
  };
}

/**
 * A copy of a raw MonitoringStack document with the derived sizes filled in
 * wherever the spec sets none (field by field: a spec that sets only
 * limits.memory keeps the derived rest). Returns the input unchanged when it
 * is not an object or its cluster section is invalid.
 */
export function withDerivedSizing(doc: unknown): { doc: unknown; sizing?: Sizing } {
  if (!isObj(doc)) return { doc };
  const out = structuredClone(doc);
  if (out.spec === undefined) out.spec = {};
  if (!isObj(out.spec)) return { doc };
  const spec = out.spec;
  const load = sizingLoad(spec);
  if (!load) return { doc };
  const sizing = sizeStack(load);
  const { fill, resources } = specFiller(spec);
  resources(['prometheus'], sizing.prometheus.resources);
  fill(['prometheus', 'storage'], { size: sizing.prometheus.storageSize });
  resources(['loki'], sizing.loki.resources);
  fill(['loki', 'storage'], { size: sizing.loki.storageSize });
  resources(['kubeStateMetrics'], sizing.kubeStateMetrics.resources);
  return { doc: out, sizing };
}
