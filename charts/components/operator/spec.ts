/** `spec.operator`: the in-cluster operator that reconciles this stack's MonitoringStack resource. */
import { z } from 'zod';
import { duration } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';

export const operatorSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'run `ai-monitoring operator` in the stack namespace, with its ServiceAccount and least-privilege RBAC derived from the objects this stack emits; it reconciles the MonitoringStack resource of this name in that namespace',
      ),
    image: imageSchema()
      .optional()
      .describe('the operator image (default IMAGES.operator, the package version; charts/app/operator/Dockerfile builds it)'),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(2)
      .default(1)
      .describe('1, or 2 for a standby: both take part in leader election on a coordination.k8s.io Lease, only the holder reconciles'),
    resync: duration()
      .default('60s')
      .describe('how often every stack is re-applied (a field edited by hand is restored within one resync)'),
    resources: resourcesSchema({ requests: { cpu: '100m', memory: '320Mi' }, limits: { cpu: '1', memory: '768Mi' } }),
  })
  .prefault({});

export const specSections = { operator: operatorSchema };
