/**
 * Container alerts from cAdvisor (job "cadvisor", either the DaemonSet or the
 * kubelet's /metrics/cadvisor). Series carry namespace, pod, container and
 * node; `instance` is the node.
 *
 * OOM kills: cAdvisor reports OOM events only when it can read /dev/kmsg,
 * which needs a privileged container; ours is not privileged. So
 * ContainerOomKillSuspected combines what cAdvisor does provide (a restart,
 * seen as a new container start time, while the working set was at its
 * limit), and HostOomKillDetected (host area) counts the kernel's OOM kills
 * per node. kube-state-metrics' last-terminated reason (OOMKilled) is the
 * exact signal once that component is deployed.
 */
import { quantityValue } from '../../spec/formats';
import { alert, ratio, RuleAreaBuilder, seconds } from '../../core/rule-builder';
import { RECORDING } from '../../core/recording';
import type { RuleArea, RulesContext } from '../../core/rule-types';
import { JOBS } from '../../core/names';

const SEL = `job="${JOBS.cadvisor}",container!="",container!="POD"`;
const BY = 'namespace, pod, container';
const restartsExpr = (window: string) => `count by (${BY}, node) (count_over_time(container_start_time_seconds{${SEL}}[${window}])) - 1`;
const memoryLimit = `max by (${BY}) (container_spec_memory_limit_bytes{${SEL}} > 0 < 1e18)`;

type Add = RuleAreaBuilder['add'];
type Thresholds = RulesContext['spec']['alerting']['thresholds'];

export const containerRules: RuleArea = (ctx) => {
  if (!ctx.spec.cadvisor.enabled) return undefined;
  const t = ctx.spec.alerting.thresholds;
  const area = new RuleAreaBuilder();
  const add: Add = area.add.bind(area);

  lifecycleAlerts(add, t);
  resourceAlerts(add, t);

  return {
    fileName: 'containers.yaml',
    title: 'Containers (cAdvisor)',
    groups: [{ name: 'containers', rules: area.rules }],
    runbooks: area.runbooks,
  };
};

/** Containers missing or restarting. */
function lifecycleAlerts(add: Add, t: Thresholds): void {
  const missingAfter = seconds(t.containerMissingAfter);
  add(
    {
      meaning: `A container that was running in the last hour has not been seen by cAdvisor for more than ${t.containerMissingAfter}: it stopped, was deleted, or its pod could not be rescheduled. Containers of finished Jobs also trigger it; silence their namespace if they are expected to end.`,
      check:
        '`kubectl -n <namespace> get pods` for the pod (Pending, CrashLoopBackOff, Evicted); `kubectl get events -n <namespace> --sort-by=.lastTimestamp`.',
      fix: 'Reschedule or fix the workload (image pull errors, unschedulable resources, failed probes). If it was removed on purpose, the alert resolves within the hour.',
    },
    alert({
      name: 'ContainerMissing',
      expr: `(time() - max by (namespace, container) (max_over_time(container_last_seen{${SEL}}[1h]))) > ${missingAfter}`,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.container }} is missing',
      description: `Container {{ $labels.container }} in namespace {{ $labels.namespace }} was last seen {{ $value | humanizeDuration }} ago (threshold ${t.containerMissingAfter}).`,
    }),
  );

  add(
    {
      meaning:
        'The container keeps restarting: crashes, failed liveness probes, or OOM kills. Each restart drops in-flight requests and reloads models.',
      check:
        '`kubectl -n <namespace> describe pod <pod>` (Last State, Reason, Exit Code) and `kubectl -n <namespace> logs <pod> -c <container> --previous`.',
      fix: 'Fix the crash cause; for OOMKilled raise the memory limit; for liveness failures during model loading add a startupProbe or lengthen the probe.',
    },
    alert({
      name: 'ContainerRestarting',
      expr: `${restartsExpr(t.containerRestarts.window)} >= ${t.containerRestarts.count}`,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is restarting',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} restarted {{ $value }} times in ${t.containerRestarts.window}.`,
    }),
  );

  add(
    {
      meaning:
        'The container restarted while its memory working set was at 95% or more of its limit: almost certainly an OOM kill. (Heuristic: cAdvisor here cannot read kernel OOM events; HostOomKillDetected confirms it on the node.)',
      check:
        '`kubectl -n <namespace> describe pod <pod>`: Last State Terminated, Reason OOMKilled; the container memory panel of the service dashboard.',
      fix: 'Raise the memory limit (and request) of the container, or reduce its footprint (smaller batch, smaller model, fewer workers).',
    },
    alert({
      name: 'ContainerOomKillSuspected',
      expr: `(${restartsExpr('15m')} > 0) and on (${BY}) (max by (${BY}) (max_over_time(container_memory_working_set_bytes{${SEL}}[15m])) / ${memoryLimit} >= 0.95)`,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} was probably OOM killed',
      description:
        'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} restarted {{ $value }} times in 15 minutes while its memory was at its limit.',
    }),
  );
}

/** CPU throttling and memory against the limit (or without one). */
function resourceAlerts(add: Add, t: Thresholds): void {
  add(
    {
      meaning: 'The container uses most of its CPU limit: it is (or soon will be) throttled, which shows up as latency.',
      check:
        'The container CPU panel of the service dashboard; `container_cpu_cfs_throttled_periods_total` if collected; `kubectl top pod --containers`.',
      fix: 'Raise the CPU limit, scale out (more replicas), or remove the CPU limit and keep only the request for latency-critical services.',
    },
    alert({
      name: 'ContainerHighCpu',
      expr: `${RECORDING.containerCpu} / on (${BY}) group_left () max by (${BY}) (container_spec_cpu_quota{${SEL}} > 0) * on (${BY}) group_left () max by (${BY}) (container_spec_cpu_period{${SEL}} > 0) > ${ratio(t.containerCpu.warning)}`,
      for: t.containerCpu.for,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its CPU limit',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} uses {{ $value | humanizePercentage }} of its CPU limit (threshold ${t.containerCpu.warning}%).`,
    }),
  );

  add(
    {
      meaning: "The container's working set is close to its memory limit: the next allocation peak gets it OOM killed.",
      check: 'The container memory panel (working set vs limit) over a day: steady growth is a leak, steps are load.',
      fix: 'Raise the memory limit (and request), or fix the leak; for model servers, check the model and batch size against the limit.',
    },
    alert({
      name: 'ContainerHighMemory',
      expr: `${RECORDING.containerMemory} / on (${BY}) group_left () ${memoryLimit} > ${ratio(t.containerMemory.warning)}`,
      for: t.containerMemory.for,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its memory limit',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} uses {{ $value | humanizePercentage }} of its memory limit (threshold ${t.containerMemory.warning}%).`,
    }),
  );

  const noLimitBytes = quantityValue(t.containerNoLimitMemory.bytes) ?? 4 * 2 ** 30;
  add(
    {
      meaning: `A container without a memory limit uses more than ${t.containerNoLimitMemory.bytes}. Nothing stops it from growing until the node runs out of memory and the kernel kills something, possibly another service.`,
      check:
        '`kubectl -n <namespace> get pod <pod> -o jsonpath="{.spec.containers[*].resources}"`; the container memory panel for its trend.',
      fix: 'Give the container a memory limit (and a matching request) sized from its observed peak plus headroom.',
    },
    alert({
      name: 'ContainerNoMemoryLimitHighUsage',
      expr: `${RECORDING.containerMemory} > ${noLimitBytes} unless on (${BY}) ${memoryLimit}`,
      for: t.containerNoLimitMemory.for,
      severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} has no memory limit and uses a lot of memory',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} has no memory limit and uses {{ $value | humanize1024 }}B (threshold ${t.containerNoLimitMemory.bytes}).`,
    }),
  );
}
