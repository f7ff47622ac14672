/**
 * MonitoringStack: one construct per component, wired by typed references,
 * each in its own chart so dist/ holds one ordered file per component
 * (namespaces first; objects that need third-party CRDs last).
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Cadvisor } from './cadvisor';
import { Grafana, GrafanaDashboards } from './grafana';
import { serviceUrl } from './lib/context';
import { buildDashboards } from '../dashboards';
import { enabledSources } from '../dashboards/catalog';
import { StackContext } from './lib/context';
import { Namespaces } from './namespace';
import { NodeExporter } from './node-exporter';
import { Prometheus } from './prometheus';
import { serviceJob } from './prometheus/scrape';
import type { MonitoringStackSpec } from './spec/schema';
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
    this.prometheus = new Prometheus(this.chart('10-prometheus', 'prometheus'), 'prometheus', { context, spec: spec.prometheus });
    if (spec.nodeExporter.enabled) {
      this.nodeExporter = new NodeExporter(this.chart('20-node-exporter', 'node-exporter'), 'node-exporter', {
        context, spec: spec.nodeExporter, prometheus: this.prometheus,
      });
    }
    if (spec.cadvisor.enabled) {
      this.cadvisor = new Cadvisor(this.chart('21-cadvisor', 'cadvisor'), 'cadvisor', {
        context, spec: spec.cadvisor, prometheus: this.prometheus,
      });
    }
    for (const service of spec.services) {
      this.prometheus.addScrapeConfig(serviceJob(service, spec.prometheus.scrapeInterval, spec.prometheus.scrapeTimeout));
    }
    for (const file of buildRuleFiles({ spec })) this.prometheus.addRuleFile(file.fileName, renderRuleFile(file));
    if (spec.grafana.enabled) {
      const sources = enabledSources(spec);
      const dashboards = new GrafanaDashboards(this.chart('41-grafana-dashboards', 'grafana-dashboards'), 'grafana-dashboards', {
        context, dashboards: buildDashboards(spec),
      });
      this.grafana = new Grafana(this.chart('40-grafana', 'grafana'), 'grafana', {
        context, spec: spec.grafana, prometheus: this.prometheus, dashboards,
        // TODO(lead, on merge): pass this.loki / this.alertmanager (their typed url) instead of the fixed names.
        loki: sources.has('loki') ? { url: serviceUrl('loki', context.namespace, 3100) } : undefined,
        alertmanager: sources.has('alertmanager') ? { url: serviceUrl('alertmanager', context.namespace, 9093) } : undefined,
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
