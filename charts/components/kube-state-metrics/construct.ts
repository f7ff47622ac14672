/**
 * kube-state-metrics: the state of Kubernetes objects (container restarts and
 * their reasons, pod readiness, workload replicas, Jobs, nodes, claims) as
 * metrics, from list/watch on the API server.
 *
 * Kept small on purpose: `--resources` lists only the kinds our alerts and
 * panels read, `--metric-allowlist` only the metric families they read (plus
 * `spec.kubeStateMetrics.extraMetrics`), and `--metric-labels-allowlist` only
 * `app.kubernetes.io/name` on pods, deployments and statefulsets (used to find
 * the workloads of each declared service). docs/configuration.md "Kubernetes state" gives
 * the series this adds per pod, per workload and per node.
 *
 * Scraped with `honor_labels: true` and without the exporter pod's
 * namespace/pod/container/node target labels, so `namespace`, `pod`,
 * `container` and `node` on every series describe the object, not
 * kube-state-metrics. Its own process metrics come from the telemetry port
 * (job `kube-state-metrics-telemetry`).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { apiReader } from '../../lib/rbac';
import { containerSecurity, httpProbe, podSecurity, resources } from '../../lib/workload';
import type { IScrapeJobs, IScrapeTarget } from '../../core/component';
import { DEFAULT_SIZING } from '../../core/sizing';
import type { Resources } from '../../spec/common';
import type { ScrapeConfig } from '../../core/prometheus-config';
import { keepPort, podJob, selectorString } from '../../lib/scrape';
import { KSM_JOB, KSM_METRICS_PORT, KSM_NAME, KSM_TELEMETRY_JOB, KSM_TELEMETRY_PORT } from '../../core/names';
import { KSM_METRICS } from '../../core/metrics';

export { KSM_JOB, KSM_METRICS, KSM_METRICS_PORT, KSM_NAME, KSM_TELEMETRY_JOB, KSM_TELEMETRY_PORT };
const UID = 65534;

/**
 * The kinds kube-state-metrics reports, with their API group: drives both
 * `--resources` and the ClusterRole, so the two cannot drift apart.
 * No replicasets (Deployments report their own replica counts) and no
 * persistentvolumes (usage comes from the kubelets, by claim).
 */
export const KSM_RESOURCES: readonly { readonly resource: string; readonly apiGroup: string }[] = [
  { resource: 'pods', apiGroup: '' },
  { resource: 'nodes', apiGroup: '' },
  { resource: 'namespaces', apiGroup: '' },
  { resource: 'persistentvolumeclaims', apiGroup: '' },
  { resource: 'deployments', apiGroup: 'apps' },
  { resource: 'statefulsets', apiGroup: 'apps' },
  { resource: 'daemonsets', apiGroup: 'apps' },
  { resource: 'jobs', apiGroup: 'batch' },
  { resource: 'cronjobs', apiGroup: 'batch' },
];

/** Kubernetes labels exposed as `label_*` on the `*_labels` series: only the workload name. */
export const KSM_LABELS_ALLOWLIST: Readonly<Record<string, readonly string[]>> = {
  pods: ['app.kubernetes.io/name'],
  deployments: ['app.kubernetes.io/name'],
  statefulsets: ['app.kubernetes.io/name'],
};

/** Every metric name kube-state-metrics exposes with the built-in allowlist. */
export function ksmMetricNames(extra: readonly string[] = []): string[] {
  return [...Object.values(KSM_METRICS).flat(), ...extra];
}

/** True when kube-state-metrics exposes `metric` (exact name, or a match of an extra regex). */
export function ksmExposes(metric: string, extra: readonly string[] = []): boolean {
  return ksmMetricNames().includes(metric) || extra.some((e) => new RegExp(`^(?:${e})$`).test(metric));
}

/** The container's arguments. */
export function ksmArgs(extraMetrics: readonly string[] = [], podLabels: readonly string[] = []): string[] {
  const allowlist: Record<string, readonly string[]> = {
    ...KSM_LABELS_ALLOWLIST,
    pods: [...new Set([...KSM_LABELS_ALLOWLIST.pods, ...podLabels])],
  };
  return [
    `--port=${KSM_METRICS_PORT}`,
    `--telemetry-port=${KSM_TELEMETRY_PORT}`,
    `--resources=${KSM_RESOURCES.map((r) => r.resource).join(',')}`,
    `--metric-allowlist=${ksmMetricNames(extraMetrics).join(',')}`,
    `--metric-labels-allowlist=${Object.entries(allowlist)
      .map(([k, v]) => `${k}=[${v.join(',')}]`)
      .join(',')}`,
    // GOMEMLIMIT at 90% of the memory limit: the Go GC works harder before the kernel OOM-kills the pod.
    '--auto-gomemlimit',
  ];
}

/** The ClusterRole rules: get/list/watch on exactly the kinds in KSM_RESOURCES, one rule per API group. */
export function ksmRbacRules(): k8s.PolicyRule[] {
  const groups = new Map<string, string[]>();
  for (const r of KSM_RESOURCES) groups.set(r.apiGroup, [...(groups.get(r.apiGroup) ?? []), r.resource]);
  return [...groups.entries()].map(([apiGroup, res]) => ({ apiGroups: [apiGroup], resources: res, verbs: ['get', 'list', 'watch'] }));
}

/**
 * The object metrics job. No namespace/pod/container/node target labels: with
 * honor_labels the object's own labels are kept, and a series without them
 * (a Deployment's) must not inherit those of the exporter pod. `instance` is
 * fixed so a restarted exporter continues the same series instead of
 * creating a new set (the Deployment uses the Recreate strategy, so two
 * exporters never serve the same series at once).
 */
export function kubeStateMetricsJob(namespace: string, selector: Record<string, string>): ScrapeConfig {
  return {
    job_name: KSM_JOB,
    honor_labels: true,
    metrics_path: '/metrics',
    scheme: 'http',
    kubernetes_sd_configs: [
      {
        role: 'pod',
        namespaces: { names: [namespace] },
        selectors: [{ role: 'pod', label: selectorString(selector) }],
      },
    ],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Unknown', action: 'drop' },
      keepPort('http-metrics'),
      { target_label: 'instance', replacement: KSM_NAME },
    ],
  };
}

/**
 * kube-state-metrics in your namespace and its two scrape jobs (object metrics and telemetry). Nothing of the
 * stack's spec: the stack maps `spec.kubeStateMetrics` onto these in one step (`kubeStateMetricsProps`, index.ts).
 */
export interface KubeStateMetricsProps {
  /** Namespace of the Deployment (Pod Security "restricted" is enough). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects, and the prefix of its cluster-scoped RBAC names. @default 'monitoring' */
  readonly instance?: string;
  /** Image, pinned to a version. @default IMAGES.kubeStateMetrics */
  readonly image?: string;
  /** Container requests and limits. @default DEFAULT_SIZING.kubeStateMetrics.resources (sized for 3 nodes of 30 pods) */
  readonly resources?: Resources;
  /** Metrics to expose besides the built-in allowlist (names or regexes, `--metric-allowlist`). @default [] */
  readonly extraMetrics?: readonly string[];
  /** Pod labels exposed on kube_pod_labels besides app.kubernetes.io/name (what other components' rules group by). @default [] */
  readonly podLabels?: readonly string[];
  /** Where its scrape jobs are added. @default none: add `scrapeConfigs` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

export class KubeStateMetrics extends Construct implements IScrapeTarget {
  public readonly serviceName = KSM_NAME;
  public readonly namespace: string;
  public readonly port = KSM_METRICS_PORT;
  public readonly jobs: readonly string[] = [KSM_JOB, KSM_TELEMETRY_JOB];
  public readonly deployment: k8s.KubeDeployment;
  /** Its scrape jobs: the object metrics (honor_labels, fixed instance) and the exporter's own telemetry. */
  public readonly scrapeConfigs: readonly ScrapeConfig[];

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    this.namespace = ns;
    const image = props.image ?? IMAGES.kubeStateMetrics;
    const labels = recommendedLabels({ name: KSM_NAME, instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels(KSM_NAME, instance);
    const metadata = { name: KSM_NAME, namespace: ns, labels };

    // --- RBAC: read-only list/watch of the reported kinds, nothing else.
    apiReader(this, { name: KSM_NAME, namespace: ns, instance, labels, rules: ksmRbacRules() });

    new k8s.KubeService(this, 'service', {
      metadata,
      spec: {
        selector,
        ports: [
          { name: 'http-metrics', port: KSM_METRICS_PORT, targetPort: k8s.IntOrString.fromString('http-metrics'), protocol: 'TCP' },
          { name: 'telemetry', port: KSM_TELEMETRY_PORT, targetPort: k8s.IntOrString.fromString('telemetry'), protocol: 'TCP' },
        ],
      },
    });

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        // One exporter at a time: two would serve identical series (see kubeStateMetricsJob).
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: KSM_NAME,
            automountServiceAccountToken: true, // lists and watches the API server
            securityContext: podSecurity(UID),
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: KSM_NAME,
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ksmArgs(props.extraMetrics, props.podLabels),
                ports: [
                  { name: 'http-metrics', containerPort: KSM_METRICS_PORT, protocol: 'TCP' },
                  { name: 'telemetry', containerPort: KSM_TELEMETRY_PORT, protocol: 'TCP' },
                ],
                resources: resources(props.resources ?? DEFAULT_SIZING.kubeStateMetrics.resources),
                securityContext: containerSecurity(),
                // /livez (metrics port) fails when the API server is unreachable; /readyz (telemetry port)
                // succeeds once the metric stores are populated. The first full list of a large cluster
                // can take a while: the startup probe covers it.
                startupProbe: httpProbe('/livez', 'http-metrics', { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 24 }),
                livenessProbe: httpProbe('/livez', 'http-metrics', { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }),
                readinessProbe: httpProbe('/readyz', 'telemetry', { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
              },
            ],
          },
        },
      },
    });

    this.scrapeConfigs = [
      kubeStateMetricsJob(ns, selector),
      podJob({ jobName: KSM_TELEMETRY_JOB, namespace: ns, selector, port: 'telemetry' }),
    ];
    for (const job of this.scrapeConfigs) props.prometheus?.addScrapeConfig(job);
  }
}
