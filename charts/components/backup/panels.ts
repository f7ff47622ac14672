/** The backup component's panel (Monitoring stack dashboard, "Backups" row). */
import type { Row } from '../../../dashboards/lib';
import { warnCrit } from '../../../dashboards/lib';
import type { Spec } from '../../spec/schema';
import { BACKUP_NAME, VELERO_JOB, veleroScheduleName } from './construct';
import { staleAfter } from './rules';

/** Backups (spec.backup, issue 16): age of the last successful backup against the schedule. */
export function backupRow(spec: Spec): Row {
  const stale = staleAfter(spec.backup);
  const velero = spec.backup.method === 'velero';
  const last = velero
    ? `velero_backup_last_successful_timestamp{job="${VELERO_JOB}", schedule="${veleroScheduleName(spec.namespace)}"}`
    : `kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="${spec.namespace}", cronjob="${BACKUP_NAME}"}`;
  return {
    title: 'Backups',
    panels: [
      {
        type: 'stat', title: 'Last successful backup', unit: 's', thresholds: warnCrit(stale.seconds / 2, stale.seconds), width: 8,
        description: `Time since the last successful ${velero ? 'Velero backup' : 'VolumeSnapshot run'} of the stack's volumes (schedule "${spec.backup.schedule}"). MonitoringBackupTooOld fires above ${stale.duration}.`,
        queries: [{ expr: `time() - max(${last})`, instant: true }],
        noValue: 'no successful backup yet',
      },
    ],
  };
}
