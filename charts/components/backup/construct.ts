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
import type { IScrapeJobs } from '../../core/component';
import type { ScrapeConfig } from '../../core/prometheus-config';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { toYaml } from '../../core/yaml';
import { checksum, containerSecurity, resources } from '../../lib/workload';
import { podJob } from '../../lib/scrape';
import type { Resources } from '../../spec/common';

/** The default cron schedule: every night at 02:00. */
export const DEFAULT_SCHEDULE = '0 2 * * *';

export { BACKUP_NAME, CLAIM_LABEL, VELERO_JOB, veleroScheduleName } from '../../core/backup';

/** Requests and limits of the snapshot Job (kubectl only). */
export const BACKUP_RESOURCES = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } as const;
/** Labels of Velero's server pods (its Helm chart's) and the container port of its /metrics. */
export const VELERO_METRICS = { selector: { 'app.kubernetes.io/name': 'velero' }, port: 'http-monitoring' } as const;

/**
 * Scheduled backups of the claims in `namespace`: a VolumeSnapshot CronJob, or a Velero Schedule. Nothing of the
 * stack's spec: the stack maps `spec.backup` and its own claims onto these in one step (`backupProps`, index.ts).
 */
export interface BackupProps {
  /** Namespace of the claims (and of the CronJob). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** `volumesnapshot`: a CronJob taking CSI VolumeSnapshots; `velero`: a Velero Schedule. @default 'volumesnapshot' */
  readonly method?: 'volumesnapshot' | 'velero';
  /** PersistentVolumeClaims in `namespace` to snapshot (method volumesnapshot). */
  readonly claims: readonly string[];
  /** Cron schedule. @default '0 2 * * *' */
  readonly schedule?: string;
  /** Time zone of the CronJob's schedule (volumesnapshot). @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** VolumeSnapshotClass. @default the cluster's default class */
  readonly volumeSnapshotClassName?: string;
  /** Snapshots kept per claim. @default 7 */
  readonly retain?: number;
  /** How long a snapshot may take to become readyToUse. @default '15m' */
  readonly readyTimeout?: string;
  /** Image of the snapshot Job (bash, kubectl, head, xargs). @default IMAGES.kubectl */
  readonly image?: string;
  /** Requests and limits of the snapshot Job. @default BACKUP_RESOURCES */
  readonly resources?: Resources;
  /** Namespace Velero runs in, where the Schedule lives (velero). @default 'velero' */
  readonly veleroNamespace?: string;
  /** How long Velero keeps each backup (velero). @default '720h' */
  readonly ttl?: string;
  /** Velero BackupStorageLocation. @default Velero's default */
  readonly storageLocation?: string;
  /** Velero VolumeSnapshotLocations. @default Velero's defaults */
  readonly volumeSnapshotLocations?: readonly string[];
  /** Velero's server pods and their metrics port, scraped as job velero. @default VELERO_METRICS */
  readonly veleroMetrics?: { readonly selector: Readonly<Record<string, string>>; readonly port: string | number };
  /** Where the Velero scrape job goes (method velero). @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
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
  /** With method velero: the scrape job of Velero's metrics (the age of the last successful backup). */
  public readonly scrapeConfig?: ScrapeConfig;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const instance = props.instance ?? 'monitoring';
    if (props.method === 'velero') {
      this.scheduleName = veleroScheduleName(props.namespace);
      this.scrapeConfig = this.createVeleroSchedule(props, instance, this.scheduleName);
      props.prometheus?.addScrapeConfig(this.scrapeConfig);
      return;
    }
    const image = props.image ?? IMAGES.kubectl;
    const labels = recommendedLabels({ name: BACKUP_NAME, instance, component: 'backup', version: imageVersion(image) });
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels });
    this.cronJobName = BACKUP_NAME;
    const snapshots = snapshotManifests(props, instance, labels['app.kubernetes.io/part-of']);
    new k8s.KubeConfigMap(this, 'snapshots', { metadata: metadata('backup-snapshots'), data: snapshots });
    this.createRbac(props, metadata);
    this.createCronJob(props, { image, labels, metadata: metadata(BACKUP_NAME), checksum: checksum(...Object.values(snapshots)) });
  }

  /** The Velero Schedule backing up `namespace`; returns the scrape job of Velero's metrics. */
  private createVeleroSchedule(props: BackupProps, instance: string, name: string): ScrapeConfig {
    const veleroNamespace = props.veleroNamespace ?? 'velero';
    new Schedule(this, 'schedule', {
      metadata: {
        name,
        namespace: veleroNamespace,
        labels: recommendedLabels({ name: BACKUP_NAME, instance, component: 'backup' }),
      },
      spec: {
        schedule: props.schedule ?? DEFAULT_SCHEDULE,
        template: {
          includedNamespaces: [props.namespace],
          snapshotVolumes: true,
          ttl: props.ttl ?? '720h',
          ...(props.storageLocation ? { storageLocation: props.storageLocation } : {}),
          ...(props.volumeSnapshotLocations ? { volumeSnapshotLocations: [...props.volumeSnapshotLocations] } : {}),
        },
      },
    });
    const m = props.veleroMetrics ?? VELERO_METRICS;
    return podJob({ jobName: VELERO_JOB, namespace: veleroNamespace, selector: { ...m.selector }, port: m.port });
  }

  /** The Job's ServiceAccount: create, wait for, list and delete VolumeSnapshots; get the given claims only. */
  private createRbac(
    props: BackupProps,
    metadata: (name: string) => { name: string; namespace: string; labels: Record<string, string> },
  ): void {
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
      subjects: [{ kind: 'ServiceAccount', name: BACKUP_NAME, namespace: props.namespace }],
    });
  }

  private createCronJob(
    props: BackupProps,
    o: {
      image: string;
      labels: Record<string, string>;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      checksum: string;
    },
  ): void {
    const { labels } = o;
    new k8s.KubeCronJob(this, 'cronjob', {
      metadata: o.metadata,
      spec: {
        schedule: props.schedule ?? DEFAULT_SCHEDULE,
        timeZone: props.timeZone ?? 'Etc/UTC',
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
              metadata: { labels, annotations: { 'checksum/config': o.checksum } },
              spec: {
                serviceAccountName: BACKUP_NAME,
                automountServiceAccountToken: true, // kubectl calls the Kubernetes API
                restartPolicy: 'OnFailure',
                securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: 'snapshot',
                    image: o.image,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['/bin/bash', '-c', SCRIPT],
                    env: [
                      { name: 'CLAIMS', value: props.claims.join(' ') },
                      { name: 'CLAIM_LABEL', value: CLAIM_LABEL },
                      { name: 'RETAIN', value: String(props.retain ?? 7) },
                      { name: 'READY_TIMEOUT', value: props.readyTimeout ?? '15m' },
                      // kubectl writes its discovery cache under $HOME: the only writable place is /tmp.
                      { name: 'HOME', value: '/tmp' },
                    ],
                    resources: resources(props.resources ?? BACKUP_RESOURCES),
                    securityContext: containerSecurity(),
                    volumeMounts: [
                      { name: 'snapshots', mountPath: '/etc/backup/snapshots', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
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

/** One typed VolumeSnapshot manifest per claim (file name -> YAML); generateName gives each run's snapshot a unique name. */
function snapshotManifests(props: BackupProps, instance: string, partOf: string): Record<string, string> {
  const snapshots: Record<string, string> = {};
  for (const claim of props.claims) {
    snapshots[`${claim}.yaml`] = toYaml(
      VolumeSnapshot.manifest({
        metadata: {
          generateName: `${claim}-`,
          namespace: props.namespace,
          labels: { ...selectorLabels(BACKUP_NAME, instance), 'app.kubernetes.io/part-of': partOf, [CLAIM_LABEL]: claim },
        },
        spec: {
          source: { persistentVolumeClaimName: claim },
          ...(props.volumeSnapshotClassName ? { volumeSnapshotClassName: props.volumeSnapshotClassName } : {}),
        },
      }),
    );
  }
  return snapshots;
}
