/** `spec.prometheus`: the Prometheus server. */
import { z } from 'zod';
import { dnsLabel, duration, httpUrl, promSize, quantity } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { remoteWriteSchema } from './remote-write';
import { otlpSchema } from '../genai/spec';
import { DEFAULT_SIZING } from '../../core/sizing';

export const prometheusSchema = z
  .strictObject({
    image: imageSchema().optional().describe('override the pinned image'),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe(
        'replicas; each keeps its own TSDB. With remote write, 2 makes an HA pair: a replica external label the store deduplicates on',
      ),
    retention: duration().default('15d').describe('--storage.tsdb.retention.time'),
    retentionSize: promSize().optional().describe('--storage.tsdb.retention.size; defaults to 85% of storage.size'),
    storage: z
      .strictObject({
        size: quantity('50Gi')
          .default(DEFAULT_SIZING.prometheus.storageSize)
          .describe('persistent volume size per replica; derived from spec.sizing when unset'),
        storageClassName: z.string().min(1).optional().describe('storage class; the cluster default when unset'),
      })
      .prefault({}),
    scrapeInterval: duration().default('15s'),
    scrapeTimeout: duration().default('10s'),
    evaluationInterval: duration().default('15s'),
    externalLabels: z
      .record(z.string(), z.string())
      .default({})
      .describe('labels added to every series and alert sent out (e.g. cluster: prod)'),
    externalUrl: httpUrl()
      .optional()
      .describe('URL users reach Prometheus at (--web.external-url: links in alerts and the UI); defaults to its Ingress URL when exposed'),
    annotationDiscovery: z
      .union(
        [
          z.boolean(),
          z.strictObject({
            namespaces: z
              .array(dnsLabel())
              .default([])
              .describe('namespaces to discover annotated pods and services in, besides those of spec.services'),
            allNamespaces: z
              .boolean()
              .default(false)
              .describe('discover in every namespace (Prometheus may then reach every pod of the cluster on any port)'),
          }),
        ],
        { error: 'expected true, false or { namespaces: [...], allNamespaces: false }' },
      )
      .default(true)
      .describe(
        'scrape pods and services annotated prometheus.io/scrape: "true" in the namespaces of spec.services (true), in listed namespaces too ({ namespaces }), or in every namespace ({ allNamespaces: true }, an explicit opt-in); the NetworkPolicy opens exactly those namespaces',
      ),
    // --- scale-out (issue 12): remote write, agent mode, HA pairs
    mode: z
      .enum(['server', 'agent'], { error: (i) => `expected "server" or "agent", found ${JSON.stringify(i.input)}` })
      .default('server')
      .describe(
        '"agent": --agent, a forwarder with a WAL only (no local queries, rules or alerting; remoteWrite required; rules go to the central ruler)',
      ),
    otlp: otlpSchema.describe('OTLP receiver for OpenTelemetry metrics (GenAI semantic conventions; charts/components/genai)'),
    remoteWrite: z
      .array(remoteWriteSchema)
      .default([])
      .describe('remote stores every sample is sent to (Mimir, Thanos Receive, VictoriaMetrics, Grafana Cloud, generic)'),
    replicaLabel: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .optional()
      .describe(
        'external label naming the replica when replicas > 1 (value: the pod name); default from the first remoteWrite preset: __replica__ (Mimir HA tracker), replica (thanos-receive)',
      ),
    serviceAccountAnnotations: z
      .record(z.string(), z.string())
      .default({})
      .describe('annotations of the prometheus ServiceAccount (IRSA eks.amazonaws.com/role-arn, azure.workload.identity/client-id)'),
    agentStorage: z
      .strictObject({
        size: quantity('10Gi').default('10Gi').describe('volume for the agent WAL (samples not yet sent survive restarts)'),
        storageClassName: z.string().min(1).optional(),
      })
      .prefault({})
      .describe('agent mode: the WAL volume (replaces storage)'),
    // --- end scale-out
    resources: resourcesSchema(DEFAULT_SIZING.prometheus.resources), // derived from spec.sizing when unset
  })
  .prefault({});

export const specSections = { prometheus: prometheusSchema };

/**
 * Where annotation discovery looks: 'all' (explicit opt-in), the listed
 * namespaces plus those of spec.services (sorted), or undefined when off or
 * when no namespace is known (a job with no namespace list would watch all).
 */
export function annotationDiscoveryNamespaces(spec: {
  prometheus: z.output<typeof prometheusSchema>;
  services: readonly { namespace: string }[];
}): string[] | 'all' | undefined {
  const a = spec.prometheus.annotationDiscovery;
  if (a === false) return undefined;
  if (a !== true && a.allNamespaces) return 'all';
  const names = [...new Set([...spec.services.map((s) => s.namespace), ...(a === true ? [] : a.namespaces)])].sort();
  return names.length ? names : undefined;
}
