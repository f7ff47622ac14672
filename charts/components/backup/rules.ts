/**
 * The backup alert: the last successful backup is older than twice the
 * schedule's longest gap between runs (or there has been none for that long).
 * volumesnapshot: kube-state-metrics' CronJob series; velero: Velero's
 * velero_backup_last_successful_timestamp for the stack's Schedule.
 */
import { BACKUP_NAME, staleAfter, VELERO_JOB, veleroScheduleName } from '../../core/backup';
import { alert } from '../../core/rule-builder';
import type { RuleArea } from '../../core/rule-types';
import type { BackupSpec } from './spec';

export const backupRules: RuleArea = (ctx) => {
  const b = (ctx.spec as { backup?: BackupSpec }).backup;
  if (!b?.enabled) return undefined;
  const stale = staleAfter(b.schedule);
  const ns = ctx.spec.namespace;
  const velero = b.method === 'velero';
  // The last success, and a series that says the schedule existed (and ran) `stale` ago.
  const last = velero
    ? `velero_backup_last_successful_timestamp{job="${VELERO_JOB}",schedule="${veleroScheduleName(ns)}"}`
    : `kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="${ns}",cronjob="${BACKUP_NAME}"}`;
  const existed = velero
    ? `velero_backup_attempt_total{job="${VELERO_JOB}",schedule="${veleroScheduleName(ns)}"}`
    : `kube_cronjob_status_last_schedule_time{job="kube-state-metrics",namespace="${ns}",cronjob="${BACKUP_NAME}"}`;
  const by = velero ? 'schedule' : 'namespace, cronjob';
  const what = velero ? `Velero Schedule ${veleroScheduleName(ns)}` : `CronJob ${ns}/${BACKUP_NAME}`;
  // Too old: the last success is older than `stale`. Never: the schedule already ran `stale` ago and no success is known.
  const tooOld = `time() - max by (${by}) (${last}) > ${stale.seconds}`;
  const never = `(time() - max by (${by}) (timestamp(${existed} offset ${stale.duration}))) unless on (${by}) max by (${by}) (${last})`;
  return {
    fileName: 'backup.yaml',
    title: "Backups of the stack's volumes (spec.backup)",
    groups: [
      {
        name: 'backup',
        rules: [
          alert({
            name: 'MonitoringBackupTooOld',
            expr: `(${tooOld}) or (${never})`,
            for: '10m',
            severity: 'warning',
            summary: `The last successful backup of the monitoring volumes is older than ${stale.duration}`,
            description: `${what} has not completed a backup for {{ $value | humanizeDuration }} or more (more than twice its schedule "${b.schedule}", ${stale.duration}).`,
          }),
        ],
      },
    ],
    runbooks: {
      MonitoringBackupTooOld: {
        meaning: `Backups of the Prometheus, Loki, Grafana and Alertmanager volumes stopped succeeding: the ${b.method} backup (${what}) has no success within twice its schedule. A lost volume now loses more than the expected data.`,
        check: velero
          ? `\`velero schedule describe ${veleroScheduleName(ns)} -n ${b.velero.namespace}\` and \`velero backup get\` (phase, errors); \`velero backup logs <backup>\`; Velero's own logs (\`kubectl -n ${b.velero.namespace} logs deploy/velero\`). Check that Prometheus scrapes job "${VELERO_JOB}" (Status > Targets).`
          : `\`kubectl -n ${ns} get cronjob ${BACKUP_NAME}\` (LAST SCHEDULE, SUSPEND), \`kubectl -n ${ns} get jobs,pods -l app.kubernetes.io/name=${BACKUP_NAME}\`, \`kubectl -n ${ns} logs job/<last job>\`; \`kubectl -n ${ns} get volumesnapshots\` (READYTOUSE, ERROR) and \`kubectl describe volumesnapshot <name>\` for the CSI driver's error.`,
        fix: velero
          ? 'Fix the storage location (credentials, bucket) or the volume snapshot location, then run a backup now: `velero backup create --from-schedule <schedule>`.'
          : `Install or fix the CSI snapshot controller and a VolumeSnapshotClass for the volumes' driver (spec.backup.volumeSnapshot.volumeSnapshotClassName); raise readyTimeout for large volumes; then run it now: \`kubectl -n ${ns} create job --from=cronjob/${BACKUP_NAME} ${BACKUP_NAME}-manual\`.`,
      },
    },
  };
};
