/**
 * The server-side constructs (Prometheus, Loki, Alertmanager, Grafana, the Teams bridge) take their own props:
 * each builds alone in a plain cdk8s Chart, without the spec parser, and its defaults are those the spec
 * schema documents.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Prometheus, SCRAPE_CONFIGMAP_PREFIX } from '../../charts/components/prometheus/construct';
import { prometheusSchema } from '../../charts/components/prometheus/spec';
import { Loki, LOKI_DEFAULT_LIMITS, LOKI_DEFAULT_RULER, LOKI_DEFAULT_SIMPLE_SCALABLE } from '../../charts/components/loki/construct';
import { lokiSchema } from '../../charts/components/loki/spec';
import { Alertmanager } from '../../charts/components/alertmanager/construct';
import { IMAGES } from '../../charts/core/images';
import { DEFAULT_SIZING } from '../../charts/core/sizing';
import { allProblems } from '../lib/checks';

const ROOT = path.join(__dirname, '..', '..');
const FOLDERS = ['prometheus', 'loki', 'alertmanager', 'grafana', 'prometheus-msteams'];
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};
const named = (objects: Obj[], kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};

describe('the server-side constructs need no spec', () => {
  test.each(FOLDERS)('%s/construct.ts imports nothing of the parsed spec (charts/spec-schema, spec-load)', (folder) => {
    const text = fs.readFileSync(path.join(ROOT, 'charts', 'components', folder, 'construct.ts'), 'utf8');
    expect(text).not.toMatch(/from '\.\.\/\.\.\/spec-(schema|load)'/);
    expect(text).not.toMatch(/\bSpec\['/);
  });

  test.each(FOLDERS)('%s/index.ts finds no component by name (typed offers instead of get/lookup)', (folder) => {
    const text = fs.readFileSync(path.join(ROOT, 'charts', 'components', folder, 'index.ts'), 'utf8');
    expect(text).not.toMatch(/(?<![.\w])(get|lookup)(<[^>]*>)?\(/); // the BuildContext functions, not Map.get
  });
});

describe('Alertmanager alone in a plain chart', () => {
  const receivers = [
    { name: 'ops', type: 'webhook' as const, urlSecretRef: { name: 'hooks', key: 'ops' }, maxAlerts: 0, sendResolved: true },
  ];

  test('receivers are the only required setting; a given Prometheus sends it alerts and scrapes it', () => {
    const chart = new Chart(new App(), 'c');
    const prometheus = new Prometheus(chart, 'p', { namespace: 'obs' });
    const am = new Alertmanager(chart, 'am', { namespace: 'obs', receivers, prometheus });
    const objects = Testing.synth(chart) as Obj[];
    const c = named(objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0];
    expect(c.args).toEqual(
      expect.arrayContaining(['--data.retention=120h', '--web.external-url=http://alertmanager.obs.svc:9093', '--cluster.listen-address=']),
    );
    expect(am.config.route).toMatchObject({
      group_by: ['alertname', 'job', 'instance'],
      group_wait: '10s',
      group_interval: '2m',
      repeat_interval: '4h',
    });
    // The webhook URL stays in its Secret: mounted, referenced as a file.
    expect(am.configYaml).not.toContain('hooks/ops:');
    expect(am.configYaml).toContain('/etc/alertmanager/secrets/hooks/ops');
    const promConfig = parse(named(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(promConfig.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager-0.alertmanager-headless.obs.svc:9093']);
    expect(promConfig.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('alertmanager');
    expect(allProblems(objects)).toEqual([]);
  });

  test('without a Prometheus its alerting and scrape configs are exposed; three replicas gossip', () => {
    const chart = new Chart(new App(), 'c');
    const am = new Alertmanager(chart, 'am', { namespace: 'obs', receivers, replicas: 3 });
    const objects = Testing.synth(chart) as Obj[];
    expect(am.alertmanagerConfig.static_configs![0].targets).toHaveLength(3);
    expect(am.scrapeConfig.job_name).toBe('alertmanager');
    const args = named(objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args as string[];
    expect(args.filter((a) => a.startsWith('--cluster.peer='))).toHaveLength(3);
    named(objects, 'PodDisruptionBudget', 'alertmanager');
  });
});

describe('Prometheus alone in a plain chart', () => {
  test("only the namespace is required; the defaults are the schema's", () => {
    const chart = new Chart(new App(), 'c');
    const prometheus = new Prometheus(chart, 'p', { namespace: 'obs' });
    const objects = Testing.synth(chart) as Obj[];
    const sts = named(objects, 'StatefulSet', 'prometheus');
    const c = sts.spec.template.spec.containers[0];
    const defaults = prometheusSchema.parse({});
    expect(sts.metadata.namespace).toBe('obs');
    expect(sts.metadata.labels!['app.kubernetes.io/instance']).toBe('monitoring');
    expect(sts.spec.replicas).toBe(defaults.replicas);
    expect(c.image).toBe(IMAGES.prometheus);
    expect(c.args).toContain(`--storage.tsdb.retention.time=${defaults.retention}`);
    expect(c.args).toContain(`--storage.tsdb.retention.size=${prometheus.retentionSize}`);
    expect(c.resources.requests).toEqual(DEFAULT_SIZING.prometheus.resources.requests);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(defaults.storage.size);
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    const config = parse(named(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(config.global).toEqual({
      scrape_interval: defaults.scrapeInterval,
      scrape_timeout: defaults.scrapeTimeout,
      evaluation_interval: defaults.evaluationInterval,
    });
    // Its own job only: no annotation discovery without annotationNamespaces.
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(['prometheus']);
    named(objects, 'ConfigMap', `${SCRAPE_CONFIGMAP_PREFIX}0`);
    expect(allProblems(objects)).toEqual([]);
  });

  test('an HA agent with remote write: --agent, the replica label, a PodDisruptionBudget, the cluster label', () => {
    const chart = new Chart(new App(), 'c');
    const prometheus = new Prometheus(chart, 'p', {
      namespace: 'obs',
      instance: 'edge',
      replicas: 2,
      mode: 'agent',
      cluster: 'gpu-1',
      remoteWrite: prometheusSchema.parse({ remoteWrite: [{ name: 'mimir', url: 'https://mimir.example.com', preset: 'mimir' }] })
        .remoteWrite,
      annotationNamespaces: ['ai'],
    });
    prometheus.addScrapeConfig({ job_name: 'mine', static_configs: [{ targets: ['x:1'] }] });
    const objects = Testing.synth(chart) as Obj[];
    const c = named(objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['--agent', '--storage.agent.path=/prometheus']));
    expect(c.args.some((a: string) => a.startsWith('--storage.tsdb'))).toBe(false);
    expect(prometheus.replicaLabel).toBe('__replica__');
    named(objects, 'PodDisruptionBudget', 'prometheus');
    const config = parse(named(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(config.global.external_labels).toEqual({ cluster: 'gpu-1', __replica__: '${POD_NAME}' });
    expect(config.rule_files).toBeUndefined();
    expect(config.remote_write[0].url).toBe('https://mimir.example.com/api/v1/push');
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(expect.arrayContaining(['prometheus', 'mine']));
    expect(config.scrape_configs).toHaveLength(4); // its own, the annotated pods and services, mine
  });

  test('a retention size larger than the volume is refused', () => {
    expect(
      () => new Prometheus(new Chart(new App(), 'c'), 'p', { namespace: 'obs', retentionSize: '60GB', storage: { size: '50Gi' } }),
    ).toThrow(/retentionSize \(60GB\) is larger than .* \(50Gi\)/);
  });
});

describe('Loki alone in a plain chart', () => {
  test("its default constants are the schema's defaults", () => {
    const defaults = lokiSchema.parse({});
    expect(LOKI_DEFAULT_LIMITS).toEqual(defaults.limits);
    expect(LOKI_DEFAULT_RULER).toEqual(defaults.ruler);
    expect(LOKI_DEFAULT_SIMPLE_SCALABLE).toEqual(defaults.simpleScalable);
  });

  test('only the namespace is required: a single binary on its volume, no ruler, its scrape job exposed', () => {
    const chart = new Chart(new App(), 'c');
    const loki = new Loki(chart, 'loki', { namespace: 'logs' });
    const objects = Testing.synth(chart) as Obj[];
    const sts = named(objects, 'StatefulSet', 'loki');
    const c = sts.spec.template.spec.containers[0];
    expect(sts.spec.replicas).toBe(1);
    expect(c.args).toEqual(['-config.file=/etc/loki/config/loki.yaml', '-target=all']);
    expect(c.image).toBe(IMAGES.loki);
    expect(c.resources.requests).toEqual(DEFAULT_SIZING.loki.resources.requests);
    expect(c.env).toBeUndefined();
    expect(named(objects, 'ConfigMap', 'loki-rules').data).toBeUndefined();
    const config = parse(named(objects, 'ConfigMap', 'loki-config').data['loki.yaml']);
    expect(config.limits_config.retention_period).toBe('168h');
    expect(config.ruler.alertmanager_url).toBeUndefined();
    expect(loki.pushUrl).toBe('http://loki.logs.svc:3100/loki/api/v1/push');
    expect(loki.scrapeConfig.job_name).toBe('loki');
    expect(allProblems(objects)).toEqual([]);
  });

  test('simple-scalable with the ruler: three targets, the password env on the backend only, the job added to a given Prometheus', () => {
    const chart = new Chart(new App(), 'c');
    const prometheus = new Prometheus(chart, 'p', { namespace: 'logs' });
    const loki = new Loki(chart, 'loki', {
      namespace: 'logs',
      mode: 'simple-scalable',
      prometheus,
      storage: lokiSchema.parse({ storage: { type: 's3', s3: { bucket: 'logs', region: 'eu-west-1', credentials: { name: 'loki-s3' } } } })
        .storage,
      ruler: { ...LOKI_DEFAULT_RULER, enabled: true },
      webAuth: { secretName: 'auth', username: 'stack', passwordKey: 'pw', webConfigKey: 'web.yml' },
    });
    const objects = Testing.synth(chart) as Obj[];
    expect(loki.url).toBe('http://loki-read.logs.svc:3100');
    expect(loki.workloads.map((w) => w.name)).toEqual(['loki-write', 'loki-read', 'loki-backend']);
    const envOf = (kind: string, name: string) =>
      (named(objects, kind, name).spec.template.spec.containers[0].env as { name: string; valueFrom?: any }[]).map((e) => e.name);
    expect(envOf('StatefulSet', 'loki-backend')).toContain('LOKI_ALERTMANAGER_PASSWORD');
    const backendEnv = named(objects, 'StatefulSet', 'loki-backend').spec.template.spec.containers[0].env as {
      name: string;
      valueFrom?: any;
    }[];
    expect(backendEnv.find((e) => e.name === 'LOKI_ALERTMANAGER_PASSWORD')!.valueFrom.secretKeyRef).toMatchObject({
      name: 'auth',
      key: 'pw',
    });
    expect(envOf('StatefulSet', 'loki-write')).not.toContain('LOKI_ALERTMANAGER_PASSWORD');
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(3);
    named(objects, 'Service', 'loki-memberlist');
    const promConfig = parse(named(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(promConfig.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('loki');
  });
});
