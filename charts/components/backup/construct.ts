/**
 * Scheduled backups of the stack's volumes (`spec.backup`).
 *
 * - `method: velero`: a Velero Schedule (velero.io/v1) in Velero's namespace
 *   backing up the stack's namespace with volume snapshots, on the cron
 *   schedule, kept for `ttl`. Prometheus scrapes Velero's metrics (job
 *   `velero`) for the age of the last successful backup.
 * - `method: volumesnapshot`: a CronJob in the stack's namespace that creates
 *   one CSI VolumeSnapshot (snapshot.storage.k8s.io/v1) per claim (from typed
 *   manifests with `generateName`, mounted from a ConfigMap), waits until each
 *   is readyToUse, then deletes that claim's snapshots beyond `retain`. Its
 *   ServiceAccount may create, get, list and delete VolumeSnapshots in the
 *   stack's namespace and get its PersistentVolumeClaims, nothing else.
 *   kube-state-metrics reports the CronJob's last successful run.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Schedule } from '../../../imports/velero.io';
import { VolumeSnapshot } from '../../../imports/snapshot.storage.k8s.io';
import { BACKUP_NAME, CLAIM_LABEL, VELERO_JOB, veleroScheduleName } from '../../core/backup';
import type { IPrometheus } from '../../core/component';
import type { StackContext } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { toYaml } from '../../core/yaml';
import { checksum, containerSecurity, resources } from '../../lib/workload';
import { podJob } from '../../lib/scrape';
import type { BackupSpec } from './spec';

export { BACKUP_NAME, CLAIM_LABEL, VELERO_JOB, veleroScheduleName } from '../../core/backup';


export interface BackupProps {
  readonly context: StackContext;
  readonly spec: BackupSpec;
  /** The stack's PersistentVolumeClaims in context.namespace. */
  readonly claims: readonly string[];
  /** Where the Velero scrape job goes (method velero). */
  readonly prometheus: Pick<IPrometheus, 'addScrapeConfig'>;
}

/** The bash the CronJob runs: every value comes from the environment or the mounted manifests. */
const SCRIPT = [
  'set -euo pipefail',
  'created=()',
  'for f in /etc/backup/snapshots/*.yaml; do',
  '  created+=("$(kubectl create -f "$f" -o name)")',
  'done',
  'for s in "${created[@]}"; do',
  '  kubectl wait --for=jsonpath=\'{.status.readyToUse}\'=true "$s" --timeout="$READY_TIMEOUT"',
  'done',
  'for claim in $CLAIMS; do',
  '  kubectl get volumesnapshots -l "$CLAIM_LABEL=$claim" --sort-by=.metadata.creationTimestamp -o name \\',
  '    | head -n "-$RETAIN" | while read -r old; do kubectl delete "$old"; done',
  'done',
].join('\n');

export class Backup extends Construct {
  public readonly scheduleName?: string;
  public readonly cronJobName?: string;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const { context: ctx, spec } = props;
    if (spec.method === 'velero') {
      const v = spec.velero;
      this.scheduleName = veleroScheduleName(ctx.namespace);
      new Schedule(this, 'schedule', {
        metadata: {
          name: this.scheduleName, namespace: v.namespace,
          labels: recommendedLabels({ name: BACKUP_NAME, instance: ctx.instance, component: 'backup' }),
        },
        spec: {
          schedule: spec.schedule,
          template: {
            includedNamespaces: [ctx.namespace],
            snapshotVolumes: true,
            ttl: v.ttl,
            ...(v.storageLocation ? { storageLocation: v.storageLocation } : {}),
            ...(v.volumeSnapshotLocations ? { volumeSnapshotLocations: v.volumeSnapshotLocations } : {}),
          },
        },
      });
      props.prometheus.addScrapeConfig(podJob({ jobName: VELERO_JOB, namespace: v.namespace, selector: v.metrics.selector, port: v.metrics.port }));
      return;
    }

    const vs = spec.volumeSnapshot;
    const image = vs.image ?? IMAGES.kubectl;
    const ns = ctx.namespace;
    const labels = recommendedLabels({ name: BACKUP_NAME, instance: ctx.instance, component: 'backup', version: imageVersion(image) });
    const metadata = (name: string) => ({ name, namespace: ns, labels });
    this.cronJobName = BACKUP_NAME;

    // One typed VolumeSnapshot manifest per claim; generateName gives each run's snapshot a unique name.
    const snapshots: Record<string, string> = {};
    for (const claim of props.claims) {
      snapshots[`${claim}.yaml`] = toYaml(VolumeSnapshot.manifest({
        metadata: {
          generateName: `${claim}-`, namespace: ns,
          labels: { ...selectorLabels(BACKUP_NAME, ctx.instance), 'app.kubernetes.io/part-of': labels['app.kubernetes.io/part-of'], [CLAIM_LABEL]: claim },
        },
        spec: {
          source: { persistentVolumeClaimName: claim },
          ...(vs.volumeSnapshotClassName ? { volumeSnapshotClassName: vs.volumeSnapshotClassName } : {}),
        },
      }));
    }
    new k8s.KubeConfigMap(this, 'snapshots', { metadata: metadata('backup-snapshots'), data: snapshots });

    new k8s.KubeServiceAccount(this, 'sa', { metadata: metadata(BACKUP_NAME), automountServiceAccountToken: true });
    new k8s.KubeRole(this, 'role', {
      metadata: metadata(BACKUP_NAME),
      rules: [
        // Create the snapshots, wait for them (get/watch), list and delete the ones past the retention count.
        { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        // Only the stack's own claims.
        { apiGroups: [''], resources: ['persistentvolumeclaims'], resourceNames: [...props.claims], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: metadata(BACKUP_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: BACKUP_NAME },
      subjects: [{ kind: 'ServiceAccount', name: BACKUP_NAME, namespace: ns }],
    });

    new k8s.KubeCronJob(this, 'cronjob', {
      metadata: metadata(BACKUP_NAME),
      spec: {
        schedule: spec.schedule,
        timeZone: spec.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            // A hung run ends and counts as failed (the Job has no probes: it serves nothing).
            activeDeadlineSeconds: 3600,
            ttlSecondsAfterFinished: 7 * 86400,
            template: {
              metadata: { labels, annotations: { 'checksum/config': checksum(...Object.values(snapshots)) } },
              spec: {
                serviceAccountName: BACKUP_NAME,
                automountServiceAccountToken: true, // kubectl calls the Kubernetes API
                restartPolicy: 'OnFailure',
                securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'snapshot',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['/bin/bash', '-c', SCRIPT],
                  env: [
                    { name: 'CLAIMS', value: props.claims.join(' ') },
                    { name: 'CLAIM_LABEL', value: CLAIM_LABEL },
                    { name: 'RETAIN', value: String(vs.retain) },
                    { name: 'READY_TIMEOUT', value: vs.readyTimeout },
                    // kubectl writes its discovery cache under $HOME: the only writable place is /tmp.
                    { name: 'HOME', value: '/tmp' },
                  ],
                  resources: resources(vs.resources),
                  securityContext: containerSecurity(),
                  volumeMounts: [
                    { name: 'snapshots', mountPath: '/etc/backup/snapshots', readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                }],
                volumes: [
                  { name: 'snapshots', configMap: { name: 'backup-snapshots' } },
                  { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
                ],
              },
            },
          },
        },
      },
    });
  }
}
