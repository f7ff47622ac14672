/** Registry entry: Prometheus, the hub every other component registers scrape jobs and rules with. */
import { ext, remoteFlow, tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec-schema';
import { externalUrls } from '../ingress/spec';
import { durationMs, promSizeBytes, quantityValue } from '../../spec/formats';
import { stackProps, type StackContext } from '../../core/context';
import { defaultRetentionSize, Prometheus, type PrometheusProps } from './construct';
import { checkRemoteWrites, remoteWriteEndpoints } from './remote-write';
import { metadataCredentialsWarning } from '../../core/remote';

export * from './construct';
export { annotationDiscoveryNamespaces, prometheusSchema, specSections } from './spec';
export * from './remote-write';
import { annotationDiscoveryNamespaces } from './spec';

/** The typed step from the parsed spec to the construct's props (everything defaulted by the schema is set). */
export function prometheusProps(spec: Spec, context: StackContext): PrometheusProps {
  const p = spec.prometheus;
  return {
    ...stackProps(context),
    image: p.image,
    replicas: p.replicas,
    retention: p.retention,
    retentionSize: p.retentionSize,
    storage: p.storage,
    agentStorage: p.agentStorage,
    scrapeInterval: p.scrapeInterval,
    scrapeTimeout: p.scrapeTimeout,
    evaluationInterval: p.evaluationInterval,
    externalLabels: p.externalLabels,
    externalUrl: p.externalUrl ?? externalUrls(spec.ingress).prometheus,
    mode: p.mode,
    otlp: p.otlp,
    remoteWrite: p.remoteWrite,
    replicaLabel: p.replicaLabel,
    serviceAccountAnnotations: p.serviceAccountAnnotations,
    resources: p.resources,
    annotationNamespaces: annotationDiscoveryNamespaces(spec),
    cluster: spec.cluster,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'prometheus',
  workload: true,
  image: 'prometheus',
  files: ['10-prometheus'],
  ports: { web: PORTS.prometheus },
  jobs: [JOBS.prometheus],
  ui: { service: 'prometheus', port: PORTS.prometheus },
  flows: [
    { from: 'prometheus', to: 'prometheus', ports: tcp(PORTS.prometheus), why: 'self-monitoring of every replica' },
    { from: 'prometheus', to: ext('api-server'), ports: tcp(443, 6443), why: 'Kubernetes service discovery' },
    {
      from: 'prometheus',
      to: ext('annotated-pods'),
      ports: [{ protocol: 'TCP' }],
      why: 'pods annotated prometheus.io/scrape in the namespaces of spec.services and spec.prometheus.annotationDiscovery (every namespace only with allNamespaces: true; their ports are not known in advance)',
    },
  ],
  // Egress to each remote write receiver and its token endpoints (docs/security.md).
  specFlows: (spec) => remoteWriteEndpoints(spec.prometheus.remoteWrite).map((e) => remoteFlow('prometheus', e.url, e.why)),
  warnings: (spec) => {
    if (!spec.networkPolicies.enabled) return [];
    const irsa = 'eks.amazonaws.com/role-arn' in spec.prometheus.serviceAccountAnnotations;
    const uses = spec.prometheus.remoteWrite.flatMap((rw) => [
      ...(rw.auth?.azuread?.managedIdentity ? [`spec.prometheus.remoteWrite ${rw.name} auth.azuread.managedIdentity`] : []),
      ...(rw.auth?.sigv4 && !rw.auth.sigv4.credentials && !irsa
        ? [`spec.prometheus.remoteWrite ${rw.name} auth.sigv4 (no credentials, no IRSA annotation)`]
        : []),
    ]);
    return metadataCredentialsWarning(
      uses,
      'use auth.azuread.sdk or auth.sigv4.credentials from a Secret, or IRSA (spec.prometheus.serviceAccountAnnotations eks.amazonaws.com/role-arn)',
    );
  },
  specChecks: (spec, ctx) => {
    const p = spec.prometheus;
    if ((durationMs(p.scrapeTimeout) ?? 0) > (durationMs(p.scrapeInterval) ?? 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'scrapeTimeout'],
        message: `must not exceed scrapeInterval (${p.scrapeInterval}), found "${p.scrapeTimeout}"`,
      });
    }
    const volume = quantityValue(p.storage.size) ?? 0;
    if (p.retentionSize !== undefined && (promSizeBytes(p.retentionSize) ?? 0) > volume) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'retentionSize'],
        message: `"${p.retentionSize}" is larger than the ${p.storage.size} volume (storage.size), so Prometheus would fill it: lower it to about 85% of the volume (${defaultRetentionSize(p.storage.size)}) or raise storage.size`,
      });
    }
    // Scale-out (issue 12).
    checkRemoteWrites(p.remoteWrite, ctx, ['prometheus', 'remoteWrite']);
    if (p.mode === 'agent' && p.remoteWrite.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'remoteWrite'],
        message: 'agent mode keeps no local storage: add at least one remoteWrite (the store that receives the samples)',
      });
    }
    if ((p.remoteWrite.length > 0 || p.mode === 'agent') && !spec.cluster) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message:
          'required with spec.prometheus.remoteWrite or agent mode: a name such as "gpu-prod-1", the "cluster" label that keeps this cluster\'s series apart in the shared store',
      });
    }
    if (p.externalLabels.cluster !== undefined && spec.cluster !== undefined && p.externalLabels.cluster !== spec.cluster) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'externalLabels', 'cluster'],
        message: `differs from spec.cluster ("${spec.cluster}"): remove it; spec.cluster is the cluster external label, the log stream label and the dashboard variable`,
      });
    }
    if (p.replicaLabel && ['cluster', ...Object.keys(p.externalLabels)].includes(p.replicaLabel)) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus', 'replicaLabel'],
        message: `"${p.replicaLabel}" is already an external label; choose another name such as "__replica__"`,
      });
    }
  },
  build: ({ chart, context, spec }) => new Prometheus(chart('10-prometheus', 'prometheus'), 'prometheus', prometheusProps(spec, context)),
};
