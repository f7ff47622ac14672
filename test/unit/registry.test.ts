/**
 * The registry (charts/registry.ts) is the one place a component is listed:
 * every folder is registered, names and sections are unique, and what each
 * entry declares (jobs, workloads, dist files, flows) is what the stack
 * really builds for a spec enabling every optional component.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { parse } from 'yaml';
import { COMPONENTS, KNOWN_COMPONENTS, specSections } from '../../charts/registry';
import { MonitoringStack } from '../../charts/stack';
import { catalogSpec } from '../../scripts/lib/rules-doc';

const ROOT = path.join(__dirname, '..', '..');
const spec = catalogSpec();
const stack = new MonitoringStack(new App(), 'stack', { spec });
const objects = stack.charts.flatMap(({ chart }) => chart.toJson());
const promConfig = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config').data['prometheus.yml']);

test('every folder in charts/components is registered under its folder name, once', () => {
  const folders = fs
    .readdirSync(path.join(ROOT, 'charts', 'components'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  expect(COMPONENTS.map((c) => c.name).sort()).toEqual(folders);
  expect(new Set(COMPONENTS.map((c) => c.name)).size).toBe(COMPONENTS.length);
});

test('spec sections are owned once, and the schema holds every one', () => {
  const keys = Object.keys(specSections());
  expect(keys).toEqual(
    expect.arrayContaining([
      'prometheus',
      'nodeExporter',
      'gpu',
      'kubelet',
      'services',
      'loki',
      'logs',
      'alerting',
      'grafana',
      'ingress',
      'networkPolicies',
      'gitops',
    ]),
  );
  for (const k of keys) expect(Object.keys(spec.spec)).toContain(k);
});

test('the catalog spec builds every component', () => {
  expect(COMPONENTS.filter((c) => !stack.built.has(c.name)).map((c) => c.name)).toEqual(
    // one collector at a time; the Teams bridge only with an msteams receiver
    COMPONENTS.filter((c) => c.enabled && !c.enabled(spec.spec)).map((c) => c.name),
  );
});

test("each built component's declared jobs are scraped", () => {
  const jobs = (promConfig.scrape_configs as { job_name: string }[]).map((j) => j.job_name);
  const declared = COMPONENTS.filter((c) => stack.built.has(c.name)).flatMap((c) => c.jobs ?? []);
  expect(declared.filter((j) => !jobs.includes(j))).toEqual([]);
});

test('workloads carry the name of a registered workload component; every workload component has one', () => {
  const workloads = stack.node
    .findAll()
    .filter((n): n is ApiObject => n instanceof ApiObject && ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(n.kind));
  const names = new Set(workloads.map((w) => w.metadata.getLabel('app.kubernetes.io/name')));
  expect([...names].filter((n) => !KNOWN_COMPONENTS.includes(n as string))).toEqual([]);
  expect(KNOWN_COMPONENTS.filter((c) => stack.built.has(c) && !names.has(c))).toEqual([]);
});

test('each component writes only dist files it declares, and its first one always', () => {
  // Later files of an entry are written only for some specs (Traefik's Middleware, the created Gateway's policy).
  const written = stack.charts.map((c) => c.file).sort();
  const built = COMPONENTS.filter((c) => stack.built.has(c.name));
  expect(built.flatMap((c) => c.files ?? [])).toEqual(expect.arrayContaining(written));
  for (const c of built.filter((x) => x.name !== 'gateway' && (x.files ?? []).length > 0)) expect(written).toContain(c.files?.[0]);
});

test('flows name registered components or external peers, and each carries a reason', () => {
  const names = COMPONENTS.map((c) => c.name);
  for (const f of COMPONENTS.flatMap((c) => c.flows ?? [])) {
    for (const end of [f.from, f.to]) if (typeof end === 'string') expect(names).toContain(end);
    expect(f.why.length).toBeGreaterThan(2);
  }
});

test('a UI the Ingresses expose has a registered backend port', () => {
  for (const ui of ['grafana', 'prometheus', 'alertmanager']) expect(COMPONENTS.find((c) => c.name === ui)?.ui?.port).toBeGreaterThan(0);
});

test('each workload component runs its declared pinned image by default', () => {
  const { IMAGES } = jest.requireActual<typeof import('../../charts/core/images')>('../../charts/core/images');
  const images = new Map<string, Set<string>>();
  for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(x.kind))) {
    const name = o.metadata.labels['app.kubernetes.io/name'];
    const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
    for (const c of template.spec.containers) images.set(name, new Set([...(images.get(name) ?? []), c.image]));
  }
  for (const c of COMPONENTS.filter((x) => x.workload && stack.built.has(x.name))) {
    expect(c.image).toBeDefined();
    expect([...(images.get(c.name) ?? [])]).toContain(IMAGES[c.image!]);
  }
});
