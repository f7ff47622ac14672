/**
 * Container metrics: a cAdvisor DaemonSet (default) or the kubelet's built-in
 * cAdvisor endpoint (`spec.cadvisor.mode: kubelet`). Either way the job is
 * called `cadvisor` and series carry the `namespace`, `pod` and `container`
 * of the container they describe, so queries work unchanged in both modes.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { StackContext } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { containerSecurity, httpProbe, resources, NODE_AGENT_SCHEDULING, NODE_AGENT_UPDATE_STRATEGY } from '../../lib/workload';
import type { IPrometheus } from '../../core/component';
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { INSTANCE_IS_NODE, podJob, SA_TOKEN } from '../../lib/scrape';
import type { Spec } from '../../spec/schema';
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
    regex: 'container_(tasks_state|memory_failures_total|memory_mapped_file|memory_failcnt|blkio_device_usage_total|cpu_load_average_10s|file_descriptors|sockets|threads|threads_max|processes|ulimits_soft|last_seen_sentinel)',
    action: 'drop',
  },
  {
    source_labels: ['__name__'],
    regex: 'container_fs_(io_current|io_time_seconds_total|io_time_weighted_seconds_total|reads_merged_total|writes_merged_total|sector_reads_total|sector_writes_total|read_seconds_total|write_seconds_total|inodes_free|inodes_total)',
    action: 'drop',
  },
  // Keep only the limit series among container_spec_* (RE2 has no negative lookahead: mark, drop, unmark).
  { source_labels: ['__name__'], regex: 'container_spec_(memory_limit_bytes|cpu_quota|cpu_period)', target_label: '__tmp_keep', replacement: 'yes' },
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

export interface CadvisorProps {
  readonly context: StackContext;
  readonly spec: Spec['cadvisor'];
  readonly prometheus: IPrometheus;
  /** Kubelet TLS settings, for mode `kubelet`. @default certificates verified against the cluster CA */
  readonly kubelet?: Pick<Spec['kubelet'], 'tlsInsecureSkipVerify'>;
}

export class Cadvisor extends Construct {
  public readonly daemonSet?: k8s.KubeDaemonSet;

  constructor(scope: Construct, id: string, props: CadvisorProps) {
    super(scope, id);
    const { context: ctx, spec, prometheus } = props;
    if (spec.mode === 'kubelet') {
      prometheus.addScrapeConfig(kubeletCadvisorJob(props.kubelet));
      return;
    }
    const ns = ctx.agentNamespace;
    const image = spec.image ?? IMAGES.cadvisor;
    const labels = recommendedLabels({ name: 'cadvisor', instance: ctx.instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels('cadvisor', ctx.instance);

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: 'cadvisor', namespace: ns, labels },
      automountServiceAccountToken: false,
    });

    const hostMounts: { name: string; hostPath: string; mountPath: string }[] = [
      { name: 'rootfs', hostPath: '/', mountPath: '/rootfs' },
      { name: 'var-run', hostPath: '/var/run', mountPath: '/var/run' },
      { name: 'sys', hostPath: '/sys', mountPath: '/sys' },
      { name: 'containerd', hostPath: spec.containerd.root, mountPath: spec.containerd.root },
      { name: 'disk', hostPath: '/dev/disk', mountPath: '/dev/disk' },
    ];
    // The socket's directory, where /var/run does not already hold it (k3s: /run/k3s/containerd).
    const socketDir = spec.containerd.socket.replace(/\/[^/]+$/, '');
    if (!socketDir.startsWith('/var/run/') && socketDir !== '/var/run') {
      hostMounts.push({ name: 'containerd-socket', hostPath: socketDir, mountPath: socketDir });
    }

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: 'cadvisor', namespace: ns, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: NODE_AGENT_UPDATE_STRATEGY,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'cadvisor',
            automountServiceAccountToken: false, // reads cgroups and the containerd socket, never the Kubernetes API
            ...NODE_AGENT_SCHEDULING,
            terminationGracePeriodSeconds: 30,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'cadvisor',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--port=${CADVISOR_PORT}`,
                `--housekeeping_interval=${spec.housekeepingInterval}`,
                '--max_housekeeping_interval=2m',
                '--docker_only=true', // containers only (containerd included): no raw systemd cgroups
                '--store_container_labels=false',
                `--whitelisted_container_labels=${KEPT_CONTAINER_LABELS.join(',')}`,
                `--enable_metrics=${ENABLED_METRICS.join(',')}`,
                '--event_storage_event_limit=default=0',
                '--event_storage_age_limit=default=0',
                '--enable_load_reader=false',
                `--containerd=${spec.containerd.socket}`,
              ],
              ports: [{ name: 'http', containerPort: CADVISOR_PORT, protocol: 'TCP' }],
              resources: resources(spec.resources),
              // Root, but not privileged and with every capability dropped: the containerd socket,
              // /var/lib/containerd and the cgroup tree are owned by root on the host; the mounts are read-only.
              securityContext: containerSecurity({ runAsRoot: true }),
              readinessProbe: httpProbe('/healthz', 'http', { periodSeconds: 10 }),
              livenessProbe: httpProbe('/healthz', 'http', { periodSeconds: 20, timeoutSeconds: 5 }),
              volumeMounts: hostMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
            }],
            volumes: hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
          },
        },
      },
    });

    prometheus.addScrapeConfig(podJob({
      jobName: JOBS.cadvisor,
      namespace: ns,
      selector,
      port: 'http',
      podLabels: false, // namespace/pod/container come from the container each series describes
      honorLabels: false,
      relabel: [INSTANCE_IS_NODE],
      metricRelabel: [...CONTAINER_LABELS_TO_K8S, ...CADVISOR_DROPS],
    }));
  }
}

/**
 * The kubelet's /metrics/cadvisor on every node, over HTTPS with the
 * ServiceAccount token. Same TLS settings as the `kubelet` job
 * (spec.kubelet.tlsInsecureSkipVerify, see charts/components/kubelet/construct.ts).
 */
export function kubeletCadvisorJob(kubelet: Pick<Spec['kubelet'], 'tlsInsecureSkipVerify'> = { tlsInsecureSkipVerify: false }): ScrapeConfig {
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
