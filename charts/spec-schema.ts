/**
 * The MonitoringStack spec: one zod schema is the single source of the
 * TypeScript types (`MonitoringStackInput` as users write it,
 * `MonitoringStack` with every default applied), the defaults, and the JSON
 * Schema users point their editor at (`npm run schema` writes
 * monitoring-stack.schema.json).
 *
 * Conventions: every object is strict (an unknown field is an error), every
 * optional field has a default in the schema rather than in a construct, and
 * each component's sections live in its folder (charts/components/<name>/spec.ts),
 * composed here from the registry.
 */
import { z } from 'zod';
import { dnsLabel } from './spec/formats';
import { clusterName } from './spec/secret-ref';
import { COMPONENTS, specSections } from './registry';
import { JOBS } from './core/names';
import { sizingSchema } from './spec/section-sizing';

export const API_VERSION = 'monitoring.cdk8s-ai.dev/v1alpha1';
export const KIND = 'MonitoringStack';

export { imageSchema, resourcesSchema, type Resources } from './spec/common';
export { SERVICE_KINDS } from './kinds';

export const specSchema = z
  .strictObject({
    namespace: dnsLabel().default('monitoring').describe('namespace of the stack (Pod Security "restricted")'),
    agentNamespace: dnsLabel()
      .optional()
      .describe('namespace of the node agents that need host access (Pod Security "privileged"); defaults to <namespace>-agents'),
    // Scale-out (issue 12): the cluster's name, on everything that leaves it.
    cluster: clusterName()
      .optional()
      .describe(
        'name of this cluster: the "cluster" label on every series and alert sent out, on every log stream, a dashboard variable and the Teams card; required with remote write, agent mode, external Loki or Grafana datasource overrides',
      ),
    // Every component's sections, in registry order (charts/registry.ts).
    ...specSections(),
    // The expected cluster: sizes of Prometheus, Loki and kube-state-metrics follow it (the loader derives them).
    sizing: sizingSchema,
  })
  .prefault({})
  .superRefine((spec, ctx) => {
    // Each component's own cross-field checks (ComponentDef.specChecks), in registry order, tagged so the
    // loader reports them only once every field is valid (a wrong field's default would mislead them).
    const cross: z.RefinementCtx = Object.assign(Object.create(ctx) as z.RefinementCtx, {
      addIssue: (issue: Parameters<z.RefinementCtx['addIssue']>[0]) =>
        ctx.addIssue(
          typeof issue === 'string' ? issue : { ...issue, params: { ...(issue as { params?: object }).params, crossCheck: true } },
        ),
    });
    for (const c of COMPONENTS) c.specChecks?.(spec, cross);
    // Jobs of components whose names live only in their folder (ComponentDef.jobs); the services component checks JOBS.
    const shared = new Set<string>(Object.values(JOBS));
    const componentJobs = new Set(COMPONENTS.flatMap((c) => c.jobs ?? []).filter((j) => !shared.has(j)));
    spec.services.forEach((s, i) => {
      if (componentJobs.has(s.name))
        cross.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `"${s.name}" is the job of a built-in component; rename the service`,
        });
    });
    if (spec.agentNamespace === undefined && spec.namespace.length > 63 - '-agents'.length && spec.namespace.length <= 63) {
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: `the node agents' namespace defaults to "${spec.namespace}-agents", longer than the 63 characters a namespace may have: shorten spec.namespace to at most 56 characters or set spec.agentNamespace`,
      });
    }
    if (spec.agentNamespace !== undefined && spec.agentNamespace === spec.namespace) {
      ctx.addIssue({
        code: 'custom',
        path: ['agentNamespace'],
        message:
          'must differ from spec.namespace: the node agents need the "privileged" Pod Security level, the rest of the stack runs "restricted"',
      });
    }
  });

export const monitoringStackSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: (i) => `expected "${API_VERSION}", found ${JSON.stringify(i.input)}` }),
  kind: z.literal(KIND, { error: (i) => `expected "${KIND}", found ${JSON.stringify(i.input)}` }),
  metadata: z.strictObject({
    name: dnsLabel().describe('instance name: the app.kubernetes.io/instance label of every object'),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: specSchema,
});

/** The spec as a user writes it (every default optional). */
export type MonitoringStackInput = z.input<typeof monitoringStackSchema>;
/** The spec with every default applied: what constructs receive. */
export type MonitoringStackSpec = z.output<typeof monitoringStackSchema>;
export type Spec = MonitoringStackSpec['spec'];
/** One declared service (spec.services[]). */
export type ServiceSpec = Spec['services'][number];
