/**
 * Schema building blocks shared by schema.ts and the section-*.ts files.
 * A leaf module: section files import from here, not from schema.ts, which
 * imports them (a cycle would leave these undefined at load time).
 */
import { z } from 'zod';
import { quantity } from './formats';

/** Container resources: requests and limits for cpu and memory. */
export const resourcesSchema = (d: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }) =>
  z
    .strictObject({
      requests: z
        .strictObject({
          cpu: quantity('100m').default(d.requests.cpu).describe('CPU request'),
          memory: quantity('256Mi').default(d.requests.memory).describe('memory request'),
        })
        .prefault({}),
      limits: z
        .strictObject({
          cpu: quantity('1').default(d.limits.cpu).describe('CPU limit'),
          memory: quantity('512Mi').default(d.limits.memory).describe('memory limit'),
        })
        .prefault({}),
    })
    .prefault({})
    .describe('container resources (requests and limits)');

export type Resources = z.output<ReturnType<typeof resourcesSchema>>;

/** Image override: `repository:tag` pinned to a version (never `latest`). */
export const imageSchema = () =>
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._\-/:]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@sha256:[a-f0-9]{64})?$|^[a-z0-9][a-z0-9._\-/:]*@sha256:[a-f0-9]{64}$/,
      {
        error: (i) =>
          `expected an image pinned to a version such as "quay.io/prometheus/prometheus:v3.5.0" (a tag or a digest), found ${JSON.stringify(i.input)}`,
      },
    )
    .refine((s) => !/:latest(@|$)/.test(s), { error: 'the "latest" tag is not allowed: pin a version so rollouts are reproducible' });
