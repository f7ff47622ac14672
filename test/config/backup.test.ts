/**
 * spec.backup: each method synthesizes strictly valid objects (the Velero
 * Schedule and the VolumeSnapshot manifests against their CRDs, test/crds/),
 * with the RBAC it needs and nothing more; the backup alert passes promtool
 * (charts/components/backup/rules.methods.test.yaml) for both methods; cron periods.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { cronIntervalMinutes } from '../../charts/core/cron';
import { backupRules } from '../../charts/components/backup/rules';
import { SpecError, validateSpec } from '../../charts/spec-load';
import { renderRuleFile } from '../../rules';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { allGateProblems } from '../lib/gates';
import { validateObject } from '../lib/k8s-validate';
import { run, tempFiles } from '../lib/promtool';
import { find, stackDoc, synth } from '../lib/synth';

describe('method volumesnapshot', () => {
  const r = synth({
    backup: {
      enabled: true,
      method: 'volumesnapshot',
      schedule: '30 1 * * *',
      volumeSnapshot: { retain: 5, volumeSnapshotClassName: 'csi-snap' },
    },
  });

  test('every object strictly valid and through the security gates', () => {
    expect(allProblems(r.objects)).toEqual([]);
    expect(allGateProblems(r.objects)).toEqual([]);
  });

  test('one VolumeSnapshot manifest per stack claim, valid against the CRD', () => {
    const data = configMapData(r.objects, 'backup-snapshots');
    expect(Object.keys(data).sort()).toEqual(['data-alertmanager-0.yaml', 'data-loki-0.yaml', 'data-prometheus-0.yaml', 'grafana.yaml']);
    for (const text of Object.values(data)) {
      const snap = parse(text);
      expect(validateObject(snap)).toEqual([]);
      expect(snap.spec.volumeSnapshotClassName).toBe('csi-snap');
      expect(`${snap.spec.source.persistentVolumeClaimName}-`).toBe(snap.metadata.generateName);
    }
    // The validator does catch a field the CRD does not know.
    const bad = { ...parse(data['grafana.yaml']), spec: { source: { persistentVolumeClaimName: 'grafana' }, retain: 3 } };
    expect(validateObject(bad).join()).toMatch(/retain/);
  });

  test("the ServiceAccount may snapshot and prune, and read only the stack's claims", () => {
    const role = find(r.objects, 'Role', 'backup');
    expect(role.rules).toEqual([
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      {
        apiGroups: [''],
        resources: ['persistentvolumeclaims'],
        resourceNames: ['data-prometheus-0', 'data-loki-0', 'data-alertmanager-0', 'grafana'],
        verbs: ['get'],
      },
    ]);
    expect(r.objects.some((o) => o.kind === 'ClusterRoleBinding' && o.metadata?.name?.includes('backup'))).toBe(false);
    // Default deny: its only egress (besides DNS) is the API server.
    const np = find(r.objects, 'NetworkPolicy', 'backup');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'backup', 'app.kubernetes.io/instance': 'test-stack' });
    expect(np.spec.egress.map((e: { ports: { port: number }[] }) => e.ports.map((p) => p.port))).toEqual([[443, 6443]]);
  });

  test('a pinned kubectl image, non-root, read-only root filesystem, retention and schedule from the spec', () => {
    const cj = find(r.objects, 'CronJob', 'backup');
    expect(cj.spec.schedule).toBe('30 1 * * *');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toMatch(/^registry\.k8s\.io\/kubectl:v\d+\.\d+\.\d+$/);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.env).toContainEqual({ name: 'RETAIN', value: '5' });
    expect(c.env).toContainEqual({ name: 'HOME', value: '/tmp' });
  });
});

test('the Monitoring stack dashboard shows the age of the last successful backup, for either method', () => {
  for (const method of ['volumesnapshot', 'velero']) {
    const r = synth({ backup: { enabled: true, method } });
    const d = JSON.parse(configMapData(r.objects, 'grafana-dashboard-monitoring-stack')['monitoring-stack.json']);
    const p = d.panels.find((x: { title: string }) => x.title === 'Last successful backup');
    expect(p.targets[0].expr).toContain(
      method === 'velero' ? 'velero_backup_last_successful_timestamp' : 'kube_cronjob_status_last_successful_time',
    );
  }
});

describe('method velero', () => {
  const r = synth({
    backup: { enabled: true, method: 'velero', schedule: '0 3 * * *', velero: { ttl: '336h', storageLocation: 'default' } },
  });

  test('a Schedule valid against the Velero CRD, backing up the stack namespace with volume snapshots', () => {
    expect(allProblems(r.objects)).toEqual([]);
    const s = find(r.objects, 'Schedule', 'monitoring-volumes');
    expect(s.metadata.namespace).toBe('velero');
    expect(s.spec).toEqual({
      schedule: '0 3 * * *',
      template: { includedNamespaces: ['monitoring'], snapshotVolumes: true, storageLocation: 'default', ttl: '336h' },
    });
    expect(validateObject({ ...s, spec: { ...s.spec, template: { ...s.spec.template, snapshotVolume: true } } }).join()).toMatch(
      /snapshotVolume/,
    );
  });

  test('Prometheus scrapes Velero for the last successful backup', () => {
    const cfg = parse(configMapData(r.objects, 'prometheus-config')['prometheus.yml']);
    expect(cfg.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('velero');
    const np = find(r.objects, 'NetworkPolicy', 'prometheus');
    expect(np.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } },
        },
      ],
      ports: [{ port: 'http-monitoring', protocol: 'TCP' }],
    });
  });
});

test('the backup alert passes its promtool tests for both methods', () => {
  const render = (method: string) => {
    const spec = validateSpec(stackDoc({ backup: { enabled: true, method } }), 'test').spec;
    const f = backupRules({ spec });
    if (!f) throw new Error('no backup rules');
    return renderRuleFile(f);
  };
  const testFile = path.join(__dirname, '..', '..', 'charts', 'components', 'backup', 'rules.methods.test.yaml');
  const dir = tempFiles({
    'backup-volumesnapshot.yaml': render('volumesnapshot'),
    'backup-velero.yaml': render('velero'),
    'rules.methods.test.yaml': fs.readFileSync(testFile, 'utf8'),
  });
  try {
    for (const f of ['backup-volumesnapshot.yaml', 'backup-velero.yaml'])
      expect(run('promtool', ['check', 'rules', path.join(dir, f)]).status).toBe(0);
    const res = run('promtool', ['test', 'rules', path.join(dir, 'rules.methods.test.yaml')]);
    if (res.status !== 0) throw new Error(res.stdout + res.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cron periods: the longest gap between runs', () => {
  expect(cronIntervalMinutes('0 2 * * *')).toBe(1440);
  expect(cronIntervalMinutes('*/15 * * * *')).toBe(15);
  expect(cronIntervalMinutes('0 3 * * 0')).toBe(7 * 1440);
  expect(cronIntervalMinutes('30 1 * * 1-5')).toBe(3 * 1440);
  expect(cronIntervalMinutes('@daily')).toBe(1440);
});

test('a bad schedule is one clear error', () => {
  let problems: string[] = [];
  try {
    validateSpec(stackDoc({ backup: { enabled: true, schedule: '0 25 * * *' } }), 'case.yaml');
  } catch (e) {
    if (e instanceof SpecError) problems = e.problems;
  }
  expect(problems).toEqual([
    'spec.backup.schedule: expected a cron schedule of five fields such as "0 2 * * *" (minute hour day-of-month month day-of-week), found "0 25 * * *": hour "25" is outside 0-23',
  ]);
});

test('volumesnapshot without kube-state-metrics is refused (its alert would never fire)', () => {
  let problems: string[] = [];
  try {
    validateSpec(stackDoc({ backup: { enabled: true }, kubeStateMetrics: { enabled: false } }), 'case.yaml');
  } catch (e) {
    if (e instanceof SpecError) problems = e.problems;
  }
  expect(problems).toEqual([
    "spec.backup.method: the volumesnapshot backup alert reads the CronJob's last success from kube-state-metrics, which spec.kubeStateMetrics.enabled: false turns off; enable kube-state-metrics or use method: velero",
  ]);
});
