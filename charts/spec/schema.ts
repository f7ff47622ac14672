/**
 * The MonitoringStack spec: one zod schema is the single source of the
 * TypeScript types (`MonitoringStackInput` as users write it,
 * `MonitoringStack` with every default applied), the defaults, and the JSON
 * Schema users point their editor at (`npm run schema` writes
 * monitoring-stack.schema.json).
 *
 * Conventions: every object is strict (an unknown field is an error), every
 * optional field has a default here rather than in a construct, and sections
 * that other components add live in their own `section-*.ts` file.
 */
import { z } from 'zod';
import { dnsLabel, duration, durationMs, httpPath, labelSelector, port, promSize, quantity } from './formats';
import { gpuSchema } from './section-gpu';
import { kubeletSchema, kubeStateMetricsSchema } from './section-kube-state';
import { imageSchema, resourcesSchema } from './common';
import { DEFAULT_SIZING } from '../core/sizing';
import { clusterSchema } from './section-cluster';
import { logsSpecShape } from './section-logs';
import { alertingSection } from './section-alerting';
import { grafanaSchema } from './section-grafana';
import { EXPOSURE_SECTIONS, exposureCrossChecks } from './section-exposure';

export const API_VERSION = 'monitoring.cdk8s-ai.dev/v1alpha1';
export const KIND = 'MonitoringStack';

export { imageSchema, resourcesSchema, type Resources } from './common';

export const SERVICE_KINDS = [
  'vllm', 'stt', 'tts', 'whisper-api', 'rq-exporter', 'qdrant', 'mcp', 'redis-exporter', 'mysql-exporter', 'http',
] as const;

export const serviceSchema = z.strictObject({
  name: dnsLabel().describe('job name: the `job` label of every series scraped from this service'),
  kind: z.enum(SERVICE_KINDS, {
    error: (i) => `expected one of ${SERVICE_KINDS.join(', ')}, found ${JSON.stringify(i.input)}`,
  }).describe('what the service is; selects dashboards and alerts'),
  namespace: dnsLabel().describe('namespace the service runs in'),
  selector: labelSelector().describe('pod labels (matchLabels) that select the pods to scrape'),
  port: port().describe('container port number or name that serves metrics'),
  path: httpPath().default('/metrics').describe('metrics path'),
  scheme: z.enum(['http', 'https']).default('http'),
  interval: duration().optional().describe('scrape interval; defaults to spec.prometheus.scrapeInterval'),
  timeout: duration().optional().describe('scrape timeout; defaults to the smaller of the interval and spec.prometheus.scrapeTimeout'),
  latencyThresholdSeconds: z.number().positive().optional().describe('p95 latency above which the latency alert fires (alerting issue)'),
});
export type ServiceSpec = z.output<typeof serviceSchema>;

export const prometheusSchema = z.strictObject({
  image: imageSchema().optional().describe('override the pinned image'),
  replicas: z.number().int().min(1).max(5).default(1).describe('replicas; each keeps its own TSDB (no deduplication)'),
  retention: duration().default('15d').describe('--storage.tsdb.retention.time'),
  retentionSize: promSize().optional().describe('--storage.tsdb.retention.size; defaults to 85% of storage.size'),
  storage: z.strictObject({
    size: quantity('50Gi').default(DEFAULT_SIZING.prometheus.storageSize).describe('persistent volume size per replica; derived from spec.cluster when unset'),
    storageClassName: z.string().min(1).optional().describe('storage class; the cluster default when unset'),
  }).prefault({}),
  scrapeInterval: duration().default('15s'),
  scrapeTimeout: duration().default('10s'),
  evaluationInterval: duration().default('15s'),
  externalLabels: z.record(z.string(), z.string()).default({}).describe('labels added to every series and alert sent out (e.g. cluster: prod)'),
  externalUrl: z.string().url().optional().describe('URL users reach Prometheus at (--web.external-url: links in alerts and the UI); defaults to its Ingress URL when exposed'),
  annotationDiscovery: z.boolean().default(true).describe('scrape pods and services annotated prometheus.io/scrape: "true"'),
  resources: resourcesSchema(DEFAULT_SIZING.prometheus.resources), // derived from spec.cluster when unset
}).prefault({});

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

export const cadvisorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  mode: z.enum(['daemonset', 'kubelet']).default('daemonset')
    .describe('daemonset: run cAdvisor on every node; kubelet: scrape the kubelet\'s built-in /metrics/cadvisor instead'),
  image: imageSchema().optional(),
  housekeepingInterval: duration().default('30s').describe('how often cAdvisor refreshes container stats'),
  resources: resourcesSchema({ requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '500m', memory: '400Mi' } }),
}).prefault({});

export const specSchema = z.strictObject({
  namespace: dnsLabel().default('monitoring').describe('namespace of the stack (Pod Security "restricted")'),
  agentNamespace: dnsLabel().optional().describe('namespace of the node agents that need host access (Pod Security "privileged"); defaults to <namespace>-agents'),
  prometheus: prometheusSchema,
  nodeExporter: nodeExporterSchema,
  cadvisor: cadvisorSchema,
  gpu: gpuSchema({ imageSchema, resourcesSchema }),
  kubeStateMetrics: kubeStateMetricsSchema(), kubelet: kubeletSchema(),
  services: z.array(serviceSchema).default([]).describe('the AI services to scrape'),
  cluster: clusterSchema,
  ...logsSpecShape,
  alerting: alertingSection({ imageSchema, resourcesSchema }),
  grafana: grafanaSchema({ imageSchema, resourcesSchema }),
  ...EXPOSURE_SECTIONS,
}).prefault({}).superRefine((spec, ctx) => {
  exposureCrossChecks(spec, ctx);
  const seen = new Map<string, number>();
  spec.services.forEach((s, i) => {
    if (seen.has(s.name)) {
      ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name "${s.name}" (also services[${seen.get(s.name)}]): each name becomes a Prometheus job and must be unique` });
    } else seen.set(s.name, i);
  });
  const p = spec.prometheus;
  if ((durationMs(p.scrapeTimeout) ?? 0) > (durationMs(p.scrapeInterval) ?? 0)) {
    ctx.addIssue({ code: 'custom', path: ['prometheus', 'scrapeTimeout'], message: `must not exceed scrapeInterval (${p.scrapeInterval}), found "${p.scrapeTimeout}"` });
  }
  spec.services.forEach((s, i) => {
    if (s.timeout && s.interval && (durationMs(s.timeout) ?? 0) > (durationMs(s.interval) ?? 0)) {
      ctx.addIssue({ code: 'custom', path: ['services', i, 'timeout'], message: `must not exceed the service's interval (${s.interval}), found "${s.timeout}"` });
    }
  });
  if (spec.agentNamespace !== undefined && spec.agentNamespace === spec.namespace) {
    ctx.addIssue({ code: 'custom', path: ['agentNamespace'], message: 'must differ from spec.namespace: the node agents need the "privileged" Pod Security level, the rest of the stack runs "restricted"' });
  }
});

export const monitoringStackSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: (i) => `expected "${API_VERSION}", found ${JSON.stringify(i.input)}` }),
  kind: z.literal(KIND, { error: (i) => `expected "${KIND}", found ${JSON.stringify(i.input)}` }),
  metadata: z.strictObject({
    name: dnsLabel().describe('instance name: the app.kubernetes.io/instance label of every object'),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: specSchema,
});

/** The spec as a user writes it (every default optional). */
export type MonitoringStackInput = z.input<typeof monitoringStackSchema>;
/** The spec with every default applied: what constructs receive. */
export type MonitoringStackSpec = z.output<typeof monitoringStackSchema>;
export type Spec = MonitoringStackSpec['spec'];
