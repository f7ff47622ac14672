/**
 * The component registry: one line per component, in build order (Prometheus
 * first, since every other component registers its scrape jobs with it;
 * NetworkPolicies after every workload, since they scan the construct tree).
 * The stack, the spec schema (sections in this order), the NetworkPolicy flow
 * table, the known components, ports, job names and the component-owned rule
 * areas all come from here.
 *
 * Add a component: one folder charts/components/<name>/ whose index.ts exports
 * `component: ComponentDef<Spec>` and `specSections`, and one line below.
 */
import type { ComponentDef, Flow } from './core/component';
import { flowTable } from './components/network-policies/construct';
import type { DashboardContributions } from './core/dashboard-model';
import type { RuleArea } from './core/rule-types';
import { recordingArea } from './core/recording';
import type { Spec } from './spec-schema';
import * as namespaces from './components/namespaces';
import * as platform from './components/platform';
import * as webAuth from './components/web-auth';
import * as prometheus from './components/prometheus';
import * as nodeExporter from './components/node-exporter';
import * as cadvisor from './components/cadvisor';
import * as dcgmExporter from './components/dcgm-exporter';
import * as kubeStateMetrics from './components/kube-state-metrics';
import * as kubelet from './components/kubelet';
import * as loki from './components/loki';
import * as promtail from './components/promtail';
import * as alloy from './components/alloy';
import * as alloyEvents from './components/alloy-events';
import * as msteams from './components/prometheus-msteams';
import * as alertmanager from './components/alertmanager';
import { alertingSection } from './components/alertmanager/spec';
import { hostThresholdFields } from './components/node-exporter/thresholds';
import { imageSchema, resourcesSchema } from './spec/common';
import * as services from './components/services';
import * as grafana from './components/grafana';
import * as ingress from './components/ingress';
import * as gateway from './components/gateway';
import * as clusterIssuer from './components/cluster-issuer';
import * as networkPolicies from './components/network-policies';
import * as argocd from './components/argocd';
import * as blackboxExporter from './components/blackbox-exporter';
import * as backup from './components/backup';
import * as genai from './components/genai';
import * as operator from './components/operator';

/** Public constructs of the components, re-exported by the package root (charts/index.ts). */
export * from './components/dcgm-exporter/construct';

/** spec.alerting with the threshold fields other components own (node-exporter's host alerts). */
const ALERTING = { alerting: alertingSection({ imageSchema, resourcesSchema }, hostThresholdFields()) };

const MODULES = [
  namespaces,
  platform,
  webAuth,
  prometheus,
  nodeExporter,
  cadvisor,
  dcgmExporter,
  kubeStateMetrics,
  kubelet,
  loki,
  promtail,
  alloy,
  alloyEvents,
  msteams,
  alertmanager,
  services,
  grafana,
  ingress,
  gateway,
  clusterIssuer,
  blackboxExporter,
  backup,
  genai,
  operator,
  networkPolicies,
  argocd,
] as const;

/** Every component, in build order. */
export const COMPONENTS: readonly ComponentDef<Spec>[] = MODULES.map((m) => m.component);

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The spec sections of every component, typed (the schema spreads them into `spec`). */
export type SpecSections = Omit<UnionToIntersection<(typeof MODULES)[number]['specSections']>, 'alerting'> & typeof ALERTING;

/** The spec sections of every component, in registry order. */
export function specSections(): SpecSections {
  const out: Record<string, unknown> = {};
  for (const m of MODULES) {
    for (const [key, schema] of Object.entries(m === alertmanager ? ALERTING : m.specSections)) {
      if (key in out) throw new Error(`two components own spec.${key}`);
      out[key] = schema;
    }
  }
  return out as SpecSections;
}

/** Components whose workloads the NetworkPolicies may meet (app.kubernetes.io/name). */
export const KNOWN_COMPONENTS: readonly string[] = COMPONENTS.filter((c) => c.workload).map((c) => c.name);

/** The NetworkPolicy flow table: every component's flows, in registry order. */
export const FLOWS: readonly Flow[] = flowTable(COMPONENTS);

/** Every Prometheus job name a component declares. */
export const COMPONENT_JOBS: readonly string[] = COMPONENTS.flatMap((c) => c.jobs ?? []);

/** Is the component deployed for this spec? */
const isOn = (spec: Spec) => (c: ComponentDef<Spec>) => !c.enabled || c.enabled(spec);

/** The rule areas the components own (alerts beside their construct), then recording.yaml with their recording groups. */
export const COMPONENT_RULE_AREAS: readonly RuleArea[] = [
  ...COMPONENTS.flatMap((c) => c.ruleAreas ?? []),
  recordingArea((spec) => COMPONENTS.filter(isOn(spec)).flatMap((c) => c.recording ?? [])),
];

/** What the components give the dashboards for a spec: every component's metric sources, the enabled ones, their dashboards. */
export function dashboardContributions(spec: Spec): DashboardContributions {
  const on = COMPONENTS.filter(isOn(spec));
  return {
    catalog: COMPONENTS.flatMap((c) => c.catalog ?? []),
    enabled: on.flatMap((c) => (c.catalog ?? []).filter((s) => !s.enabled || s.enabled(spec)).map((s) => s.id)),
    modules: on.flatMap((c) => c.dashboards ?? []),
    podRows: on.flatMap((c) => (c.podRows ? [c.podRows] : [])),
  };
}

export function component(name: string): ComponentDef<Spec> {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c) throw new Error(`no component "${name}" in charts/registry.ts`);
  return c;
}
