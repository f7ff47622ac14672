/**
 * node-exporter DaemonSet: host metrics from every node.
 *
 * Runs in the agent namespace with hostNetwork (network device stats of the
 * node, not of a pod sandbox), hostPID (host processes in /proc) and the host
 * root filesystem mounted read-only at /host/root. It does not need root:
 * uid 65534 reads /proc, /sys and mount statistics.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { containerSecurity, httpProbe, resources, NODE_AGENT_SCHEDULING, NODE_AGENT_UPDATE_STRATEGY } from '../../lib/workload';
import type { IScrapeJobs, IScrapeTarget } from '../../core/component';
import { INSTANCE_IS_NODE, podJob } from '../../lib/scrape';
import type { Resources } from '../../spec/common';
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { NODE_EXPORTER_JOB, NODE_EXPORTER_NAME, NODE_EXPORTER_PORT, NODE_EXPORTER_RESOURCES } from './names';

export { NODE_EXPORTER_PORT } from './names';

/** Mount points that belong to containers and pods, not to the node. */
export const MOUNT_POINTS_EXCLUDE =
  '^/(dev|proc|sys|run/containerd/.+|var/lib/containerd/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+|var/lib/kubelet/plugins/.+)($|/)';
/** Pseudo and overlay filesystems that say nothing about disk space. */
export const FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|tmpfs|erofs)$';
/** Virtual interfaces: pod veths, CNI bridges and tunnels. */
export const NETDEV_EXCLUDE =
  '^(veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|vxlan.*|genev.*|tunl.*|kube-ipvs.*|docker.*|br-.*|[a-f0-9]{15})$';

// --- Series filtering (issue 11) ------------------------------------------------
/**
 * The node_* series a panel, rule, alert or runbook reads (test/config/node-exporter.test.ts
 * proves every node_* name in the synthesized rules and dashboards is here).
 * Everything else is dropped by the job's metric_relabel_configs.
 */
export const NODE_EXPORTER_METRICS: readonly string[] = [
  'node_cpu_seconds_total',
  'node_load15',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemTotal_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_files',
  'node_filesystem_files_free',
  'node_filesystem_readonly',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
  'node_network_receive_errs_total',
  'node_network_transmit_errs_total',
  'node_network_receive_packets_total',
  'node_disk_read_bytes_total',
  'node_disk_written_bytes_total',
  'node_disk_io_time_seconds_total',
  'node_uname_info',
  'node_boot_time_seconds',
  'node_time_seconds',
  'node_vmstat_oom_kill',
  'node_timex_offset_seconds',
  'node_timex_sync_status',
];
/** The collectors that produce them (`--collector.disable-defaults` turns every other one off). */
export const NODE_EXPORTER_COLLECTORS: readonly string[] = [
  'cpu',
  'loadavg',
  'meminfo',
  'filesystem',
  'netdev',
  'diskstats',
  'uname',
  'stat',
  'time',
  'vmstat',
  'timex',
];

/** Collector and filter flags of the DaemonSet, without the /host paths (tests run them on this machine). */
export function nodeExporterCollectorArgs(extraCollectors: readonly string[] = []): string[] {
  return [
    '--collector.disable-defaults',
    '--web.disable-exporter-metrics', // process_*, go_*, promhttp_*: nothing reads them
    ...[...new Set([...NODE_EXPORTER_COLLECTORS, ...extraCollectors])].map((c) => `--collector.${c}`),
    `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`,
    `--collector.filesystem.fs-types-exclude=${FS_TYPES_EXCLUDE}`,
    `--collector.netdev.device-exclude=${NETDEV_EXCLUDE}`,
    '--collector.vmstat.fields=^oom_kill$',
  ];
}

/** metric_relabel_configs of the node-exporter job: keep only the series something reads. */
export function nodeExporterMetricRelabel(extraMetrics: readonly string[] = []): RelabelConfig[] {
  const names = [...new Set([...NODE_EXPORTER_METRICS, ...extraMetrics])];
  return [{ source_labels: ['__name__'], regex: `(${names.join('|')})`, action: 'keep' }];
}

/** A node-exporter DaemonSet on every Linux node, and its Prometheus scrape job. */
export interface NodeExporterProps {
  /** Namespace of the DaemonSet: its Pod Security level must allow host network, host PID and hostPath ("privileged"). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** Image, pinned to a version. @default IMAGES.nodeExporter */
  readonly image?: string;
  /** Container requests and limits. @default NODE_EXPORTER_RESOURCES (30m/48Mi requested, 250m/128Mi limit) */
  readonly resources?: Resources;
  /** Collectors to enable besides those the panels and alerts read (`--collector.<name>`). @default [] */
  readonly extraCollectors?: readonly string[];
  /** node_* series to keep besides NODE_EXPORTER_METRICS (the rest is dropped at scrape). @default [] */
  readonly extraMetrics?: readonly string[];
  /** Where its scrape job is added (a Prometheus construct). @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

export class NodeExporter extends Construct implements IScrapeTarget {
  public readonly port = NODE_EXPORTER_PORT;
  public readonly jobs: readonly string[] = [NODE_EXPORTER_JOB];
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** Its scrape job (node name as `instance`, only the series something reads kept). */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    const image = props.image ?? IMAGES.nodeExporter;
    const labels = recommendedLabels({ name: NODE_EXPORTER_NAME, instance, component: 'exporter', version: imageVersion(image) });
    const selector = selectorLabels(NODE_EXPORTER_NAME, instance);

    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: NODE_EXPORTER_NAME, namespace: ns, labels },
      automountServiceAccountToken: false,
    });

    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: NODE_EXPORTER_NAME, namespace: ns, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: NODE_AGENT_UPDATE_STRATEGY,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NODE_EXPORTER_NAME,
            automountServiceAccountToken: false, // never calls the Kubernetes API
            hostNetwork: true, // node network interfaces, not the pod sandbox's
            hostPid: true, // host processes in /proc
            ...NODE_AGENT_SCHEDULING,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65534,
              runAsGroup: 65534,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: NODE_EXPORTER_NAME,
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `--web.listen-address=:${NODE_EXPORTER_PORT}`,
                  '--path.procfs=/host/proc',
                  '--path.sysfs=/host/sys',
                  '--path.rootfs=/host/root',
                  '--path.udev.data=/host/root/run/udev/data',
                  ...nodeExporterCollectorArgs(props.extraCollectors),
                ],
                ports: [{ name: 'metrics', containerPort: NODE_EXPORTER_PORT, hostPort: NODE_EXPORTER_PORT, protocol: 'TCP' }],
                resources: resources(props.resources ?? NODE_EXPORTER_RESOURCES),
                securityContext: containerSecurity(),
                readinessProbe: httpProbe('/', 'metrics', { periodSeconds: 10 }),
                livenessProbe: httpProbe('/', 'metrics', { periodSeconds: 20, timeoutSeconds: 5 }),
                volumeMounts: [
                  { name: 'proc', mountPath: '/host/proc', readOnly: true },
                  { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
                  { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
                ],
              },
            ],
            volumes: [
              { name: 'proc', hostPath: { path: '/proc' } },
              { name: 'sys', hostPath: { path: '/sys' } },
              { name: 'root', hostPath: { path: '/' } },
            ],
          },
        },
      },
    });

    this.scrapeConfig = podJob({
      jobName: NODE_EXPORTER_JOB,
      namespace: ns,
      selector,
      port: 'metrics',
      relabel: [INSTANCE_IS_NODE],
      metricRelabel: nodeExporterMetricRelabel(props.extraMetrics),
    });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}
