/** The Backups row of the Monitoring stack dashboard (spec.backup): age of the last successful backup. */
import { BACKUP_NAME, staleAfter, VELERO_JOB, veleroScheduleName } from '../../charts/core/backup';
import type { Spec } from '../../charts/spec-schema';
import { type Row, warnCrit } from '../lib';

export function backupRow(spec: Spec): Row {
  const stale = staleAfter(spec.backup.schedule);
  const velero = spec.backup.method === 'velero';
  const last = velero
    ? `velero_backup_last_successful_timestamp{job="${VELERO_JOB}", schedule="${veleroScheduleName(spec.namespace)}"}`
    : `kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="${spec.namespace}", cronjob="${BACKUP_NAME}"}`;
  return {
    title: 'Backups',
    panels: [
      {
        type: 'stat',
        title: 'Last successful backup',
        unit: 's',
        thresholds: warnCrit(stale.seconds / 2, stale.seconds),
        width: 8,
        description: `Time since the last successful ${velero ? 'Velero backup' : 'VolumeSnapshot run'} of the stack's volumes (schedule "${spec.backup.schedule}"). MonitoringBackupTooOld fires above ${stale.duration}.`,
        queries: [{ expr: `time() - max(${last})`, instant: true }],
        noValue: 'no successful backup yet',
      },
    ],
  };
}
