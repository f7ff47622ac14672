/**
 * Upgrades on a real API server: the dist/ of commit 9f9f461 applied, then today's monitoring.yaml synthesized and
 * applied over it in place; and for changes the synth-time upgrade check (charts/lib/upgrade-check.ts) refuses, the
 * API server refuses them too, while changes it lets through the server accepts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseManifestTexts, unsafeChanges } from '../../charts/lib/upgrade-check';
import { type ControlPlane, startControlPlane } from '../lib/control-plane';
import { ROOT } from '../lib/tools';
import { applyLines, createPrerequisites, record, type Synthesized, synthesize, tempDir } from './stack';

const OLD = '9f9f461';

let cp: ControlPlane;
let parent: string;
let today: Synthesized;
const started = Date.now();

beforeAll(async () => {
  parent = tempDir('cluster-upgrade-');
  const old = path.join(parent, 'old');
  fs.mkdirSync(old);
  const files = execFileSync('git', ['ls-tree', '--name-only', `${OLD}:dist`], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.yaml'));
  for (const f of files)
    fs.writeFileSync(
      path.join(old, f),
      execFileSync('git', ['show', `${OLD}:dist/${f}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }),
    );
  today = synthesize('monitoring.yaml', parent);
  cp = await startControlPlane();
  // A default StorageClass, as every cluster README targets has: claims get its name when created.
  await cp.addStorageClass('standard', { isDefault: true });
  await createPrerequisites(cp, today);
  const r = await cp.kubectl(['apply', '-f', old]);
  if (r.code !== 0) throw new Error(`the dist/ of ${OLD} does not apply: ${r.stderr}`);
}, 300_000);

afterAll(async () => {
  await cp?.stop();
  if (parent) fs.rmSync(parent, { recursive: true, force: true });
  record('upgrade', { seconds: Math.round((Date.now() - started) / 100) / 10 });
  process.stdout.write(
    `cluster ${JSON.stringify({ stack: 'upgrade from ' + OLD, seconds: Math.round((Date.now() - started) / 100) / 10 })}\n`,
  );
}, 60_000);

it(`the synth-time check lets today's dist/ replace the dist/ of ${OLD}`, () => {
  expect(
    unsafeChanges(
      parseManifestTexts(fs.readdirSync(path.join(parent, 'old')).map((f) => [f, fs.readFileSync(path.join(parent, 'old', f), 'utf8')])),
      today.objects,
    ),
  ).toEqual([]);
});

it(`today's dist/ applies in place over the dist/ of ${OLD}`, async () => {
  const r = await cp.kubectl(['apply', '-f', today.dir]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(applyLines(r.stdout).length).toBe(today.objects.length);
});

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const find = (objects: any[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in monitoring.yaml's dist`);
  return o;
};

interface Change {
  readonly what: string;
  readonly kind: string;
  readonly name: string;
  readonly change: (o: any) => void;
}

/** Changes the check refuses (fields Kubernetes keeps immutable). */
const REFUSED: Change[] = [
  {
    what: 'a bigger Prometheus volume (volumeClaimTemplates)',
    kind: 'StatefulSet',
    name: 'prometheus',
    change: (o) => {
      o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '500Gi';
    },
  },
  {
    what: 'another StorageClass for Loki (volumeClaimTemplates)',
    kind: 'StatefulSet',
    name: 'loki',
    change: (o) => {
      o.spec.volumeClaimTemplates[0].spec.storageClassName = 'fast';
    },
  },
  {
    what: 'the StatefulSet serviceName',
    kind: 'StatefulSet',
    name: 'alertmanager',
    change: (o) => {
      o.spec.serviceName = 'alertmanager-peers';
    },
  },
  {
    what: 'the StatefulSet podManagementPolicy',
    kind: 'StatefulSet',
    name: 'prometheus',
    change: (o) => {
      o.spec.podManagementPolicy = o.spec.podManagementPolicy === 'Parallel' ? 'OrderedReady' : 'Parallel';
    },
  },
  {
    what: 'a Deployment selector',
    kind: 'Deployment',
    name: 'grafana',
    change: (o) => {
      o.spec.selector.matchLabels.tier = 'ui';
      o.spec.template.metadata.labels.tier = 'ui';
    },
  },
  {
    what: 'a DaemonSet selector',
    kind: 'DaemonSet',
    name: 'node-exporter',
    change: (o) => {
      o.spec.selector.matchLabels.tier = 'agent';
      o.spec.template.metadata.labels.tier = 'agent';
    },
  },
  {
    what: 'a smaller Grafana claim',
    kind: 'PersistentVolumeClaim',
    name: 'grafana',
    change: (o) => {
      o.spec.resources.requests.storage = '1Mi';
    },
  },
  {
    what: "the Grafana claim's StorageClass",
    kind: 'PersistentVolumeClaim',
    name: 'grafana',
    change: (o) => {
      o.spec.storageClassName = 'fast';
    },
  },
  {
    what: "the Grafana claim's access modes",
    kind: 'PersistentVolumeClaim',
    name: 'grafana',
    change: (o) => {
      o.spec.accessModes = ['ReadWriteMany'];
    },
  },
];

/** Changes the check lets through. */
const ACCEPTED: Change[] = [
  {
    what: 'Prometheus replicas',
    kind: 'StatefulSet',
    name: 'prometheus',
    change: (o) => {
      o.spec.replicas = 2;
    },
  },
  {
    what: 'a container image and resources in a StatefulSet template',
    kind: 'StatefulSet',
    name: 'loki',
    change: (o) => {
      o.spec.template.spec.containers[0].resources.limits.memory = '3Gi';
      o.spec.template.spec.containers[0].image += '-rc';
    },
  },
  {
    what: "a Deployment's pod labels (selector kept)",
    kind: 'Deployment',
    name: 'grafana',
    change: (o) => {
      o.spec.template.metadata.labels.tier = 'ui';
    },
  },
  {
    what: 'a DaemonSet update strategy',
    kind: 'DaemonSet',
    name: 'node-exporter',
    change: (o) => {
      o.spec.updateStrategy = { type: 'OnDelete' };
    },
  },
  {
    what: 'a Service port added',
    kind: 'Service',
    name: 'prometheus',
    change: (o) => {
      o.spec.ports.push({ name: 'extra', port: 9999, targetPort: 9999, protocol: 'TCP' });
    },
  },
  {
    what: "a ConfigMap's data",
    kind: 'ConfigMap',
    name: 'prometheus-config',
    change: (o) => {
      o.data = { ...o.data, 'extra.txt': 'x' };
    },
  },
];

describe('the upgrade check agrees with the API server', () => {
  async function applyChanged(c: Change): Promise<{ refusedByCheck: string[]; server: { code: number; stderr: string } }> {
    const next = clone(today.objects);
    const target = find(next, c.kind, c.name);
    c.change(target);
    const refusedByCheck = unsafeChanges(today.objects, next).map((u) => `${u.object} ${u.field}`);
    const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(target) });
    return { refusedByCheck, server: r };
  }

  it.each(REFUSED.map((c) => [c.what, c] as const))('refused by both: %s', async (_w, c) => {
    const { refusedByCheck, server } = await applyChanged(c);
    expect(refusedByCheck.length).toBeGreaterThan(0);
    expect(server.code).not.toBe(0);
    expect(server.stderr).toMatch(/immutable|Forbidden|Invalid value|can not be less than/);
  });

  it.each(ACCEPTED.map((c) => [c.what, c] as const))('accepted by both: %s', async (_w, c) => {
    const { refusedByCheck, server } = await applyChanged(c);
    expect(refusedByCheck).toEqual([]);
    expect(server.stderr).toBe('');
    expect(server.code).toBe(0);
    // back to today's object, so each change starts from the same state
    const back = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(find(today.objects, c.kind, c.name)) });
    expect(back.stderr).toBe('');
  });
});
