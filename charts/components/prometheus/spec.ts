/** `spec.prometheus`: the Prometheus server. */
import { z } from 'zod';
import { duration, promSize, quantity } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { remoteWriteSchema } from './remote-write';
import { DEFAULT_SIZING } from '../../core/sizing';

export const prometheusSchema = z.strictObject({
  image: imageSchema().optional().describe('override the pinned image'),
  replicas: z.number().int().min(1).max(5).default(1).describe('replicas; each keeps its own TSDB. With remote write, 2 makes an HA pair: a replica external label the store deduplicates on'),
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
  // --- scale-out (issue 12): remote write, agent mode, HA pairs
  mode: z.enum(['server', 'agent'], { error: (i) => `expected "server" or "agent", found ${JSON.stringify(i.input)}` }).default('server')
    .describe('"agent": --agent, a forwarder with a WAL only (no local queries, rules or alerting; remoteWrite required; rules go to the central ruler)'),
  remoteWrite: z.array(remoteWriteSchema).default([]).describe('remote stores every sample is sent to (Mimir, Thanos Receive, VictoriaMetrics, Grafana Cloud, generic)'),
  replicaLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).optional()
    .describe('external label naming the replica when replicas > 1 (value: the pod name); default from the first remoteWrite preset: __replica__ (Mimir HA tracker), replica (thanos-receive)'),
  serviceAccountAnnotations: z.record(z.string(), z.string()).default({})
    .describe('annotations of the prometheus ServiceAccount (IRSA eks.amazonaws.com/role-arn, azure.workload.identity/client-id)'),
  agentStorage: z.strictObject({
    size: quantity('10Gi').default('10Gi').describe('volume for the agent WAL (samples not yet sent survive restarts)'),
    storageClassName: z.string().min(1).optional(),
  }).prefault({}).describe('agent mode: the WAL volume (replaces storage)'),
  // --- end scale-out
  resources: resourcesSchema(DEFAULT_SIZING.prometheus.resources), // derived from spec.sizing when unset
}).prefault({});

export const specSections = { prometheus: prometheusSchema };
