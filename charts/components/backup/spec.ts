/**
 * `spec.backup`: scheduled backups of the stack's volumes (Prometheus, Loki,
 * Grafana, Alertmanager).
 *
 *   backup: { enabled: true, method: volumesnapshot, schedule: "0 2 * * *", volumeSnapshot: { retain: 7 } }
 *   backup: { enabled: true, method: velero, schedule: "0 2 * * *", velero: { ttl: 720h } }
 */
import { z } from 'zod';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { dnsLabel, duration, labelSelector, port } from '../../spec/formats';
import { cronIntervalMinutes } from '../../core/cron';
import { BACKUP_RESOURCES, DEFAULT_SCHEDULE, VELERO_METRICS } from './construct';

const cron = () =>
  z.string().superRefine((s, ctx) => {
    try {
      cronIntervalMinutes(s);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a cron schedule of five fields such as "0 2 * * *" (minute hour day-of-month month day-of-week), found ${JSON.stringify(s)}: ${(e as Error).message}`,
      });
    }
  });

export const backupSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('back up the volumes of Prometheus, Loki, Grafana and Alertmanager on a schedule'),
    method: z
      .enum(['volumesnapshot', 'velero'], { error: (i) => `expected "volumesnapshot" or "velero", found ${JSON.stringify(i.input)}` })
      .default('volumesnapshot')
      .describe(
        'volumesnapshot: a CronJob taking CSI VolumeSnapshots (needs a CSI driver with snapshot support and the snapshot CRDs); velero: a Velero Schedule (needs Velero installed)',
      ),
    schedule: cron().default(DEFAULT_SCHEDULE).describe("cron schedule (UTC for Velero; the CronJob's timeZone otherwise)"),
    timeZone: z.string().min(1).default('Etc/UTC').describe('time zone of the CronJob schedule (volumesnapshot)'),
    volumeSnapshot: z
      .strictObject({
        volumeSnapshotClassName: z.string().min(1).optional().describe('VolumeSnapshotClass; the cluster default class when unset'),
        retain: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(7)
          .describe('snapshots kept per volume; older ones are deleted after each successful run'),
        image: imageSchema().optional().describe('override the pinned kubectl image (needs bash, kubectl, head, xargs)'),
        readyTimeout: duration().default('15m').describe('how long a snapshot may take to become readyToUse before the run fails'),
        resources: resourcesSchema(BACKUP_RESOURCES),
      })
      .prefault({}),
    velero: z
      .strictObject({
        namespace: dnsLabel().default('velero').describe('namespace Velero runs in (where Schedules live)'),
        ttl: duration().default('720h').describe('how long Velero keeps each backup'),
        storageLocation: z.string().min(1).optional().describe("BackupStorageLocation; Velero's default when unset"),
        volumeSnapshotLocations: z.array(z.string().min(1)).optional().describe("VolumeSnapshotLocations; Velero's defaults when unset"),
        metrics: z
          .strictObject({
            selector: labelSelector()
              .default({ ...VELERO_METRICS.selector })
              .describe('labels of the Velero server pods (Helm chart default)'),
            port: port()
              .default(VELERO_METRICS.port)
              .describe("container port of Velero's /metrics (8085, named http-monitoring by the Helm chart)"),
          })
          .prefault({})
          .describe('Prometheus scrapes Velero for velero_backup_last_successful_timestamp'),
      })
      .prefault({}),
  })
  .prefault({});

export type BackupSpec = z.output<typeof backupSchema>;

/** What spec.backup needs from the rest of the spec. */
export function backupCrossChecks(
  spec: { backup: BackupSpec; kubeStateMetrics: { enabled: boolean } },
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  if (spec.backup.enabled && spec.backup.method === 'volumesnapshot' && !spec.kubeStateMetrics.enabled) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'method'],
      message:
        "the volumesnapshot backup alert reads the CronJob's last success from kube-state-metrics, which spec.kubeStateMetrics.enabled: false turns off; enable kube-state-metrics or use method: velero",
    });
  }
}
