/**
 * spec.alerting: alert thresholds (seed values as defaults), Alertmanager
 * routing, receivers and maintenance windows, and the Alertmanager and Teams
 * bridge workloads.
 *
 * Secret values (webhook URLs, SMTP passwords) never appear here: each
 * receiver names a Kubernetes Secret and key (`...SecretRef`). Alertmanager
 * reads them from mounted files (`*_file` fields); the Teams bridge from its
 * environment.
 */
import { timeIntervalProblems } from '../../spec/time-intervals';
import { z } from 'zod';
import { imageSchema as commonImageSchema, resourcesSchema as commonResourcesSchema } from '../../spec/common';
import { dnsLabel, duration, httpUrl, quantity } from '../../spec/formats';
import type { imageSchema as ImageSchema, resourcesSchema as ResourcesSchema } from '../../spec/common';

/** The image and resources builders alertingSection uses (by default charts/spec/common.ts', a leaf: importing it makes no cycle). */
export interface SectionHelpers {
  readonly imageSchema: typeof ImageSchema;
  readonly resourcesSchema: typeof ResourcesSchema;
}

/** A key of an existing Secret in the stack namespace. */
const secretRefSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        error: (i) => `expected the name of a Secret in the stack namespace (lowercase DNS name), found ${JSON.stringify(i.input)}`,
      })
      .max(253),
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, {
      error: (i) => `expected a Secret data key (letters, digits, "-", "_", "."), found ${JSON.stringify(i.input)}`,
    }),
  })
  .describe('a key of an existing Secret in the stack namespace: {name, key}');

const percent = (d: number, what: string) =>
  z
    .number()
    .gt(0, { error: `${what} is a percentage: greater than 0` })
    .max(100, { error: `${what} is a percentage: at most 100` })
    .default(d);

const warnOnly = (w: number, forDefault: string, what: string) =>
  z
    .strictObject({
      warning: percent(w, what).describe(`${what} (%) above which the alert fires`),
      for: duration().default(forDefault),
    })
    .prefault({});

/** spec.alerting.thresholds: the stack's, with the components' own fields (charts/registry.ts) after targetDownFor and slowScrapeSeconds. */
function thresholdsSchema<T extends z.ZodRawShape>(componentThresholds: T) {
  return z
    .strictObject({
      targetDownFor: duration().default('2m').describe('TargetDown: how long a scrape target must be down (up == 0)'),
      slowScrapeSeconds: z
        .number()
        .positive()
        .optional()
        .describe('PrometheusSlowScrapes: average scrape duration above which it fires; defaults to 80% of spec.prometheus.scrapeTimeout'),
      ...componentThresholds,
      containerMissingAfter: duration().default('5m').describe('ContainerMissing: time since a container was last seen'),
      containerRestarts: z
        .strictObject({
          count: z.number().int().min(1).default(3).describe('restarts within the window'),
          window: duration().default('15m'),
        })
        .prefault({}),
      containerCpu: warnOnly(80, '5m', 'container CPU usage against its limit'),
      containerMemory: warnOnly(85, '5m', 'container memory usage against its limit'),
      containerNoLimitMemory: z
        .strictObject({
          bytes: quantity('4Gi').default('4Gi').describe('working set above which a container without a memory limit alerts'),
          for: duration().default('10m'),
        })
        .prefault({}),
      serviceDownFor: duration().default('2m').describe('ServiceDown: how long a spec.services[] target must be down'),
      httpErrorRatio: z
        .strictObject({
          percent: percent(10, 'error ratio').describe('share of requests failing (%)'),
          for: duration().default('2m'),
        })
        .prefault({}),
      latencyFor: duration()
        .default('5m')
        .describe("ServiceHighLatency: how long p95 must stay above the service's latencyThresholdSeconds"),
      rqFailedJobs: z
        .strictObject({
          perSecond: z.number().positive().default(0.1).describe('failed jobs per second (WhisperX seed: 0.1)'),
          for: duration().default('5m'),
        })
        .prefault({}),
      rqBacklog: z
        .strictObject({
          minJobs: z.number().int().min(0).default(10).describe('only alert when at least this many jobs wait'),
          for: duration().default('15m').describe('how long the queue must keep growing'),
        })
        .prefault({}),
      datastoreDownFor: duration().default('1m').describe('MySQLDown / RedisDown'),
      mysqlConnections: warnOnly(80, '5m', 'MySQL connections against max_connections'),
      mysqlSlowQueries: z
        .strictObject({
          perSecond: z.number().positive().default(5),
          for: duration().default('5m'),
        })
        .prefault({}),
      redisMemory: warnOnly(90, '5m', 'Redis memory against maxmemory'),
    })
    .prefault({} as never)
    .describe('alert thresholds and durations (seed values by default)');
}

/** One receiver: msteams (through the bridge), msteamsv2, email or webhook. */
function receiverSchema() {
  const receiverName = () => dnsLabel().describe('receiver name, referenced by route.criticalReceivers / warningReceivers');

  const msteamsReceiverSchema = z.strictObject({
    name: receiverName(),
    type: z.literal('msteams').describe('Microsoft Teams through the prometheus-msteams bridge'),
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected a request path segment (a-z, 0-9, "-", "_")' })
      .optional()
      .describe('request path on the bridge (one per Teams channel); defaults to the receiver name'),
    webhookUrlSecretRef: secretRefSchema.describe('Secret key holding the Teams Workflows webhook URL of the channel'),
    sendResolved: z.boolean().default(true),
  });

  const msteamsV2ReceiverSchema = z.strictObject({
    name: receiverName(),
    type: z.literal('msteamsv2').describe("Alertmanager's native Teams Workflows integration (needs Alertmanager >= 0.28)"),
    webhookUrlSecretRef: secretRefSchema,
    sendResolved: z.boolean().default(true),
  });

  const emailReceiverSchema = z.strictObject({
    name: receiverName(),
    type: z.literal('email'),
    to: z
      .string()
      .regex(/^[^\s@,]+@[^\s@,]+(\s*,\s*[^\s@,]+@[^\s@,]+)*$/, { error: 'expected one or more e-mail addresses separated by commas' }),
    from: z.string().regex(/^[^\s@]+@[^\s@]+$/, { error: 'expected an e-mail address' }),
    smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'expected host:port, such as "smtp.example.com:587"' }),
    authUsername: z.string().min(1).optional(),
    authPasswordSecretRef: secretRefSchema.optional().describe('Secret key holding the SMTP password (mounted as a file)'),
    requireTls: z.boolean().default(true),
    sendResolved: z.boolean().default(true),
  });

  const webhookReceiverSchema = z.strictObject({
    name: receiverName(),
    type: z.literal('webhook').describe("generic webhook (Slack, Discord, any HTTP endpoint taking Alertmanager's JSON)"),
    urlSecretRef: secretRefSchema.describe('Secret key holding the URL (mounted as a file; needs Alertmanager >= 0.26)'),
    maxAlerts: z.number().int().min(0).default(0).describe('alerts per message; 0 = all'),
    sendResolved: z.boolean().default(true),
  });

  return z.discriminatedUnion('type', [msteamsReceiverSchema, msteamsV2ReceiverSchema, emailReceiverSchema, webhookReceiverSchema], {
    error: (i) =>
      `expected a receiver with type msteams, msteamsv2, email or webhook, found ${JSON.stringify((i.input as { type?: unknown } | undefined)?.type ?? i.input)}`,
  });
}

/** A maintenance window: matchers and the time intervals that mute them. */
function maintenanceWindowSchema() {
  const MATCHER_RE = /^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"$/;
  const matcher = () =>
    z.string().regex(MATCHER_RE, {
      error: (i) => `expected an Alertmanager matcher such as 'namespace="ai"' or 'alertname=~"Host.*"', found ${JSON.stringify(i.input)}`,
    });

  const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
  const range = (re: RegExp, example: string) =>
    z.string().regex(re, { error: (i) => `expected ${example}, found ${JSON.stringify(i.input)}` });
  const WEEKDAY = '(sunday|monday|tuesday|wednesday|thursday|friday|saturday)';
  const MONTH = '(january|february|march|april|may|june|july|august|september|october|november|december|[1-9]|1[0-2])';
  const DAY = '-?([1-9]|[12]\\d|3[01])';

  const timeIntervalSchema = z
    .strictObject({
      times: z
        .array(
          z.strictObject({
            startTime: range(TIME_RE, 'a time such as "22:00"'),
            endTime: range(TIME_RE, 'a time such as "06:00" (use two ranges to cross midnight)'),
          }),
        )
        .optional(),
      // Case-insensitive, as Alertmanager reads them (it lowercases ranges before parsing).
      weekdays: z
        .array(range(new RegExp(`^${WEEKDAY}(:${WEEKDAY})?$`, 'i'), 'a weekday or range such as "saturday" or "monday:friday"'))
        .optional(),
      daysOfMonth: z.array(range(new RegExp(`^${DAY}(:${DAY})?$`), 'a day of month or range such as "1:5" or "-1"')).optional(),
      months: z.array(range(new RegExp(`^${MONTH}(:${MONTH})?$`, 'i'), 'a month or range such as "january:march"')).optional(),
      years: z.array(range(/^\d{4}(:\d{4})?$/, 'a year or range such as "2026" or "2026:2027"')).optional(),
      location: z.string().min(1).default('UTC').describe('IANA time zone, e.g. Europe/Paris'),
    })
    .superRefine((ti, ctx) => {
      for (const p of timeIntervalProblems(ti)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    });

  return z.strictObject({
    name: dnsLabel().describe('time interval name'),
    matchers: z.array(matcher()).default([]).describe('alerts the window mutes (all alerts when empty)'),
    timeIntervals: z.array(timeIntervalSchema).min(1, { error: 'a maintenance window needs at least one time interval' }),
  });
}

/** The Alertmanager workload. */
function alertmanagerSchema({ imageSchema, resourcesSchema }: SectionHelpers) {
  return z
    .strictObject({
      image: imageSchema().optional().describe('override the pinned image (must be >= v0.28 for msteamsv2 receivers)'),
      replicas: z
        .number()
        .int()
        .min(1)
        .max(5)
        .default(1)
        .describe('replicas; more than one form a gossip cluster that deduplicates notifications'),
      retention: duration().default('120h').describe('--data.retention: how long silences and the notification log are kept'),
      externalUrl: httpUrl().optional().describe('URL users reach Alertmanager at (links in notifications)'),
      storage: z
        .strictObject({
          size: quantity('2Gi').default('2Gi'),
          storageClassName: z.string().min(1).optional(),
        })
        .prefault({}),
      resources: resourcesSchema({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
    })
    .prefault({});
}

/** The Teams bridge workload. */
function msteamsBridgeSchema({ imageSchema, resourcesSchema }: SectionHelpers) {
  return z
    .strictObject({
      image: imageSchema().optional(),
      initImage: imageSchema().optional().describe('image of the init container that writes the connectors file (needs sh and awk)'),
      workflows: z
        .boolean()
        .default(true)
        .describe(
          'post Adaptive Cards to Teams Workflows webhooks (Office 365 connectors are retired); false for legacy connector webhooks',
        ),
      resources: resourcesSchema({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } }),
    })
    .prefault({});
}

const DEFAULT_RECEIVERS = [
  {
    name: 'teams',
    type: 'msteams' as const,
    webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' },
    sendResolved: true,
  },
];

/** Cross-field checks: unique receiver names and bridge paths, known route receivers, unique window names. */
function checkAlerting(
  a: {
    receivers: readonly { name: string; type: string; channel?: string }[];
    route: { criticalReceivers?: string[]; warningReceivers?: string[] };
    maintenanceWindows: readonly { name: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const names = new Map<string, number>();
  a.receivers.forEach((r, i) => {
    if (names.has(r.name))
      ctx.addIssue({
        code: 'custom',
        path: ['receivers', i, 'name'],
        message: `duplicate receiver name "${r.name}" (also receivers[${names.get(r.name)}])`,
      });
    else names.set(r.name, i);
    if (['critical', 'warning'].includes(r.name))
      ctx.addIssue({
        code: 'custom',
        path: ['receivers', i, 'name'],
        message: `"${r.name}" is reserved for the per-severity receivers the stack builds; choose another name`,
      });
  });
  const channels = new Map<string, number>();
  a.receivers.forEach((r, i) => {
    if (r.type !== 'msteams') return;
    const ch = r.channel ?? r.name;
    if (channels.has(ch))
      ctx.addIssue({
        code: 'custom',
        path: ['receivers', i, 'channel'],
        message: `two msteams receivers use the bridge path "/${ch}" (also receivers[${channels.get(ch)}]); give each Teams channel its own path`,
      });
    else channels.set(ch, i);
  });
  for (const key of ['criticalReceivers', 'warningReceivers'] as const) {
    (a.route[key] ?? []).forEach((n, i) => {
      if (!names.has(n))
        ctx.addIssue({
          code: 'custom',
          path: ['route', key, i],
          message: `unknown receiver "${n}"; declared receivers: ${[...names.keys()].join(', ')}`,
        });
    });
  }
  const windows = new Set<string>();
  a.maintenanceWindows.forEach((w, i) => {
    if (windows.has(w.name))
      ctx.addIssue({ code: 'custom', path: ['maintenanceWindows', i, 'name'], message: `duplicate maintenance window "${w.name}"` });
    windows.add(w.name);
  });
}

/** The spec.alerting section, built with schema.ts' image and resources helpers. */
export function alertingSection<T extends z.ZodRawShape = Record<never, never>>(helpers: SectionHelpers, componentThresholds: T = {} as T) {
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('deploy Alertmanager (and the Teams bridge when a receiver uses it); rules are loaded either way'),
      thresholds: thresholdsSchema(componentThresholds),
      route: z
        .strictObject({
          groupBy: z.array(z.string().regex(/^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/)).default(['alertname', 'job', 'instance']),
          groupWait: duration().default('10s'),
          groupInterval: duration().default('2m'),
          repeatInterval: duration().default('4h'),
          criticalReceivers: z.array(dnsLabel()).min(1).optional().describe('receivers of critical alerts; every receiver when unset'),
          warningReceivers: z.array(dnsLabel()).min(1).optional().describe('receivers of warning alerts; every receiver when unset'),
        })
        .prefault({}),
      receivers: z
        .array(receiverSchema())
        .min(1, { error: 'at least one receiver is needed' })
        .default(DEFAULT_RECEIVERS)
        .describe('where notifications go; default: Teams through the bridge, URL in Secret alertmanager-msteams key webhook-url'),
      maintenanceWindows: z
        .array(maintenanceWindowSchema())
        .default([])
        .describe('recurring windows during which matching notifications are muted'),
      alertmanager: alertmanagerSchema(helpers),
      msteams: msteamsBridgeSchema(helpers),
    })
    .prefault({})
    .superRefine(checkAlerting);
}
export type AlertingSpec = z.output<typeof specSections.alerting>;
export type Thresholds = AlertingSpec['thresholds'];
export type ReceiverSpec = AlertingSpec['receivers'][number];
export type SecretRef = { name: string; key: string };
export type MaintenanceWindow = AlertingSpec['maintenanceWindows'][number];

/** The spec sections this component owns (charts/registry.ts composes them, adding the components' threshold fields). */
export const specSections = { alerting: alertingSection({ imageSchema: commonImageSchema, resourcesSchema: commonResourcesSchema }) };
