/**
 * Spec sections for Kubernetes object state: `spec.kubeStateMetrics` (the
 * kube-state-metrics Deployment and the workload alerts it feeds) and
 * `spec.kubelet` (Prometheus scraping the kubelets for persistent volume
 * usage, and the volume alerts).
 */
import { z } from 'zod';
import { duration } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { exporterModeSchema, externalTargetSchema } from '../../spec/external-target';
import { DEFAULT_SIZING } from '../../core/sizing';

const percent = (def: number, what: string) =>
  z
    .number({ error: (i) => `expected a percentage between 1 and 100, found ${JSON.stringify(i.input)}` })
    .gt(0, { error: 'must be above 0' })
    .max(100, { error: 'must be at most 100' })
    .default(def)
    .describe(what);

/** KSM metric names (or ECMAScript regexes): what `--metric-allowlist` accepts. */
const metricName = () =>
  z.string().regex(/^[a-zA-Z_:.*+?|()[\]\\^$-]+$/, {
    error: (i) =>
      `expected a kube-state-metrics metric name such as "kube_pod_start_time" (or a regex such as "kube_pod_status_.*"), found ${JSON.stringify(i.input)}`,
  });

/**
 * The section's schema, built on each call. Its image and resources builders
 * come from charts/spec/common.ts, a leaf module, so there is no import cycle.
 */
export function kubeStateMetricsSchema() {
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('deploy kube-state-metrics (container restarts, OOM kills, pod readiness, workload replicas, Jobs)'),
      mode: exporterModeSchema().describe(
        'deploy: run kube-state-metrics; external: scrape the one another stack already runs (spec.kubeStateMetrics.external), as job kube-state-metrics',
      ),
      external: externalTargetSchema({
        // kube-prometheus-stack's kube-state-metrics chart: Service <release>-kube-state-metrics, port http (8080).
        namespace: 'monitoring',
        service: 'kube-prometheus-stack-kube-state-metrics',
        port: 'http',
        targetPort: 8080,
        podSelector: { 'app.kubernetes.io/name': 'kube-state-metrics' },
      }).describe(
        "with mode: external, where the running kube-state-metrics is (default: kube-prometheus-stack's, release name kube-prometheus-stack)",
      ),
      image: imageSchema().optional().describe('override the pinned image'),
      resources: resourcesSchema(DEFAULT_SIZING.kubeStateMetrics.resources), // derived from spec.sizing when unset
      extraMetrics: z
        .array(metricName())
        .default([])
        .describe(
          'metrics to expose in addition to the built-in allowlist (names or regexes, e.g. kube_pod_start_time); each adds series per object, see docs/configuration.md "Kubernetes state"',
        ),
      alerts: z
        .strictObject({
          containerRestarts: z
            .number()
            .int()
            .min(1)
            .default(3)
            .describe('KubeContainerRestarting fires when a container restarts more than this many times within restartWindow'),
          restartWindow: duration().default('15m').describe('window for KubeContainerRestarting and KubeContainerOOMKilled'),
          podNotReadyFor: duration().default('15m').describe('how long a pod stays not ready before KubePodNotReady fires'),
          replicasUnavailableFor: duration()
            .default('15m')
            .describe('how long Deployment/StatefulSet replicas stay unavailable (or DaemonSet pods unscheduled) before the alert fires'),
        })
        .prefault({}),
    })
    .prefault({});
}

export function kubeletSchema() {
  return z
    .strictObject({
      volumeStats: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("scrape the kubelets' /metrics for kubelet_volume_stats_* (persistent volume usage) and alert on full volumes"),
          warningPercent: percent(85, 'KubePersistentVolumeFillingUp fires above this usage'),
          criticalPercent: percent(95, 'KubePersistentVolumeAlmostFull and MonitoringStackVolumeFull fire above this usage'),
          fullWithin: duration()
            .default('24h')
            .describe('KubePersistentVolumeFullSoon fires when the 6h trend predicts a full volume within this duration'),
        })
        .prefault({}),
      tlsInsecureSkipVerify: z
        .boolean()
        .default(false)
        .describe(
          "skip verification of the kubelets' serving certificates. Prometheus checks them against the cluster CA; kubeadm clusters " +
            'whose kubelets serve self-signed certificates need either serverTLSBootstrap: true in the KubeletConfiguration ' +
            '(then approve the kubelet-serving CSRs) or this flag. Also applies to spec.cadvisor.mode: kubelet.',
        ),
    })
    .prefault({})
    .superRefine((k, ctx) => {
      if (k.volumeStats.warningPercent >= k.volumeStats.criticalPercent) {
        ctx.addIssue({
          code: 'custom',
          path: ['volumeStats', 'warningPercent'],
          message: `must be below volumeStats.criticalPercent (${k.volumeStats.criticalPercent}): the warning has to fire before the critical alert`,
        });
      }
    });
}

export type KubeStateMetricsSpec = z.output<ReturnType<typeof kubeStateMetricsSchema>>;
export type KubeletSpec = z.output<ReturnType<typeof kubeletSchema>>;

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { kubeStateMetrics: kubeStateMetricsSchema() };
