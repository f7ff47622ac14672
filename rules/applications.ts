/**
 * Application alerts for spec.services[]: one ServiceDown rule per job, an
 * HTTP error-ratio rule per service kind, a p95 latency rule per service
 * (threshold: spec.services[].latencyThresholdSeconds, else the kind's
 * default), and the WhisperX / RQ job queue alerts (rq-exporter metrics).
 *
 * Metric names per kind come from the seeds (Whisper API:
 * whisper_transcription_*) and from the instrumentation each kind ships
 * with: vLLM's own latency histogram, Qdrant's REST metrics, and the
 * prometheus-fastapi-instrumentator names (http_requests_total{status},
 * http_request_duration_seconds) for the FastAPI services (STT, TTS, MCP, generic http).
 */
import type { ServiceSpec } from '../charts/spec/schema';
import { alert, anyOf, ratio } from './helpers';
import type { AlertRule, RuleArea, Runbook } from '../charts/core/rule-types';

export interface KindMetrics {
  /** Counter of requests. */
  readonly requests: string;
  /** Selector (metric + matchers) of failed requests, e.g. `http_requests_total{status=~"5.."}`. */
  readonly errors: string;
  /** Latency histogram (without `_bucket`). */
  readonly latency: string;
  /** Default p95 threshold in seconds when the service sets none. */
  readonly latencySeconds: number;
}

const FASTAPI = (latencySeconds: number): KindMetrics => ({
  requests: 'http_requests_total',
  errors: 'http_requests_total{status=~"5.."}',
  latency: 'http_request_duration_seconds',
  latencySeconds,
});

/** Request, error and latency metrics by service kind; kinds without HTTP metrics are absent. */
export const KIND_METRICS: Partial<Record<ServiceSpec['kind'], KindMetrics>> = {
  'whisper-api': {
    requests: 'whisper_transcription_requests_total',
    errors: 'whisper_transcription_errors_total',
    latency: 'whisper_transcription_duration_seconds',
    latencySeconds: 30,
  },
  vllm: {
    requests: 'vllm:request_success_total',
    // vLLM counts finished requests by reason; "abort" is the failure reason.
    errors: 'vllm:request_success_total{finished_reason="abort"}',
    latency: 'vllm:e2e_request_latency_seconds',
    latencySeconds: 30,
  },
  qdrant: {
    requests: 'rest_responses_total',
    errors: 'rest_responses_total{status=~"5.."}',
    latency: 'rest_responses_duration_seconds',
    latencySeconds: 0.5,
  },
  stt: FASTAPI(5),
  tts: FASTAPI(5),
  mcp: FASTAPI(2),
  http: FASTAPI(1),
};

/** `name{a="b"}` + extra matcher -> `name{a="b",job=~"x"}` */
function withMatcher(selector: string, matcher: string): string {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector);
  if (!m) throw new Error(`bad selector ${selector}`);
  return `${m[1]}{${m[2] ? `${m[2]},` : ''}${matcher}}`;
}

export const applicationRules: RuleArea = (ctx) => {
  const { spec } = ctx;
  const t = spec.alerting.thresholds;
  const runbooks: Record<string, Runbook> = {};
  const rules: AlertRule[] = [];
  const rb = (name: string, r: Runbook) => { runbooks[name] = r; };

  // --- ServiceDown: one rule per job.
  for (const s of spec.services) {
    rules.push(alert({
      name: 'ServiceDown',
      expr: `up{job="${s.name}"} == 0`,
      for: t.serviceDownFor,
      severity: 'critical',
      labels: { kind: s.kind },
      summary: `${s.name} is down`,
      description: `{{ $labels.job }} instance {{ $labels.instance }} (pod {{ $labels.namespace }}/{{ $labels.pod }}) has not answered scrapes for more than ${t.serviceDownFor} (up = {{ $value }}).`,
    }));
  }
  if (spec.services.length) {
    rb('ServiceDown', {
      meaning: 'A pod of one of your services (spec.services[]) does not answer on its metrics endpoint: the service is down, restarting, or unreachable. Its other alerts are inhibited while it is down.',
      check: '`kubectl -n <namespace> get pods -l <selector>`; `kubectl describe pod` (probes, OOMKilled, image pull) and `kubectl logs --previous`; Prometheus > Status > Targets for the scrape error.',
      fix: 'Restart or roll back the service; fix crash loops (model download failures, GPU not available, OOM). If only the metrics port changed, update spec.services[].port.',
    });
  }

  // --- HTTP error ratio: one rule per kind present.
  const byKind = new Map<string, ServiceSpec[]>();
  for (const s of spec.services) if (KIND_METRICS[s.kind]) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  for (const [kind, services] of byKind) {
    const m = KIND_METRICS[kind as ServiceSpec['kind']] as KindMetrics;
    // One service: an equality matcher (pint promql/regexp: a regexp on a static string is redundant).
    const jobs = services.length === 1 ? `job="${anyOf([services[0].name])}"` : `job=~"${anyOf(services.map((s) => s.name))}"`;
    rules.push(alert({
      name: 'ServiceHighErrorRate',
      expr: `sum by (namespace, job) (rate(${withMatcher(m.errors, jobs)}[5m])) / sum by (namespace, job) (rate(${withMatcher(m.requests, jobs)}[5m])) > ${ratio(t.httpErrorRatio.percent)}`,
      for: t.httpErrorRatio.for,
      severity: 'warning',
      labels: { kind },
      summary: '{{ $labels.job }} returns errors',
      description: `{{ $value | humanizePercentage }} of the requests to {{ $labels.job }} in namespace {{ $labels.namespace }} fail (threshold ${t.httpErrorRatio.percent}%).`,
    }));
  }
  if (byKind.size) {
    rb('ServiceHighErrorRate', {
      meaning: 'A large share of the requests to the service fail (5xx, aborted generations, failed transcriptions). Users see errors.',
      check: 'The service dashboard (errors by endpoint/status); `kubectl logs` of the pods for stack traces; Loki: `{namespace="<ns>", container="<container>"} |= "ERROR"`. Check its dependencies (GPU, Redis, Qdrant) in the same time range.',
      fix: 'Roll back a bad release; restart pods stuck in a bad state (CUDA errors); scale out if errors come from overload (timeouts, queue full).',
    });
  }

  // --- p95 latency: one rule per service with a latency histogram.
  let latencyRules = 0;
  for (const s of spec.services) {
    const m = KIND_METRICS[s.kind];
    if (!m) continue;
    const threshold = s.latencyThresholdSeconds ?? m.latencySeconds;
    latencyRules++;
    rules.push(alert({
      name: 'ServiceHighLatency',
      expr: `histogram_quantile(0.95, sum by (le, namespace, job) (rate(${m.latency}_bucket{job="${s.name}"}[5m]))) > ${threshold}`,
      for: t.latencyFor,
      severity: 'warning',
      labels: { kind: s.kind },
      summary: `${s.name} is slow`,
      description: `The p95 latency of {{ $labels.job }} in namespace {{ $labels.namespace }} is {{ $value | humanizeDuration }} (threshold ${threshold}s).`,
    }));
  }
  if (latencyRules) {
    rb('ServiceHighLatency', {
      meaning: 'The 95th percentile of the service\'s request latency stays above its threshold (spec.services[].latencyThresholdSeconds, or the default of its kind).',
      check: 'The service dashboard: latency percentiles, request rate, and the container CPU/GPU panels. For vLLM look at queue time and KV-cache usage; for Whisper at audio duration per request.',
      fix: 'Scale out (replicas, GPUs), reduce batch size or max model length, or fix the slow dependency. Raise latencyThresholdSeconds if the new latency is expected.',
    });
  }

  // --- RQ (WhisperX) queues. rq_jobs is a gauge (jobs per registry), so its growth is measured
  // with deriv(); rate() on a gauge would read each registry cleanup as a counter reset.
  rules.push(alert({
    name: 'RqJobsFailing',
    expr: `deriv(rq_jobs{status="failed"}[5m]) > ${t.rqFailedJobs.perSecond}`,
    for: t.rqFailedJobs.for,
    severity: 'warning',
    summary: 'RQ jobs of queue {{ $labels.queue }} are failing',
    description: `The failed registry of queue {{ $labels.queue }} ({{ $labels.job }}, {{ $labels.instance }}) grows by {{ $value | printf "%.2f" }} jobs per second (threshold ${t.rqFailedJobs.perSecond}/s).`,
  }));
  rb('RqJobsFailing', {
    meaning: 'Jobs of an RQ queue (WhisperX transcriptions) are failing at a sustained rate: users get no transcript.',
    check: 'Worker logs: Loki `{container="whisperx-worker"} |= "ERROR"` or `kubectl logs deploy/<worker>`; `rq info -u redis://<redis>` and the failed registry (`rq` dashboard) for the exception.',
    fix: 'Fix the cause (corrupt input files, model or CUDA errors, out-of-memory on long audio); then requeue the failed jobs (`rq requeue --all -q <queue>`).',
  });

  rules.push(alert({
    name: 'RqQueueBacklogGrowing',
    expr: `rq_jobs{status="queued"} >= ${t.rqBacklog.minJobs} and deriv(rq_jobs{status="queued"}[15m]) > 0`,
    for: t.rqBacklog.for,
    severity: 'warning',
    summary: 'RQ queue {{ $labels.queue }} keeps growing',
    description: `Queue {{ $labels.queue }} ({{ $labels.job }}, {{ $labels.instance }}) has {{ $value }} queued jobs and has kept growing for ${t.rqBacklog.for}.`,
  }));
  rb('RqQueueBacklogGrowing', {
    meaning: 'More jobs arrive than the workers finish: waiting times grow without bound.',
    check: '`rq_workers` and started jobs on the RQ dashboard: are workers alive and busy? Worker logs for stuck jobs.',
    fix: 'Scale the workers (replicas, GPUs); restart stuck workers; throttle the producer if the load is abnormal.',
  });

  return {
    fileName: 'applications.yaml',
    title: 'Applications (spec.services) and job queues',
    groups: [{ name: 'applications', rules }],
    runbooks,
  };
};
