/**
 * MonitoringStack: one construct per component, wired by typed references,
 * each in its own chart so dist/ holds one ordered file per component
 * (namespaces first; objects that need third-party CRDs last).
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Alloy } from './alloy';
import { Alertmanager } from './alertmanager';
import { Cadvisor } from './cadvisor';
import { DcgmExporter } from './dcgm-exporter';
import { kubeletJob } from './kubelet';
import { KubeStateMetrics } from './kube-state-metrics';
import { Grafana, GrafanaDashboards } from './grafana';
import { buildDashboards } from '../dashboards';
import { StackContext } from './lib/context';
import { Namespaces } from './namespace';
import { Loki } from './loki';
import { ArgoCdApplication } from './argocd';
import { AcmeClusterIssuer } from './cluster-issuer';
import { Ingresses } from './ingress';
import { NetworkPolicies } from './network-policies';
import { NodeExporter } from './node-exporter';
import { Prometheus } from './prometheus';
import { PrometheusMsTeams } from './prometheus-msteams';
import { serviceJobs } from './prometheus/service-jobs';
import { Promtail } from './promtail';
import type { MonitoringStackSpec } from './spec/schema';
import { externalUrls, grafanaUrlDefaults } from './spec/section-exposure';
import { buildRuleFiles, renderRuleFile } from '../rules';

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
  public readonly prometheus: Prometheus;
  public readonly nodeExporter?: NodeExporter;
  public readonly cadvisor?: Cadvisor;
  public readonly ingresses?: Ingresses;
  public readonly clusterIssuer?: AcmeClusterIssuer;
  public readonly networkPolicies?: NetworkPolicies;
  /** The Argo CD Application, in `gitopsChart` (written outside dist/). */
  public readonly argocd?: ArgoCdApplication;
  /** Objects written outside dist/ (gitops/), or undefined when spec.gitops is unset. */
  public readonly gitopsChart?: Chart;
  public readonly dcgmExporter?: DcgmExporter;
  public readonly kubeStateMetrics?: KubeStateMetrics;
  public readonly loki?: Loki;
  /** The log collector: Promtail or Alloy (`spec.logs.collector`), deployed with Loki. */
  public readonly logCollector?: Promtail | Alloy;
  public readonly alertmanager?: Alertmanager;
  public readonly msteams?: PrometheusMsTeams;
  public readonly grafana?: Grafana;
  private readonly stackCharts: StackChart[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    const { spec } = props.spec;
    this.context = {
      instance: props.spec.metadata.name,
      namespace: spec.namespace,
      agentNamespace: spec.agentNamespace ?? `${spec.namespace}-agents`,
    };
    const context = this.context;

    new Namespaces(this.chart('00-namespaces', 'namespaces'), 'namespaces', { context });
    this.prometheus = new Prometheus(this.chart('10-prometheus', 'prometheus'), 'prometheus', {
      context, spec: { ...spec.prometheus, externalUrl: spec.prometheus.externalUrl ?? externalUrls(spec.ingress).prometheus },
    });
    if (spec.nodeExporter.enabled) {
      this.nodeExporter = new NodeExporter(this.chart('20-node-exporter', 'node-exporter'), 'node-exporter', {
        context, spec: spec.nodeExporter, prometheus: this.prometheus,
      });
    }
    if (spec.cadvisor.enabled) {
      this.cadvisor = new Cadvisor(this.chart('21-cadvisor', 'cadvisor'), 'cadvisor', {
        context, spec: spec.cadvisor, prometheus: this.prometheus, kubelet: spec.kubelet,
      });
    }
    if (spec.gpu.enabled) {
      this.dcgmExporter = new DcgmExporter(this.chart('22-dcgm-exporter', 'dcgm-exporter'), 'dcgm-exporter', {
        context, spec: spec.gpu, prometheus: this.prometheus,
      });
    }
    if (spec.kubeStateMetrics.enabled) {
      this.kubeStateMetrics = new KubeStateMetrics(this.chart('13-kube-state-metrics', 'kube-state-metrics'), 'kube-state-metrics', {
        context, spec: spec.kubeStateMetrics, prometheus: this.prometheus,
      });
    }
    if (spec.kubelet.volumeStats.enabled) this.prometheus.addScrapeConfig(kubeletJob(spec.kubelet));
    if (spec.loki.enabled) {
      this.loki = new Loki(this.chart('30-loki', 'loki'), 'loki', { context, spec: spec.loki, prometheus: this.prometheus });
      const collector = { context, spec: spec.logs, loki: this.loki, prometheus: this.prometheus };
      this.logCollector = spec.logs.collector === 'alloy'
        ? new Alloy(this.chart('31-alloy', 'alloy'), 'alloy', collector)
        : new Promtail(this.chart('31-promtail', 'promtail'), 'promtail', collector);
    }
    if (spec.alerting.enabled) {
      if (spec.alerting.receivers.some((r) => r.type === 'msteams')) {
        this.msteams = new PrometheusMsTeams(this.chart('12-prometheus-msteams', 'prometheus-msteams'), 'prometheus-msteams', {
          context, spec: spec.alerting, prometheus: this.prometheus,
        });
      }
      this.alertmanager = new Alertmanager(this.chart('11-alertmanager', 'alertmanager'), 'alertmanager', {
        // Links in notifications point at Alertmanager's Ingress when it is exposed.
        context,
        spec: { ...spec.alerting, alertmanager: { ...spec.alerting.alertmanager, externalUrl: spec.alerting.alertmanager.externalUrl ?? externalUrls(spec.ingress).alertmanager } },
        prometheus: this.prometheus, msteamsBridge: this.msteams,
      });
    }
    // spec.services[]: jobs grouped by namespace/kind/port, `job` = service name (charts/prometheus/service-jobs.ts).
    for (const job of serviceJobs(spec.services, spec.prometheus.scrapeInterval, spec.prometheus.scrapeTimeout)) this.prometheus.addScrapeConfig(job);
    for (const file of buildRuleFiles({ spec })) this.prometheus.addRuleFile(file.fileName, renderRuleFile(file));
    if (spec.grafana.enabled) {
      const dashboards = new GrafanaDashboards(this.chart('41-grafana-dashboards', 'grafana-dashboards'), 'grafana-dashboards', {
        context, dashboards: buildDashboards(spec),
      });
      this.grafana = new Grafana(this.chart('40-grafana', 'grafana'), 'grafana', {
        context, spec: grafanaUrlDefaults(spec.grafana, spec.ingress), prometheus: this.prometheus, dashboards,
        loki: this.loki,
        alertmanager: this.alertmanager,
      });
    }

    // --- Exposure, isolation and GitOps. Keep this block LAST in the constructor:
    // NetworkPolicies scan the construct tree for the workloads created above.
    this.ingresses = new Ingresses(this.chart('50-ingress', 'ingress'), 'ingress', { context, spec: spec.ingress });
    if (spec.ingress.tls.createClusterIssuer) {
      // Needs cert-manager's CRDs: its own file, applied last.
      this.clusterIssuer = new AcmeClusterIssuer(this.chart('90-cluster-issuer', 'cluster-issuer'), 'cluster-issuer', { context, spec: spec.ingress });
    }
    if (spec.gitops.argocd) {
      this.gitopsChart = new Chart(this, 'gitops', { disableResourceNameHashes: true });
      this.argocd = new ArgoCdApplication(this.gitopsChart, 'argocd', { context, spec: spec.gitops.argocd });
    }
    // A service's job label must not be a built-in job (checked once every component has added its jobs).
    const builtInJobs = new Set(this.prometheus.config().scrape_configs.map((j) => j.job_name));
    spec.services.forEach((s, i) => {
      if (builtInJobs.has(s.name)) throw new Error(`spec.services[${i}].name: "${s.name}" is the job of a built-in component; rename the service`);
    });
    // The grouped service jobs keep prometheus.yml small; a service costs a whole relabel rule only when its
    // selector is not `<label>: <its name>` (charts/prometheus/service-jobs.ts): say so before the size guard does.
    const configBytes = Buffer.byteLength(this.prometheus.renderConfig());
    if (configBytes > 240 * 1024) {
      const costly = spec.services.filter((s) => { const k = Object.keys(s.selector); return !(k.length === 1 && s.selector[k[0]] === s.name); }).length;
      throw new Error(`spec.services: prometheus.yml would be ${configBytes} bytes, over the 256 KiB a ConfigMap can carry through kubectl apply; ${costly} of the ${spec.services.length} services select their pods by something other than one label equal to the service name (e.g. app.kubernetes.io/name: <name>), which costs a relabel rule each: select them that way, or split the services across stacks`);
    }
    if (spec.networkPolicies.enabled) {
      this.networkPolicies = new NetworkPolicies(this.chart('51-network-policies', 'network-policies'), 'network-policies', {
        context,
        spec: spec.networkPolicies,
        root: this,
        exposed: Object.keys(this.ingresses.hosts) as (keyof Ingresses['hosts'])[],
        services: spec.services,
        annotationDiscovery: spec.prometheus.annotationDiscovery,
      });
    }
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
