/**
 * OpenTelemetry GenAI over OTLP, for real: the OpenTelemetry JS SDK (npm @opentelemetry/sdk-metrics and
 * @opentelemetry/exporter-metrics-otlp-http, run by test/lib/otlp-genai-push.ts) pushes the GenAI semantic-convention histograms into the pinned
 * Prometheus 3.5.0 on 127.0.0.1, started with the flag and the `global`, `otlp` and `storage` blocks exactly as
 * synthesized into dist/ (synthesized by the test; monitoring.yaml turns spec.prometheus.otlp on; the Kubernetes scrape jobs, which
 * need a cluster, are left out) and the GenAI rule file. Then every query of the GenAI dashboard returns
 * data, the series carry the names charts/components/genai/metrics.ts expects, and job is
 * service.namespace/service.name as Prometheus maps it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { parseSpecYaml } from '../../charts/spec-load';
import { GENAI } from '../../charts/components/genai/metrics';
import { shippedQueries, type DashboardJson } from '../../dashboards/check';
import { buildDashboards, dashboardContext, datasourceTypes } from '../../dashboards';
import { dashboardContributions } from '../../charts/registry';
import { configMapData } from '../lib/dist';
import { synthFile } from '../lib/synth';
import { tempFiles } from '../lib/promtool';
import { tool } from '../lib/tools';
import { freePort, Procs, promQuery } from '../lib/procs';

const ROOT = path.join(__dirname, '..', '..');

/** Grafana's substitution with "All" selected, and $__rate_interval as 1m. */
const substitute = (expr: string) => expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, '1m').replace(/\$\{?(\w+)\}?/g, '.+');

// npm run test:all installs Prometheus: without it the suite fails, naming the install command (no skip).
describe('GenAI metrics from the OpenTelemetry JS SDK into Prometheus 3.5.0 over OTLP', () => {
  const procs = new Procs();
  let port = 0;
  const { objects } = synthFile();
  const synthesized = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
  const rules = configMapData(objects, 'prometheus-rules');
  const args: string[] = (objects.find((o: any) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus') as any).spec.template.spec
    .containers[0].args;
  const spec = parseSpecYaml(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8')).spec;
  const contributions = dashboardContributions(spec);
  const genai = buildDashboards(spec, contributions).find((d) => d.uid === 'genai');
  const types = datasourceTypes(dashboardContext(spec, contributions).sources);

  test("monitoring.yaml's dist/ has the receiver flag, the otlp and out-of-order blocks, and the GenAI rule file", () => {
    expect(args).toContain('--web.enable-otlp-receiver');
    expect(synthesized.otlp).toEqual({
      translation_strategy: 'UnderscoreEscapingWithSuffixes',
      promote_resource_attributes: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.container.name'],
    });
    expect(synthesized.storage).toEqual({ tsdb: { out_of_order_time_window: '30m' } });
    expect(Object.keys(rules)).toContain('genai.yaml');
    expect(genai).toBeDefined();
  });

  beforeAll(async () => {
    port = await freePort();
    const dir = tempFiles({
      'genai.yaml': rules['genai.yaml'],
      'prometheus.yml': stringify({
        global: synthesized.global,
        otlp: synthesized.otlp,
        storage: synthesized.storage,
        rule_files: ['genai.yaml'],
        scrape_configs: [],
      }),
    });
    const flags = args.filter((a) => a === '--web.enable-otlp-receiver');
    procs.start('prometheus', tool('prometheus'), [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ]);
    await procs.waitFor('Prometheus ready', async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined), 60_000);

    // The real SDK in its own Node process (test/lib/otlp-genai-push.ts says why).
    const push = procs.start('otlp-sdk', path.join(ROOT, 'node_modules', '.bin', 'tsx'), [
      path.join(ROOT, 'test', 'lib', 'otlp-genai-push.ts'),
      `http://127.0.0.1:${port}/api/v1/otlp/v1/metrics`,
    ]);
    const code = await new Promise<number | null>((resolve) => push.once('exit', resolve));
    if (code !== 0) throw new Error(`the OpenTelemetry SDK push failed (exit ${code}):\n${procs.logs['otlp-sdk']}`);
  }, 120_000);

  afterAll(async () => {
    await procs.stopAll();
  });

  test('the series carry the expected names, job = service.namespace/service.name, instance = service.instance.id, promoted attributes', async () => {
    const r = await procs.waitFor(
      'the pushed series',
      async () => {
        const v = await promQuery(port, `${GENAI.ttft}_count`);
        return v.length === 2 ? v : undefined;
      },
      30_000,
    );
    expect(r.map((s) => s.metric).sort((a, b) => a.gen_ai_request_model.localeCompare(b.gen_ai_request_model))[0]).toEqual({
      __name__: `${GENAI.ttft}_count`,
      job: 'ai/chat-api',
      instance: 'chat-api-0',
      gen_ai_request_model: 'llama-3.1-8b',
      gen_ai_system: 'vllm',
      gen_ai_operation_name: 'chat',
      k8s_namespace_name: 'ai',
      k8s_pod_name: 'chat-api-0',
      k8s_container_name: 'api',
    });
    for (const name of Object.values(GENAI)) expect((await promQuery(port, `${name}_bucket`)).length).toBeGreaterThan(0);
  });

  test('every query of the GenAI dashboard returns data', async () => {
    const queries = shippedQueries(JSON.parse(genai!.json) as DashboardJson, types).filter((q) => q.lang === 'PromQL' && q.expr !== '');
    expect(queries.length).toBeGreaterThanOrEqual(12);
    const empty: string[] = [];
    for (const q of queries) {
      const expr = substitute(q.expr.startsWith('label_values(') ? q.expr.replace(/^label_values\((.*), *\w+\)$/, '$1') : q.expr);
      if ((await promQuery(port, expr)).length === 0) empty.push(`${q.panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });
});
