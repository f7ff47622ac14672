/**
 * `spec.services[].slos[]`: service level objectives with error budgets
 * (rules/slo.ts generates the recording rules and burn-rate alerts).
 *
 *   slos:
 *     - { name: availability, type: availability, objective: 99.9, window: 28d }
 *     - { name: ttft, type: latency, histogram: ttft, thresholdSeconds: 0.5, objective: 99, window: 28d }
 *
 * What depends on the service's kind (which series, which histograms and
 * bucket boundaries) and on the rest of the spec (Prometheus retention) is
 * checked by `sloCrossChecks`, called from the spec schema's superRefine.
 */
import { z } from 'zod';
import { SLO_WINDOWS, type SloKind } from '../../core/slo-catalog';
import { SLI_CATALOG, sloName } from '../../kinds';

export { sloName } from '../../kinds';
import { durationMs } from '../../spec/formats';

export const sloSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9_-]{0,38}[a-z0-9])?$/, {
      error: (i) =>
        `expected an SLO name such as "availability" or "ttft" (lowercase letters, digits, "-", "_"; at most 40), found ${JSON.stringify(i.input)}`,
    })
    .optional()
    .describe('the `slo` label of its series and alerts; defaults to the type ("availability") or the histogram ("ttft")'),
  type: z
    .enum(['availability', 'latency'], { error: (i) => `expected "availability" or "latency", found ${JSON.stringify(i.input)}` })
    .describe('availability: share of requests that do not fail; latency: share of requests faster than thresholdSeconds'),
  objective: z
    .number({ error: (i) => `expected a percentage such as 99.9, found ${JSON.stringify(i.input)}` })
    .superRefine((v, ctx) => {
      if (!(v > 0 && v < 100))
        ctx.addIssue({
          code: 'custom',
          message: `expected a percentage strictly between 0 and 100 such as 99.9 (100 leaves no error budget to burn), found ${JSON.stringify(v)}`,
        });
      else if (v <= 1) {
        const pct = Number((v * 100).toPrecision(6));
        ctx.addIssue({
          code: 'custom',
          message: `${v} means ${v}% of requests: objectives are percentages, not ratios${v < 1 ? `; did you mean ${pct}?` : ' (write 99.9 for three nines)'}`,
        });
      }
    })
    .describe('target share of good requests, in percent (99.9 = three nines)'),
  window: z
    .enum(SLO_WINDOWS, { error: (i) => `expected "28d" or "30d", found ${JSON.stringify(i.input)}` })
    .default('28d')
    .describe('rolling window of the error budget; Prometheus retention must cover it'),
  histogram: z
    .string()
    .optional()
    .describe("latency: which histogram of the kind (vllm: e2e or ttft; stt: transcribe or request); defaults to the kind's first"),
  thresholdSeconds: z
    .number()
    .positive()
    .optional()
    .describe('latency: a request is good when it takes at most this long; must be a bucket boundary of the histogram'),
  buckets: z
    .array(z.number().positive())
    .min(1)
    .optional()
    .describe("latency: the histogram's bucket boundaries when your exporter is configured with other buckets than its defaults"),
});
export type SloSpec = z.output<typeof sloSchema>;

interface ServiceWithSlos {
  readonly name: string;
  readonly kind: SloKind;
  readonly slos?: readonly SloSpec[];
}
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void;
}

type SloPath = (field?: string) => (string | number)[];

const kindsWith = (pred: (k: SloKind) => boolean) => Object.keys(SLI_CATALOG).filter(pred).join(', ');

export function sloCrossChecks(spec: { prometheus: { retention: string }; services: readonly ServiceWithSlos[] }, ctx: IssueSink): void {
  const retentionMs = durationMs(spec.prometheus.retention) ?? 0;
  const tooLong: { path: (string | number)[]; window: string }[] = [];
  spec.services.forEach((s, i) => {
    const names = new Map<string, number>();
    const indicators = new Map<string, number>();
    (s.slos ?? []).forEach((slo, j) => {
      const path = (f?: string) => ['services', i, 'slos', j, ...(f ? [f] : [])];
      const name = sloName(slo, s.kind);
      if (names.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: path('name'),
          message: `duplicate SLO name "${name}" (also slos[${names.get(name)}]) in service "${s.name}": set a distinct name`,
        });
      } else names.set(name, j);
      if ((durationMs(slo.window) ?? 0) > retentionMs) tooLong.push({ path: path('window'), window: slo.window });
      const indicator = slo.type === 'availability' ? availabilityIndicator(s, slo, path, ctx) : latencyIndicator(s, slo, j, path, ctx);
      if (indicator === undefined) return;
      if (indicators.has(indicator)) {
        ctx.addIssue({
          code: 'custom',
          path: path(),
          message: `measures the same thing as slos[${indicators.get(indicator)}] of service "${s.name}" (one SLO per indicator and threshold): merge them or change the threshold`,
        });
      } else indicators.set(indicator, j);
    });
  });
  retentionChecks(spec.prometheus.retention, tooLong, ctx);
}

/** An availability SLO: no latency fields, and the kind has request and error series. Its indicator, or undefined after an issue. */
function availabilityIndicator(s: ServiceWithSlos, slo: SloSpec, path: SloPath, ctx: IssueSink): string | undefined {
  const cat = SLI_CATALOG[s.kind];
  for (const f of ['histogram', 'thresholdSeconds', 'buckets'] as const) {
    if (slo[f] !== undefined)
      ctx.addIssue({ code: 'custom', path: path(f), message: `only latency SLOs take ${f}; remove it or set type: latency` });
  }
  if (!cat.availability) {
    ctx.addIssue({
      code: 'custom',
      path: path('type'),
      message: `kind ${s.kind} has no request and error series for an availability SLO; availability SLOs are available for kinds ${kindsWith((k) => !!SLI_CATALOG[k].availability)}`,
    });
    return undefined;
  }
  return 'availability';
}

/** A latency SLO: the kind has the histogram, and thresholdSeconds is one of its buckets. Its indicator, or undefined after an issue. */
function latencyIndicator(s: ServiceWithSlos, slo: SloSpec, j: number, path: SloPath, ctx: IssueSink): string | undefined {
  const cat = SLI_CATALOG[s.kind];
  if (cat.latency.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: path('type'),
      message: `kind ${s.kind} has no latency histogram for a latency SLO; latency SLOs are available for kinds ${kindsWith((k) => SLI_CATALOG[k].latency.length > 0)}`,
    });
    return undefined;
  }
  const h = slo.histogram === undefined ? cat.latency[0] : cat.latency.find((l) => l.name === slo.histogram);
  if (!h) {
    ctx.addIssue({
      code: 'custom',
      path: path('histogram'),
      message: `kind ${s.kind} has no histogram "${slo.histogram}"; expected one of ${cat.latency.map((l) => `"${l.name}" (${l.metric}: ${l.description})`).join(', ')}`,
    });
    return undefined;
  }
  if (slo.thresholdSeconds === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: path('thresholdSeconds'),
      message: `a latency SLO needs thresholdSeconds, one of the bucket boundaries of ${h.metric}: ${(slo.buckets ?? h.buckets).join(', ')}`,
    });
    return undefined;
  }
  const buckets = slo.buckets ?? h.buckets;
  if (!buckets.includes(slo.thresholdSeconds)) {
    ctx.addIssue({
      code: 'custom',
      path: path('thresholdSeconds'),
      message: slo.buckets
        ? `${slo.thresholdSeconds} is not one of the buckets you declared (${buckets.join(', ')})`
        : `${slo.thresholdSeconds} is not a bucket boundary of ${h.metric} (${h.source}): the share of requests under it cannot be counted; use one of ${buckets.join(', ')}, or declare your exporter's buckets in slos[${j}].buckets`,
    });
  }
  return `${h.name}@${slo.thresholdSeconds}`;
}

/** SLO windows longer than the Prometheus retention. One cause, one line: a retention shorter than several windows is named once, at the retention. */
function retentionChecks(retention: string, tooLong: readonly { path: (string | number)[]; window: string }[], ctx: IssueSink): void {
  const longest = tooLong.map((t) => t.window).sort((a, b) => (durationMs(b) ?? 0) - (durationMs(a) ?? 0))[0];
  if (tooLong.length === 1) {
    ctx.addIssue({
      code: 'custom',
      path: tooLong[0].path,
      message: `the ${longest} error budget window is longer than spec.prometheus.retention (${retention}): Prometheus would forget part of it; raise spec.prometheus.retention to at least ${longest} or use a shorter window`,
    });
  } else if (tooLong.length > 1) {
    const where = tooLong.slice(0, 3).map(
      (t) =>
        `spec.${t.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join('')
          .slice(1)
          .replace(/\.\[/g, '[')}`,
    );
    ctx.addIssue({
      code: 'custom',
      path: ['prometheus', 'retention'],
      message: `${retention} is shorter than the error budget windows of ${tooLong.length} SLOs (${where.join(', ')}${tooLong.length > 3 ? `, and ${tooLong.length - 3} more` : ''}): Prometheus would forget part of them; raise spec.prometheus.retention to at least ${longest} or use shorter windows`,
    });
  }
}
