/**
 * The registry contract: what one component folder (charts/components/<name>/)
 * declares so the stack, the spec schema, the NetworkPolicy flow table, the
 * rule files and the docs can all be derived from `COMPONENTS`
 * (charts/registry.ts) without naming the component anywhere else.
 *
 * Components meet through the small interfaces below (IPrometheus, IEndpoint,
 * ...), reached through the build context (`prometheus`, and `offered(key)` of the
 * Offers interface, checked by the compiler), never through each other's concrete
 * classes or a component name. Leaf module: type imports from cdk8s/constructs/zod and
 * charts/core only.
 */
import type { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { z } from 'zod';
import type { DashboardModule, MetricSource, PodRows } from './dashboard-model';
import type { Endpoint, StackContext } from './context';
import type { ImageKey } from './images';
import type { FolderId } from './names';
import type { AlertmanagerConfig, ScrapeConfig } from './prometheus-config';
import type { RuleArea, RuleGroup } from './rule-types';
import { remoteTarget } from './remote';

/** A component reachable inside the cluster (`http://<service>.<namespace>.svc:<port>`). */
export type IEndpoint = Endpoint;

/** Where a scrape target adds its jobs (a Prometheus; in a user's chart, anything that collects scrape configs). */
export interface IScrapeJobs {
  addScrapeConfig(job: ScrapeConfig): void;
}

/** What a component needs from Prometheus: add its scrape jobs and rule files. */
export interface IPrometheus extends IEndpoint, IScrapeJobs {
  /** Jobs that grow with the spec, as scrape config files (file name -> jobs), in bounded ConfigMaps; called once. */
  addScrapeConfigFiles(files: ReadonlyMap<string, readonly ScrapeConfig[]>): void;
  addRuleFile(fileName: string, content: string): void;
  /** Where alerts are sent (Alertmanager registers itself). */
  addAlertmanager(am: AlertmanagerConfig): void;
}

/** Credentials a collector sends with its pushes, by reference (a Secret in the collector's namespace). */
export interface LogPushAuth {
  readonly basic?: { readonly username: string; readonly password: { readonly name: string; readonly key: string } };
  readonly bearer?: { readonly token: { readonly name: string; readonly key: string } };
  /** CA bundle the collector checks the Loki certificate against. */
  readonly ca?: {
    readonly configMap?: { readonly name: string; readonly key: string };
    readonly secret?: { readonly name: string; readonly key: string };
  };
}

/** Where log collectors push (Loki). */
export interface ILogPush extends IEndpoint {
  /** `http://loki.<namespace>.svc:3100/loki/api/v1/push` (or the external Loki's push URL) */
  readonly pushUrl: string;
  /** X-Scope-OrgID the collector sends (external Loki). */
  readonly tenant?: string;
  readonly auth?: LogPushAuth;
}

/** Something Prometheus scrapes: its jobs, added through IPrometheus.addScrapeConfig. */
export interface IScrapeTarget {
  /** The `job` label values this target's series carry. */
  readonly jobs: readonly string[];
}

/** Destinations and sources outside the stack's pods. */
export type External =
  | 'ingress-controller'
  | 'dns'
  | 'api-server'
  | 'nodes'
  | 'internet'
  | 'user-services'
  | 'annotated-pods'
  /** cert-manager's ACME HTTP-01 solver pods in the stack namespace (label acme.cert-manager.io/http01-solver: "true", port 8089). */
  | 'acme-http01-solver'
  /** A URL the spec names (remote write, object storage, an external Loki, a central datasource): `host` says where (charts/core/remote.ts). */
  | 'remote'
  /** The pods of the namespaces the flow names (`namespaces`), e.g. OTLP senders. */
  | 'namespaces';

export interface FlowPort {
  readonly port?: number | string;
  readonly protocol: 'TCP' | 'UDP';
}

/** One allowed network flow: a row of the NetworkPolicy table. */
export interface Flow {
  /** A component name (app.kubernetes.io/name) or an external peer. */
  readonly from: string | { readonly external: External; readonly namespaces?: readonly string[] };
  /** `host`: only with external 'remote', the host name or IP literal of the URL. */
  readonly to: string | { readonly external: External; readonly host?: string };
  /** Empty: any port. */
  readonly ports: FlowPort[];
  readonly why: string;
  /** Emit only when this component is present too (e.g. node-exporter for the node port 9100). */
  readonly requires?: string;
}

export const tcp = (...ports: number[]): FlowPort[] => ports.map((port) => ({ port, protocol: 'TCP' as const }));
export const ext = (external: External): { readonly external: External } => ({ external });

/** A flow from a component to the host and port of a URL it calls (resolved by the NetworkPolicies, charts/core/remote.ts). */
export function remoteFlow(from: string, url: string, why: string): Flow {
  const { to, port } = remoteTarget(url);
  return { from, to, ports: tcp(port), why };
}

/** A web UI the Ingresses may expose: the Service and port the ingress controller reaches. */
export interface UiBackend {
  readonly service: string;
  readonly port: number;
}

/** A dashboard as the Grafana component provisions it (built by dashboards/). */
export interface IDashboard {
  readonly uid: string;
  /** A Grafana folder id (charts/core/names.ts FOLDERS). */
  readonly folder: FolderId;
  /** The dashboard JSON, serialized. */
  readonly json: string;
}

/**
 * What a component offers the components built after it, by interface (registry order): `offer` publishes,
 * `offered` reads, both checked by the compiler (no component name, no cast).
 */
export interface Offers {
  /** Where log collectors push, and Grafana's Loki datasource (Loki in the cluster or external). */
  readonly logPush: ILogPush;
  /** The alert API (Alertmanager): Grafana's datasource. */
  readonly alertApi: IEndpoint;
  /** The Teams bridge Alertmanager posts msteams receivers to. */
  readonly msteamsBridge: IEndpoint;
  /** The dashboards Grafana provisions (offered by the stack: built-in, service-kind and component dashboards). */
  readonly dashboards: readonly IDashboard[];
}

/** Where a log collector pushes: what the log store (in the cluster or external) offered; an error names the registry order. */
export function logPushOf(offered: <K extends keyof Offers>(key: K) => Offers[K] | undefined): ILogPush {
  const push = offered('logPush');
  if (!push)
    throw new Error(
      'a log collector is built before the log store offered its push endpoint: the log store must come first in charts/registry.ts',
    );
  return push;
}

/**
 * What `build` receives. `TSpec` is the validated `spec.spec` (bound to the
 * real type in charts/registry.ts; core does not import the schema).
 */
export interface BuildContext<TSpec> {
  readonly context: StackContext;
  readonly spec: TSpec;
  /** The MonitoringStack: the tree NetworkPolicies scan for workloads. */
  readonly root: IConstruct;
  /** A new chart written to `dist/<file>.yaml` (files sort into apply order). */
  readonly chart: (file: string, id: string) => Chart;
  /** The chart written outside dist/ (gitops/), created on first use. */
  readonly gitopsChart: () => Chart;
  /** The Prometheus every component adds its scrape jobs and rule files to. */
  readonly prometheus: IPrometheus;
  /** Publish what this component offers later ones (once per key). */
  readonly offer: <K extends keyof Offers>(key: K, value: Offers[K]) => void;
  /** What an earlier component offered (undefined when none did). */
  readonly offered: <K extends keyof Offers>(key: K) => Offers[K] | undefined;
  /** Every registered component, in registry order (the NetworkPolicy table reads their flows). */
  readonly registry: readonly ComponentDef<TSpec>[];
}

/**
 * A registry entry: everything the rest of the stack needs to know about one
 * component. Its folder's index.ts exports it as `component`, and beside it
 * `specSections` (the spec sections it owns, e.g. `{ nodeExporter: nodeExporterSchema }`,
 * `{}` for none): a separate export so charts/registry.ts can type the
 * composed schema from them.
 */
export interface ComponentDef<TSpec = unknown> {
  /** app.kubernetes.io/name of its workloads (the key of its NetworkPolicy), unique in the registry. */
  readonly name: string;
  /**
   * Derived values written into the raw spec document before validation, only where the user set none (spec.platform's
   * profiles); the loader runs them in registry order.
   */
  readonly prefill?: (doc: unknown) => unknown;
  /** Cross-field checks over the whole spec, run by the schema's superRefine. */
  readonly specChecks?: (spec: TSpec, ctx: z.RefinementCtx) => void;
  /** Warnings about this spec (e.g. a feature the chosen variant cannot provide); the synth prints them. */
  readonly warnings?: (spec: TSpec) => string[];
  /** Deployed for this spec? @default always */
  readonly enabled?: (spec: TSpec) => boolean;
  /** Create its constructs (in registry order); the return value is what `get(name)` yields to later components. */
  readonly build?: (b: BuildContext<TSpec>) => unknown;
  /** True when it runs workloads the NetworkPolicies must know (KNOWN_COMPONENTS). */
  readonly workload?: boolean;
  /** The NetworkPolicy flows it needs, to it and from it (scrapes of it, its egress); each is emitted when its ends are present. */
  readonly flows?: readonly Flow[];
  /** Flows that exist only for some specs (SMTP with an e-mail receiver, the HTTP-01 solver with an ACME issuer). */
  readonly specFlows?: (spec: TSpec) => readonly Flow[];
  /** Its web UI, when an Ingress may expose it. */
  readonly ui?: UiBackend;
  /** Its container ports by name (documentation and flows). */
  readonly ports?: Readonly<Record<string, number>>;
  /** Its Prometheus job names. */
  readonly jobs?: readonly string[];
  /** Key of its pinned image in IMAGES. */
  readonly image?: ImageKey;
  /**
   * Its spec section when it is not the camel-cased name of the component, and the field that selects its nodes with how
   * to satisfy it: what `preflight` names when no node carries the labels its pods select.
   */
  readonly specPath?: string;
  readonly nodeSelection?: { readonly field: string; readonly fix: string };
  /** The dist/ file(s) it writes, without `.yaml` (e.g. `20-node-exporter`). */
  readonly files?: readonly string[];
  /** Its alert and recording rules (promtool tests beside them in rules.test.yaml). */
  readonly ruleAreas?: readonly RuleArea[];
  /** Its groups of the shared recording.yaml (read by other components' alerts and dashboards too), when it is enabled. */
  readonly recording?: readonly RuleGroup[];
  /** The metrics it exposes (entries of the dashboards' metric catalog), enabled with it. */
  readonly catalog?: readonly MetricSource[];
  /** Its dashboards (shipped when it is enabled, after the built-in ones; panels read catalog metrics only). */
  readonly dashboards?: readonly DashboardModule[];
  /** Rows it adds to every service dashboard about the service's pods (e.g. the GPUs they hold), when it is enabled. */
  readonly podRows?: PodRows;
  /** Pods outside the stack that Prometheus scrapes for it, when it is enabled (the NetworkPolicies let Prometheus reach them, e.g. Velero's). */
  readonly scrapedPods?: (
    spec: TSpec,
  ) => readonly { readonly namespace: string; readonly selector: Readonly<Record<string, string>>; readonly port: string | number }[];
  /** Pod label keys its rules or panels read from kube_pod_labels (label_<key>): kube-state-metrics exposes them. */
  readonly podLabels?: (spec: TSpec) => readonly string[];
}

/** The spec-independent facts of a component (what the NetworkPolicy table and the docs read). */
export type ComponentFacts = Pick<
  ComponentDef<unknown>,
  'name' | 'workload' | 'flows' | 'ui' | 'ports' | 'jobs' | 'image' | 'files' | 'catalog'
> & {
  // Bivariant so that a ComponentDef<Spec> is a ComponentFacts.
  readonly specFlows?: { bivarianceHack(spec: unknown): readonly Flow[] }['bivarianceHack'];
};
