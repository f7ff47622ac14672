/**
 * A library user's scrape target gets its network flow: with addScrapeTarget
 * the NetworkPolicies let Prometheus reach the target's pods on its port (and
 * nothing else new); with prometheus.addScrapeConfig alone the default deny
 * blocks it, which is why the documented API is addScrapeTarget.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { addScrapeTarget } from '../../charts/lib/scrape-target';
import { readSpecFile } from '../../charts/spec-load';
import { MonitoringStack } from '../../charts/stack';
import { PolicySet } from '../lib/netpol';

const ROOT = path.join(__dirname, '..', '..');

function build(withTarget: boolean) {
  const stack = new MonitoringStack(new App(), 'stack', { spec: readSpecFile(path.join(ROOT, 'examples', 'generic.yaml')) });
  if (withTarget)
    addScrapeTarget(stack, {
      jobName: 'my-exporter',
      namespace: 'apps',
      selector: { 'app.kubernetes.io/name': 'my-exporter' },
      port: 'metrics',
      targetPort: 9100,
    });
  else stack.prometheus.addScrapeConfig({ job_name: 'my-exporter', static_configs: [{ targets: ['my-exporter.apps.svc:9100'] }] });
  const objects = stack.charts.flatMap((c) => c.chart.toJson());
  return { objects, policies: new PolicySet(objects as never) };
}

const prometheus = {
  namespace: 'monitoring',
  labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'ai-monitoring' },
};
const exporter = { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'my-exporter' } };

describe('addScrapeTarget', () => {
  test('the job is scraped and Prometheus may reach the target on its port, not on others, not other pods', () => {
    const { objects, policies } = build(true);
    // The manifests are untyped JSON.
    const cm: any =
      objects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') ??
      objects.find(
        (o: any) => o.kind === 'ConfigMap' && Object.values(o.data ?? {}).some((t: any) => String(t).includes('scrape_configs')),
      );
    const config = parse(Object.values(cm.data).find((t: any) => String(t).includes('scrape_configs')) as string);
    const job = config.scrape_configs.find((j: any) => j.job_name === 'my-exporter');
    expect(job.kubernetes_sd_configs[0]).toEqual(expect.objectContaining({ role: 'pod', namespaces: { names: ['apps'] } }));
    expect(job.relabel_configs.filter((r: any) => r.target_label === 'instance')).toEqual([]);
    expect(policies.allowed({ from: prometheus, to: exporter, port: 9100 })).toBe(true);
    expect(policies.allowed({ from: prometheus, to: exporter, port: 9200 })).toBe(false);
    expect(
      policies.allowed({ from: prometheus, to: { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'other' } }, port: 9100 }),
    ).toBe(false);
  });

  test('addScrapeConfig alone leaves the target blocked by the default deny', () => {
    expect(build(false).policies.allowed({ from: prometheus, to: exporter, port: 9100 })).toBe(false);
  });
});
