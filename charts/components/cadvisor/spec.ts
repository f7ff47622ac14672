/** `spec.cadvisor`. */
import { z } from 'zod';
import { duration } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';

export const cadvisorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  mode: z.enum(['daemonset', 'kubelet']).default('daemonset')
    .describe('daemonset: run cAdvisor on every node; kubelet: scrape the kubelet\'s built-in /metrics/cadvisor instead'),
  image: imageSchema().optional(),
  housekeepingInterval: duration().default('30s').describe('how often cAdvisor refreshes container stats'),
  resources: resourcesSchema({ requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '500m', memory: '400Mi' } }),
}).prefault({});

export const specSections = { cadvisor: cadvisorSchema };
