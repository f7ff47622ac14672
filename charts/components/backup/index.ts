/**
 * The backup component (`spec.backup`): folder of the agreed layout
 * (construct, spec section, rules with promtool tests, cron helper).
 */
import { grafanaPersistence } from '../../spec/section-grafana';
import type { ServiceSpec, Spec } from '../../spec/schema';
import { VELERO_JOB } from './construct';

export { Backup, BACKUP_NAME, CLAIM_LABEL, VELERO_JOB, veleroScheduleName, type BackupProps } from './construct';
export { backupSchema, type BackupSpec } from './spec';
export { backupRules, staleAfter } from './rules';
export { cronIntervalMinutes, parseCron } from './cron';

/**
 * The stack's PersistentVolumeClaims: each StatefulSet's `data` claim per replica, and Grafana's claim.
 * (StatefulSet claims are named <template>-<statefulset>-<ordinal>.)
 */
export function stackClaims(spec: Spec): string[] {
  const replicas = (name: string, n: number) => Array.from({ length: n }, (_, i) => `data-${name}-${i}`);
  return [
    ...replicas('prometheus', spec.prometheus.replicas),
    ...(spec.loki.enabled ? replicas('loki', 1) : []),
    ...(spec.alerting.enabled ? replicas('alertmanager', spec.alerting.alertmanager.replicas) : []),
    ...(spec.grafana.enabled && grafanaPersistence(spec.grafana.persistence).enabled ? ['grafana'] : []),
  ];
}

/** With method velero: Velero's server pods, which Prometheus scrapes (for the NetworkPolicy egress). */
export function veleroScrapeTargets(spec: Spec): ServiceSpec[] {
  if (!spec.backup.enabled || spec.backup.method !== 'velero') return [];
  const v = spec.backup.velero;
  return [{ name: VELERO_JOB, kind: 'http', namespace: v.namespace, selector: v.metrics.selector, port: v.metrics.port, path: '/metrics', scheme: 'http' }];
}
