/**
 * Resources follow the load (issue 11): the default (small cluster) stack
 * stays within its request budget, the README sizing table is what synth
 * emits, and every derived value can be overridden field by field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SIZING_HEADER, SIZING_NODES, sizingRow } from '../lib/sizing-table';
import { find, synth, synthFile } from '../lib/synth';
import type { K8sObject } from '../lib/k8s-validate';

const ROOT = path.join(__dirname, '..', '..');
const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
const mib = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/.exec(q)!;
  return Number(m[1]) * { Ki: 1 / 1024, Mi: 1, Gi: 1024 }[m[2] as 'Ki' | 'Mi' | 'Gi'];
};

/** Requests of the workloads that run once (times replicas), and of the DaemonSets that run on every node (not GPU-only). */
function requests(objects: K8sObject[]): { cluster: { cpu: number; mib: number }; perNode: { cpu: number; mib: number } } {
  const out = { cluster: { cpu: 0, mib: 0 }, perNode: { cpu: 0, mib: 0 } };
  for (const o of objects as any[]) {
    const pod = o.spec?.template?.spec;
    if (!pod || !['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) continue;
    const everyNode = o.kind === 'DaemonSet';
    if (everyNode && JSON.stringify({ s: pod.nodeSelector ?? {}, a: pod.affinity?.nodeAffinity ?? {} }).includes('nvidia')) continue; // GPU nodes only (selector or required node affinity)
    const replicas = everyNode ? 1 : (o.spec.replicas ?? 1);
    const into = everyNode ? out.perNode : out.cluster;
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      into.cpu += cpu(c.resources.requests.cpu) * replicas;
      into.mib += mib(c.resources.requests.memory) * replicas;
    }
  }
  return out;
}

describe('the default (small cluster) stack requests', () => {
  test.each([
    ['monitoring.yaml (dist/, promtail)', synthFile().objects],
    ['alloy as the log collector', synth({ logs: { collector: 'alloy' } }).objects],
  ])('%s: <= 1 CPU / 2.5 GiB cluster-wide, <= 0.2 CPU / 384 MiB per node', (_name, objects) => {
    const r = requests(objects);
    expect(r.cluster.cpu).toBeLessThanOrEqual(1);
    expect(r.cluster.mib).toBeLessThanOrEqual(2.5 * 1024);
    expect(r.perNode.cpu).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(r.perNode.mib).toBeLessThanOrEqual(384);
    expect(r.cluster.cpu).toBeGreaterThan(0.1); // the check sees the workloads
  });

  test("docs/configuration.md states the default stack's requests", () => {
    const r = requests(synthFile().objects);
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      `The default stack (3 nodes) requests ${r.cluster.cpu.toFixed(2)} CPU and ${(r.cluster.mib / 1024).toFixed(2)} GiB cluster-wide and ${r.perNode.cpu.toFixed(2)} CPU / ${Math.round(r.perNode.mib)} MiB per node`,
    );
  });
});

describe('sizing from spec.sizing', () => {
  test('the sizing table of docs/configuration.md is what synth emits (3, 20 and 100 nodes)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8').split('\n');
    const at = readme.indexOf(SIZING_HEADER);
    expect(at).toBeGreaterThan(0);
    expect(readme.slice(at + 2, at + 2 + SIZING_NODES.length)).toEqual(SIZING_NODES.map(sizingRow));
  });

  test('more nodes, more of everything', () => {
    const rows = SIZING_NODES.map((n) => sizingRow(n).split(' | '));
    expect(Number(rows[2][1])).toBeGreaterThan(Number(rows[1][1]));
    expect(Number(rows[1][1])).toBeGreaterThan(Number(rows[0][1]));
  });

  test('every derived value is overridable, field by field', () => {
    const { objects } = synth({
      sizing: { nodes: 50 },
      prometheus: { resources: { requests: { memory: '3Gi' } }, storage: { size: '200Gi' } },
      loki: { storage: { size: '5Gi' } },
      kubeStateMetrics: { resources: { limits: { cpu: '2' } } },
    });
    const prom = find(objects, 'StatefulSet', 'prometheus');
    const c = prom.spec.template.spec.containers[0];
    expect(c.resources.requests.memory).toBe('3Gi');
    expect(c.resources.requests.cpu).toMatch(/m$/); // derived
    expect(prom.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('200Gi');
    expect(c.args).toContain('--storage.tsdb.retention.size=170GB'); // 85% of the volume it was given
    expect(find(objects, 'StatefulSet', 'loki').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
    const ksm = find(objects, 'Deployment', 'kube-state-metrics').spec.template.spec.containers[0].resources;
    expect(ksm.limits.cpu).toBe('2');
    expect(ksm.requests.memory).toBe('224Mi'); // derived: 96Mi + 2Mi x 50 nodes + 10KiB x 1,500 pods, rounded up
  });

  test('a bad cluster value is one clear error naming the field', () => {
    expect(() => synth({ sizing: { nodes: 0 } })).toThrow(/spec\.sizing\.nodes/);
  });
});
