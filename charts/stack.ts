/**
 * MonitoringStack: builds every registered component (charts/registry.ts) in
 * registry order, each in its own chart so dist/ holds one ordered file per
 * component (namespaces first; objects that need third-party CRDs last).
 * Components meet through the BuildContext (IPrometheus, typed `offer`/`offered`
 * of the Offers interface), never by name and never through wiring here. The stack injects what is cross-cutting: the dashboards (offered
 * to Grafana) and the rule files (component-owned areas plus the service-kind
 * areas of rules/).
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { buildDashboards } from '../dashboards';
import { buildRuleFiles, renderRuleFile } from '../rules';
import type { BuildContext, IPrometheus, Offers } from './core/component';
import type { StackContext } from './core/context';
import { COMPONENT_RULE_AREAS, COMPONENTS, dashboardContributions } from './registry';
import type { AcmeClusterIssuer } from './components/cluster-issuer/construct';
import type { Alertmanager } from './components/alertmanager/construct';
import type { Alloy } from './components/alloy/construct';
import type { ArgoCdApplication } from './components/argocd/construct';
import type { Cadvisor } from './components/cadvisor/construct';
import type { Grafana } from './components/grafana/construct';
import type { Ingresses } from './components/ingress/construct';
import type { KubeStateMetrics } from './components/kube-state-metrics/construct';
import type { Loki } from './components/loki/construct';
import type { NetworkPolicies } from './components/network-policies/construct';
import type { Prometheus } from './components/prometheus/construct';
import type { PrometheusMsTeams } from './components/prometheus-msteams/construct';
import type { Promtail } from './components/promtail/construct';
import type { MonitoringStackSpec, Spec } from './spec-schema';
import { applyStackMetadata } from './lib/stack-metadata';

export interface MonitoringStackProps {
  /** The validated spec (see `parseSpecYaml` / `validateSpec`). */
  readonly spec: MonitoringStackSpec;
}

/** A chart of the stack and the dist/ file it is written to. */
export interface StackChart {
  readonly file: string;
  readonly chart: Chart;
}

export class MonitoringStack extends Construct {
  public readonly context: StackContext;
  /** What each built component's `build` returned, by component name. */
  public readonly built: ReadonlyMap<string, unknown>;
  /** Objects written outside dist/ (gitops/), or undefined when no component writes there. */
  public gitopsChart?: Chart;
  /** What the user should know about this spec (ComponentDef.warnings; main.ts prints them). */
  public readonly warnings: readonly string[];
  private readonly stackCharts: StackChart[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    const { spec } = props.spec;
    this.context = {
      instance: props.spec.metadata.name,
      namespace: spec.namespace,
      agentNamespace: spec.agentNamespace ?? `${spec.namespace}-agents`,
      webAuth: spec.webAuth,
    };
    const built = new Map<string, unknown>();
    this.built = built;
    this.warnings = COMPONENTS.flatMap((c) => c.warnings?.(spec) ?? []);
    let prometheus: IPrometheus | undefined;
    const offers: Partial<Record<keyof Offers, Offers[keyof Offers]>> = {
      dashboards: spec.grafana.enabled ? buildDashboards(spec, dashboardContributions(spec)) : [],
    };
    let current = COMPONENTS[0];
    const build: BuildContext<Spec> = {
      context: this.context,
      spec,
      root: this,
      registry: COMPONENTS,
      chart: (file, chartId) => {
        if (!(current.files ?? []).includes(file)) {
          throw new Error(`component "${current.name}" writes dist/${file}.yaml but does not declare it in its ComponentDef.files`);
        }
        return this.chart(file, chartId);
      },
      gitopsChart: () => (this.gitopsChart ??= new Chart(this, 'gitops', { disableResourceNameHashes: true })),
      get prometheus(): IPrometheus {
        if (!prometheus) throw new Error('no component provides Prometheus before this one (charts/registry.ts order)');
        return prometheus;
      },
      offer: (key, value) => {
        if (offers[key]) throw new Error(`two components offer "${key}"`);
        offers[key] = value;
      },
      offered: <K extends keyof Offers>(key: K) => offers[key] as Offers[K] | undefined,
    };
    for (const c of COMPONENTS) {
      if (c.enabled && !c.enabled(spec)) continue;
      current = c;
      const result = c.build?.(build);
      built.set(c.name, result);
      if (c.name === 'prometheus') {
        prometheus = result as IPrometheus;
        // Rule files: the components' own areas and the service-kind areas (rules/). Order does not matter
        // to Prometheus (the ConfigMap sorts them); they are added once Prometheus exists.
        for (const file of buildRuleFiles({ spec }, COMPONENT_RULE_AREAS)) prometheus.addRuleFile(file.fileName, renderRuleFile(file));
      }
    }
    applyStackMetadata(this, props.spec.metadata); // after every object exists
  }

  /** A built component by registry name (undefined when disabled). */
  public component<T>(name: string): T | undefined {
    return this.built.get(name) as T | undefined;
  }

  // Typed accessors of the built components (public API kept from before the registry).
  public get prometheus(): Prometheus {
    return this.component<Prometheus>('prometheus') as Prometheus;
  }
  public get cadvisor(): Cadvisor | undefined {
    return this.component('cadvisor');
  }
  public get kubeStateMetrics(): KubeStateMetrics | undefined {
    return this.component('kube-state-metrics');
  }
  public get loki(): Loki | undefined {
    return this.component('loki');
  }
  /** The log collector: Promtail or Alloy (`spec.logs.collector`), deployed with Loki. */
  public get logCollector(): Promtail | Alloy | undefined {
    return this.component<Promtail>('promtail') ?? this.component<Alloy>('alloy');
  }
  public get alertmanager(): Alertmanager | undefined {
    return this.component('alertmanager');
  }
  public get msteams(): PrometheusMsTeams | undefined {
    return this.component('prometheus-msteams');
  }
  public get grafana(): Grafana | undefined {
    return this.component('grafana');
  }
  public get ingresses(): Ingresses | undefined {
    return this.component('ingress');
  }
  public get clusterIssuer(): AcmeClusterIssuer | undefined {
    return this.component('cluster-issuer');
  }
  public get networkPolicies(): NetworkPolicies | undefined {
    return this.component('network-policies');
  }
  /** The Argo CD Application, in `gitopsChart` (written outside dist/). */
  public get argocd(): ArgoCdApplication | undefined {
    return this.component('argocd');
  }

  /** The charts in dist/ order. */
  public get charts(): readonly StackChart[] {
    return [...this.stackCharts].sort((a, b) => a.file.localeCompare(b.file));
  }

  /** A new chart written to `dist/<file>.yaml`. */
  public chart(file: string, id: string): Chart {
    if (this.stackCharts.some((c) => c.file === file)) throw new Error(`two charts write dist/${file}.yaml`);
    const chart = new Chart(this, id, { disableResourceNameHashes: true });
    this.stackCharts.push({ file, chart });
    return chart;
  }
}
