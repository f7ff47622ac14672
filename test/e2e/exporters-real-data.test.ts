/**
 * The seeds' stores and queue, with the real programs (TOOL_PINS): Debian's
 * redis-server + prometheus-redis-exporter and mariadb-server +
 * prometheus-mysqld-exporter, and rq-exporter with rq and a real worker that
 * processes and fails jobs on the real Redis, all on 127.0.0.1. Prometheus
 * runs the synthesized prometheus.yml (discovery swapped for static pods
 * carrying the discovery labels) and rules with 1s intervals set through the
 * spec. Every panel of the Redis, MySQL and WhisperX-jobs dashboards returns
 * data except those whose source cannot run here (listed); RqJobsFailing,
 * MySQLDown and RedisDown fire on real failed jobs and real outages, and resolve.
 */
import { stackDashboards } from '../lib/dashboards';
import { type ChildProcess, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { METRIC_SOURCES, type SourceId } from '../../dashboards/catalog';
import { promqlMetrics, shippedQueries, type DashboardJson } from '../../dashboards/check';
import { dashboardContext, datasourceTypes } from '../../dashboards';
import { validateSpec } from '../../charts/spec-load';
import { configMapData } from '../lib/dist';
import { writeRuleFiles } from '../lib/teams-e2e';
import { authorizeRequests, freePort, get, Procs, promQuery, staticPod } from '../lib/procs';
import { atWebAuthDir, makeWebAuthSecret } from '../lib/web-auth';
import { stackDoc, synth } from '../lib/synth';
import { tool } from '../lib/tools';
import { withScrapeFilesInlined } from '../lib/prometheus-files';

jest.setTimeout(240_000);

const SERVICES = [
  { name: 'redis', kind: 'redis-exporter', namespace: 'apps', selector: { 'app.kubernetes.io/name': 'redis-exporter' }, port: 9121 },
  { name: 'mysql', kind: 'mysql-exporter', namespace: 'apps', selector: { 'app.kubernetes.io/name': 'mysqld-exporter' }, port: 9104 },
  { name: 'whisperx-rq', kind: 'rq-exporter', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'rq-exporter' }, port: 9726 },
];
const SPEC = {
  prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s', evaluationInterval: '1s', annotationDiscovery: false },
  nodeExporter: { enabled: false },
  cadvisor: { enabled: false },
  gpu: { enabled: false },
  kubeStateMetrics: { enabled: false },
  kubelet: { volumeStats: { enabled: false } },
  loki: { enabled: false },
  grafana: { enabled: false },
  blackboxExporter: { enabled: false },
  alerting: { enabled: false, thresholds: { datastoreDownFor: '2s', rqFailedJobs: { perSecond: 0.1, for: '1s' } } },
  services: SERVICES,
};
const DASHBOARDS = ['redis', 'mysql', 'whisperx-jobs'];
const RUNNING: ReadonlySet<SourceId> = new Set<SourceId>(['prometheus', 'redis-exporter', 'mysql-exporter', 'rq-exporter']);
/** Panels whose source cannot run here: kube-state-metrics (no cluster) and Loki (no binary). */
const NOT_PROVABLE = [
  'redis: Workloads UP/DOWN',
  'mysql: Workloads UP/DOWN',
  'whisperx-jobs: Workloads UP/DOWN',
  'whisperx-jobs: Worker error lines per minute',
  'whisperx-jobs: Worker job logs',
  'whisperx-jobs: Worker errors',
];

const JOBS_PY = `import time

def transcribe(seconds):
    time.sleep(seconds)
    return {"words": 3}

def broken(seconds):
    time.sleep(seconds)
    raise RuntimeError("CUDA out of memory (test)")
`;

describe("real exporters for the seeds' stores and queue", () => {
  const procs = new Procs();
  const ports = { prometheus: 0, redis: 0, redisExporter: 0, mysql: 0, mysqlExporter: 0, rqExporter: 0 };
  let tmp = '';
  let redis: ChildProcess;
  let mysql: ChildProcess;
  let worker: ChildProcess;
  const venvPython = () => path.join(path.dirname(tool('rq-exporter')), 'python');
  const redisUrl = () => `redis://127.0.0.1:${ports.redis}/0`;
  const startRedis = () =>
    procs.start('redis', tool('redis-server'), [
      '--port',
      String(ports.redis),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tmp,
    ]);
  const startMysql = () =>
    procs.start('mariadb', tool('mariadbd'), [
      '--no-defaults',
      `--datadir=${path.join(tmp, 'mysql')}`,
      `--port=${ports.mysql}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(tmp, 'mysql.sock')}`,
      `--pid-file=${path.join(tmp, 'mysql.pid')}`,
      '--user=root',
      '--skip-grant-tables',
      '--skip-log-bin',
    ]);
  /** Enqueue jobs with rq's own API. */
  const enqueue = (fn: 'transcribe' | 'broken', n: number, seconds: number) => {
    const r = spawnSync(
      venvPython(),
      [
        '-c',
        `from redis import Redis\nfrom rq import Queue\nq = Queue("whisperx", connection=Redis.from_url("${redisUrl()}"))\nfor _ in range(${n}): q.enqueue("jobs.${fn}", ${seconds}, result_ttl=3600, failure_ttl=3600)\n`,
      ],
      { cwd: tmp, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const alertState = async (name: string) => {
    const body = JSON.parse((await get(`http://127.0.0.1:${ports.prometheus}/api/v1/alerts`)).body);
    return (body.data.alerts as { labels: Record<string, string>; state: string }[]).filter((a) => a.labels.alertname === name);
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'exporters-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    fs.writeFileSync(path.join(tmp, 'jobs.py'), JOBS_PY);

    const { objects } = synth(SPEC);
    const rulesDir = writeRuleFiles(tmp, objects);
    // The web-auth Secret (spec.webAuth), made as README says and "mounted" here instead of /etc/web-auth.
    const auth = makeWebAuthSecret(path.join(tmp, 'web-auth'));
    authorizeRequests(auth.header);
    const webConfig = `--web.config.file=${path.join(auth.dir, 'web-config.yml')}`;
    // The service jobs live in the scrape config files (scrape/*.yml): inlined beside those of prometheus.yml.
    const prom = withScrapeFilesInlined(
      parse(atWebAuthDir(configMapData(objects, 'prometheus-config')['prometheus.yml'], auth.dir)),
      objects,
    );
    // A discovered pod of each service: its namespace, container port and selector labels, as Kubernetes
    // discovery would report them; the synthesized (grouped) jobs' relabelling picks its service and job.
    const addresses: Record<string, number> = { redis: ports.redisExporter, mysql: ports.mysqlExporter, 'whisperx-rq': ports.rqExporter };
    const podOf = (s: (typeof SERVICES)[number]) => {
      const t = staticPod(`127.0.0.1:${addresses[s.name]}`, 'metrics', s.namespace, `${s.selector['app.kubernetes.io/name']}-e2e01`);
      const selectorLabels = Object.fromEntries(
        Object.entries(s.selector).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^A-Za-z0-9_]/g, '_')}`, v]),
      );
      return { ...t, labels: { ...t.labels, ...selectorLabels, __meta_kubernetes_pod_container_port_number: String(s.port) } };
    };
    const self = staticPod(`127.0.0.1:${ports.prometheus}`, 'web', 'monitoring', 'prometheus-0');
    const jobs = prom.scrape_configs.map((j: { job_name: string }) => j.job_name);
    expect(jobs).toContain('prometheus');
    expect(jobs.filter((j: string) => j !== 'prometheus')).toHaveLength(SERVICES.length);
    for (const job of prom.scrape_configs) {
      delete job.kubernetes_sd_configs;
      job.static_configs = job.job_name === 'prometheus' ? [self] : SERVICES.map(podOf);
    }
    prom.rule_files = [path.join(rulesDir, '*.yaml')];
    fs.writeFileSync(path.join(tmp, 'prometheus.yml'), stringify(prom));

    // MariaDB: a fresh data directory.
    const install = spawnSync(
      tool('mariadb-install-db'),
      [
        '--no-defaults',
        `--datadir=${path.join(tmp, 'mysql')}`,
        '--user=root',
        '--skip-test-db',
        '--auth-root-authentication-method=normal',
      ],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
    // --skip-grant-tables: the server checks no password; mysqld_exporter insists on one in its file.
    fs.writeFileSync(path.join(tmp, 'my.cnf'), `[client]\nuser=root\npassword=unchecked\nhost=127.0.0.1\nport=${ports.mysql}\n`);

    redis = startRedis();
    mysql = startMysql();
    procs.start('redis-exporter', tool('prometheus-redis-exporter'), [
      `--redis.addr=redis://127.0.0.1:${ports.redis}`,
      '--include-system-metrics',
      `--web.listen-address=127.0.0.1:${ports.redisExporter}`,
    ]);
    procs.start('mysqld-exporter', tool('prometheus-mysqld-exporter'), [
      `--config.my-cnf=${path.join(tmp, 'my.cnf')}`,
      `--web.listen-address=127.0.0.1:${ports.mysqlExporter}`,
    ]);
    procs.start('rq-exporter', tool('rq-exporter'), ['--host', '127.0.0.1', '-p', String(ports.rqExporter), '--redis-url', redisUrl()]);
    procs.start('prometheus', tool('prometheus'), [
      `--config.file=${path.join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(tmp, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      webConfig,
    ]);
    await procs.waitFor('Redis answers', () =>
      spawnSync(tool('redis-cli'), ['-p', String(ports.redis), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG' ? true : undefined,
    );
    // A real worker on the real Redis, processing and failing jobs.
    worker = procs.start('rq-worker', tool('rq'), ['worker', '-u', redisUrl(), '--path', tmp, '--name', 'whisperx-worker-1', 'whisperx'], {
      cwd: tmp,
    });
    enqueue('transcribe', 5, 0.2);
    await procs.waitFor(
      'every target up',
      async () => ((await promQuery(ports.prometheus, 'up == 1')).length === 4 ? true : undefined),
      90_000,
    );
  });

  afterAll(async () => {
    await procs.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('failed jobs fire RqJobsFailing; clearing the failed registry resolves it', async () => {
    enqueue('broken', 30, 0.2);
    const firing = await procs.waitFor(
      'RqJobsFailing firing',
      async () => (await alertState('RqJobsFailing')).find((a) => a.state === 'firing'),
      90_000,
    );
    expect(firing.labels).toMatchObject({
      alertname: 'RqJobsFailing',
      severity: 'warning',
      queue: 'whisperx',
      job: 'whisperx-rq',
      namespace: 'ai',
    });
    // Runbook fix: the cause is gone; the failed jobs are removed from the registry.
    await procs.waitFor('queue drained', async () =>
      (await promQuery(ports.prometheus, 'rq_jobs{status="queued"} == 0')).length === 1 ? true : undefined,
    );
    const clear = spawnSync(
      venvPython(),
      [
        '-c',
        `from redis import Redis\nfrom rq import Queue\nq = Queue("whisperx", connection=Redis.from_url("${redisUrl()}"))\nfor j in q.failed_job_registry.get_job_ids(): q.failed_job_registry.remove(j, delete_job=True)\n`,
      ],
      { cwd: tmp, encoding: 'utf8' },
    );
    expect(clear.stderr).toBe('');
    await procs.waitFor(
      'RqJobsFailing resolved',
      async () => ((await alertState('RqJobsFailing')).length === 0 ? true : undefined),
      60_000,
    );
    // Jobs for the dashboards' failure ratio and per-status panels.
    enqueue('transcribe', 5, 0.2);
    enqueue('broken', 2, 0.1);
  });

  test('every panel of the Redis, MySQL and WhisperX-jobs dashboards returns data, except those listed', async () => {
    // The dashboards as shipped with kube-state-metrics and Loki on (their panels are listed, not proven).
    const spec = validateSpec(stackDoc({ ...SPEC, kubeStateMetrics: { enabled: true }, loki: { enabled: true } }), 'test spec').spec;
    const types = datasourceTypes(dashboardContext(spec).sources);
    const built = stackDashboards(spec).filter((d) => DASHBOARDS.includes(d.uid));
    expect(built.map((d) => d.uid).sort()).toEqual([...DASHBOARDS].sort());
    const substitute = (e: string) => e.replace(/\$\{?__(rate_interval|interval|range)\}?/g, '1m').replace(/\$\{?(\w+)\}?/g, '.+');
    const queries = built.flatMap((d) =>
      shippedQueries(JSON.parse(d.json) as DashboardJson, types)
        .filter((q) => q.expr !== '')
        .map((q) => ({ id: `${d.uid}: ${q.panel}`, lang: q.lang, expr: substitute(q.expr) })),
    );
    const runnable = (q: { lang: string; expr: string }) =>
      q.lang === 'PromQL' && promqlMetrics(q.expr).every((m) => (METRIC_SOURCES.get(m) ?? []).some((s) => RUNNING.has(s)));
    expect([...new Set(queries.filter((q) => !runnable(q)).map((q) => q.id))].sort()).toEqual([...NOT_PROVABLE].sort());
    const pending = new Map(queries.filter(runnable).map((q) => [`${q.id} :: ${q.expr}`, q.expr]));
    const deadline = Date.now() + 90_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const [key, expr] of [...pending]) if ((await promQuery(ports.prometheus, expr)).length > 0) pending.delete(key);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    expect([...pending.keys()]).toEqual([]);
    // Redis runs without maxmemory: the memory panels read the system memory instead.
    expect((await promQuery(ports.prometheus, 'redis_memory_max_bytes')).map((r) => r.value[1])).toEqual(['0']);
  });

  test('stopping MariaDB fires MySQLDown; starting it resolves it', async () => {
    await procs.stop(mysql);
    const firing = await procs.waitFor('MySQLDown firing', async () => (await alertState('MySQLDown')).find((a) => a.state === 'firing'));
    expect(firing.labels).toMatchObject({ severity: 'critical', job: 'mysql', namespace: 'apps', pod: 'mysqld-exporter-e2e01' });
    mysql = startMysql();
    await procs.waitFor('MySQLDown resolved', async () => ((await alertState('MySQLDown')).length === 0 ? true : undefined));
  });

  test('stopping Redis fires RedisDown; starting it resolves it', async () => {
    await procs.stop(worker);
    await procs.stop(redis);
    const firing = await procs.waitFor('RedisDown firing', async () => (await alertState('RedisDown')).find((a) => a.state === 'firing'));
    expect(firing.labels).toMatchObject({ severity: 'critical', job: 'redis', namespace: 'apps', pod: 'redis-exporter-e2e01' });
    redis = startRedis();
    await procs.waitFor('RedisDown resolved', async () => ((await alertState('RedisDown')).length === 0 ? true : undefined));
  });
});
