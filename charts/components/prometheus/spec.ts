/** `spec.prometheus`: the Prometheus server. */
import { z } from 'zod';
import { duration, promSize, quantity } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { DEFAULT_SIZING } from '../../core/sizing';

export const prometheusSchema = z.strictObject({
  image: imageSchema().optional().describe('override the pinned image'),
  replicas: z.number().int().min(1).max(5).default(1).describe('replicas; each keeps its own TSDB (no deduplication)'),
  retention: duration().default('15d').describe('--storage.tsdb.retention.time'),
  retentionSize: promSize().optional().describe('--storage.tsdb.retention.size; defaults to 85% of storage.size'),
  storage: z.strictObject({
    size: quantity('50Gi').default(DEFAULT_SIZING.prometheus.storageSize).describe('persistent volume size per replica; derived from spec.sizing when unset'),
    storageClassName: z.string().min(1).optional().describe('storage class; the cluster default when unset'),
  }).prefault({}),
  scrapeInterval: duration().default('15s'),
  scrapeTimeout: duration().default('10s'),
  evaluationInterval: duration().default('15s'),
  externalLabels: z.record(z.string(), z.string()).default({}).describe('labels added to every series and alert sent out (e.g. cluster: prod)'),
  externalUrl: z.string().url().optional().describe('URL users reach Prometheus at (--web.external-url: links in alerts and the UI); defaults to its Ingress URL when exposed'),
  annotationDiscovery: z.boolean().default(true).describe('scrape pods and services annotated prometheus.io/scrape: "true"'),
  resources: resourcesSchema(DEFAULT_SIZING.prometheus.resources), // derived from spec.sizing when unset
}).prefault({});

export const specSections = { prometheus: prometheusSchema };
