/** `spec.nodeExporter`. */
import { z } from 'zod';
import { imageSchema, resourcesSchema } from '../../spec/common';

export const nodeExporterSchema = z.strictObject({
  enabled: z.boolean().default(true),
  image: imageSchema().optional(),
  resources: resourcesSchema({ requests: { cpu: '100m', memory: '180Mi' }, limits: { cpu: '250m', memory: '180Mi' } }),
}).prefault({});

export const specSections = { nodeExporter: nodeExporterSchema };
