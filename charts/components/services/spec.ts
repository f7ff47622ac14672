/** `spec.services`: the AI services the stack scrapes (their rules and dashboards are in rules/ and dashboards/, by kind). */
import { z } from 'zod';
import { sloSchema } from './slos';
import { kindOf, SERVICE_KINDS } from '../../kinds';
import { dnsLabel, duration, httpPath, labelSelector, port } from '../../spec/formats';

const serviceFields = z.strictObject({
  name: dnsLabel().describe('job name: the `job` label of every series scraped from this service'),
  kind: z
    .enum(SERVICE_KINDS, {
      error: (i) => `expected one of ${SERVICE_KINDS.join(', ')}, found ${JSON.stringify(i.input)}`,
    })
    .describe('what the service is; selects dashboards and alerts'),
  namespace: dnsLabel().describe('namespace the service runs in'),
  selector: labelSelector().describe('pod labels (matchLabels) that select the pods to scrape'),
  port: port().describe('container port number or name that serves metrics'),
  path: httpPath()
    .optional()
    .describe("metrics path; defaults to the kind's (charts/kinds/<kind>/README.md: /metrics for most, /v1/metrics for nim)"),
  scheme: z.enum(['http', 'https']).default('http'),
  interval: duration().optional().describe('scrape interval; defaults to spec.prometheus.scrapeInterval'),
  timeout: duration().optional().describe('scrape timeout; defaults to the smaller of the interval and spec.prometheus.scrapeTimeout'),
  latencyThresholdSeconds: z.number().positive().optional().describe('p95 latency above which the latency alert fires (alerting issue)'),
  llm: z
    .strictObject({
      errorRatioPercent: z.number().positive().max(100).optional().describe('LLMHighErrorRate: percent of failed requests (default 5)'),
      ttftP99Seconds: z.number().positive().optional().describe('LLMSlowTimeToFirstToken: P99 time to first token in seconds (default 30)'),
      kvCacheUsage: z.number().positive().max(1).optional().describe('LLMKVCacheNearlyFull: KV-cache usage, 0..1 (default 0.9)'),
      queuedRequests: z.number().int().positive().optional().describe('LLMRequestsQueued: requests waiting (default 50)'),
      prefixCacheHitRatio: z
        .number()
        .positive()
        .max(1)
        .optional()
        .describe('LLMPrefixCacheHitRateLow: prefix-cache hit ratio, 0..1, below which it warns (default 0.3)'),
    })
    .optional()
    .describe('LLM serving alert thresholds of this service (kinds with LLM signals: see charts/kinds/<kind>/README.md)'),
  slos: z
    .array(sloSchema)
    .optional()
    .describe('service level objectives with error budgets and burn-rate alerts (see docs/alerting-and-slos.md)'),
});
/** A service, its metrics path defaulting to its kind's (charts/kinds/<kind>/index.ts `scrape.path`). */
export const serviceSchema = serviceFields.transform((s) => ({ ...s, path: s.path ?? kindOf(s.kind).scrape.path }));
export type ServiceSpec = z.output<typeof serviceSchema>;

export const specSections = { services: z.array(serviceSchema).default([]).describe('the AI services to scrape') };
