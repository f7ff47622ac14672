/**
 * Kubernetes events in Loki (`spec.logs.events`, Alloy only): the stream, when it ships, and the Loki
 * ruler alerts on it. A leaf module: the Alloy component builds the pipeline
 * (charts/components/alloy-events/config.ts), the Loki component adds the alerts, the
 * Logs dashboard the panels.
 *
 * One Alloy replica (Deployment `alloy-events` in the stack namespace; a
 * DaemonSet would ship every event once per node) runs
 * `loki.source.kubernetes_events` over every namespace and pushes one stream
 * per (namespace, kind, reason, type):
 *
 *   labels  job="integrations/kubernetes/eventhandler" (the name Grafana's Kubernetes integration
 *           uses), namespace (of the involved object), kind (Pod, Node, ...), reason (FailedScheduling,
 *           BackOff, ...), type (Warning or Normal)
 *   line    logfmt as the component writes it: name=<object> kind=... reason=... type=... count=... msg="..."
 *           (`| logfmt` in a query extracts `name`, the involved object; it is not a label: unbounded)
 *
 * Arguments of loki.source.kubernetes_events (job_name, namespaces, log_format: "logfmt" | "json",
 * client, clustering) and of the process stages (stage.logfmt mapping/source, stage.labels values,
 * stage.label_drop values) as read from grafana/alloy's source (internal/component/loki/source/
 * kubernetes_events/*.go, internal/component/loki/process/stages/*.go at commit 66ebea85, main of August
 * 2026 after v1.19.0-rc.3: the stored snapshot has no v1.20.1 tag. The pinned image is v1.20.1; these
 * arguments last changed long before (the component's last commits, June 2026, migrated its logging).
 */
import { runbookUrl, type Runbook } from './rule-types';

export const EVENTS_JOB = 'integrations/kubernetes/eventhandler';
/** The events stream selector, for queries. */
export const EVENTS_STREAM = `job="${EVENTS_JOB}"`;
/** Labels promoted from the event (low cardinality). */
export const EVENT_LABELS = ['kind', 'reason', 'type'] as const;
export const EVENTS_NAME = 'alloy-events';

/** Whether the stack ships Kubernetes events: Loki with Alloy, unless switched off. */
export function eventsShipped(spec: { loki: { enabled: boolean }; logs: { collector: string; events: { enabled?: boolean } } }): boolean {
  return spec.loki.enabled && spec.logs.collector === 'alloy' && spec.logs.events.enabled !== false;
}

/** The synth warning with Promtail (which has no events source). */
export function eventsWarning(spec: {
  loki: { enabled: boolean };
  logs: { collector: string; events: { enabled?: boolean } };
}): string | undefined {
  if (!spec.loki.enabled || spec.logs.collector !== 'promtail' || spec.logs.events.enabled === false) return undefined;
  return 'spec.logs.collector is promtail, which has no Kubernetes events source: events are not shipped to Loki, so the Logs dashboard has no event panels and the event alerts are off; set spec.logs.collector: alloy (or spec.logs.events.enabled: false to silence this)';
}

// --- Loki ruler alerts on the events stream ----------------------------------------------

export interface EventAlert {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly summary: string;
  readonly description: string;
  readonly runbook: Runbook;
}

const sel = (matchers: string) => `{${EVENTS_STREAM}, ${matchers}}`;

export const EVENT_ALERTS: readonly EventAlert[] = [
  {
    alert: 'KubeEventGpuPodUnschedulable',
    expr: `sum by (namespace, name) (count_over_time(${sel('kind="Pod", reason="FailedScheduling"')} |= "nvidia.com/gpu" | logfmt name [15m])) >= 3`,
    for: '5m',
    summary: 'GPU pod {{ $labels.namespace }}/{{ $labels.name }} cannot be scheduled',
    description:
      'The scheduler reported FailedScheduling for {{ $labels.namespace }}/{{ $labels.name }} {{ $value }} times in 15 minutes with a message naming nvidia.com/gpu: no node has a free GPU (or the GPU nodes are tainted, cordoned or not labelled).',
    runbook: {
      meaning:
        'A pod requesting nvidia.com/gpu stays Pending: every GPU is allocated, the GPU nodes are not schedulable for it (taints, node selectors, cordon), or the NVIDIA device plugin does not advertise the GPUs.',
      check:
        '`kubectl -n <namespace> describe pod <name>` (the Events section has the scheduler\'s reasons); `kubectl describe nodes | grep -A5 "nvidia.com/gpu"` (Capacity vs Allocated); the GPU dashboard (allocated GPUs per node); the Logs dashboard, "GPU pods not scheduled".',
      fix: "Free or add GPU capacity (scale down idle GPU workloads: GpuAllocatedButIdle; add a node), fix the pod's tolerations/nodeSelector, or restart the device plugin if nodes report 0 allocatable GPUs.",
    },
  },
  {
    alert: 'KubeEventBackOff',
    expr: `sum by (namespace, name) (count_over_time(${sel('kind="Pod", reason=~"BackOff|CrashLoopBackOff"')} | logfmt name [15m])) >= 5`,
    for: '5m',
    summary: 'Pod {{ $labels.namespace }}/{{ $labels.name }} is backing off',
    description:
      'Kubernetes reported back-off for {{ $labels.namespace }}/{{ $labels.name }} {{ $value }} times in 15 minutes: a container keeps crashing (CrashLoopBackOff) or its image cannot be pulled.',
    runbook: {
      meaning:
        'The kubelet waits longer and longer before restarting a crashing container, or before pulling an image again. The pod is not serving.',
      check:
        "`kubectl -n <namespace> describe pod <name>` (Back-off restarting failed container, or Back-off pulling image); `kubectl -n <namespace> logs <name> --previous`; the Logs dashboard's Warning events by reason.",
      fix: 'Crash loop: fix the cause in the previous logs (configuration, missing Secret, OOM: raise the memory limit, CUDA errors). Image pull: fix the tag, the registry credentials (imagePullSecrets) or the network path to the registry.',
    },
  },
  {
    alert: 'KubeEventFailedMount',
    expr: `sum by (namespace, name) (count_over_time(${sel('kind="Pod", reason=~"FailedMount|FailedAttachVolume"')} | logfmt name [15m])) >= 3`,
    for: '5m',
    summary: 'Pod {{ $labels.namespace }}/{{ $labels.name }} cannot mount its volumes',
    description:
      'Kubernetes reported FailedMount/FailedAttachVolume for {{ $labels.namespace }}/{{ $labels.name }} {{ $value }} times in 15 minutes: the pod cannot start until its volumes mount.',
    runbook: {
      meaning:
        'A volume of the pod cannot be attached or mounted: a missing ConfigMap or Secret, a claim bound to a volume in another zone, a volume still attached to another node, or a CSI driver error.',
      check:
        "`kubectl -n <namespace> describe pod <name>` (the message names the volume and the error); `kubectl -n <namespace> get pvc`; `kubectl get volumeattachments | grep <pv>`; the CSI driver's pods and logs.",
      fix: "Create the missing ConfigMap/Secret; detach a stale VolumeAttachment (after checking the old node is gone); reschedule the pod in the volume's zone; fix the CSI driver.",
    },
  },
];

/** The event alerts as Loki ruler rules (the ruler's own format; expressions parsed by the ruler module). */
export function eventAlertRules(): {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'warning' };
  annotations: { summary: string; description: string; runbook_url: string };
}[] {
  return EVENT_ALERTS.map((a) => ({
    alert: a.alert,
    expr: a.expr,
    for: a.for,
    labels: { severity: 'warning' },
    annotations: { summary: a.summary, description: a.description, runbook_url: runbookUrl(a.alert) },
  }));
}

export const EVENT_RUNBOOKS: Record<string, Runbook> = Object.fromEntries(EVENT_ALERTS.map((a) => [a.alert, a.runbook]));
