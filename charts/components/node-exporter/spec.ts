/** `spec.nodeExporter`. */
import { z } from 'zod';
import { imageSchema, resourcesSchema } from '../../spec/common';

export const nodeExporterSchema = z.strictObject({
  enabled: z.boolean().default(true),
  image: imageSchema().optional(),
  // Filtered collectors: ~18 MiB RSS measured on the real node-exporter.
  resources: resourcesSchema({ requests: { cpu: '30m', memory: '48Mi' }, limits: { cpu: '250m', memory: '128Mi' } }),
  extraCollectors: z.array(z.string().regex(/^[a-z_]+$/, 'expected a collector name such as "hwmon"')).default([])
    .describe('collectors to enable besides those the panels and alerts read (node-exporter --collector.<name>)'),
  extraMetrics: z.array(z.string().regex(/^node_[a-zA-Z0-9_]+$/, 'expected a node_* metric name')).default([])
    .describe('node_* series to keep besides those the panels and alerts read (the rest is dropped at scrape)'),
}).prefault({});

export const specSections = { nodeExporter: nodeExporterSchema };
