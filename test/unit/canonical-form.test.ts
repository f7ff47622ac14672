/**
 * Manifests in the form the API server stores them, so a second `kubectl apply` changes nothing and
 * `kubectl apply --server-side` after a client-side apply meets no conflict (issue 21). One check per cause the
 * control-plane tests found (test/cluster/*.test.ts run the same stacks against kube-apiserver 1.36.3):
 * quantities, zero-valued probe fields, claim templates, fieldRef apiVersion, Gateway API defaults, empty maps.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { MonitoringStack } from '../../charts/stack';
import { renderManifests } from '../../charts/app/output';
import { readSpecFile } from '../../charts/spec-load';
import { parseManifestTexts, unsafeChanges } from '../../charts/lib/upgrade-check';
import { canonicalQuantity } from '../../charts/core/quantity';
import { ROOT } from '../lib/tools';
import * as fs from 'fs';

const SPECS = [
  'monitoring.yaml',
  ...fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `examples/${f}`),
];

function objectsOf(spec: string): any[] {
  const stack = new MonitoringStack(new App(), 'stack', { spec: readSpecFile(path.join(ROOT, spec)) });
  return parseManifestTexts(renderManifests(stack)) as any[];
}

const STACKS = SPECS.map((s) => [s, objectsOf(s)] as const);

function podSpecOf(o: any): any {
  return o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
}

/** [where, value] of every quantity a manifest writes (resource lists, claim sizes, emptyDir limits, quotas). */
function quantities(o: any): [string, string][] {
  const out: [string, string][] = [];
  const id = `${o.kind}/${o.metadata?.name}`;
  const list = (where: string, l: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(l ?? {})) out.push([`${where}.${k}`, String(v)]);
  };
  const pod = podSpecOf(o);
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    list(`${id} ${c.name} requests`, c.resources?.requests);
    list(`${id} ${c.name} limits`, c.resources?.limits);
  }
  for (const v of pod?.volumes ?? [])
    if (v.emptyDir?.sizeLimit !== undefined) out.push([`${id} emptyDir ${v.name}`, String(v.emptyDir.sizeLimit)]);
  for (const t of o.kind === 'StatefulSet' ? (o.spec.volumeClaimTemplates ?? []) : [])
    list(`${id} claim ${t.metadata.name}`, t.spec.resources?.requests);
  if (o.kind === 'PersistentVolumeClaim') list(id, o.spec.resources?.requests);
  if (o.kind === 'ResourceQuota') list(id, o.spec.hard);
  return out;
}

describe.each(STACKS)('%s', (_spec, objects) => {
  it('writes every quantity as the API server does (1024Mi is 1Gi, 1000m is 1)', () => {
    const all = objects.flatMap(quantities);
    expect(all.length).toBeGreaterThan(0);
    expect(
      all.filter(([, q]) => canonicalQuantity(q) !== q).map(([w, q]) => `${w}: ${q} (the server writes ${canonicalQuantity(q)})`),
    ).toEqual([]);
  });

  it('leaves out probe fields at the zero the server drops (initialDelaySeconds: 0)', () => {
    const zeros: string[] = [];
    for (const o of objects) {
      for (const c of [...(podSpecOf(o)?.initContainers ?? []), ...(podSpecOf(o)?.containers ?? [])]) {
        for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          for (const [k, v] of Object.entries(c[p] ?? {})) if (v === 0) zeros.push(`${o.kind}/${o.metadata.name} ${c.name} ${p}.${k}`);
        }
      }
    }
    expect(zeros).toEqual([]);
  });

  it('writes claim templates whole: apiVersion, kind, volumeMode and the Pending status the server stores', () => {
    for (const sts of objects.filter((o) => o.kind === 'StatefulSet')) {
      for (const t of sts.spec.volumeClaimTemplates ?? []) {
        expect({ sts: sts.metadata.name, apiVersion: t.apiVersion, kind: t.kind, volumeMode: t.spec.volumeMode, status: t.status }).toEqual(
          {
            sts: sts.metadata.name,
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            volumeMode: 'Filesystem',
            status: { phase: 'Pending' },
          },
        );
      }
    }
  });

  it('writes the apiVersion of every fieldRef (server-side apply treats a fieldRef as one value)', () => {
    const refs = objects.flatMap((o) =>
      [...(podSpecOf(o)?.initContainers ?? []), ...(podSpecOf(o)?.containers ?? [])].flatMap((c: any) =>
        (c.env ?? [])
          .filter((e: any) => e.valueFrom?.fieldRef)
          .map((e: any) => ({ at: `${o.metadata.name} ${c.name} ${e.name}`, ...e.valueFrom.fieldRef })),
      ),
    );
    for (const r of refs) expect(r).toEqual({ at: r.at, apiVersion: 'v1', fieldPath: r.fieldPath });
  });

  it('writes out every field the Gateway API CRDs default (group, kind, weight, the default match)', () => {
    for (const r of objects.filter((o) => o.kind === 'HTTPRoute')) {
      for (const p of r.spec.parentRefs) expect(p).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway' });
      for (const rule of r.spec.rules) {
        expect(rule.matches?.length).toBeGreaterThan(0);
        for (const m of rule.matches) expect(m.path).toMatchObject({ type: expect.any(String), value: expect.any(String) });
        for (const b of rule.backendRefs ?? []) expect(b).toMatchObject({ group: '', kind: 'Service', weight: 1 });
      }
    }
    for (const g of objects.filter((o) => o.kind === 'Gateway')) {
      for (const l of g.spec.listeners) {
        expect(l.allowedRoutes).toEqual({ namespaces: { from: 'Same' } });
        for (const c of l.tls?.certificateRefs ?? []) expect(c).toMatchObject({ group: '', kind: 'Secret' });
        if (l.tls) expect(l.tls.mode).toBe('Terminate');
      }
    }
    for (const i of objects.filter((o) => o.kind === 'ClusterIssuer')) {
      for (const s of i.spec.acme?.solvers ?? []) {
        for (const p of s.http01?.gatewayHTTPRoute?.parentRefs ?? [])
          expect(p).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway' });
      }
    }
  });

  it('writes no empty map the server drops (ConfigMap data, labels, annotations)', () => {
    const empty = (v: unknown) => v !== undefined && v !== null && typeof v === 'object' && Object.keys(v).length === 0;
    const found = objects.flatMap((o) =>
      [
        ...(o.kind === 'ConfigMap' || o.kind === 'Secret' ? ['data', 'binaryData', 'stringData'].filter((k) => empty(o[k])) : []),
        ...['labels', 'annotations'].filter((k) => empty(o.metadata?.[k])).map((k) => `metadata.${k}`),
      ].map((k) => `${o.kind}/${o.metadata.name} ${k}`),
    );
    expect(found).toEqual([]);
  });
});

describe('the upgrade check compares claim templates as the server does', () => {
  const sts = (storage: string, volumeMode?: string) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'prometheus', namespace: 'monitoring' },
    spec: {
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...(volumeMode ? { volumeMode } : {}) },
        },
      ],
    },
  });

  it('sees no change when a size is only written canonically (1024Mi → 1Gi) or volumeMode is written out', () => {
    expect(unsafeChanges([sts('1024Mi')], [sts('1Gi', 'Filesystem')])).toEqual([]);
  });

  it('still refuses a real change of size or volume mode', () => {
    expect(unsafeChanges([sts('1Gi')], [sts('2Gi')]).map((c) => c.field)).toEqual(['spec.volumeClaimTemplates']);
    expect(unsafeChanges([sts('1Gi')], [sts('1Gi', 'Block')]).map((c) => c.field)).toEqual(['spec.volumeClaimTemplates']);
  });
});
