/** `spec.prometheus`: the Prometheus server. */
import { z } from 'zod';
import { dnsLabel, duration, httpUrl, promSize, quantity } from '../../spec/formats';
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
  externalUrl: httpUrl().optional().describe('URL users reach Prometheus at (--web.external-url: links in alerts and the UI); defaults to its Ingress URL when exposed'),
  annotationDiscovery: z.union([
    z.boolean(),
    z.strictObject({
      namespaces: z.array(dnsLabel()).default([]).describe('namespaces to discover annotated pods and services in, besides those of spec.services'),
      allNamespaces: z.boolean().default(false).describe('discover in every namespace (Prometheus may then reach every pod of the cluster on any port)'),
    }),
  ], { error: 'expected true, false or { namespaces: [...], allNamespaces: false }' }).default(true)
    .describe('scrape pods and services annotated prometheus.io/scrape: "true" in the namespaces of spec.services (true), in listed namespaces too ({ namespaces }), or in every namespace ({ allNamespaces: true }, an explicit opt-in); the NetworkPolicy opens exactly those namespaces'),
  resources: resourcesSchema(DEFAULT_SIZING.prometheus.resources), // derived from spec.sizing when unset
}).prefault({});

export const specSections = { prometheus: prometheusSchema };

/**
 * Where annotation discovery looks: 'all' (explicit opt-in), the listed
 * namespaces plus those of spec.services (sorted), or undefined when off or
 * when no namespace is known (a job with no namespace list would watch all).
 */
export function annotationDiscoveryNamespaces(spec: { prometheus: z.output<typeof prometheusSchema>; services: readonly { namespace: string }[] }): string[] | 'all' | undefined {
  const a = spec.prometheus.annotationDiscovery;
  if (a === false) return undefined;
  if (a !== true && a.allNamespaces) return 'all';
  const names = [...new Set([...spec.services.map((s) => s.namespace), ...(a === true ? [] : a.namespaces)])].sort();
  return names.length ? names : undefined;
}
