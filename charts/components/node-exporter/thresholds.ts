/**
 * The thresholds of the host alerts (rules.ts), as fields of `spec.alerting.thresholds`: this folder owns
 * them, charts/registry.ts composes them into the alerting section.
 */
import { z } from 'zod';
import { duration } from '../../spec/formats';

const percent = (d: number, what: string) =>
  z
    .number()
    .gt(0, { error: `${what} is a percentage: greater than 0` })
    .max(100, { error: `${what} is a percentage: at most 100` })
    .default(d);

const warnCrit = (w: number, c: number, forDefault: string, what: string) =>
  z
    .strictObject({
      warning: percent(w, what).describe(`${what} (%) above which the warning alert fires`),
      critical: percent(c, what).describe(`${what} (%) above which the critical alert fires`),
      for: duration().default(forDefault).describe('how long the condition must hold'),
    })
    .prefault({})
    .refine((t) => t.warning < t.critical, { error: 'warning must be lower than critical' });

const warnOnly = (w: number, forDefault: string, what: string) =>
  z
    .strictObject({
      warning: percent(w, what).describe(`${what} (%) above which the alert fires`),
      for: duration().default(forDefault),
    })
    .prefault({});

/** `spec.alerting.thresholds.{hostCpu, hostMemory, hostDisk, hostInodes, diskFillHours}`. */
export function hostThresholdFields() {
  return {
    hostCpu: warnCrit(80, 90, '10m', 'node CPU usage'),
    hostMemory: warnCrit(85, 95, '5m', 'node memory usage'),
    hostDisk: warnCrit(85, 95, '5m', 'filesystem usage'),
    hostInodes: warnOnly(85, '5m', 'inode usage'),
    diskFillHours: z
      .number()
      .positive()
      .default(24)
      .describe('HostDiskWillFillSoon: fires when the linear trend fills a filesystem within this many hours'),
  };
}
