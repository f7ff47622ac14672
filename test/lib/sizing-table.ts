/**
 * The docs/configuration.md "Sizing" table as synth emits it: for a spec with
 * spec.sizing.nodes = N (monitoring.yaml's services), the Prometheus, Loki
 * and kube-state-metrics resources and volumes read from the synthesized
 * objects. test/unit/sizing.test.ts compares docs/configuration.md with it; `npx tsx
 * test/lib/sizing-table.ts` prints it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { MonitoringStack } from '../../charts/stack';
import { validateSpec } from '../../charts/spec-load';
import { sizingLoad } from '../../charts/spec/section-sizing';
import { expectedSeries } from '../../charts/core/sizing';

export const SIZING_NODES = [3, 20, 100];
export const SIZING_HEADER = '| nodes (pods) | expected series | Prometheus requests / limits | Prometheus volume / retentionSize | Loki requests / limits | Loki volume | kube-state-metrics requests / limits |';

type Any = any;  

export function sizingRow(nodes: number): string {
  const doc = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'monitoring.yaml'), 'utf8'));
  doc.spec.sizing = { ...(doc.spec.sizing ?? {}), nodes };
  const spec = validateSpec(doc, 'sizing');
  const stack = new MonitoringStack(new App(), 'stack', { spec });
  const objects: Any[] = stack.charts.flatMap((c) => c.chart.toJson());
  const workload = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const res = (o: Any) => {
    const r = o.spec.template.spec.containers[0].resources;
    return `${r.requests.cpu}/${r.requests.memory} / ${r.limits.cpu}/${r.limits.memory}`;
  };
  const prom = workload('StatefulSet', 'prometheus');
  const loki = workload('StatefulSet', 'loki');
  const ksm = workload('Deployment', 'kube-state-metrics');
  const retentionSize = (prom.spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith('--storage.tsdb.retention.size='))!.split('=')[1];
  const volume = (o: Any) => o.spec.volumeClaimTemplates[0].spec.resources.requests.storage;
  const load = sizingLoad(doc.spec)!;
  return `| ${nodes} (${load.pods}) | ${expectedSeries(load)} | ${res(prom)} | ${volume(prom)} / ${retentionSize} | ${res(loki)} | ${volume(loki)} | ${res(ksm)} |`;
}

export function sizingTable(): string {
  return [SIZING_HEADER, '|---|---|---|---|---|---|---|', ...SIZING_NODES.map(sizingRow)].join('\n');
}

if (require.main === module) console.log(sizingTable());
