/**
 * Registry entry: scheduled backups of the stack's volumes (`spec.backup`),
 * in dist/60-backup.yaml: a VolumeSnapshot CronJob, or a Velero Schedule
 * (Velero and its CRDs are a prerequisite, installed with Velero).
 */
import { kind as genericHttp } from '../../kinds/http';
import { BACKUP_NAME, VELERO_JOB } from '../../core/backup';
import { ext, tcp, type ComponentDef } from '../../core/component';
import type { ServiceSpec, Spec } from '../../spec-schema';
import { grafanaPersistence } from '../grafana/spec';
import { Backup, type BackupProps } from './construct';
import type { StackContext } from '../../core/context';
import { backupRules } from './rules';
import { backupCrossChecks, backupSchema } from './spec';

export * from './construct';
export { backupCrossChecks, backupSchema, type BackupSpec } from './spec';
export { backupRules } from './rules';
export const specSections = { backup: backupSchema };

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

/** With method velero: Velero's server pods, which Prometheus scrapes (the NetworkPolicies' entry lets it reach them). */
export function veleroScrapeTargets(spec: Spec): ServiceSpec[] {
  if (!spec.backup.enabled || spec.backup.method !== 'velero') return [];
  const v = spec.backup.velero;
  return [
    {
      name: VELERO_JOB,
      kind: genericHttp.name,
      namespace: v.namespace,
      selector: v.metrics.selector,
      port: v.metrics.port,
      path: '/metrics',
      scheme: 'http',
    },
  ];
}

/** The typed step from the parsed spec to the construct's props (the claims: the stack's own, stackClaims). */
export function backupProps(spec: Spec, context: StackContext): Omit<BackupProps, 'prometheus'> {
  const b = spec.backup;
  const vs = b.volumeSnapshot;
  const v = b.velero;
  return {
    namespace: context.namespace,
    instance: context.instance,
    method: b.method,
    claims: stackClaims(spec),
    schedule: b.schedule,
    timeZone: b.timeZone,
    volumeSnapshotClassName: vs.volumeSnapshotClassName,
    retain: vs.retain,
    readyTimeout: vs.readyTimeout,
    image: vs.image,
    resources: vs.resources,
    veleroNamespace: v.namespace,
    ttl: v.ttl,
    storageLocation: v.storageLocation,
    volumeSnapshotLocations: v.volumeSnapshotLocations,
    veleroMetrics: v.metrics,
  };
}

export const component: ComponentDef<Spec> = {
  name: BACKUP_NAME,
  workload: true,
  image: 'kubectl',
  files: ['60-backup'],
  ruleAreas: [backupRules],
  flows: [{ from: BACKUP_NAME, to: ext('api-server'), ports: tcp(443, 6443), why: 'creates and prunes VolumeSnapshots (spec.backup)' }],
  specChecks: backupCrossChecks,
  scrapedPods: veleroScrapeTargets,
  enabled: (spec) => spec.backup.enabled,
  build: ({ chart, context, spec, prometheus }) =>
    new Backup(chart('60-backup', 'backup'), 'backup', { ...backupProps(spec, context), prometheus }),
};
