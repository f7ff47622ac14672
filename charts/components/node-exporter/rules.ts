/**
 * Host alerts from node-exporter: CPU, memory, disk space and inodes, disk
 * fill prediction, clock, kernel OOM kills, network errors. `instance` is the
 * node name (see INSTANCE_IS_NODE in charts/lib/scrape.ts).
 */
import { alert, ratio, RuleAreaBuilder } from '../../core/rule-builder';
import type { RuleArea, RulesContext } from '../../core/rule-types';
import { NODE_EXPORTER_JOB, NODE_RECORDING as RECORDING } from './names';

const NODE = `job="${NODE_EXPORTER_JOB}"`;

type Add = RuleAreaBuilder['add'];
type Thresholds = RulesContext['spec']['alerting']['thresholds'];

export const hostRules: RuleArea = (ctx) => {
  if (!ctx.spec.nodeExporter.enabled) return undefined;
  const t = ctx.spec.alerting.thresholds;
  const area = new RuleAreaBuilder();
  const add: Add = area.add.bind(area);

  resourceAlerts(add, t);
  trendAndKernelAlerts(add, t);
  return {
    fileName: 'host.yaml',
    title: 'Hosts (node-exporter)',
    groups: [{ name: 'host', rules: area.rules }],
    runbooks: area.runbooks,
  };
};

/** Host alerts: CPU, memory, disk space and inodes. */
function resourceAlerts(add: Add, t: Thresholds): void {
  add(
    {
      meaning:
        "The node's CPUs are busy most of the time. Pods on it get throttled or slow down, and latency-sensitive services (STT, TTS, vLLM tokenization) suffer first.",
      check:
        '`kubectl top pods -A --sort-by=cpu | head` and `kubectl describe node <node>` (requests vs allocatable); the Node dashboard shows which mode (user, system, iowait) dominates.',
      fix: 'Move or scale the heaviest workloads, set CPU limits on the noisy ones, or add nodes. Sustained iowait points at the disk, not the CPU.',
    },
    ...(['warning', 'critical'] as const).map((severity) =>
      alert({
        name: 'HostHighCpuUsage',
        expr: `${RECORDING.nodeCpuUtilisation} > ${ratio(t.hostCpu[severity])}`,
        for: t.hostCpu.for,
        severity,
        summary: `CPU usage of node {{ $labels.instance }} is above ${t.hostCpu[severity]}%`,
        description: `Node {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its CPU for more than ${t.hostCpu.for}.`,
      }),
    ),
  );

  add(
    {
      meaning: 'Little memory is left on the node. Next come kubelet evictions, then the kernel OOM killer.',
      check:
        '`kubectl top pods -A --sort-by=memory | head`; `kubectl describe node <node>` for MemoryPressure; the Node dashboard for cache vs anonymous memory.',
      fix: 'Set memory limits on the pods that grow, move large models to nodes with more memory, or add nodes.',
    },
    ...(['warning', 'critical'] as const).map((severity) =>
      alert({
        name: 'HostHighMemoryUsage',
        expr: `${RECORDING.nodeMemoryUtilisation} > ${ratio(t.hostMemory[severity])}`,
        for: t.hostMemory.for,
        severity,
        summary: `Memory usage of node {{ $labels.instance }} is above ${t.hostMemory[severity]}%`,
        description: `Node {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its memory for more than ${t.hostMemory.for}.`,
      }),
    ),
  );

  add(
    {
      meaning: 'A node filesystem is nearly full. When it fills, the kubelet evicts pods (imagefs/nodefs pressure) and writes fail.',
      check:
        '`kubectl debug node/<node> -it --image=busybox -- df -h /host` then `du -xsh /host/var/lib/* | sort -h`; model caches, container images and logs are the usual culprits.',
      fix: 'Remove unused images (`crictl rmi --prune`), old model caches and logs; grow the disk or move caches to a dedicated volume.',
    },
    ...(['warning', 'critical'] as const).map((severity) =>
      alert({
        name: 'HostDiskSpaceLow',
        expr: `${RECORDING.nodeFilesystemUsage} > ${ratio(t.hostDisk[severity])}`,
        for: t.hostDisk.for,
        severity,
        summary: `Filesystem {{ $labels.mountpoint }} on node {{ $labels.instance }} is above ${t.hostDisk[severity]}% full`,
        description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on node {{ $labels.instance }} is {{ $value | humanizePercentage }} full.`,
      }),
    ),
  );

  add(
    {
      meaning:
        'A filesystem is running out of inodes: file creation fails even with free space left. Millions of small files (caches, extracted archives) cause it.',
      check:
        '`df -i` on the node; `find <mountpoint> -xdev -type f | cut -d/ -f2-4 | sort | uniq -c | sort -n | tail` locates the directory.',
      fix: 'Delete the small-file cache or move it to its own volume; reformatting with more inodes is the last resort.',
    },
    alert({
      name: 'HostInodesLow',
      expr: `(1 - node_filesystem_files_free{${NODE},fstype!=""} / node_filesystem_files{${NODE},fstype!=""}) > ${ratio(t.hostInodes.warning)} and node_filesystem_files{${NODE},fstype!=""} > 0`,
      for: t.hostInodes.for,
      severity: 'warning',
      summary: `Filesystem {{ $labels.mountpoint }} on node {{ $labels.instance }} has used more than ${t.hostInodes.warning}% of its inodes`,
      description:
        'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on node {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its inodes.',
    }),
  );
}

/** Host alerts: disk fill trend, clock, OOM kills, network errors. */
function trendAndKernelAlerts(add: Add, t: Thresholds): void {
  add(
    {
      meaning: `At the rate of the last 6 hours, the filesystem fills within ${t.diskFillHours} hours.`,
      check:
        "The Node dashboard's disk panel shows the trend; find what writes (`du` as for HostDiskSpaceLow, log volume of the pods on the node).",
      fix: 'Stop the runaway writer (debug logging, a cache without eviction), clean up, or grow the volume before it fills.',
    },
    alert({
      name: 'HostDiskWillFillSoon',
      expr: `predict_linear(node_filesystem_avail_bytes{${NODE},fstype!=""}[6h], ${t.diskFillHours} * 3600) < 0 and on (instance, device, mountpoint) ${RECORDING.nodeFilesystemUsage} > 0.5 and on (instance, device, mountpoint) node_filesystem_readonly{${NODE}} == 0`,
      for: '30m',
      severity: 'warning',
      summary: `Filesystem {{ $labels.mountpoint }} on node {{ $labels.instance }} will fill within ${t.diskFillHours}h`,
      description: `At the current rate, {{ $labels.mountpoint }} on node {{ $labels.instance }} runs out of space within ${t.diskFillHours} hours (predicted free space: {{ $value | humanize1024 }}B).`,
    }),
  );

  add(
    {
      meaning: 'The node clock drifts from NTP. Metrics, logs and TLS validation get confused; rate() over skewed samples is wrong.',
      check: '`chronyc tracking` or `timedatectl` on the node; node_timex_sync_status.',
      fix: 'Restart or fix chrony/systemd-timesyncd on the node and make sure NTP (UDP 123) is reachable.',
    },
    alert({
      name: 'HostClockSkew',
      expr: `abs(node_timex_offset_seconds{${NODE}}) > 0.05`,
      for: '10m',
      severity: 'warning',
      summary: 'Clock of node {{ $labels.instance }} is skewed',
      description: 'The clock of node {{ $labels.instance }} is {{ $value | humanizeDuration }} away from NTP time.',
    }),
  );

  add(
    {
      meaning:
        'The kernel OOM killer killed a process on the node: a container exceeded its memory limit, or the node ran out of memory. This is the reliable OOM signal of the stack (cAdvisor cannot see OOM events without privileged access to /dev/kmsg).',
      check:
        '`kubectl get pods -A -o wide --field-selector spec.nodeName=<node>` and look for restarts with reason OOMKilled (`kubectl describe pod`); `dmesg | grep -i oom` on the node names the process.',
      fix: 'Raise the memory limit of the killed container if its working set legitimately grew (bigger model, bigger batch), or fix the leak; if the node itself ran out, reduce overcommit (requests closer to limits).',
    },
    alert({
      name: 'HostOomKillDetected',
      expr: `increase(node_vmstat_oom_kill{${NODE}}[5m]) > 0`,
      severity: 'warning',
      summary: 'OOM kill on node {{ $labels.instance }}',
      description: 'The kernel OOM killer killed {{ $value | humanize }} processes on node {{ $labels.instance }} in the last 5 minutes.',
    }),
  );

  add(
    {
      meaning: 'A network interface drops or corrupts received packets: bad cable/NIC, driver trouble, or saturated buffers.',
      check: '`ip -s link show <device>` and `ethtool -S <device>` on the node; compare with the traffic panels of the Node dashboard.',
      fix: 'Escalate hardware errors to the provider; raise ring buffers for drops under load; drain the node if the errors persist.',
    },
    alert({
      name: 'HostNetworkReceiveErrors',
      expr: `rate(node_network_receive_errs_total{${NODE}}[5m]) / rate(node_network_receive_packets_total{${NODE}}[5m]) > 0.01`,
      for: '10m',
      severity: 'warning',
      summary: 'Network interface {{ $labels.device }} on node {{ $labels.instance }} has receive errors',
      description:
        '{{ $value | humanizePercentage }} of the packets received on {{ $labels.device }} of node {{ $labels.instance }} are errors.',
    }),
  );
}
