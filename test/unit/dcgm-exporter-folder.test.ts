/**
 * The DCGM exporter is one folder (charts/components/dcgm-exporter/) plus its
 * registry line and its pinned image: no other source file names it, under
 * any of the names it had (`dcgm-exporter`, `dcgmExporter`, DCGM metric names,
 * the `gpu` spec section, its rule file and dashboard module). And its
 * construct takes its own props, so it builds alone in a user's chart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parse, stringify } from 'yaml';
import {
  countersCsv,
  DcgmExporter,
  DCGM_NAME,
  DEFAULT_COUNTERS,
  EXPORTER_COUNTERS,
  dcgmExporterJob,
  specSections,
  type DcgmExporterProps,
} from '../../charts/components/dcgm-exporter';
import { gpuRules, ksmLabelName, requestedExpr } from '../../charts/components/dcgm-exporter/rules';
import { renderRuleFile } from '../../rules';
import { SERIES_BUDGET } from '../../charts/core/sizing';
import { IMAGES } from '../../charts/core/images';
import type { IPrometheus } from '../../charts/core/component';
import type { ScrapeConfig } from '../../charts/core/prometheus-config';
import { allProblems } from '../lib/checks';
import { run, tempFiles, withPodFiles } from '../lib/promtool';
import { substituteGrafanaVariables } from '../../charts/core/query-check';
import { dashboardContributions } from '../../charts/registry';
import { validateSpec } from '../../charts/spec-load';
import { buildDashboards, dashboardContext, datasourceTypes } from '../../dashboards';
import { shippedQueries } from '../../dashboards/check';
import { stackDoc } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const FOLDER = path.join('charts', 'components', 'dcgm-exporter');
/** The registry lists the component; the image table pins its image. */
// The registry, its list of public constructs (charts/components/index.ts) and the image table.
const ALLOWED = [
  path.join('charts', 'registry.ts'),
  path.join('charts', 'components', 'index.ts'),
  path.join('charts', 'core', 'images.ts'),
];

/** The keys of `spec.gpu`, from the schema itself: `gpu.<key>` anywhere names the section. */
const SECTION_KEYS = Object.keys((specSections.gpu as unknown as { unwrap(): { shape: Record<string, unknown> } }).unwrap().shape);

/** Each way a file can name the component. */
const NAMES: [RegExp, string][] = [
  [/dcgm/i, 'DCGM (dcgm-exporter, dcgmExporter, DcgmExporter, DCGM_* metrics)'],
  [/\bspec\.gpu\b/, 'its spec section spec.gpu'],
  [/\[\s*'gpu'\s*[\],]/, "its spec section as a path ['gpu']"],
  [new RegExp(`\\bgpu\\.(${SECTION_KEYS.join('|')})\\b`), 'a field of its spec section (gpu.<field>)'],
  [/\bgpu\.yaml\b/, 'its rule file gpu.yaml'],
  [/uid:\s*'gpu(-cost)?'/, 'its dashboards (uid gpu, gpu-cost)'],
  [/from\s+'\.\/gpu'/, 'its former dashboard module dashboards/gpu.ts'],
];

/** The TypeScript sources the scan covers: charts/, dashboards/, rules/, scripts/ and main.ts. */
function sources(): string[] {
  const out: string[] = [path.join(ROOT, 'main.ts')];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  for (const d of ['charts', 'dashboards', 'rules', 'scripts']) walk(path.join(ROOT, d));
  return out;
}

/** `file:line: what` for every line of a source outside the folder that names the component. */
function offenders(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const rel = path.relative(ROOT, file);
    if (rel.startsWith(FOLDER + path.sep) || ALLOWED.includes(rel)) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [re, what] of NAMES) if (re.test(line)) out.push(`${rel}:${i + 1}: ${what}`);
      });
  }
  return out;
}

describe('the DCGM exporter lives in its folder', () => {
  test('no source file outside charts/components/dcgm-exporter/ names it (the registry and the image table aside)', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(100);
    expect(offenders(files)).toEqual([]);
  });

  test('the scan finds each name (so the test can fail)', () => {
    const dir = tempFiles({
      'a.ts': "const job = 'dcgm-exporter';\n",
      'b.ts': 'if (spec.gpu.enabled) x();\n',
      'c.ts': "fill(['gpu'], {});\n",
      'd.ts': '// set gpu.exporter: external\n',
      'e.ts': "const f = 'gpu.yaml';\n",
      'f.ts': "export const m = { uid: 'gpu' };\n",
      'g.ts': "import { gpu } from './gpu';\n",
      'h.ts': 'const x = "DCGM_FI_DEV_GPU_UTIL";\n',
      // Not the component: the Kubernetes resource, the hardware in prose, a label key.
      'ok.ts': '// pods requesting nvidia.com/gpu; GPU nodes carry nvidia.com/gpu.present; taint sku=gpu\nconst gpuNodes = 1;\n',
    });
    const found = offenders(
      fs
        .readdirSync(dir)
        .map((f) => path.join(dir, f))
        .sort(),
    );
    expect([...new Set(found.map((f) => path.basename(f.split(':')[0])))]).toEqual([
      'a.ts',
      'b.ts',
      'c.ts',
      'd.ts',
      'e.ts',
      'f.ts',
      'g.ts',
      'h.ts',
    ]);
  });
});

test('with prices, the GPU cost dashboard has its cost row, and every GPU panel query parses with promtool', () => {
  const spec = validateSpec(
    stackDoc({ gpu: { cost: { pricePerGpuHour: 2, modelPrices: { 'NVIDIA H100 80GB HBM3': 4 }, currency: 'EUR' } } }),
    'test',
  ).spec;
  const contributions = dashboardContributions(spec);
  const types = datasourceTypes(dashboardContext(spec, contributions).sources);
  const gpu = buildDashboards(spec, contributions).filter((d) => d.uid === 'gpu' || d.uid === 'gpu-cost');
  expect(gpu.map((d) => d.uid)).toEqual(['gpu', 'gpu-cost']);
  expect(gpu.flatMap((d) => d.def.rows.map((r) => r.title))).toContain('Cost (EUR)');
  expect(gpu.flatMap((d) => d.omitted)).toEqual([]);
  const exprs = gpu.flatMap((d) => shippedQueries(JSON.parse(d.json), types).map((q) => substituteGrafanaVariables(q.expr)));
  expect(exprs.length).toBeGreaterThan(25);
  const dir = tempFiles({ 'q.yaml': stringify({ groups: [{ name: 'q', rules: exprs.map((expr, i) => ({ record: `q:${i}`, expr })) }] }) });
  const r = run('promtool', ['check', 'rules', path.join(dir, 'q.yaml')]);
  expect(r.stdout + r.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
  // Without a price the cost row is left out and the dashboard says how to get it.
  const plain = validateSpec(stackDoc({}), 'test').spec;
  const unpriced = buildDashboards(plain, dashboardContributions(plain)).find((d) => d.uid === 'gpu-cost')!;
  expect(unpriced.def.rows.map((row) => row.title)).not.toContain('Cost (USD)');
  expect(unpriced.def.description).toContain('set spec.gpu.cost.pricePerGpuHour');
});

describe('the rules read the series as the contract (dcgm-exporter and kube-state-metrics source at the pinned tags) says', () => {
  const contract = JSON.parse(fs.readFileSync(path.join(ROOT, 'contracts', 'metrics', 'dcgm-exporter-series.json'), 'utf8'));
  const rulesTs = fs.readFileSync(path.join(ROOT, FOLDER, 'rules.ts'), 'utf8');
  const csv = countersCsv(false);

  test('MIG instances are told apart by the labels the exporter writes', () => {
    expect(contract.migLabels).toEqual(['GPU_I_ID', 'GPU_I_PROFILE']);
    for (const l of [...contract.migLabels, 'UUID', 'modelName', 'gpu']) expect(contract.gpuSeriesLabels).toContain(l);
    expect(rulesTs).toContain('GPU_I_ID');
    expect(rulesTs).toContain('GPU_I_PROFILE');
  });
  test('pod attribution labels are namespace, pod and container; time-slicing copies go through KUBERNETES_VIRTUAL_GPUS', () => {
    expect(contract.podAttributionLabels).toMatchObject({
      podAttribute: 'pod',
      namespaceAttribute: 'namespace',
      containerAttribute: 'container',
    });
    expect(contract.timeSlicing).toMatchObject({ env: 'KUBERNETES_VIRTUAL_GPUS', default: 'false' });
  });
  test('the windowed XID count: exporter-computed, label xid, shipped in our counters file', () => {
    expect(contract.xidErrorsCount).toMatchObject({ metric: 'DCGM_EXP_XID_ERRORS_COUNT', codeLabel: 'xid', window: { defaultMs: 300000 } });
    expect(Object.keys(contract.exporterCounters)).toContain('DCGM_EXP_XID_ERRORS_COUNT');
    expect(csv).toMatch(/^DCGM_EXP_XID_ERRORS_COUNT, counter, /m);
    expect(rulesTs).toContain('$labels.xid');
  });
  test('a GPU request is resource="nvidia_com_gpu" (kube-state-metrics sanitises the resource name), MIG ones nvidia_com_mig_<N>g_*', () => {
    const sanitise = (name: string) => name.replace(new RegExp(contract.kubeStateMetrics.invalidLabelCharRE, 'g'), '_');
    expect(sanitise('nvidia.com/gpu')).toBe('nvidia_com_gpu');
    expect(requestedExpr()).toContain(`resource="${sanitise('nvidia.com/gpu')}"`);
    expect(new RegExp(`^${'nvidia_com_mig_1g_.+'}$`).test(sanitise('nvidia.com/mig-1g.10gb'))).toBe(true);
    expect(requestedExpr()).toContain('resource=~"nvidia_com_mig_1g_.+"');
    expect(ksmLabelName('example.com/team')).toBe(`label_${sanitise('example.com/team')}`);
  });
});

test('GPU prices per model: one model excluded with !=, several with an escaped regex; promtool accepts the file', () => {
  const rulesFor = (modelPrices: Record<string, number>) => {
    const spec = validateSpec(stackDoc({ gpu: { cost: { pricePerGpuHour: 1, modelPrices } } }), 'test').spec;
    return renderRuleFile(gpuRules({ spec })!);
  };
  expect(rulesFor({ 'NVIDIA H100 80GB HBM3': 4 })).toContain('{modelName!="NVIDIA H100 80GB HBM3"}');
  const several = rulesFor({ 'NVIDIA A100-PCIE-40GB (MIG)': 2, 'NVIDIA L4': 0.8, 'weird "model"': 3 });
  expect(several).toContain('modelName!~"NVIDIA A100-PCIE-40GB \\\\(MIG\\\\)|NVIDIA L4|weird \\"model\\""');
  const dir = tempFiles({ 'gpu.yaml': several });
  const r = run('promtool', ['check', 'rules', path.join(dir, 'gpu.yaml')]);
  expect(r.stdout + r.stderr).toContain('SUCCESS');
});

test('the sizing budget per GPU is a series per field of the counters file the folder ships (labels are not series)', () => {
  expect(SERIES_BUDGET.perGpu).toBe([...DEFAULT_COUNTERS, ...EXPORTER_COUNTERS].filter((c) => c.type !== 'label').length);
});

describe("DcgmExporter alone in a user's chart, from its props", () => {
  /** A Prometheus stand-in that records what the exporter adds. */
  const jobs: ScrapeConfig[] = [];
  const prometheus: IPrometheus = {
    serviceName: 'prometheus',
    namespace: 'obs',
    port: 9090,
    url: 'http://prometheus.obs.svc:9090',
    addScrapeConfig: (j) => {
      jobs.push(j);
    },
    addScrapeConfigFiles: () => undefined,
    addRuleFile: () => undefined,
    addAlertmanager: () => undefined,
  };

  test('only the namespace is required; the defaults are the documented ones', () => {
    const chart = new Chart(new App(), 'c');
    const exporter = new DcgmExporter(chart, 'gpu', { namespace: 'gpu-monitoring' });
    const objects = Testing.synth(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/dcgm-exporter-counters',
      'DaemonSet/dcgm-exporter',
      'ServiceAccount/dcgm-exporter',
    ]);
    const ds = objects.find((o) => o.kind === 'DaemonSet');
    const pod = ds.spec.template.spec;
    expect(ds.metadata.namespace).toBe('gpu-monitoring');
    expect(ds.metadata.labels['app.kubernetes.io/instance']).toBe(DCGM_NAME);
    expect(pod.containers[0].image).toBe(IMAGES.dcgmExporter);
    expect(pod.runtimeClassName).toBe('nvidia');
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toHaveLength(2);
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(pod.containers[0].env.find((e: { name: string }) => e.name === 'KUBERNETES_VIRTUAL_GPUS')).toBeUndefined();
    expect(allProblems(objects)).toEqual([]);
    // No Prometheus given: the scrape job is exposed for the user's own Prometheus, equal to the stack's.
    expect(exporter.scrapeConfig).toEqual(dcgmExporterJob('gpu-monitoring', exporter.selector));
  });

  test('every prop is honoured, and a given Prometheus receives the scrape job that promtool accepts', () => {
    const app = new App();
    const chart = new Chart(app, 'user-chart');
    const props: DcgmExporterProps = {
      namespace: 'gpus',
      instance: 'prod',
      image: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.4.2-4.7.1-ubuntu22.04',
      nodeLabels: [{ key: 'example.com/accelerator', operator: 'Exists' }],
      tolerations: [{ key: 'example.com/gpu-pool', operator: 'Exists', effect: 'NoSchedule' }],
      runtimeClassName: 'nvidia-cdi',
      createRuntimeClass: true,
      profilingMetrics: true,
      timeSlicing: true,
      collectIntervalMs: 30000,
      podResourcesPath: '/var/lib/k0s/kubelet/pod-resources',
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      prometheus,
    };
    new DcgmExporter(chart, 'gpu', props);
    const objects = Testing.synth(chart);
    const ds = objects.find((o) => o.kind === 'DaemonSet');
    const pod = ds.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(ds.metadata.labels['app.kubernetes.io/instance']).toBe('prod');
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'example.com/accelerator', operator: 'Exists' }] },
    ]);
    expect(pod.tolerations).toEqual(props.tolerations);
    expect(pod.runtimeClassName).toBe('nvidia-cdi');
    expect(objects.find((o) => o.kind === 'RuntimeClass')).toMatchObject({ metadata: { name: 'nvidia-cdi' }, handler: 'nvidia' });
    expect(c.securityContext.capabilities.add).toEqual(['SYS_ADMIN']);
    expect(env).toMatchObject({ DCGM_EXPORTER_INTERVAL: '30000', KUBERNETES_VIRTUAL_GPUS: 'true' });
    expect(pod.volumes.find((v: { name: string }) => v.name === 'pod-resources').hostPath.path).toBe('/var/lib/k0s/kubelet/pod-resources');
    expect(c.resources).toEqual(props.resources);
    const csv = objects.find((o) => o.kind === 'ConfigMap').data['counters.csv'] as string;
    expect(csv).toContain('DCGM_FI_PROF_GR_ENGINE_ACTIVE');
    expect(allProblems(objects)).toEqual([]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].kubernetes_sd_configs?.[0].namespaces).toEqual({ names: ['gpus'] });
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(JSON.stringify({ scrape_configs: jobs })) });
    const r = run('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'prometheus.yml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(parse(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8')).scrape_configs[0].job_name).toBe(DCGM_NAME);
  });

  test('createRuntimeClass without a RuntimeClass name is refused with the fix', () => {
    expect(
      () => new DcgmExporter(new Chart(new App(), 'c'), 'gpu', { namespace: 'gpus', runtimeClassName: null, createRuntimeClass: true }),
    ).toThrow('DcgmExporter: createRuntimeClass needs runtimeClassName (the name of the RuntimeClass to create)');
  });
});
