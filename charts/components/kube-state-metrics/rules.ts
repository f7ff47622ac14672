/**
 * Kubernetes state: containers restarting or OOM-killed, pods not ready,
 * workloads short of replicas, failed Jobs (from kube-state-metrics), and
 * persistent volumes filling up (from the kubelets' volume stats), with a
 * dedicated critical alert for the stack's own volumes: a full Prometheus
 * volume silences every other alert.
 */
import { KSM_JOB, KUBELET_JOB } from '../../core/names';
import { stackVolumeMatchers, volumeUsageExpr } from '../../core/metrics';
import { alert, ratio, RuleAreaBuilder, seconds } from '../../core/rule-builder';
import type { RuleArea, RuleGroup, Runbook, RulesContext } from '../../core/rule-types';

export { STACK_PVC_REGEX, STACK_VOLUME_COMPONENTS, stackVolumeMatchers, volumeUsageExpr } from '../../core/metrics';

/** Volume usage below which a predicted fill is not alerted on (fresh volumes being populated). */
export const FULL_SOON_MIN_USAGE = 0.5;

const KSM = `job="${KSM_JOB}"`;
const KUBELET = `job="${KUBELET_JOB}"`;

/** Predicted free bytes `ahead` from now, from the last 6h of samples. */
function predictedFreeExpr(matchers: string, ahead: string): string {
  const sel = `${KUBELET}${matchers ? `,${matchers}` : ''}`;
  return `max by (namespace, persistentvolumeclaim) (predict_linear(kubelet_volume_stats_available_bytes{${sel}}[6h], ${seconds(ahead)}))`;
}

type KsmAlerts = RulesContext['spec']['kubeStateMetrics']['alerts'];
type VolumeStats = RulesContext['spec']['kubelet']['volumeStats'];

/** Containers restarting again and again, or killed for using more memory than their limit. */
function containerAlerts(area: RuleAreaBuilder, a: KsmAlerts): void {
  // Restarts observed inside the window: highest minus lowest value of the counter. Exact, where
  // increase() extrapolates to the window edges and reports 3.1 for 3 restarts when scrapes are
  // not aligned with evaluations (see the 40s-interval case in rules.test.yaml).
  const restartsIn = `(max_over_time(kube_pod_container_status_restarts_total{${KSM}}[${a.restartWindow}]) - min_over_time(kube_pod_container_status_restarts_total{${KSM}}[${a.restartWindow}]))`;

  area.add(
    {
      meaning:
        'A container exits (crash, failed liveness probe, OOM kill) and the kubelet restarts it again and again. The service is degraded or down while it restarts, and the restart back-off grows to 5 minutes.',
      check:
        '`kubectl -n <namespace> describe pod <pod>` (Last State: reason and exit code, probe failures in Events); `kubectl -n <namespace> logs <pod> -c <container> --previous` for the crashed run; the Containers dashboard for memory against the limit.',
      fix: 'Fix the cause the previous logs show (configuration, missing dependency, bad image). Exit code 137 with reason OOMKilled: raise the memory limit or reduce usage (see KubeContainerOOMKilled). Failing liveness probe: give it a longer timeout or a startupProbe for slow starts.',
    },
    alert({
      name: 'KubeContainerRestarting',
      expr: `${restartsIn} > ${a.containerRestarts}`,
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} keeps restarting',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value }} times in the last ${a.restartWindow} (threshold: more than ${a.containerRestarts}).`,
    }),
  );

  area.add(
    {
      meaning:
        'The kernel killed the container because it used more memory than its limit (or the node ran out of memory), and the kubelet restarted it. Requests in flight were lost; a model server reloads its weights.',
      check:
        'Containers dashboard: working set against the limit before the kill; `kubectl -n <namespace> describe pod <pod>` (Last State: OOMKilled); `kubectl describe node <node>` for node memory pressure.',
      fix: "Raise the container's memory limit (and request) to its real peak plus headroom, or reduce its memory use (batch size, context length, KV-cache fraction for vLLM, worker count). If the node itself is short of memory, move the pod or add capacity.",
    },
    alert({
      name: 'KubeContainerOOMKilled',
      // Value: the restarts in the window; labels of the restart counter (no `reason`).
      expr: `(${restartsIn} > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${KSM},reason="OOMKilled"} == 1)`,
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was OOM-killed',
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was killed for exceeding its memory limit (OOMKilled): {{ $value }} restart(s) in the last ${a.restartWindow}, the last one after an OOM kill.`,
    }),
  );
}

/** A pod pending, or running with its Ready condition not true (KubePodNotReady). */
function podNotReadyAlert(area: RuleAreaBuilder, a: KsmAlerts): void {
  // Pending (or Unknown) pods, including unschedulable ones that have no Ready condition yet, and
  // running pods whose Ready condition is not true. Completed pods (Succeeded, Failed) are ignored.
  area.add(
    {
      meaning:
        'The pod is pending (not scheduled, image not pulled, volume not attached) or running with a failing readiness probe. Services do not send it traffic; a Deployment rollout may be stuck behind it. Completed pods (Succeeded) are ignored.',
      check:
        '`kubectl -n <namespace> get pod <pod> -o wide` and `kubectl -n <namespace> describe pod <pod>` (Events: FailedScheduling, ErrImagePull, FailedMount, Readiness probe failed); `kubectl logs` of the container whose readiness fails.',
      fix: 'Pending: free or add capacity, fix the node selector/tolerations, or the PVC. Image errors: fix the tag or the pull secret. Readiness failing: fix the dependency the probe checks, or the probe itself (path, port, timeout).',
    },
    alert({
      name: 'KubePodNotReady',
      expr: `(max by (namespace, pod) (kube_pod_status_phase{${KSM},phase=~"Pending|Unknown"}) == 1) or on (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{${KSM},phase="Running"}) == 1 unless on (namespace, pod) max by (namespace, pod) (kube_pod_status_ready{${KSM},condition="true"}) == 1)`,
      for: a.podNotReadyFor,
      severity: 'warning',
      summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready',
      description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} has been pending or not ready for more than ${a.podNotReadyFor}: it receives no Service traffic.`,
    }),
  );
}

/** Deployments and StatefulSets with fewer ready or available replicas than desired. */
function deploymentAndStatefulSetAlerts(area: RuleAreaBuilder, a: KsmAlerts): void {
  area.add(
    {
      meaning:
        'Fewer pods of the Deployment are available than desired: capacity is reduced, or a rollout is stuck on pods that never become ready.',
      check:
        '`kubectl -n <namespace> rollout status deployment/<deployment>`; `kubectl -n <namespace> get pods -l <selector>` and describe the pods that are not ready (KubePodNotReady and KubeContainerRestarting usually fire for them too).',
      fix: 'Fix the failing pods (see their alerts). A bad rollout: `kubectl -n <namespace> rollout undo deployment/<deployment>`. Unschedulable pods: add capacity or lower requests.',
    },
    alert({
      name: 'KubeDeploymentReplicasUnavailable',
      expr: `kube_deployment_status_replicas_unavailable{${KSM}} > 0`,
      for: a.replicasUnavailableFor,
      severity: 'warning',
      summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} is missing replicas',
      description: `{{ $value }} replica(s) of Deployment {{ $labels.namespace }}/{{ $labels.deployment }} have been unavailable for more than ${a.replicasUnavailableFor}.`,
    }),
  );

  area.add(
    {
      meaning:
        'Some pods of the StatefulSet are not ready. StatefulSets roll one pod at a time in order, so one stuck pod blocks every pod after it.',
      check:
        '`kubectl -n <namespace> get pods -l <selector>`; describe the first pod that is not ready (volume attach errors, PVC Pending, probes); `kubectl -n <namespace> get pvc`.',
      fix: "Fix the stuck pod (volume, scheduling, crash). A PVC bound to a volume in another zone needs a node in that zone. A bad update: roll back the StatefulSet's template and delete the stuck pod so it is recreated.",
    },
    alert({
      name: 'KubeStatefulSetReplicasUnavailable',
      expr: `(kube_statefulset_replicas{${KSM}} - kube_statefulset_status_replicas_ready{${KSM}}) > 0`,
      for: a.replicasUnavailableFor,
      severity: 'warning',
      summary: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} is missing replicas',
      description: `{{ $value }} replica(s) of StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} have not been ready for more than ${a.replicasUnavailableFor}.`,
    }),
  );
}

/** DaemonSets missing a pod on a node that should run one, or running one where they should not. */
function daemonSetAlerts(area: RuleAreaBuilder, a: KsmAlerts): void {
  area.add(
    {
      meaning:
        'Nodes that should run a pod of the DaemonSet do not: node agents (log collection, node metrics, GPU metrics) are missing there.',
      check:
        '`kubectl -n <namespace> describe daemonset <daemonset>` (Events); `kubectl get nodes` for new or tainted nodes; `kubectl -n <namespace> get pods -o wide -l <selector>` to find the nodes without a pod.',
      fix: 'Add the missing toleration, free resources on the node (the pod does not fit), or fix the node (NotReady, cordoned, full disk).',
    },
    alert({
      name: 'KubeDaemonSetNotScheduled',
      expr: `(kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_current_number_scheduled{${KSM}}) > 0`,
      for: a.replicasUnavailableFor,
      severity: 'warning',
      summary: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is not running on every node',
      description: `{{ $value }} pod(s) of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} have not been scheduled for more than ${a.replicasUnavailableFor}.`,
    }),
  );

  area.add(
    {
      meaning:
        'Pods of the DaemonSet run on nodes that no longer match its node selector or affinity (node labels changed, selector changed); they are not removed automatically when they tolerate the taints.',
      check:
        "`kubectl -n <namespace> get pods -o wide -l <selector>` against `kubectl get nodes --show-labels`; compare with the DaemonSet's nodeSelector/affinity.",
      fix: 'Restore the node labels, or delete the misscheduled pods if the node really should not run the DaemonSet.',
    },
    alert({
      name: 'KubeDaemonSetMisScheduled',
      expr: `kube_daemonset_status_number_misscheduled{${KSM}} > 0`,
      for: a.replicasUnavailableFor,
      severity: 'warning',
      summary: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} runs pods where it should not',
      description: `{{ $value }} pod(s) of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} have been running on nodes outside its node selector for more than ${a.replicasUnavailableFor}.`,
    }),
  );
}

/** Pods pending or not ready, and Deployments, StatefulSets and DaemonSets short of (or with misplaced) pods. */
function podAndReplicaAlerts(area: RuleAreaBuilder, a: KsmAlerts): void {
  podNotReadyAlert(area, a);
  deploymentAndStatefulSetAlerts(area, a);
  daemonSetAlerts(area, a);
}

/** Failed Jobs, but those a later successful run of their CronJob superseded. */
function jobAlerts(area: RuleAreaBuilder): void {
  // A failed Job of a CronJob whose last success is more recent is history, not a problem:
  // failedJobsHistoryLimit keeps it around until the next failure.
  const supersededByCronJobSuccess =
    `kube_job_status_start_time{${KSM}} < on (namespace, job_name) max by (namespace, job_name) (` +
    `label_replace(kube_job_owner{${KSM},owner_kind="CronJob"}, "cronjob", "$1", "owner_name", "(.+)")` +
    ` * on (namespace, cronjob) group_left () kube_cronjob_status_last_successful_time{${KSM}})`;
  area.add(
    {
      meaning:
        'A Job reached its backoffLimit or activeDeadlineSeconds without completing: the batch work (transcription batch, index rebuild, backup) did not happen. For Jobs of a CronJob the alert clears when a later run succeeds.',
      check:
        '`kubectl -n <namespace> describe job <job_name>` (conditions, pod failures); `kubectl -n <namespace> logs job/<job_name>` or the logs of its failed pods in Grafana (Loki).',
      fix: 'Fix the cause and re-run it (`kubectl -n <namespace> create job --from=cronjob/<cronjob> <name>` for a CronJob). Delete the failed Job once handled, or set ttlSecondsAfterFinished so finished Jobs are cleaned up.',
    },
    alert({
      name: 'KubeJobFailed',
      expr: `(kube_job_failed{${KSM},condition="true"} == 1) unless on (namespace, job_name) (${supersededByCronJobSuccess})`,
      severity: 'warning',
      summary: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed',
      description:
        'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed (backoff limit or deadline exceeded) and no later run of its CronJob succeeded.',
    }),
  );
}

/** The applications' claims (every claim but the stack's own) full, nearly full, or filling within `fullWithin`. */
function applicationVolumeAlerts(area: RuleAreaBuilder, vol: VolumeStats, stack: string): void {
  // Every claim but the stack's own, which MonitoringStackVolumeFull covers.
  const userUsage = `(${volumeUsageExpr()} unless on (namespace, persistentvolumeclaim) kubelet_volume_stats_capacity_bytes{${KUBELET},${stack}})`;
  const userFree = `(${predictedFreeExpr('', vol.fullWithin)} unless on (namespace, persistentvolumeclaim) kubelet_volume_stats_capacity_bytes{${KUBELET},${stack}})`;
  const warn = ratio(vol.warningPercent);
  const crit = ratio(vol.criticalPercent);

  area.add(
    {
      meaning:
        'The volume behind the claim is filling up. When it is full, the application fails its writes (databases stop, uploads fail, Qdrant rejects upserts).',
      check:
        'Monitoring dashboards: volume usage over time. `kubectl -n <namespace> exec <pod> -- df -h <mount path>` and `du -sh` of the largest directories.',
      fix: "Delete or compact data (old snapshots, logs, caches), lower the application's retention, or expand the claim (`kubectl -n <namespace> edit pvc <claim>` raising spec.resources.requests.storage, if the storage class has allowVolumeExpansion).",
    },
    alert({
      name: 'KubePersistentVolumeFillingUp',
      expr: `${userUsage} > ${warn}`,
      for: '10m',
      severity: 'warning',
      summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over ' + vol.warningPercent + '% full',
      description: `PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full (warning above ${vol.warningPercent}%).`,
    }),
  );

  area.add(
    {
      meaning:
        'The volume is nearly full: the application is about to fail its writes, and some (databases, search indexes) corrupt or refuse to start on a full disk.',
      check:
        "`kubectl -n <namespace> exec <pod> -- df -h <mount path>`; what grew recently (dashboard); the application's own retention settings.",
      fix: 'Free space now (delete old data) or expand the claim if the storage class allows it (`kubectl -n <namespace> edit pvc <claim>`); then fix what made it grow.',
    },
    alert({
      name: 'KubePersistentVolumeAlmostFull',
      expr: `${userUsage} > ${crit}`,
      for: '5m',
      severity: 'critical',
      summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over ' + vol.criticalPercent + '% full',
      description: `PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full (critical above ${vol.criticalPercent}%): writes will fail soon.`,
    }),
  );

  area.add(
    {
      meaning: `The last 6 hours of growth, extrapolated linearly, fill the volume within ${vol.fullWithin}. Only claims already more than ${FULL_SOON_MIN_USAGE * 100}% full are considered, so a fresh volume being populated does not fire.`,
      check: 'Volume usage over the last day (dashboard): steady growth or a one-off copy? What writes to it (`du -sh` in the pod)?',
      fix: 'Stop or slow the growth (retention, log level, a runaway job), free space, or expand the claim before it is full.',
    },
    alert({
      name: 'KubePersistentVolumeFullSoon',
      expr: `(${userUsage} > ${FULL_SOON_MIN_USAGE}) and on (namespace, persistentvolumeclaim) (${userFree} < 0)`,
      for: '1h',
      severity: 'warning',
      summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within ' + vol.fullWithin,
      description: `PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full and, at the rate of the last 6 hours, will be full within ${vol.fullWithin}.`,
    }),
  );
}

/** The stack's own volumes: critical by design, since a full Prometheus volume silences every other alert. */
function stackVolumeAlert(area: RuleAreaBuilder, vol: VolumeStats, stack: string, namespace: string): void {
  const crit = ratio(vol.criticalPercent);
  area.add(
    {
      meaning: `A volume of the monitoring stack itself (Prometheus, Loki, Alertmanager or Grafana in namespace ${namespace}) is above ${vol.criticalPercent}% or fills within ${vol.fullWithin}. A full Prometheus volume stops ingestion and rule evaluation, so every other alert goes silent: this alert is critical by design. Prometheus keeps its volume around spec.prometheus.retentionSize (85% of the volume by default), so the usual ${vol.warningPercent}% warning does not apply to these claims.`,
      check:
        '`kubectl -n ' +
        namespace +
        ' exec <pod> -- df -h <data path>` (/prometheus, /loki, ...). Prometheus: `prometheus_tsdb_storage_blocks_bytes` and `prometheus_tsdb_wal_storage_size_bytes` against spec.prometheus.retentionSize; a jump in `prometheus_tsdb_head_series` (a new high-cardinality target). Loki: compactor retention running (its logs).',
      fix:
        'Prometheus: lower spec.prometheus.retentionSize or retention, drop the high-cardinality series (metric_relabel_configs), or raise spec.prometheus.storage.size and expand the claim (`kubectl -n ' +
        namespace +
        ' edit pvc data-prometheus-0`, storage class with allowVolumeExpansion). Loki: shorten retention. Re-synthesize and apply.',
    },
    alert({
      name: 'MonitoringStackVolumeFull',
      expr: `(${volumeUsageExpr(stack)} > ${crit}) or ((${volumeUsageExpr(stack)} > ${FULL_SOON_MIN_USAGE}) and on (namespace, persistentvolumeclaim) (${predictedFreeExpr(stack, vol.fullWithin)} < 0))`,
      for: '10m',
      severity: 'critical',
      summary: 'Monitoring volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is (almost) full',
      description: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} of the monitoring stack is {{ $value | humanizePercentage }} full and above ${vol.criticalPercent}% or will be full within ${vol.fullWithin}. When Prometheus or Loki cannot write, metrics, logs and every alert stop.`,
    }),
  );
}

export const kubernetesRules: RuleArea = ({ spec }) => {
  const ksm = spec.kubeStateMetrics;
  const vol = spec.kubelet.volumeStats;
  if (!ksm.enabled && !vol.enabled) return undefined;
  const runbooks: Record<string, Runbook> = {};
  const groups: RuleGroup[] = [];

  if (ksm.enabled) {
    const area = new RuleAreaBuilder(runbooks);
    containerAlerts(area, ksm.alerts);
    podAndReplicaAlerts(area, ksm.alerts);
    jobAlerts(area);
    groups.push({ name: 'kubernetes.workloads', rules: area.rules });
  }

  if (vol.enabled) {
    const area = new RuleAreaBuilder(runbooks);
    const stack = stackVolumeMatchers(spec.namespace);
    applicationVolumeAlerts(area, vol, stack);
    stackVolumeAlert(area, vol, stack, spec.namespace);
    groups.push({ name: 'kubernetes.volumes', rules: area.rules });
  }

  return {
    fileName: 'kubernetes.yaml',
    title: 'Kubernetes state: containers, pods, workloads, Jobs and persistent volumes',
    groups,
    runbooks,
  };
};
