/**
 * SLOs (spec.services[].slos[]): the spec's errors for objectives, kinds and
 * bucket boundaries; the SLI catalog agrees with the alerts' metric catalog;
 * the rules stay shared per kind (size for a thousand services); the SLO
 * dashboard ships with them. The burn-rate behaviour itself is proven by
 * promtool in rules/tests/slo.test.yaml (test/config/rules.test.ts runs it).
 */
import { stackDashboards } from '../lib/dashboards';
import { parse } from 'yaml';
import type { SloKind } from '../../charts/core/slo-catalog';
import { SLI_CATALOG } from '../../charts/kinds';
import { SpecError, validateSpec } from '../../charts/spec-load';
import { KIND_METRICS } from '../../rules/applications';
import { buildRuleFiles, renderRuleFile } from '../../rules';
import { resolveSlos } from '../../rules/slo';
import { stackDoc } from '../lib/synth';

const vllm = { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http' };
const spec = (slos: unknown[], extra: Record<string, unknown> = {}, svc: Record<string, unknown> = vllm) => ({
  prometheus: { retention: '30d' },
  services: [{ ...svc, slos }],
  ...extra,
});

function problems(s: Record<string, unknown>): string[] {
  try {
    validateSpec(stackDoc(s), 'case.yaml');
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

describe('spec errors', () => {
  test.each([
    [
      'objective 100',
      [{ type: 'availability', objective: 100 }],
      'spec.services[0].slos[0].objective: expected a percentage strictly between 0 and 100 such as 99.9 (100 leaves no error budget to burn), found 100',
    ],
    [
      'objective 0',
      [{ type: 'availability', objective: 0 }],
      'spec.services[0].slos[0].objective: expected a percentage strictly between 0 and 100',
    ],
    ['objective as a ratio above 100', [{ type: 'availability', objective: 999 }], 'found 999'],
    [
      'threshold off the buckets',
      [{ type: 'latency', histogram: 'ttft', thresholdSeconds: 0.3, objective: 99 }],
      'spec.services[0].slos[0].thresholdSeconds: 0.3 is not a bucket boundary of vllm:time_to_first_token_seconds (vLLM v1 engine (vllm/v1/metrics/loggers.py)): the share of requests under it cannot be counted; use one of 0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560',
    ],
    [
      'unknown histogram',
      [{ type: 'latency', histogram: 'tpot', thresholdSeconds: 1, objective: 99 }],
      'spec.services[0].slos[0].histogram: kind vllm has no histogram "tpot"; expected one of "e2e" (vllm:e2e_request_latency_seconds: end-to-end request latency), "ttft"',
    ],
    [
      'latency without threshold',
      [{ type: 'latency', objective: 99 }],
      'spec.services[0].slos[0].thresholdSeconds: a latency SLO needs thresholdSeconds, one of the bucket boundaries of vllm:e2e_request_latency_seconds: 0.3, 0.5',
    ],
    [
      'window longer than retention',
      [{ type: 'availability', objective: 99.9, window: '30d' }],
      'spec.services[0].slos[0].window: the 30d error budget window is longer than spec.prometheus.retention (15d)',
    ],
    [
      'two SLOs on one indicator',
      [
        { type: 'availability', objective: 99.9 },
        { name: 'strict', type: 'availability', objective: 99.99 },
      ],
      'spec.services[0].slos[1]: measures the same thing as slos[0] of service "vllm"',
    ],
    [
      'duplicate names',
      [
        { type: 'availability', objective: 99.9 },
        { name: 'availability', type: 'latency', thresholdSeconds: 1, objective: 99 },
      ],
      'spec.services[0].slos[1].name: duplicate SLO name "availability"',
    ],
    [
      'threshold on an availability SLO',
      [{ type: 'availability', objective: 99.9, thresholdSeconds: 1 }],
      'spec.services[0].slos[0].thresholdSeconds: only latency SLOs take thresholdSeconds',
    ],
    [
      'bad window',
      [{ type: 'availability', objective: 99.9, window: '7d' }],
      'spec.services[0].slos[0].window: expected "28d" or "30d", found "7d"',
    ],
  ])('%s', (_name, slos, expected) => {
    const extra = _name === 'window longer than retention' ? { prometheus: { retention: '15d' } } : {};
    expect(problems(spec(slos, extra)).join('\n')).toContain(expected);
  });

  test('a latency SLO on a kind without a histogram names the kinds that have one', () => {
    const rq = { name: 'whisperx-rq', kind: 'rq-exporter', namespace: 'ai', selector: { app: 'rq' }, port: 9726 };
    expect(problems(spec([{ type: 'latency', thresholdSeconds: 1, objective: 99 }], {}, rq))).toEqual([
      `spec.services[0].slos[0].type: kind rq-exporter has no latency histogram for a latency SLO; latency SLOs are available for kinds ${Object.keys(
        SLI_CATALOG,
      )
        .filter((k) => SLI_CATALOG[k].latency.length)
        .join(', ')}`,
    ]);
  });

  test('declared buckets replace the exporter defaults', () => {
    const stt = { name: 'stt', kind: 'stt', namespace: 'ai', selector: { app: 'stt' }, port: 'http' };
    expect(problems(spec([{ type: 'latency', thresholdSeconds: 2, objective: 95 }], {}, stt))[0]).toContain(
      "use one of 0.1, 0.5, 1, or declare your exporter's buckets",
    );
    expect(problems(spec([{ type: 'latency', thresholdSeconds: 2, objective: 95, buckets: [0.5, 1, 2, 5] }], {}, stt))).toEqual([]);
  });
});

test('availability SLIs count the same series as the error-rate alerts (kinds with both)', () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- entries of a record keyed by kind
  const both = (Object.entries(SLI_CATALOG) as [SloKind, (typeof SLI_CATALOG)[SloKind]][]).filter(
    ([kind, cat]) => cat.availability && KIND_METRICS[kind],
  );
  expect(both.length).toBeGreaterThan(5);
  for (const [kind, cat] of both) {
    const m = KIND_METRICS[kind];
    expect([kind, cat.availability?.total, cat.availability?.errors]).toEqual([kind, m?.requests, m?.errors]);
  }
});

test('a kind counting successes and failures apart (Triton) gets total = good + errors, per model', () => {
  const [s] = resolveSlos([{ name: 'triton', kind: 'triton', slos: [{ type: 'availability', objective: 99.9, window: '28d' }] }]);
  expect(s.total).toContain('rate(nv_inference_request_success[5m])');
  expect(s.total).toContain('rate(nv_inference_request_failure[5m])');
  expect(s.total).toContain('sum by (namespace, job, model)');
});

test('a millisecond histogram (Triton TTFT) is matched on le in its own unit', () => {
  const [s] = resolveSlos([
    { name: 'triton', kind: 'triton', slos: [{ type: 'latency', histogram: 'ttft', thresholdSeconds: 0.5, objective: 99, window: '28d' }] },
  ]);
  expect(s.errors).toContain('nv_inference_first_response_histogram_ms_bucket{le="500"}');
  expect(s.sli).toBe('triton_ttft_le_0.5');
});

/** A spec with `n` services cycling over the AI kinds, two SLOs each (the same objectives per kind). */
function bigSpec(n: number, distinct = false): Record<string, unknown> {
  const kinds = ['vllm', 'stt', 'tts', 'whisper-api', 'qdrant', 'mcp', 'http'] as const;
  const latency: Record<string, number> = { vllm: 0.5, stt: 1, tts: 1, 'whisper-api': 10, qdrant: 0.1, mcp: 0.5, http: 1 };
  return {
    prometheus: { retention: '30d' },
    services: Array.from({ length: n }, (_, i) => {
      const kind = kinds[i % kinds.length];
      return {
        name: `svc-${kind}-${i}`,
        kind,
        namespace: `team-${i % 20}`,
        selector: { app: `svc-${i}` },
        port: 'http',
        slos: [
          { type: 'availability', objective: distinct ? 99 + (i % 100) / 100 : 99.9 },
          { type: 'latency', thresholdSeconds: latency[kind], objective: 99 },
        ],
      };
    }),
  };
}

function sloFile(s: Record<string, unknown>) {
  const files = buildRuleFiles({ spec: validateSpec(stackDoc(s), 'test').spec });
  const f = files.find((x) => x.fileName === 'slo.yaml');
  if (!f) throw new Error('no slo.yaml');
  return { file: f, text: renderRuleFile(f) };
}

describe('rules stay shared', () => {
  test('services of a kind with the same objectives share every rule: only the job regex grows', () => {
    const small = sloFile(bigSpec(7));
    const big = sloFile(bigSpec(1000));
    const count = (t: string) => (parse(t).groups[0].rules as unknown[]).length;
    expect(count(big.text)).toBe(count(small.text));
    const perSlo = (Buffer.byteLength(big.text) - Buffer.byteLength(small.text)) / (2 * (1000 - 7));
    expect(perSlo).toBeLessThan(25);
    expect(Buffer.byteLength(big.text)).toBeLessThan(64 * 1024);
  });

  test('1,000 services with 1,000 different objectives stay under 256 KiB', () => {
    const { text } = sloFile(bigSpec(1000, true));
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
  });

  test('alerts and window ratios do not repeat per indicator', () => {
    const { file } = sloFile(bigSpec(1000));
    const rules = file.groups[0].rules as { record?: string; alert?: string }[];
    expect(rules.filter((r) => r.alert).map((r) => r.alert)).toEqual(['SLOErrorBudgetBurnFast', 'SLOErrorBudgetBurnSlow']);
    expect(rules.filter((r) => r.record === 'slo:sli_error:ratio_rate1h')).toHaveLength(1);
  });

  test('no SLO, no rule file', () => {
    expect(buildRuleFiles({ spec: validateSpec(stackDoc({ services: [vllm] }), 'test').spec }).map((f) => f.fileName)).not.toContain(
      'slo.yaml',
    );
  });
});

test('the SLO dashboard ships with the SLOs, with a service variable', () => {
  const built = stackDashboards(validateSpec(stackDoc(spec([{ type: 'availability', objective: 99.9 }])), 'test').spec);
  const d = built.find((b) => b.uid === 'slo');
  expect(d).toBeDefined();
  const json = JSON.parse(d!.json);
  expect(json.templating.list.map((v: { name: string }) => v.name)).toContain('service');
  const titles = json.panels.map((p: { title: string }) => p.title);
  for (const t of ['SLI', 'Objective', 'Error budget remaining', 'Burn rate (fast windows)', 'Burn rate (slow windows)'])
    expect(titles).toContain(t);
  expect(stackDashboards(validateSpec(stackDoc({ services: [vllm] }), 'test').spec).some((b) => b.uid === 'slo')).toBe(false);
});
