/**
 * Registry entry: the OpenTelemetry GenAI path (spec.prometheus.otlp). No workload: Prometheus receives
 * OTLP itself (charts/components/prometheus adds --web.enable-otlp-receiver and the otlp/storage blocks,
 * ./config.ts); this component opens Prometheus' port to the namespaces named, and ships the GenAI
 * dashboard and alerts on the semantic-convention metrics (./metrics.ts).
 */
import { tcp, type ComponentDef } from '../../core/component';
import { PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { genaiDashboard } from './dashboard';
import { GENAI_METRICS } from './metrics';
import { genaiApplies, genaiRules } from './rules';

export * from './spec';
export const specSections = {};

export const component: ComponentDef<Spec> = {
  name: 'genai',
  enabled: (spec) => genaiApplies(spec),
  specFlows: (spec) =>
    spec.prometheus.otlp.enabled && spec.prometheus.otlp.fromNamespaces.length
      ? [
          {
            from: { external: 'namespaces', namespaces: spec.prometheus.otlp.fromNamespaces },
            to: 'prometheus',
            ports: tcp(PORTS.prometheus),
            why: 'OTLP pushes (spec.prometheus.otlp.fromNamespaces) to /api/v1/otlp/v1/metrics',
          },
        ]
      : [],
  specChecks: (spec, ctx) => {
    const o = spec.prometheus.otlp;
    if (o.enabled && spec.prometheus.mode === 'agent') {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'otlp', 'enabled'],
        message: 'the OTLP receiver needs a Prometheus server: set spec.prometheus.mode to server, or push OTLP to the central store',
      });
    }
    if (!o.enabled && o.fromNamespaces.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'otlp', 'fromNamespaces'],
        message:
          'opens Prometheus to OTLP pushes while the receiver is off: set spec.prometheus.otlp.enabled: true, or remove fromNamespaces',
      });
    }
  },
  warnings: (spec) =>
    spec.prometheus.otlp.enabled && !genaiApplies(spec)
      ? [
          `spec.prometheus.otlp.translationStrategy ${spec.prometheus.otlp.translationStrategy}: the GenAI dashboard and alerts read the UnderscoreEscapingWithSuffixes names and are left out`,
        ]
      : [],
  ruleAreas: [genaiRules],
  catalog: [
    {
      id: 'genai-otlp',
      title: 'OpenTelemetry GenAI metrics over OTLP (UnderscoreEscapingWithSuffixes names)',
      metrics: GENAI_METRICS,
      enabled: genaiApplies,
    },
  ],
  dashboards: [genaiDashboard],
};
