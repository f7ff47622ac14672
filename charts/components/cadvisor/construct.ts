/**
 * Container metrics: a cAdvisor DaemonSet (default) or the kubelet's built-in
 * cAdvisor endpoint (`spec.cadvisor.mode: kubelet`). Either way the job is
 * called `cadvisor` and series carry the `namespace`, `pod` and `container`
 * of the container they describe, so queries work unchanged in both modes.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { containerSecurity, httpProbe, resources, NODE_AGENT_SCHEDULING, NODE_AGENT_UPDATE_STRATEGY } from '../../lib/workload';
import type { IScrapeJobs, IScrapeTarget } from '../../core/component';
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { INSTANCE_IS_NODE, podJob, SA_TOKEN } from '../../lib/scrape';
import type { Resources } from '../../spec/common';
import { kubeletTls } from '../kubelet/construct';
import { JOBS, PORTS } from '../../core/names';

export const CADVISOR_PORT = PORTS.cadvisor;

/** Metric groups cAdvisor collects: only what dashboards and alerts use. */
export const ENABLED_METRICS = ['cpu', 'memory', 'network', 'disk', 'diskIO'];

/** Container labels cAdvisor keeps (everything else is dropped at the source). */
const KEPT_CONTAINER_LABELS = ['io.kubernetes.container.name', 'io.kubernetes.pod.name', 'io.kubernetes.pod.namespace'];

/**
 * Series no dashboard or alert reads, dropped at scrape time (as
 * kube-prometheus-stack does): per-device I/O detail, task states, spec
 * series other than the limits that alerts compare usage against.
 * container_start_time_seconds and container_last_seen are kept: the
 * ContainerRestarting, ContainerOomKillSuspected and ContainerMissing alerts
 * (charts/components/cadvisor/rules.ts) read them.
 */
export const CADVISOR_DROPS: RelabelConfig[] = [
  {
    source_labels: ['__name__'],
    regex:
      'container_(tasks_state|memory_failures_total|memory_mapped_file|memory_failcnt|blkio_device_usage_total|cpu_load_average_10s|file_descriptors|sockets|threads|threads_max|processes|ulimits_soft|last_seen_sentinel)',
    action: 'drop',
  },
  {
    source_labels: ['__name__'],
    regex:
      'container_fs_(io_current|io_time_seconds_total|io_time_weighted_seconds_total|reads_merged_total|writes_merged_total|sector_reads_total|sector_writes_total|read_seconds_total|write_seconds_total|inodes_free|inodes_total)',
    action: 'drop',
  },
  // Keep only the limit series among container_spec_* (RE2 has no negative lookahead: mark, drop, unmark).
  {
    source_labels: ['__name__'],
    regex: 'container_spec_(memory_limit_bytes|cpu_quota|cpu_period)',
    target_label: '__tmp_keep',
    replacement: 'yes',
  },
  { source_labels: ['__name__', '__tmp_keep'], regex: 'container_spec_.+;', action: 'drop' },
  { regex: '__tmp_keep', action: 'labeldrop' },
];

/** cAdvisor DaemonSet labels -> the namespace/pod/container labels the kubelet endpoint uses. */
const CONTAINER_LABELS_TO_K8S: RelabelConfig[] = [
  { source_labels: ['container_label_io_kubernetes_pod_namespace'], target_label: 'namespace' },
  { source_labels: ['container_label_io_kubernetes_pod_name'], target_label: 'pod' },
  { source_labels: ['container_label_io_kubernetes_container_name'], target_label: 'container' },
  { regex: 'container_label_.+', action: 'labeldrop' },
];

/** Requests and limits of the cAdvisor container (low-cardinality flags, housekeeping every 30s). */
export const CADVISOR_RESOURCES = {
  requests: { cpu: '100m', memory: '192Mi' },
  limits: { cpu: '500m', memory: '400Mi' },
} as const;
/** Host path of the containerd socket on most distributions (k3s: /run/k3s/containerd/containerd.sock). */
export const DEFAULT_CONTAINERD_SOCKET = '/var/run/containerd/containerd.sock';
/** Host path of containerd's root directory (k3s: /var/lib/rancher/k3s/agent/containerd). */
export const DEFAULT_CONTAINERD_ROOT = '/var/lib/containerd';

/**
 * Container metrics of every node: a cAdvisor DaemonSet, or the kubelet's built-in endpoint, and the `cadvisor`
 * scrape job. Nothing of the stack's spec: the stack maps `spec.cadvisor` onto these in one step (`cadvisorProps`, index.ts).
 */
export interface CadvisorProps {
  /** Namespace of the DaemonSet: it mounts host paths and runs as root, so Pod Security "privileged". */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** `daemonset`: run cAdvisor on every node; `kubelet`: scrape the kubelet's /metrics/cadvisor (no objects). @default 'daemonset' */
  readonly mode?: 'daemonset' | 'kubelet';
  /** Image, pinned to a version. @default IMAGES.cadvisor */
  readonly image?: string;
  /** Host path of the containerd socket. @default DEFAULT_CONTAINERD_SOCKET */
  readonly containerdSocket?: string;
  /** Host path of containerd's root directory. @default DEFAULT_CONTAINERD_ROOT */
  readonly containerdRoot?: string;
  /** How often cAdvisor refreshes container stats. @default '30s' */
  readonly housekeepingInterval?: string;
  /** Container requests and limits. @default CADVISOR_RESOURCES */
  readonly resources?: Resources;
  /** Mode `kubelet`: skip verifying the kubelets' serving certificates. @default false (verified against the cluster CA) */
  readonly kubeletTlsInsecureSkipVerify?: boolean;
  /** Where its scrape job is added. @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

interface HostMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
}

/** Read-only host paths cAdvisor reads: the root filesystem, cgroups, containerd's root and socket directory. */
function hostMounts(containerdRoot: string, containerdSocket: string): HostMount[] {
  const mounts: HostMount[] = [
    { name: 'rootfs', hostPath: '/', mountPath: '/rootfs' },
    { name: 'var-run', hostPath: '/var/run', mountPath: '/var/run' },
    { name: 'sys', hostPath: '/sys', mountPath: '/sys' },
    { name: 'containerd', hostPath: containerdRoot, mountPath: containerdRoot },
    { name: 'disk', hostPath: '/dev/disk', mountPath: '/dev/disk' },
  ];
  // The socket's directory, where /var/run does not already hold it (k3s: /run/k3s/containerd).
  const socketDir = containerdSocket.replace(/\/[^/]+$/, '');
  if (!socketDir.startsWith('/var/run/') && socketDir !== '/var/run') {
    mounts.push({ name: 'containerd-socket', hostPath: socketDir, mountPath: socketDir });
  }
  return mounts;
}

/** cAdvisor's flags: only the metric groups and container labels something reads. */
export function cadvisorArgs(housekeepingInterval: string, containerdSocket: string): string[] {
  return [
    `--port=${CADVISOR_PORT}`,
    `--housekeeping_interval=${housekeepingInterval}`,
    '--max_housekeeping_interval=2m',
    '--docker_only=true', // containers only (containerd included): no raw systemd cgroups
    '--store_container_labels=false',
    `--whitelisted_container_labels=${KEPT_CONTAINER_LABELS.join(',')}`,
    `--enable_metrics=${ENABLED_METRICS.join(',')}`,
    '--event_storage_event_limit=default=0',
    '--event_storage_age_limit=default=0',
    '--enable_load_reader=false',
    `--containerd=${containerdSocket}`,
  ];
}

/** The scrape job of the DaemonSet's pods: namespace/pod/container of the container each series describes. */
export function cadvisorPodJob(namespace: string, selector: Record<string, string>): ScrapeConfig {
  return podJob({
    jobName: JOBS.cadvisor,
    namespace,
    selector,
    port: 'http',
    podLabels: false, // namespace/pod/container come from the container each series describes
    honorLabels: false,
    relabel: [INSTANCE_IS_NODE],
    metricRelabel: [...CONTAINER_LABELS_TO_K8S, ...CADVISOR_DROPS],
  });
}

export class Cadvisor extends Construct implements IScrapeTarget {
  public readonly jobs: readonly string[] = [JOBS.cadvisor];
  public readonly daemonSet?: k8s.KubeDaemonSet;
  /** Its scrape job (the DaemonSet's pods, or the kubelets' /metrics/cadvisor). */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: CadvisorProps) {
    super(scope, id);
    if (props.mode === 'kubelet') {
      this.scrapeConfig = kubeletCadvisorJob({ tlsInsecureSkipVerify: props.kubeletTlsInsecureSkipVerify ?? false });
      props.prometheus?.addScrapeConfig(this.scrapeConfig);
      return;
    }
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    const image = props.image ?? IMAGES.cadvisor;
    const labels = recommendedLabels({ name: 'cadvisor', instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels('cadvisor', instance);

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: 'cadvisor', namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    this.daemonSet = this.createDaemonSet(props, { ns, image, labels, selector });
    this.scrapeConfig = cadvisorPodJob(ns, selector);
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }

  private createDaemonSet(
    props: CadvisorProps,
    o: { ns: string; image: string; labels: Record<string, string>; selector: Record<string, string> },
  ): k8s.KubeDaemonSet {
    const socket = props.containerdSocket ?? DEFAULT_CONTAINERD_SOCKET;
    const mounts = hostMounts(props.containerdRoot ?? DEFAULT_CONTAINERD_ROOT, socket);
    return new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: 'cadvisor', namespace: o.ns, labels: o.labels },
      spec: {
        selector: { matchLabels: o.selector },
        updateStrategy: NODE_AGENT_UPDATE_STRATEGY,
        template: {
          metadata: { labels: o.labels },
          spec: {
            serviceAccountName: 'cadvisor',
            automountServiceAccountToken: false, // reads cgroups and the containerd socket, never the Kubernetes API
            ...NODE_AGENT_SCHEDULING,
            terminationGracePeriodSeconds: 30,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'cadvisor',
                image: o.image,
                imagePullPolicy: 'IfNotPresent',
                args: cadvisorArgs(props.housekeepingInterval ?? '30s', socket),
                ports: [{ name: 'http', containerPort: CADVISOR_PORT, protocol: 'TCP' }],
                resources: resources(props.resources ?? CADVISOR_RESOURCES),
                // Root, but not privileged and with every capability dropped: the containerd socket,
                // /var/lib/containerd and the cgroup tree are owned by root on the host; the mounts are read-only.
                securityContext: containerSecurity({ runAsRoot: true }),
                readinessProbe: httpProbe('/healthz', 'http', { periodSeconds: 10 }),
                livenessProbe: httpProbe('/healthz', 'http', { periodSeconds: 20, timeoutSeconds: 5 }),
                volumeMounts: mounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
              },
            ],
            volumes: mounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
          },
        },
      },
    });
  }
}

/**
 * The kubelet's /metrics/cadvisor on every node, over HTTPS with the
 * ServiceAccount token. Same TLS settings as the `kubelet` job
 * (spec.kubelet.tlsInsecureSkipVerify, see charts/components/kubelet/construct.ts).
 */
export function kubeletCadvisorJob(kubelet: { readonly tlsInsecureSkipVerify: boolean } = { tlsInsecureSkipVerify: false }): ScrapeConfig {
  return {
    job_name: JOBS.cadvisor,
    scheme: 'https',
    metrics_path: '/metrics/cadvisor',
    authorization: { credentials_file: SA_TOKEN },
    tls_config: kubeletTls(kubelet),
    kubernetes_sd_configs: [{ role: 'node' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    ],
    metric_relabel_configs: CADVISOR_DROPS,
  };
}
