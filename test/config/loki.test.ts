/**
 * Loki, read back from the synthesized manifests. No Loki binary runs here,
 * so loki.yaml is checked against the documented field names and types of
 * the Loki 3.x configuration reference (a strict schema: an unknown or
 * misspelt field fails), plus the invariants the issue asks for and the
 * consistency between the config and the pod (every directory Loki writes is
 * on a writable mount, ports match probes and Services).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { z } from 'zod';
import { LOKI_GRPC_PORT, LOKI_HTTP_PORT, SCHEMA_START } from '../../charts/components/loki/loki-config';
import { LOG_ERROR_RATE_ALERT } from '../../charts/components/loki/ruler';
import { SpecError } from '../../charts/spec-load';
import { configMapData } from '../lib/dist';
import { validateObject } from '../lib/k8s-validate';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { find, synth } from '../lib/synth';

const defaults = synth({});
const lokiYaml = () => parse(configMapData(defaults.objects, 'loki-config')['loki.yaml']);

/** Go duration (Loki parses several fields with Go's parser: no d/w/y). */
const goDuration = z.string().regex(/^(\d+(ms|s|m|h))+$/, 'a Go duration (h, m, s, ms)');
const bytes = z.string().regex(/^\d+(B|KB|MB|GB)$/, 'a size such as 3MB');
const kv = z.strictObject({ store: z.enum(['inmemory', 'memberlist', 'consul', 'etcd']) });

/** The fields of the Loki 3.x configuration reference the stack writes, strict. */
const lokiSchema = z.strictObject({
  auth_enabled: z.boolean(),
  target: z.string(),
  server: z.strictObject({
    http_listen_port: z.number().int(),
    grpc_listen_port: z.number().int(),
    log_level: z.enum(['debug', 'info', 'warn', 'error']),
    log_format: z.enum(['logfmt', 'json']),
    grpc_server_max_recv_msg_size: z.number().int(),
    grpc_server_max_send_msg_size: z.number().int(),
  }),
  common: z.strictObject({
    path_prefix: z.string(),
    replication_factor: z.number().int(),
    ring: z.strictObject({ instance_addr: z.string(), kvstore: kv }),
    storage: z.strictObject({ filesystem: z.strictObject({ chunks_directory: z.string(), rules_directory: z.string() }) }),
  }),
  schema_config: z.strictObject({
    configs: z
      .array(
        z.strictObject({
          from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          store: z.enum(['tsdb', 'boltdb-shipper']),
          object_store: z.enum(['filesystem', 's3', 'gcs', 'azure', 'swift', 'bos', 'cos', 'alibabacloud']),
          schema: z.enum(['v11', 'v12', 'v13']),
          index: z.strictObject({ prefix: z.string(), period: goDuration }),
        }),
      )
      .min(1),
  }),
  ingester: z.strictObject({
    chunk_encoding: z.enum(['none', 'gzip', 'lz4-64k', 'snappy', 'lz4-256k', 'lz4-1M', 'lz4', 'flate', 'zstd', 'lz4-4MB']),
    chunk_idle_period: goDuration,
    max_chunk_age: goDuration,
    wal: z.strictObject({ enabled: z.boolean(), dir: z.string(), flush_on_shutdown: z.boolean(), replay_memory_ceiling: bytes }),
  }),
  storage_config: z.strictObject({ tsdb_shipper: z.strictObject({ active_index_directory: z.string(), cache_location: z.string() }) }),
  compactor: z.strictObject({
    working_directory: z.string(),
    compaction_interval: goDuration,
    retention_enabled: z.boolean(),
    retention_delete_delay: goDuration,
    retention_delete_worker_count: z.number().int(),
    delete_request_store: z.string(),
  }),
  limits_config: z.strictObject({
    retention_period: goDuration,
    ingestion_rate_mb: z.number(),
    ingestion_burst_size_mb: z.number(),
    per_stream_rate_limit: bytes,
    per_stream_rate_limit_burst: bytes,
    max_global_streams_per_user: z.number().int(),
    max_line_size: bytes,
    max_line_size_truncate: z.boolean(),
    max_label_names_per_series: z.number().int(),
    reject_old_samples: z.boolean(),
    reject_old_samples_max_age: goDuration,
    max_query_series: z.number().int(),
    query_timeout: goDuration,
    allow_structured_metadata: z.boolean(),
    volume_enabled: z.boolean(),
    max_cache_freshness_per_query: goDuration,
  }),
  query_range: z.strictObject({
    results_cache: z.strictObject({
      cache: z.strictObject({ embedded_cache: z.strictObject({ enabled: z.boolean(), max_size_mb: z.number().int() }) }),
    }),
  }),
  ruler: z.strictObject({
    alertmanager_url: z.url().optional(),
    // ruler.alertmanager_client (Loki v3.7.6 docs/sources/shared/configuration.md): basic auth to Alertmanager.
    alertmanager_client: z
      .strictObject({ basic_auth_username: z.string(), basic_auth_password: z.string().regex(/^\$\{[A-Z_]+\}$/) })
      .optional(),
    enable_api: z.boolean(),
    evaluation_interval: goDuration,
    rule_path: z.string(),
    ring: z.strictObject({ kvstore: kv }),
    wal: z.strictObject({ dir: z.string() }),
  }),
  analytics: z.strictObject({ reporting_enabled: z.boolean() }),
});

function problems(cfg: unknown): string[] {
  const r = lokiSchema.safeParse(cfg);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('loki.yaml', () => {
  test('uses only documented fields with the documented types', () => {
    expect(problems(lokiYaml())).toEqual([]);
    expect(problems(parse(configMapData(synth({ loki: { ruler: { enabled: true } } }).objects, 'loki-config')['loki.yaml']))).toEqual([]);
  });

  test('the structure check can fail: a misspelt field and a day duration are caught', () => {
    const cfg = lokiYaml();
    expect(problems({ ...cfg, limits_config: { ...cfg.limits_config, retention: '7d' } })).not.toEqual([]);
    expect(problems({ ...cfg, limits_config: { ...cfg.limits_config, query_timeout: '1d' } })).not.toEqual([]);
  });

  test('single binary on the filesystem, as the issue specifies', () => {
    const cfg = lokiYaml();
    expect(cfg.auth_enabled).toBe(false);
    expect(cfg.server).toMatchObject({ http_listen_port: 3100, grpc_listen_port: 9095 });
    expect(cfg.common).toMatchObject({ path_prefix: '/loki', replication_factor: 1, ring: { kvstore: { store: 'inmemory' } } });
    expect(cfg.schema_config.configs).toEqual([
      { from: SCHEMA_START, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
    expect(cfg.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(cfg.limits_config).toMatchObject({ retention_period: '168h', allow_structured_metadata: true });
    expect(cfg.ruler.alertmanager_url).toBeUndefined();
  });

  test.each([
    ['7d', '168h'],
    ['30d', '720h'],
    ['2w', '336h'],
    ['48h', '48h'],
  ])('retention %s becomes retention_period %s', (retention, expected) => {
    const cfg = parse(configMapData(synth({ loki: { retention } }).objects, 'loki-config')['loki.yaml']);
    expect(cfg.limits_config.retention_period).toBe(expected);
  });

  test.each(['12h', '36h'])('retention %s (not whole days) is refused with the fix', (retention) => {
    expect(() => synth({ loki: { retention } })).toThrow(SpecError);
    expect(() => synth({ loki: { retention } })).toThrow(
      /spec\.loki\.retention: Loki deletes whole 24h index tables: use a whole number of days/,
    );
  });

  test('the WAL replay ceiling follows the memory limit', () => {
    const cfg = parse(configMapData(synth({ loki: { resources: { limits: { memory: '4Gi' } } } }).objects, 'loki-config')['loki.yaml']);
    expect(cfg.ingester.wal.replay_memory_ceiling).toBe('2048MB');
  });
});

describe('Loki StatefulSet', () => {
  const sts = find(defaults.objects, 'StatefulSet', 'loki');
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];

  test('every Loki object is strictly valid Kubernetes', () => {
    const lokiObjects = defaults.objects.filter(
      (o) => (o.metadata?.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] === 'loki',
    );
    expect(lokiObjects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'Service',
      'Service',
      'ServiceAccount',
      'StatefulSet',
    ]);
    expect(lokiObjects.flatMap((o) => validateObject(o))).toEqual([]);
    const withRuler = synth({ loki: { ruler: { enabled: true } } }).objects.filter((o) => o.metadata?.name?.startsWith('loki'));
    expect(withRuler.flatMap((o) => validateObject(o))).toEqual([]);
  });

  test('non-root uid 10001, read-only root filesystem, no API token', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.image).toMatch(/^docker\.io\/grafana\/loki:3\.\d+\.\d+$/);
  });

  test('every directory Loki writes is on a writable mount', () => {
    const cfg = parse(configMapData(synth({ loki: { ruler: { enabled: true } } }).objects, 'loki-config')['loki.yaml']);
    const writable = c.volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly).map((m: { mountPath: string }) => m.mountPath);
    const dirs = [
      cfg.common.path_prefix,
      cfg.common.storage.filesystem.chunks_directory,
      cfg.ingester.wal.dir,
      cfg.storage_config.tsdb_shipper.active_index_directory,
      cfg.storage_config.tsdb_shipper.cache_location,
      cfg.compactor.working_directory,
      cfg.ruler.rule_path,
      cfg.ruler.wal.dir,
    ];
    expect(dirs.filter((d: string) => !writable.some((w: string) => d === w || d.startsWith(`${w}/`)))).toEqual([]);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi'); // derived from spec.sizing
  });

  test('ports, probes and Services line up with the config', () => {
    expect(c.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort])).toEqual([
      ['http', LOKI_HTTP_PORT],
      ['grpc', LOKI_GRPC_PORT],
    ]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.startupProbe.httpGet.path).toBe('/ready');
    expect(c.livenessProbe.httpGet.port).toBe('http');
    expect(find(defaults.objects, 'Service', 'loki').spec.ports.map((p: { port: number }) => p.port)).toEqual([3100, 9095]);
    expect(find(defaults.objects, 'Service', 'loki-headless').spec.clusterIP).toBe('None');
    expect(sts.spec.serviceName).toBe('loki-headless');
    expect(c.args).toContain('-config.file=/etc/loki/config/loki.yaml');
  });

  test('a config change rolls the pod', () => {
    const sum = (objs: typeof defaults.objects) => find(objs, 'StatefulSet', 'loki').spec.template.metadata.annotations['checksum/config'];
    expect(sum(synth({ loki: { retention: '30d' } }).objects)).not.toBe(sum(defaults.objects));
  });

  test('Prometheus scrapes Loki (job loki) and the config passes promtool', () => {
    const yml = configMapData(defaults.objects, 'prometheus-config')['prometheus.yml'];
    const job = parse(yml).scrape_configs.find((j: { job_name: string }) => j.job_name === 'loki');
    expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual(['monitoring']);
    const alloy = configMapData(synth({ logs: { collector: 'alloy' } }).objects, 'prometheus-config')['prometheus.yml'];
    for (const text of [yml, alloy]) {
      const dir = tempFiles({ 'prometheus.yml': withPodFiles(text) });
      const r = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
      expect(r.stdout + r.stderr).toContain('SUCCESS');
    }
  });
});

describe('Loki ruler', () => {
  const RULES = [
    {
      alert: 'PaymentTimeouts',
      expr: 'sum by (namespace) (count_over_time({app="payments"} |= "timeout" [5m])) > 3',
      summary: 'Payments time out',
      description: '{{ $value }} timeouts in {{ $labels.namespace }}',
    },
  ];
  const withRuler = synth({ loki: { ruler: { enabled: true, errorRate: { containers: 'gateway|worker|analysis' }, rules: RULES } } });
  const cfg = parse(configMapData(withRuler.objects, 'loki-config')['loki.yaml']);
  const rules = configMapData(withRuler.objects, 'loki-rules');

  test('sends alerts to Alertmanager and reads rules from the mounted tenant directory', () => {
    expect(cfg.ruler).toMatchObject({ alertmanager_url: 'http://alertmanager.monitoring.svc:9093' });
    expect(cfg.common.storage.filesystem.rules_directory).toBe('/etc/loki/rules');
    const c = find(withRuler.objects, 'StatefulSet', 'loki').spec.template.spec.containers[0];
    expect(c.volumeMounts).toContainEqual({ name: 'rules', mountPath: '/etc/loki/rules/fake', readOnly: true });
  });

  test("the seed's error rate per container is an alert, with user rules after it", () => {
    const file = parse(rules['log-alerts.yaml']);
    // The built-in alerts first (error rate, then the Kubernetes-event alerts with Alloy), the user's rules last.
    const all: { alert: string }[] = file.groups[0].rules;
    const builtIn = all[0] as any;
    const user = all[all.length - RULES.length];
    expect(
      all
        .slice(1, all.length - RULES.length)
        .map((r) => r.alert)
        .every((a) => a.startsWith('KubeEvent')),
    ).toBe(true);
    expect(builtIn.alert).toBe(LOG_ERROR_RATE_ALERT);
    expect(builtIn.expr).toBe(
      'sum by (namespace, container) (rate({namespace=~".+", container=~"gateway|worker|analysis"} |~ "(?i)error" [1m])) * 60 > 10',
    );
    expect(builtIn.labels.severity).toBe('warning');
    expect(builtIn.annotations.runbook_url).toMatch(/#logerrorratehigh$/);
    expect(user).toMatchObject({ alert: 'PaymentTimeouts', for: '5m', labels: { severity: 'warning' } });
  });

  test('the rule file passes promtool check rules once LogQL is swapped for PromQL (names, durations, templates)', () => {
    const file = parse(rules['log-alerts.yaml']);
    for (const g of file.groups) for (const r of g.rules) r.expr = 'vector(1)';
    const dir = tempFiles({ 'log-alerts.yaml': JSON.stringify(file) });
    const r = run('promtool', ['check', 'rules', `${dir}/log-alerts.yaml`]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
  });

  test('a broken LogQL rule fails naming the spec field', () => {
    const bad = [{ ...RULES[0], expr: 'sum(rate({app="payments"} |= "timeout"))' }];
    expect(() => synth({ loki: { ruler: { enabled: true, rules: bad } } })).toThrow(
      /spec\.loki\.ruler\.rules\[0\]\.expr: invalid LogQL near character/,
    );
  });

  test('no ruler: an empty rules directory and no Alertmanager', () => {
    expect(configMapData(defaults.objects, 'loki-rules')).toEqual({});
    expect(lokiYaml().ruler.alertmanager_url).toBeUndefined();
  });
});

describe('Loki ruler -> Alertmanager credentials', () => {
  test('the password comes from the web-auth Secret through an env var and -config.expand-env, never from the ConfigMap', () => {
    const { objects } = synth({ loki: { ruler: { enabled: true } } });
    const cfg = parse(configMapData(objects, 'loki-config')['loki.yaml']);
    expect(cfg.ruler.alertmanager_client).toEqual({
      basic_auth_username: 'monitoring',
      basic_auth_password: '${LOKI_ALERTMANAGER_PASSWORD}',
    });
    const c = find(objects, 'StatefulSet', 'loki').spec.template.spec.containers[0];
    expect(c.args).toContain('-config.expand-env=true');
    expect(c.env).toEqual([
      {
        name: 'LOKI_ALERTMANAGER_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'monitoring-web-auth', key: 'password', optional: false } },
      },
    ]);
  });

  test('without the ruler: no credentials, no env expansion', () => {
    const { objects } = synth({});
    const c = find(objects, 'StatefulSet', 'loki').spec.template.spec.containers[0];
    expect(c.args).not.toContain('-config.expand-env=true');
    expect(c.env).toBeUndefined();
  });
});

describe('log pipeline alerts with Promtail (kept for existing users)', () => {
  test("the component's promtool tests pass on the Promtail variant: its own metric and job", () => {
    const rulesFile = configMapData(synth({ logs: { collector: 'promtail' } }).objects, 'prometheus-rules')['logs.yaml'];
    expect(rulesFile).toContain('promtail_request_duration_seconds_count{job="promtail",status_code=~"5..|-1"}');
    const tests = fs
      .readFileSync(path.join(__dirname, '..', '..', 'charts', 'components', 'loki', 'rules.test.yaml'), 'utf8')
      .replace(/loki_write_request_duration_seconds_count/g, 'promtail_request_duration_seconds_count')
      .replace(/job="alloy"/g, 'job="promtail"')
      .replace(/job: alloy/g, 'job: promtail')
      .replace(/alloy's pushes/g, "promtail's pushes");
    expect(tests).toContain('promtail_request_duration_seconds_count{job="promtail"');
    const dir = tempFiles({ 'logs.yaml': rulesFile, 'promtail.test.yaml': tests });
    const r = run('promtool', ['test', 'rules', path.join(dir, 'promtail.test.yaml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
  });
});
