/**
 * Application alerts for spec.services[], one rule per condition per service
 * kind (selected by the `service_kind` label every service series carries):
 * ServiceDown, HTTP error ratio, p95 latency (threshold: a
 * `service:latency_threshold_seconds{job}` record for each service that sets
 * latencyThresholdSeconds, else the kind's default), and the alerts a kind
 * ships of its own in this file (KindDef.alerts with file `applications`).
 *
 * Metric names per kind are each kind's `http` (charts/kinds/<kind>/index.ts).
 */
import { LATENCY_THRESHOLD_RECORD, SERVICE_KIND_LABEL } from '../charts/core/service-kind';
import { alert, ratio } from './helpers';
import { KINDS } from '../charts/kinds';
import type { KindMetrics } from '../charts/kinds/types';
import type { AlertRule, RecordingRule, RuleArea, Runbook, RulesContext } from '../charts/core/rule-types';

export { LATENCY_THRESHOLD_RECORD };

export type { KindMetrics } from '../charts/kinds/types';

/** Request, error and latency metrics by service kind (each kind's `http`); kinds without HTTP metrics are absent. */
export const KIND_METRICS: Readonly<Record<string, KindMetrics>> = Object.fromEntries(
  KINDS.flatMap((k) => (k.http ? [[k.name, k.http]] : [])),
);

/** `name{a="b"}` + extra matcher -> `name{a="b",job=~"x"}` */
function withMatcher(selector: string, matcher: string): string {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector);
  if (!m) throw new Error(`bad selector ${selector}`);
  return `${m[1]}{${m[2] ? `${m[2]},` : ''}${matcher}}`;
}

type Thresholds = RulesContext['spec']['alerting']['thresholds'];

/** The alerts of one condition, one rule per service kind, and their runbook (none when no kind is present). */
interface Condition {
  readonly rules: AlertRule[];
  readonly runbooks: Record<string, Runbook>;
}

const kindSel = (kind: string) => `${SERVICE_KIND_LABEL}="${kind}"`;
const withRunbook = (rules: AlertRule[], name: string, runbook: Runbook): Condition => ({
  rules,
  runbooks: rules.length ? { [name]: runbook } : {},
});

/** ServiceDown: a target of the kind does not answer its scrapes. */
function serviceDown(kinds: string[], t: Thresholds): Condition {
  const rules = kinds.map((kind) =>
    alert({
      name: 'ServiceDown',
      expr: `up{${kindSel(kind)}} == 0`,
      for: t.serviceDownFor,
      severity: 'critical',
      labels: { kind },
      summary: '{{ $labels.job }} is down',
      description: `{{ $labels.job }} instance {{ $labels.instance }} (pod {{ $labels.namespace }}/{{ $labels.pod }}) has not answered scrapes for more than ${t.serviceDownFor} (up = {{ $value }}).`,
    }),
  );
  return withRunbook(rules, 'ServiceDown', {
    meaning:
      'A pod of one of your services (spec.services[]) does not answer on its metrics endpoint: the service is down, restarting, or unreachable. Its other alerts are inhibited while it is down.',
    check:
      '`kubectl -n <namespace> get pods -l <selector>`; `kubectl describe pod` (probes, OOMKilled, image pull) and `kubectl logs --previous`; Prometheus > Status > Targets for the scrape error.',
    fix: 'Restart or roll back the service; fix crash loops (model download failures, GPU not available, OOM). If only the metrics port changed, update spec.services[].port.',
  });
}

/** ServiceHighErrorRate: the share of failed requests of the kind's HTTP metrics above the threshold. */
function highErrorRate(httpKinds: string[], t: Thresholds): Condition {
  const rules = httpKinds.map((kind) => {
    const m = KIND_METRICS[kind];
    return alert({
      name: 'ServiceHighErrorRate',
      expr: `sum by (namespace, job) (rate(${withMatcher(m.errors, kindSel(kind))}[5m])) / sum by (namespace, job) (rate(${withMatcher(m.requests, kindSel(kind))}[5m])) > ${ratio(t.httpErrorRatio.percent)}`,
      for: t.httpErrorRatio.for,
      severity: 'warning',
      labels: { kind },
      summary: '{{ $labels.job }} returns errors',
      description: `{{ $value | humanizePercentage }} of the requests to {{ $labels.job }} in namespace {{ $labels.namespace }} fail (threshold ${t.httpErrorRatio.percent}%).`,
    });
  });
  return withRunbook(rules, 'ServiceHighErrorRate', {
    meaning: 'A large share of the requests to the service fail (5xx, aborted generations, failed transcriptions). Users see errors.',
    check:
      'The service dashboard (errors by endpoint/status); `kubectl logs` of the pods for stack traces; Loki: `{namespace="<ns>", container="<container>"} |= "ERROR"`. Check its dependencies (GPU, Redis, Qdrant) in the same time range.',
    fix: 'Roll back a bad release; restart pods stuck in a bad state (CUDA errors); scale out if errors come from overload (timeouts, queue full).',
  });
}

/**
 * ServiceHighLatency: the p95 latency above the service's own latencyThresholdSeconds, a series (one short record
 * per service that sets one, labelled with its job) joined on job; the services without one compare with the kind's default.
 */
function highLatency(httpKinds: string[], t: Thresholds): Condition {
  const rules = httpKinds.map((kind) => {
    const m = KIND_METRICS[kind];
    const p95 = `histogram_quantile(0.95, sum by (le, namespace, job) (rate(${m.latency}_bucket{${kindSel(kind)}}[5m])))`;
    return alert({
      name: 'ServiceHighLatency',
      expr: `(${p95} > on (job) group_left () ${LATENCY_THRESHOLD_RECORD}) or ((${p95} unless on (job) ${LATENCY_THRESHOLD_RECORD}) > ${m.latencySeconds})`,
      for: t.latencyFor,
      severity: 'warning',
      labels: { kind },
      summary: '{{ $labels.job }} is slow',
      description: `The p95 latency of {{ $labels.job }} in namespace {{ $labels.namespace }} is {{ $value | humanizeDuration }} (threshold {{ with printf "${LATENCY_THRESHOLD_RECORD}{job='%s'}" $labels.job | query }}{{ . | first | value }}{{ else }}${m.latencySeconds}{{ end }}s).`,
    });
  });
  return withRunbook(rules, 'ServiceHighLatency', {
    meaning:
      "The 95th percentile of the service's request latency stays above its threshold (spec.services[].latencyThresholdSeconds, or the default of its kind).",
    check:
      'The service dashboard: latency percentiles, request rate, and the container CPU/GPU panels. For vLLM look at queue time and KV-cache usage; for Whisper at audio duration per request.',
    fix: 'Scale out (replicas, GPUs), reduce batch size or max model length, or fix the slow dependency. Raise latencyThresholdSeconds if the new latency is expected.',
  });
}

/** The services' own latency thresholds, one record each (what ServiceHighLatency joins on job). */
function latencyThresholds(services: RulesContext['spec']['services']): RecordingRule[] {
  return services
    .filter((s) => KIND_METRICS[s.kind] && s.latencyThresholdSeconds !== undefined)
    .map((s) => ({ record: LATENCY_THRESHOLD_RECORD, expr: `vector(${s.latencyThresholdSeconds})`, labels: { job: s.name } }));
}

/** The alerts the kinds ship of their own in this file (the RQ queue alerts), whatever the services. */
function kindsOwnAlerts(ctx: RulesContext): Condition {
  const rules: AlertRule[] = [];
  const runbooks: Record<string, Runbook> = {};
  for (const k of KINDS) {
    if (k.alerts?.file !== 'applications') continue;
    for (const { rule, runbook } of k.alerts.build(ctx)) {
      rules.push(rule);
      runbooks[rule.alert] = runbook;
    }
  }
  return { rules, runbooks };
}

export const applicationRules: RuleArea = (ctx) => {
  const { spec } = ctx;
  const t = spec.alerting.thresholds;
  // Every series of a spec.services[] job carries service_kind (charts/components/services/scrape.ts):
  // rules select a kind by that label, so they grow by kind, never by service.
  const kinds = [...new Set(spec.services.map((s) => s.kind))];
  const httpKinds = kinds.filter((k) => KIND_METRICS[k]);
  const conditions = [serviceDown(kinds, t), highErrorRate(httpKinds, t), highLatency(httpKinds, t), kindsOwnAlerts(ctx)];
  const thresholds = latencyThresholds(spec.services);
  return {
    fileName: 'applications.yaml',
    title: 'Applications (spec.services) and job queues',
    groups: [
      ...(thresholds.length ? [{ name: 'service-thresholds', rules: thresholds }] : []),
      { name: 'applications', rules: conditions.flatMap((c) => c.rules) },
    ],
    runbooks: Object.assign({}, ...conditions.map((c) => c.runbooks)) as Record<string, Runbook>,
  };
};
