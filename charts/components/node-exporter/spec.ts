/** `spec.nodeExporter`. */
import { z } from 'zod';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { NODE_EXPORTER_RESOURCES } from './names';
import { exporterModeSchema, externalTargetSchema } from '../../spec/external-target';

export const nodeExporterSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    mode: exporterModeSchema().describe(
      'deploy: run the node-exporter DaemonSet; external: scrape the node-exporter another stack already runs (spec.nodeExporter.external), as job node-exporter',
    ),
    external: externalTargetSchema({
      // kube-prometheus-stack's prometheus-node-exporter chart: Service prometheus-node-exporter, port http-metrics (9100), host network.
      namespace: 'monitoring',
      service: 'prometheus-node-exporter',
      port: 'http-metrics',
      targetPort: 9100,
      hostNetwork: true,
    }).describe(
      "with mode: external, where the running node-exporter is (default: kube-prometheus-stack's prometheus-node-exporter Service)",
    ),
    image: imageSchema().optional(),
    resources: resourcesSchema(NODE_EXPORTER_RESOURCES),
    extraCollectors: z
      .array(z.string().regex(/^[a-z_]+$/, 'expected a collector name such as "hwmon"'))
      .default([])
      .describe('collectors to enable besides those the panels and alerts read (node-exporter --collector.<name>)'),
    extraMetrics: z
      .array(z.string().regex(/^node_[a-zA-Z0-9_]+$/, 'expected a node_* metric name'))
      .default([])
      .describe('node_* series to keep besides those the panels and alerts read (the rest is dropped at scrape)'),
  })
  .prefault({});

export const specSections = { nodeExporter: nodeExporterSchema };
