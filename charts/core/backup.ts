/**
 * Names of the backup component (spec.backup) that its rules, the NetworkPolicy
 * table and the Monitoring stack dashboard share, and how stale a backup may
 * get: twice the longest gap between two runs of its schedule. Leaf module.
 */
import { cronIntervalMinutes } from './cron';

export const BACKUP_NAME = 'backup';
/** Label on every snapshot the CronJob takes: which claim it holds (pruning keeps `retain` per claim). */
export const CLAIM_LABEL = 'backup.cdk8s-ai.dev/claim';
/** Prometheus job of Velero's server metrics (method velero). */
export const VELERO_JOB = 'velero';

/** The Velero Schedule's name: one per stack namespace. */
export const veleroScheduleName = (stackNamespace: string) => `${stackNamespace}-volumes`;

/** Twice the longest gap between two runs of a cron schedule, in seconds and as a Prometheus duration. */
export function staleAfter(schedule: string): { seconds: number; duration: string } {
  const minutes = 2 * cronIntervalMinutes(schedule);
  return {
    seconds: minutes * 60,
    duration: minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`,
  };
}
