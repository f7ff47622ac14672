/**
 * What one service kind declares (charts/kinds/<kind>/index.ts exports it as
 * `kind`): everything the stack needs to know about a kind of service users
 * declare in spec.services[] — scrape defaults, the metrics its dashboards may
 * read, its request/error/latency series, its SLIs, its LLM serving signals,
 * its dashboard and its own alerts. charts/kinds/index.ts lists the kinds;
 * nothing else names one (test/unit/kinds.test.ts).
 *
 * Types only (the kind folders import the machinery they need).
 */
import type { DashboardModule } from '../core/dashboard-model';
import type { AlertRule, Runbook, RulesContext } from '../core/rule-types';
import type { KindSlis } from '../core/slo-catalog';

/** Request, error and latency series of a kind (ServiceHighErrorRate, ServiceHighLatency). */
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

/**
 * The LLM serving signals an engine exposes (charts/kinds/llm.ts turns them
 * into the llm-d alert set). Each is PromQL built from a matcher list `sel`
 * (already holding the kind's `service_kind` matcher) and aggregated
 * `by (namespace, job, <modelLabel>)`; a signal the engine does not expose is
 * absent (and the kind's doc says so).
 */
export interface LlmSignals {
  /** The label naming the model (vLLM/SGLang/NIM: model_name; Triton: model; Ray Serve: deployment). */
  readonly modelLabel: string;
  /** Share of failed requests over 5m. */
  readonly errorRatio?: (sel: string, by: string) => string;
  /** Time-to-first-token histogram (bucket series name) and the factor from seconds to its unit. */
  readonly ttft?: { readonly bucket: string; readonly perSecond?: number };
  /** KV-cache usage, 0..1. */
  readonly kvCache?: (sel: string, by: string) => string;
  /** Requests waiting for a slot. */
  readonly queued?: (sel: string, by: string) => string;
  /** Prefix-cache hit ratio, 0..1. */
  readonly prefixHitRatio?: (sel: string, by: string) => string;
  /** Preempted (or retracted) requests per second. */
  readonly preemptions?: (sel: string, by: string) => string;
}

/** Alerts a kind always ships (the RQ queue alerts, the MySQL and Redis exporter alerts), in a shared rule file. */
export interface KindAlerts {
  /** The rule file and group they join: `applications` (applications.yaml) or `datastores` (datastores.yaml). */
  readonly file: 'applications' | 'datastores';
  readonly build: (ctx: RulesContext) => readonly { readonly rule: AlertRule; readonly runbook: Runbook }[];
}

export interface KindDef {
  /** spec.services[].kind: lowercase, unique. */
  readonly name: string;
  /** One line: what the kind is (the catalog title, the docs). */
  readonly title: string;
  /** Scrape defaults: the metrics path when the service sets none, and the usual port (docs and the example spec). */
  readonly scrape: { readonly path: string; readonly port?: number | string; readonly flags?: string };
  /** Every metric a dashboard panel of this kind may read (dashboards/catalog.ts). */
  readonly metrics: readonly string[];
  /** contracts/metrics/<file>.json files holding the metrics read from upstream (none: the metrics are our contract). */
  readonly contracts?: readonly string[];
  /** The metric-name prefix its contract owns: a rule or panel metric with it must be in the contract. */
  readonly prefix?: string;
  /** Request/error/latency series for the generic service alerts; absent when the kind has none. */
  readonly http?: KindMetrics;
  /** Service level indicators for spec.services[].slos[]. */
  readonly slis: KindSlis;
  /** LLM serving signals (alerts of charts/kinds/llm.ts). */
  readonly llm?: LlmSignals;
  /** Its dashboard (shipped when a service of the kind is declared). */
  readonly dashboard?: DashboardModule;
  /** Alerts of its own. */
  readonly alerts?: KindAlerts;
}
