/** `spec.nodeExporter`. */
import { z } from 'zod';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { exporterModeSchema, externalTargetSchema } from '../../spec/external-target';

export const nodeExporterSchema = z.strictObject({
  enabled: z.boolean().default(true),
  mode: exporterModeSchema().describe('deploy: run the node-exporter DaemonSet; external: scrape the node-exporter another stack already runs (spec.nodeExporter.external), as job node-exporter'),
  external: externalTargetSchema({
    // kube-prometheus-stack's prometheus-node-exporter chart: Service prometheus-node-exporter, port http-metrics (9100), host network.
    namespace: 'monitoring', service: 'prometheus-node-exporter', port: 'http-metrics', targetPort: 9100, hostNetwork: true,
  }).describe('with mode: external, where the running node-exporter is (default: kube-prometheus-stack\'s prometheus-node-exporter Service)'),
  image: imageSchema().optional(),
  resources: resourcesSchema({ requests: { cpu: '100m', memory: '180Mi' }, limits: { cpu: '250m', memory: '180Mi' } }),
}).prefault({});

export const specSections = { nodeExporter: nodeExporterSchema };
