/**
 * Upgrade safety (charts/lib/upgrade-check.ts): synth compares the new
 * manifests with the previous dist/ and refuses, with migration steps, the
 * changes Kubernetes cannot apply in place, unless --allow-recreate is given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { formatUnsafeChanges, unsafeChanges } from '../../charts/lib/upgrade-check';
import { testTempDir } from '../lib/tmp';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

const sts = (over: Record<string, unknown> = {}, size = '50Gi') => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'prometheus', namespace: 'monitoring' },
  spec: {
    replicas: 2,
    serviceName: 'prometheus',
    podManagementPolicy: 'Parallel',
    selector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    volumeClaimTemplates: [
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
    ],
    ...over,
  },
});

describe('changes Kubernetes refuses to apply in place', () => {
  test('a bigger StatefulSet volume: the PVCs are patched, the StatefulSet recreated with --cascade=orphan', () => {
    const [c, ...rest] = unsafeChanges([sts()], [sts({}, '100Gi')]);
    expect(rest).toEqual([]);
    expect(c.field).toBe('spec.volumeClaimTemplates');
    expect(c.steps.join('\n')).toContain(
      `kubectl -n monitoring patch pvc data-prometheus-0 -p '{"spec":{"resources":{"requests":{"storage":"100Gi"}}}}'`,
    );
    expect(c.steps.join('\n')).toContain('data-prometheus-1');
    expect(c.steps.join('\n')).toContain('kubectl -n monitoring delete statefulset prometheus --cascade=orphan');
    expect(c.steps.join('\n')).toContain('allowVolumeExpansion');
  });

  test('a smaller volume, a selector, serviceName and podManagementPolicy are each reported', () => {
    expect(unsafeChanges([sts()], [sts({}, '10Gi')])[0].steps.join('\n')).toContain('cannot shrink');
    expect(unsafeChanges([sts()], [sts({ selector: { matchLabels: { app: 'x' } } })]).map((c) => c.field)).toEqual(['spec.selector']);
    expect(unsafeChanges([sts()], [sts({ serviceName: 'prom' })]).map((c) => c.field)).toEqual(['spec.serviceName']);
    expect(unsafeChanges([sts()], [sts({ podManagementPolicy: 'OrderedReady' })]).map((c) => c.field)).toEqual([
      'spec.podManagementPolicy',
    ]);
    const deploy = (sel: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'grafana', namespace: 'monitoring' },
      spec: { selector: { matchLabels: sel } },
    });
    expect(unsafeChanges([deploy({ a: '1' })], [deploy({ a: '2' })]).map((c) => c.object)).toEqual(['Deployment monitoring/grafana']);
  });

  test('PVC shrink and class change, Service clusterIP change; growth, new and removed objects are fine', () => {
    const pvc = (storage: string, cls?: string) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'grafana', namespace: 'monitoring' },
      spec: { storageClassName: cls, resources: { requests: { storage } } },
    });
    expect(unsafeChanges([pvc('10Gi')], [pvc('5Gi')]).map((c) => c.field)).toEqual(['spec.resources.requests.storage']);
    expect(unsafeChanges([pvc('10Gi', 'a')], [pvc('10Gi', 'b')]).map((c) => c.field)).toEqual(['spec.storageClassName']);
    expect(unsafeChanges([pvc('10Gi')], [pvc('20Gi')])).toEqual([]);
    const svc = (clusterIP?: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'prometheus', namespace: 'monitoring' },
      spec: { clusterIP },
    });
    expect(unsafeChanges([svc('None')], [svc(undefined)]).map((c) => c.field)).toEqual(['spec.clusterIP']);
    expect(unsafeChanges([svc()], [svc()])).toEqual([]);
    expect(unsafeChanges([], [sts()])).toEqual([]);
    expect(unsafeChanges([sts()], [])).toEqual([]);
    expect(formatUnsafeChanges(unsafeChanges([sts()], [sts({ serviceName: 'x' })]), 'dist')).toContain('--allow-recreate');
  });
});

describe('synth against the previous dist/', () => {
  test('changing prometheus.storage.size is refused with the steps, dist/ untouched; --allow-recreate writes it', () => {
    const dir = testTempDir('upgrade-');
    const spec = (size: string) =>
      [
        'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1',
        'kind: MonitoringStack',
        'metadata: { name: demo }',
        'spec:',
        `  prometheus: { storage: { size: ${size} } }`,
      ].join('\n');
    const run = (size: string, ...flags: string[]) => {
      fs.writeFileSync(path.join(dir, 'monitoring.yaml'), spec(size));
      return spawnSync(TSX, [path.join(ROOT, 'main.ts'), ...flags], { cwd: dir, encoding: 'utf8', timeout: 60000 });
    };
    expect(run('50Gi').status).toBe(0);
    const before = fs.readFileSync(path.join(dir, 'dist', '10-prometheus.yaml'), 'utf8');
    const refused = run('100Gi');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('StatefulSet monitoring/prometheus spec.volumeClaimTemplates');
    expect(refused.stderr).toContain('kubectl -n monitoring patch pvc data-prometheus-0');
    expect(refused.stderr).toContain('--allow-recreate');
    expect(refused.stderr).toContain('dist/ was left unchanged');
    expect(fs.readFileSync(path.join(dir, 'dist', '10-prometheus.yaml'), 'utf8')).toBe(before);
    expect(run('100Gi', '--allow-recreate').status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist', '10-prometheus.yaml'), 'utf8')).toContain('storage: 100Gi');
    expect(run('100Gi').status).toBe(0); // no change since: nothing to refuse
  });
});
