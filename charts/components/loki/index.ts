/** Registry entry: Loki (single binary), the log store; the collector (promtail or alloy) pushes to it. */
import { remoteFlow, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { eventsShipped } from '../../core/events';
import { stackProps, type StackContext } from '../../core/context';
import { ExternalLoki, Loki, type LokiProps } from './construct';
import { LOG_ERROR_RATE_ALERT } from './ruler';
import { logsRules } from './rules';
import { objectStoreEndpoints } from './spec';
import { metadataCredentialsWarning } from '../../core/remote';
import type { z } from 'zod';

export * from './construct';
export * from './spec';
export * from './loki-config';
export * from './ruler';

/** The typed step from the parsed spec to the construct's props (mode single-binary or simple-scalable). */
export function lokiProps(spec: Spec, context: StackContext): Omit<LokiProps, 'prometheus'> {
  const l = spec.loki;
  return {
    ...stackProps(context),
    image: l.image,
    mode: l.mode === 'simple-scalable' ? 'simple-scalable' : 'single-binary',
    retention: l.retention,
    storage: l.storage,
    simpleScalable: l.simpleScalable,
    resources: l.resources,
    limits: l.limits,
    ruler: l.ruler,
    serviceAccountAnnotations: l.serviceAccountAnnotations,
    eventAlerts: eventsShipped(spec),
    cluster: spec.cluster,
  };
}

/** Ruler alert names: unique, and not the built-in error-rate alert's (the ruler would load two). */
function rulerAlertNameChecks(spec: Spec, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  spec.loki.ruler.rules.forEach((r, i) => {
    const at = ['loki', 'ruler', 'rules', i, 'alert'];
    if (r.alert === LOG_ERROR_RATE_ALERT && spec.loki.ruler.errorRate.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: `"${r.alert}" is the built-in error-rate alert (spec.loki.ruler.errorRate); rename yours or set errorRate.enabled: false`,
      });
    } else if (seen.has(r.alert)) {
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: `duplicate alert name "${r.alert}" (also rules[${seen.get(r.alert)}]); give each log alert its own name`,
      });
    } else seen.set(r.alert, i);
  });
}

/** Object storage: the block of the chosen type is present, no other is, and since only with object storage. */
function storageChecks(spec: Spec, ctx: z.RefinementCtx): void {
  const st = spec.loki.storage;
  for (const t of ['s3', 'gcs', 'azure'] as const) {
    if (st.type === t && !st[t])
      ctx.addIssue({
        code: 'custom',
        path: ['loki', 'storage', t],
        message: `storage.type is "${t}": add storage.${t} (bucket and, by reference, credentials)`,
      });
    if (st.type !== t && st[t])
      ctx.addIssue({
        code: 'custom',
        path: ['loki', 'storage', t],
        message: `storage.${t} is set but storage.type is "${st.type}": set type: ${t} or remove the block`,
      });
  }
  if (st.since && st.type === 'filesystem')
    ctx.addIssue({
      code: 'custom',
      path: ['loki', 'storage', 'since'],
      message: 'since applies to object storage only (the day object storage starts)',
    });
}

/** Simple-scalable mode: object storage, and no more copies than write pods. */
function simpleScalableChecks(spec: Spec, ctx: z.RefinementCtx): void {
  const l = spec.loki;
  if (l.mode === 'simple-scalable' && l.storage.type === 'filesystem') {
    ctx.addIssue({
      code: 'custom',
      path: ['loki', 'storage', 'type'],
      message: 'simple-scalable mode shares chunks and index between pods: use object storage (s3, gcs or azure)',
    });
  }
  if (l.mode === 'simple-scalable' && l.simpleScalable.replicationFactor > l.simpleScalable.write.replicas) {
    ctx.addIssue({
      code: 'custom',
      path: ['loki', 'simpleScalable', 'replicationFactor'],
      message: `must not exceed simpleScalable.write.replicas (${l.simpleScalable.write.replicas}): each copy lives on a different write pod`,
    });
  }
}

/** External mode: the external block and a cluster label, no local ruler; the external block only in external mode. */
function externalModeChecks(spec: Spec, ctx: z.RefinementCtx): void {
  const l = spec.loki;
  if (l.mode === 'external') {
    if (!l.external)
      ctx.addIssue({
        code: 'custom',
        path: ['loki', 'external'],
        message: 'mode external: add external.pushUrl (and tenant, auth by Secret reference)',
      });
    if (!spec.cluster)
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'required with spec.loki.mode external: the "cluster" stream label keeps this cluster\'s logs apart in the shared Loki',
      });
    if (l.ruler.enabled)
      ctx.addIssue({
        code: 'custom',
        path: ['loki', 'ruler', 'enabled'],
        message: "mode external: the external Loki's ruler evaluates log alerts; load the rules there (docs/scaling-out.md)",
      });
  } else if (l.external) {
    ctx.addIssue({
      code: 'custom',
      path: ['loki', 'external'],
      message: `external is set but mode is "${l.mode}": set mode: external or remove the block`,
    });
  }
}

export const component: ComponentDef<Spec> = {
  name: 'loki',
  workload: true,
  image: 'loki',
  files: ['30-loki'],
  ports: { http: PORTS.lokiHttp, grpc: PORTS.lokiGrpc, memberlist: PORTS.lokiMemberlist },
  jobs: [JOBS.loki],
  ruleAreas: [logsRules],
  flows: [
    { from: 'prometheus', to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'scrape' },
    { from: 'loki', to: 'alertmanager', ports: tcp(PORTS.alertmanager), why: 'ruler alerts' },
    {
      from: 'loki',
      to: 'loki',
      ports: tcp(PORTS.lokiHttp, PORTS.lokiGrpc, PORTS.lokiMemberlist),
      why: 'single binary calling itself (HTTP, gRPC, memberlist)',
    },
  ],
  enabled: (spec) => spec.loki.enabled,
  // Egress to object storage from every Loki target (all of them read or write chunks).
  specFlows: (spec) =>
    spec.loki.mode === 'external' ? [] : objectStoreEndpoints(spec.loki.storage).map((e) => remoteFlow('loki', e.url, e.why)),
  warnings: (spec) => {
    const st = spec.loki.storage;
    if (!spec.networkPolicies.enabled || spec.loki.mode === 'external') return [];
    const irsa = 'eks.amazonaws.com/role-arn' in spec.loki.serviceAccountAnnotations;
    const uses = [
      ...(st.type === 'gcs' && !st.gcs?.credentials ? ['spec.loki.storage.gcs (no credentials: Workload Identity)'] : []),
      ...(st.type === 's3' && !st.s3?.credentials && !st.s3?.endpoint && !irsa
        ? ['spec.loki.storage.s3 (no credentials, no IRSA annotation)']
        : []),
    ];
    return metadataCredentialsWarning(
      uses,
      'give the storage credentials from a Secret, or IRSA (spec.loki.serviceAccountAnnotations eks.amazonaws.com/role-arn)',
    );
  },
  specChecks: (spec, ctx) => {
    rulerAlertNameChecks(spec, ctx);
    // Scale-out (issue 12): object storage, simple-scalable, external.
    storageChecks(spec, ctx);
    simpleScalableChecks(spec, ctx);
    externalModeChecks(spec, ctx);
  },
  build: ({ chart, context, spec, prometheus, offer }) => {
    const loki =
      spec.loki.mode === 'external'
        ? new ExternalLoki({ namespace: context.namespace, external: spec.loki.external! })
        : new Loki(chart('30-loki', 'loki'), 'loki', { ...lokiProps(spec, context), prometheus });
    offer('logPush', loki);
    return loki;
  },
};
