/**
 * Every volumeMount names a volume of its pod (issue 21): the real API server
 * refused examples/scale-out.yaml's StatefulSet (`containers[1].volumeMounts[1].name:
 * Not found: "rules"`, the config-reloader of agent mode) while the schema
 * checks and kubeconform passed it, since the reference is across fields.
 * Checked for monitoring.yaml and every example, every pod template of every
 * workload, every container and init container; a StatefulSet's
 * volumeClaimTemplates count as volumes, as the API server counts them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { MonitoringStack } from '../../charts/stack';
import { renderManifests } from '../../charts/app/output';
import { parseSpecYaml } from '../../charts/spec-load';
import { podTemplates } from '../lib/dist';
import type { K8sObject } from '../lib/k8s-validate';

const ROOT = path.join(__dirname, '..', '..');
const SPECS = [
  'monitoring.yaml',
  ...fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `examples/${f}`),
];

function objectsOf(file: string): K8sObject[] {
  const stack = new MonitoringStack(new App(), 'stack', { spec: parseSpecYaml(fs.readFileSync(path.join(ROOT, file), 'utf8'), file) });
  const out: K8sObject[] = [];
  for (const text of renderManifests(stack).values()) {
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as K8sObject | null;
      if (o?.kind) out.push(o);
    }
  }
  return out;
}

/** `Kind/name containers[i](name).volumeMounts[j]: "volume"` for every mount that names no volume of its pod. */
export function danglingMounts(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { object, podSpec } of podTemplates(objects)) {
    const claims = ((object.spec as Record<string, any>)?.volumeClaimTemplates ?? []).map(
      (c: { metadata?: { name?: string } }) => c.metadata?.name,
    );
    const volumes = new Set<string>([...(podSpec.volumes ?? []).map((v: { name: string }) => v.name), ...claims]);
    for (const field of ['initContainers', 'containers'] as const) {
      (podSpec[field] ?? []).forEach((c: { name: string; volumeMounts?: { name: string }[] }, i: number) => {
        (c.volumeMounts ?? []).forEach((m, j) => {
          if (!volumes.has(m.name))
            problems.push(`${object.kind}/${object.metadata?.name} ${field}[${i}](${c.name}).volumeMounts[${j}]: "${m.name}"`);
        });
      });
    }
  }
  return problems;
}

describe('every volumeMount names a volume of its pod', () => {
  test('the specs checked: monitoring.yaml and every example, scale-out (agent mode) among them', () => {
    expect(SPECS).toEqual(expect.arrayContaining(['monitoring.yaml', 'examples/scale-out.yaml']));
    expect(SPECS.length).toBeGreaterThan(5);
  });

  test.each(SPECS)('%s', (file) => {
    const objects = objectsOf(file);
    const templates = podTemplates(objects);
    expect(templates.length).toBeGreaterThan(3);
    expect(danglingMounts(objects)).toEqual([]);
  });

  test('the check finds a dangling mount (the agent-mode reloader as it was)', () => {
    const objects = objectsOf('examples/scale-out.yaml');
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'prometheus')!;
    const pod = (sts.spec as any).template.spec;
    expect(pod.volumes.map((v: { name: string }) => v.name)).not.toContain('rules'); // agent mode: no rules volume
    pod.containers[1].volumeMounts.push({ name: 'rules', mountPath: '/etc/prometheus/rules' });
    expect(danglingMounts(objects)).toEqual([
      `StatefulSet/prometheus containers[1](config-reloader).volumeMounts[${pod.containers[1].volumeMounts.length - 1}]: "rules"`,
    ]);
  });
});
