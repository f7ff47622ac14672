/** Registry entry: kube-state-metrics. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { KubeStateMetrics, type KubeStateMetricsProps } from './construct';
import type { StackContext } from '../../core/context';
import { ExternalScrapePolicy, externalJob } from '../../lib/external-scrape';
import { KSM_NAME } from '../../core/names';
import { kubernetesRules } from './rules';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec to the construct's props (`podLabels`: what the enabled components group by). */
export function kubeStateMetricsProps(
  spec: Spec,
  context: StackContext,
  podLabels: readonly string[] = [],
): Omit<KubeStateMetricsProps, 'prometheus'> {
  const s = spec.kubeStateMetrics;
  return {
    namespace: context.namespace,
    instance: context.instance,
    image: s.image,
    resources: s.resources,
    extraMetrics: s.extraMetrics,
    podLabels,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'kube-state-metrics',
  workload: true,
  image: 'kubeStateMetrics',
  files: ['13-kube-state-metrics'],
  ports: { metrics: PORTS.kubeStateMetrics },
  jobs: [JOBS.kubeStateMetrics, JOBS.kubeStateMetricsTelemetry],
  ruleAreas: [kubernetesRules],
  flows: [
    {
      from: 'prometheus',
      to: 'kube-state-metrics',
      ports: tcp(PORTS.kubeStateMetrics, PORTS.kubeStateMetricsTelemetry),
      why: 'scrape (metrics and telemetry)',
    },
    { from: 'kube-state-metrics', to: { external: 'api-server' }, ports: tcp(443, 6443), why: 'watches every object it reports' },
  ],
  enabled: (spec) => spec.kubeStateMetrics.enabled,
  build: ({ chart, context, spec, prometheus, registry }) => {
    if (spec.kubeStateMetrics.mode === 'external') {
      // Another stack's kube-state-metrics, scraped as job kube-state-metrics with honor_labels and a fixed instance,
      // exactly as ours: namespace/pod/container on its series describe the objects. No telemetry job (its own port
      // is the other stack's business).
      prometheus.addScrapeConfig(
        externalJob({
          jobName: JOBS.kubeStateMetrics,
          target: spec.kubeStateMetrics.external,
          instance: KSM_NAME,
          podLabels: false,
          honorLabels: true,
        }),
      );
      if (spec.networkPolicies.enabled) {
        new ExternalScrapePolicy(chart('13-kube-state-metrics', 'kube-state-metrics'), 'external', {
          namespace: context.namespace,
          instance: context.instance,
          name: 'kube-state-metrics',
          target: spec.kubeStateMetrics.external,
          nodeCidrs: spec.networkPolicies.nodeCidrs,
        });
      }
      return undefined;
    }
    // The pod labels the enabled components group by (ComponentDef.podLabels, e.g. the team label of the GPU cost rules).
    const podLabels = [...new Set(registry.filter((c) => !c.enabled || c.enabled(spec)).flatMap((c) => c.podLabels?.(spec) ?? []))];
    return new KubeStateMetrics(chart('13-kube-state-metrics', 'kube-state-metrics'), 'kube-state-metrics', {
      ...kubeStateMetricsProps(spec, context, podLabels),
      prometheus,
    });
  },
};
