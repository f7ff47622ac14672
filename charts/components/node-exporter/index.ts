/**
 * Registry entry: node-exporter. Everything it owns lives in this folder: spec section, construct and its props,
 * scrape job, flows, host alerts with their promtool tests, node recording rules, metric catalog and dashboard.
 */
import { tcp, type ComponentDef } from '../../core/component';
import type { StackContext } from '../../core/context';
import type { Spec } from '../../spec-schema';
import { NodeExporter, type NodeExporterProps } from './construct';
import { ExternalScrapePolicy, externalJob } from '../../lib/external-scrape';
import { hostRules } from './rules';
import { nodeRecording } from './recording';
import { catalog, nodeOverview } from './dashboards';
import { NODE_EXPORTER_FILE, NODE_EXPORTER_JOB, NODE_EXPORTER_NAME, NODE_EXPORTER_PORT } from './names';

export * from './construct';
export * from './spec';
export * from './names';

/** The typed step from the parsed spec to the construct's props (everything defaulted by the schema is set). */
export function nodeExporterProps(spec: Spec, context: StackContext): Omit<NodeExporterProps, 'prometheus'> {
  const s = spec.nodeExporter;
  return {
    namespace: context.agentNamespace,
    instance: context.instance,
    image: s.image,
    resources: s.resources,
    extraCollectors: s.extraCollectors,
    extraMetrics: s.extraMetrics,
  };
}

export const component: ComponentDef<Spec> = {
  name: NODE_EXPORTER_NAME,
  workload: true,
  image: 'nodeExporter',
  files: [NODE_EXPORTER_FILE],
  ports: { metrics: NODE_EXPORTER_PORT },
  jobs: [NODE_EXPORTER_JOB],
  ruleAreas: [hostRules],
  recording: [nodeRecording],
  catalog,
  dashboards: [nodeOverview],
  flows: [
    {
      from: 'prometheus',
      to: { external: 'nodes' },
      ports: tcp(NODE_EXPORTER_PORT),
      why: 'node-exporter on the host network',
      requires: NODE_EXPORTER_NAME,
    },
  ],
  enabled: (spec) => spec.nodeExporter.enabled,
  build: ({ chart, context, spec, prometheus }) => {
    if (spec.nodeExporter.mode === 'external') {
      // Another stack's node-exporter, scraped as job node-exporter with instance = node (as ours): the host rules and
      // dashboards select on those. It usually runs on the host network: reached on the nodes' addresses.
      prometheus.addScrapeConfig(
        externalJob({ jobName: NODE_EXPORTER_JOB, target: spec.nodeExporter.external, instance: 'node', podLabels: true }),
      );
      if (spec.networkPolicies.enabled) {
        new ExternalScrapePolicy(chart(NODE_EXPORTER_FILE, NODE_EXPORTER_NAME), 'external', {
          namespace: context.namespace,
          instance: context.instance,
          name: NODE_EXPORTER_NAME,
          target: spec.nodeExporter.external,
          nodeCidrs: spec.networkPolicies.nodeCidrs,
        });
      }
      return undefined;
    }
    return new NodeExporter(chart(NODE_EXPORTER_FILE, NODE_EXPORTER_NAME), NODE_EXPORTER_NAME, {
      ...nodeExporterProps(spec, context),
      prometheus,
    });
  },
};
