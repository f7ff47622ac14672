/**
 * kube-state-metrics, the kubelet volume-stats job, the Kubernetes alerts'
 * inputs and the kube-state panels: RBAC, flags, probes, scrape jobs, and the
 * relabelling run through the real Prometheus (TOOL_PINS) on 127.0.0.1.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { ksmExposes, KSM_METRICS } from '../../charts/components/kube-state-metrics/construct';
import { checkPromQL } from '../../charts/core/query-check';
import { validateSpec } from '../../charts/spec-load';
import { containerStateRow, kubeStatePanels, volumesRow, servicesUpPanel, workloadStatusRow } from '../../dashboards/panels/kube-state';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { find, stackDoc, synth } from '../lib/synth';
import { testTempDir } from '../lib/tmp';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const SERVICES = [
  { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'vllm' }, port: 'http' },
  { name: 'qdrant', kind: 'qdrant', namespace: 'ai', selector: { app: 'qdrant' }, port: 6333 },
];

const { objects } = synth({ services: SERVICES });
const promConfig = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
const job = (name: string, config = promConfig) => config.scrape_configs.find((j: { job_name: string }) => j.job_name === name);
const deployment = find(objects, 'Deployment', 'kube-state-metrics');
const container = deployment.spec.template.spec.containers[0];
const arg = (name: string): string => {
  const a = (container.args as string[]).find((x) => x.startsWith(`--${name}=`));
  if (!a) throw new Error(`no --${name}`);
  return a.slice(name.length + 3);
};

/** What kube-state-metrics must be able to read: written out here, not derived from the code under test. */
const EXPECTED_RBAC: Record<string, string[]> = {
  '': ['namespaces', 'nodes', 'persistentvolumeclaims', 'pods'],
  apps: ['daemonsets', 'deployments', 'statefulsets'],
  batch: ['cronjobs', 'jobs'],
};

describe('kube-state-metrics workload', () => {
  test('ClusterRole: exactly get/list/watch on the reported kinds, nothing else', () => {
    const role = find(objects, 'ClusterRole', 'test-stack-kube-state-metrics');
    const byGroup: Record<string, string[]> = {};
    for (const r of role.rules) {
      expect(r.verbs).toEqual(['get', 'list', 'watch']);
      expect(r.nonResourceURLs).toBeUndefined();
      expect(r.resourceNames).toBeUndefined();
      expect(r.apiGroups).toHaveLength(1);
      byGroup[r.apiGroups[0]] = [...(byGroup[r.apiGroups[0]] ?? []), ...r.resources].sort();
    }
    expect(byGroup).toEqual(EXPECTED_RBAC);
    const binding = find(objects, 'ClusterRoleBinding', 'test-stack-kube-state-metrics');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-state-metrics', namespace: 'monitoring' }]);
    expect(binding.roleRef.name).toBe('test-stack-kube-state-metrics');
  });

  test('--resources lists exactly the kinds the ClusterRole grants', () => {
    expect(arg('resources').split(',').sort()).toEqual(Object.values(EXPECTED_RBAC).flat().sort());
  });

  test('labels allowlist: app.kubernetes.io/name on pods, deployments and statefulsets, and the pod labels components group by (the GPU cost team label)', () => {
    expect(arg('metric-labels-allowlist')).toBe(
      'pods=[app.kubernetes.io/name,team],deployments=[app.kubernetes.io/name],statefulsets=[app.kubernetes.io/name]',
    );
  });

  test('the team label follows spec.gpu.cost.teamLabel, and goes with the GPU component', () => {
    const allowlist = (spec: Record<string, unknown>) =>
      find(synth(spec).objects, 'Deployment', 'kube-state-metrics').spec.template.spec.containers[0].args.find((x: string) =>
        x.startsWith('--metric-labels-allowlist='),
      ) as string;
    expect(allowlist({ gpu: { cost: { teamLabel: 'example.com/team' } } })).toContain('pods=[app.kubernetes.io/name,example.com/team]');
    expect(allowlist({ gpu: { enabled: false } })).toContain('pods=[app.kubernetes.io/name]');
  });

  test('every allowlisted metric belongs to a kind in --resources', () => {
    const prefixes: Record<string, string> = {
      pods: 'kube_pod_',
      deployments: 'kube_deployment_',
      statefulsets: 'kube_statefulset_',
      daemonsets: 'kube_daemonset_',
      jobs: 'kube_job_',
      cronjobs: 'kube_cronjob_',
      nodes: 'kube_node_',
      persistentvolumeclaims: 'kube_persistentvolumeclaim_',
      namespaces: 'kube_namespace_',
    };
    const resources = arg('resources').split(',');
    for (const m of arg('metric-allowlist').split(',')) {
      const kind = Object.entries(prefixes).find(([, p]) => m.startsWith(p))?.[0];
      expect([m, kind && resources.includes(kind)]).toEqual([m, true]);
    }
  });

  test('every kube_* metric the synthesized rules and the panels read is exposed', () => {
    const rules = Object.values(configMapData(objects, 'prometheus-rules')).join('\n');
    const spec = validateSpec(stackDoc({ services: SERVICES })).spec;
    const panels = Object.values(kubeStatePanels(spec))
      .flat()
      .flatMap((p) => p.queries.map((q) => q.expr))
      .join('\n');
    const used = new Set([...`${rules}\n${panels}`.matchAll(/\bkube_[a-z_]+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((m) => !ksmExposes(m))).toEqual([]);
    expect(ksmExposes('kube_pod_start_time')).toBe(false);
  });

  test('spec.kubeStateMetrics.extraMetrics extends the allowlist', () => {
    const r = synth({ kubeStateMetrics: { extraMetrics: ['kube_pod_start_time', 'kube_node_status_capacity'] } });
    const c = find(r.objects, 'Deployment', 'kube-state-metrics').spec.template.spec.containers[0];
    const allow = (c.args as string[])
      .find((a) => a.startsWith('--metric-allowlist='))!
      .split('=')[1]
      .split(',');
    expect(allow.slice(-2)).toEqual(['kube_pod_start_time', 'kube_node_status_capacity']);
    expect(allow.length).toBe(Object.values(KSM_METRICS).flat().length + 2);
  });

  test('probes: /livez on the metrics port 8080, /readyz on the telemetry port 8081', () => {
    const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual({ 'http-metrics': 8080, telemetry: 8081 });
    expect(arg('port')).toBe('8080');
    expect(arg('telemetry-port')).toBe('8081');
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http-metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'telemetry' });
    expect(container.image).toMatch(/^registry\.k8s\.io\/kube-state-metrics\/kube-state-metrics:v2\.\d+\.\d+$/);
  });

  test('non-root 65534, read-only root filesystem, resources, ServiceAccount token mounted', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    // Derived from spec.sizing (3 nodes, 90 pods): 96Mi + 2Mi per node + 10KiB per pod, 50m + 1m per node.
    expect(container.resources.requests).toEqual({ cpu: '60m', memory: '128Mi' });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.metadata.namespace).toBe('monitoring');
  });

  test('every object of the stack is strictly valid', () => {
    expect(allProblems(objects)).toEqual([]);
  });
});

describe('scrape jobs', () => {
  test('kube-state-metrics: honor_labels, no exporter pod labels, fixed instance', () => {
    const j = job('kube-state-metrics');
    expect(j.honor_labels).toBe(true);
    const targets = j.relabel_configs.map((r: { target_label?: string }) => r.target_label).filter(Boolean);
    expect(targets).toEqual(['instance']);
    expect(j.kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', namespaces: { names: ['monitoring'] } });
  });

  test('kube-state-metrics-telemetry: the telemetry port, with the exporter pod labels', () => {
    const j = job('kube-state-metrics-telemetry');
    expect(j.honor_labels).toBeUndefined();
    expect(j.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'telemetry',
      action: 'keep',
    });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' });
  });

  test('kubelet: node discovery, HTTPS with the ServiceAccount token, certificates verified by default', () => {
    const j = job('kubelet');
    expect(j).toMatchObject({
      scheme: 'https',
      metrics_path: '/metrics',
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
      kubernetes_sd_configs: [{ role: 'node' }],
    });
    expect(j.tls_config.insecure_skip_verify).toBeUndefined();
    expect(j.metric_relabel_configs).toEqual([{ source_labels: ['__name__'], regex: 'kubelet_volume_stats_.+', action: 'keep' }]);
  });

  test('spec.kubelet.tlsInsecureSkipVerify applies to the kubelet and the kubelet-mode cAdvisor jobs', () => {
    const r = synth({ kubelet: { tlsInsecureSkipVerify: true }, cadvisor: { mode: 'kubelet' } });
    const config = parse(configMapData(r.objects, 'prometheus-config')['prometheus.yml']);
    expect(job('kubelet', config).tls_config.insecure_skip_verify).toBe(true);
    expect(job('cadvisor', config).tls_config.insecure_skip_verify).toBe(true);
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(configMapData(r.objects, 'prometheus-config')['prometheus.yml']) });
    const out = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(out.stdout + out.stderr).toContain('SUCCESS');
    expect(out.status).toBe(0);
  });

  test('promtool check config accepts the default stack with both jobs', () => {
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(configMapData(objects, 'prometheus-config')['prometheus.yml']) });
    const out = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(out.stdout + out.stderr).toContain('SUCCESS');
    expect(out.status).toBe(0);
  });
});

describe('spec switches', () => {
  test('kubeStateMetrics.enabled: false removes the Deployment, its jobs and the workload alerts, keeps volume alerts', () => {
    const r = synth({ kubeStateMetrics: { enabled: false } });
    expect(r.objects.filter((o) => o.metadata?.name === 'kube-state-metrics')).toEqual([]);
    const config = parse(configMapData(r.objects, 'prometheus-config')['prometheus.yml']);
    expect(job('kube-state-metrics', config)).toBeUndefined();
    expect(job('kubelet', config)).toBeDefined();
    const rules = parse(configMapData(r.objects, 'prometheus-rules')['kubernetes.yaml']);
    expect(rules.groups.map((g: { name: string }) => g.name)).toEqual(['kubernetes.volumes']);
  });

  test('kubelet.volumeStats.enabled: false removes the kubelet job and the volume alerts', () => {
    const r = synth({ kubelet: { volumeStats: { enabled: false } } });
    const config = parse(configMapData(r.objects, 'prometheus-config')['prometheus.yml']);
    expect(job('kubelet', config)).toBeUndefined();
    const rules = parse(configMapData(r.objects, 'prometheus-rules')['kubernetes.yaml']);
    expect(rules.groups.map((g: { name: string }) => g.name)).toEqual(['kubernetes.workloads']);
  });

  test('thresholds come from the spec', () => {
    const r = synth({
      kubeStateMetrics: { alerts: { containerRestarts: 5, restartWindow: '30m', podNotReadyFor: '20m' } },
      kubelet: { volumeStats: { warningPercent: 80, criticalPercent: 90, fullWithin: '12h' } },
    });
    const text = configMapData(r.objects, 'prometheus-rules')['kubernetes.yaml'];
    const rules = Object.fromEntries(
      parse(text)
        .groups.flatMap((g: { rules: { alert: string }[] }) => g.rules)
        .map((x: { alert: string }) => [x.alert, x]),
    );
    expect(rules.KubeContainerRestarting.expr).toMatch(/\[30m\]\)\) > 5$/);
    expect(rules.KubePodNotReady.for).toBe('20m');
    expect(rules.KubePersistentVolumeFillingUp.expr).toMatch(/> 0\.8$/);
    expect(rules.KubePersistentVolumeAlmostFull.expr).toMatch(/> 0\.9$/);
    expect(rules.KubePersistentVolumeFullSoon.expr).toContain('[6h], 43200)');
  });

  test('a warning threshold at or above the critical one is refused, naming the field', () => {
    expect(() =>
      validateSpec(stackDoc({ kubelet: { volumeStats: { warningPercent: 95, criticalPercent: 90 } } }), 'monitoring.yaml'),
    ).toThrow(/spec\.kubelet\.volumeStats\.warningPercent: must be below volumeStats\.criticalPercent \(90\)/);
    expect(() => validateSpec(stackDoc({ kubeStateMetrics: { extraMetrics: ['kube pod'] } }), 'monitoring.yaml')).toThrow(
      /spec\.kubeStateMetrics\.extraMetrics\[0\]: expected a kube-state-metrics metric name/,
    );
  });
});

describe('kube-state panels', () => {
  const spec = validateSpec(stackDoc({ services: SERVICES })).spec;
  const panels = kubeStatePanels(spec);

  test('every query parses', () => {
    const all = Object.values(panels).flat();
    expect(all.length).toBe(1 + 3 + 1 + 1);
    for (const p of all) for (const q of p.queries) checkPromQL(q.expr, `panel ${p.title}`);
    expect(() => checkPromQL('sum by (pod) (kube_pod_info', 'broken')).toThrow(/broken: invalid PromQL/);
  });

  test('workload status: one panel keyed by job, one keyed by workload; their size does not depend on the services', () => {
    const [workloads] = panels.workloads;
    expect(workloads.queries.map((q) => q.expr).join('\n')).toContain(
      'kube_deployment_labels{job="kube-state-metrics", namespace=~"$namespace", label_app_kubernetes_io_name!=""}',
    );
    expect(workloads.queries[1].expr).toContain(
      'kube_statefulset_labels{job="kube-state-metrics", namespace=~"$namespace", label_app_kubernetes_io_name!=""}',
    );
    expect(workloads.mappings).toEqual([
      { value: 0, text: 'DOWN', color: 'red' },
      { value: 1, text: 'UP', color: 'green' },
    ]);
    expect(servicesUpPanel().queries).toEqual([
      { expr: 'max by (job) (up{service_kind!="", job=~"$job"})', legend: '{{job}}', instant: true },
    ]);
    expect(servicesUpPanel('qdrant').queries[0].expr).toBe('max by (job) (up{service_kind="qdrant", job=~"$job"})');
    const many = validateSpec(
      stackDoc({
        services: Array.from({ length: 50 }, (_, i) => ({
          ...SERVICES[0],
          name: `vllm-${i}`,
          selector: { 'app.kubernetes.io/name': `vllm-${i}` },
        })),
      }),
    ).spec;
    expect(JSON.stringify(workloadStatusRow(many))).toBe(JSON.stringify(workloadStatusRow(spec)));
  });

  test('the stack volumes panel selects the stack namespace and its components', () => {
    expect(panels.stack[0].queries[0].expr).toContain(
      'namespace="monitoring",persistentvolumeclaim=~"(.+-)?(prometheus|loki|alertmanager|grafana)(-.+)?"',
    );
  });

  test("the panels are the dashboards' MetricPanel: unit, thresholds, min/max; status stats with UP/DOWN mappings and noValue", () => {
    for (const p of Object.values(panels).flat()) {
      expect(p.unit).not.toBe('');
      expect(p.thresholds.length).toBeGreaterThan(0);
    }
    for (const p of panels.workloads)
      expect(p).toMatchObject({
        type: 'stat',
        thresholds: [
          [null, 'red'],
          [1, 'green'],
        ],
        noValue: expect.any(String),
      });
    expect(panels.workloads.map((p) => p.noValue)).toEqual(['no workload found']);
    expect(servicesUpPanel()).toMatchObject({
      type: 'stat',
      thresholds: [
        [null, 'red'],
        [1, 'green'],
      ],
      noValue: 'no scrape target',
    });
    for (const p of [...panels.stack, ...panels.cluster]) expect(p).toMatchObject({ unit: 'percentunit', min: 0, max: 1 });
  });

  test('switched off in the spec: no panel, no row', () => {
    const off = validateSpec(
      stackDoc({ services: SERVICES, kubeStateMetrics: { enabled: false }, kubelet: { volumeStats: { enabled: false } } }),
    ).spec;
    expect(kubeStatePanels(off)).toEqual({ workloads: [], containers: [], stack: [], cluster: [] });
    // Without kube-state-metrics the services' scrape targets still say UP/DOWN.
    expect([workloadStatusRow(off), containerStateRow(off), volumesRow(off)].map((r) => r.panels.length)).toEqual([1, 0, 0]);
  });

  test('rows: status of one kind only, container panels narrowed by the given matchers', () => {
    expect(workloadStatusRow(spec).panels.map((p) => p.title)).toEqual(['Services UP/DOWN', 'Workloads UP/DOWN']);
    expect(workloadStatusRow(spec, 'qdrant').panels[0].queries[0].expr).toContain('service_kind="qdrant"');
    expect(workloadStatusRow(spec, 'mcp').panels).toEqual([]);
    const row = containerStateRow(spec, 'namespace=~"$namespace"');
    expect(row.panels.map((p) => p.queries[0].expr.includes('{job="kube-state-metrics", namespace=~"$namespace"'))).toEqual([
      true,
      true,
      true,
    ]);
    expect(volumesRow(spec).panels.map((p) => p.title)).toEqual(['Monitoring volumes usage', 'Persistent volumes usage (top 10)']);
  });
});

// --- The relabelling through the real Prometheus ------------------------------------------

const KUBELET_METRICS = `# HELP kubelet_volume_stats_available_bytes Number of available bytes in the volume
# TYPE kubelet_volume_stats_available_bytes gauge
kubelet_volume_stats_available_bytes{namespace="ai",persistentvolumeclaim="qdrant-data"} 1e+09
kubelet_volume_stats_available_bytes{namespace="monitoring",persistentvolumeclaim="data-prometheus-0"} 8e+09
# TYPE kubelet_volume_stats_capacity_bytes gauge
kubelet_volume_stats_capacity_bytes{namespace="ai",persistentvolumeclaim="qdrant-data"} 1e+10
kubelet_volume_stats_capacity_bytes{namespace="monitoring",persistentvolumeclaim="data-prometheus-0"} 5e+10
# TYPE kubelet_volume_stats_used_bytes gauge
kubelet_volume_stats_used_bytes{namespace="ai",persistentvolumeclaim="qdrant-data"} 9e+09
# TYPE kubelet_volume_stats_inodes gauge
kubelet_volume_stats_inodes{namespace="ai",persistentvolumeclaim="qdrant-data"} 655360
# TYPE kubelet_volume_stats_inodes_free gauge
kubelet_volume_stats_inodes_free{namespace="ai",persistentvolumeclaim="qdrant-data"} 655000
# TYPE kubelet_volume_stats_inodes_used gauge
kubelet_volume_stats_inodes_used{namespace="ai",persistentvolumeclaim="qdrant-data"} 360
# TYPE kubelet_volume_stats_health_status_abnormal gauge
kubelet_volume_stats_health_status_abnormal{namespace="ai",persistentvolumeclaim="qdrant-data"} 0
# TYPE kubelet_running_pods gauge
kubelet_running_pods 42
# TYPE kubelet_running_containers gauge
kubelet_running_containers{container_state="running"} 57
# TYPE kubelet_runtime_operations_duration_seconds histogram
kubelet_runtime_operations_duration_seconds_bucket{operation_type="create_container",le="0.1"} 3
kubelet_runtime_operations_duration_seconds_bucket{operation_type="create_container",le="+Inf"} 4
kubelet_runtime_operations_duration_seconds_sum{operation_type="create_container"} 0.9
kubelet_runtime_operations_duration_seconds_count{operation_type="create_container"} 4
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="10.0.0.1:6443",method="GET"} 1234
# TYPE storage_operation_duration_seconds_count counter
storage_operation_duration_seconds_count{operation_name="volume_mount",status="success",volume_plugin="kubernetes.io/csi"} 12
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 321
# TYPE go_goroutines gauge
go_goroutines 250
`;
const VOLUME_SAMPLES = KUBELET_METRICS.split('\n').filter((l) => l.startsWith('kubelet_volume_stats_')).length;

const KSM_OUTPUT = `# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{namespace="ai",pod="vllm-0",uid="3f1c",container="vllm"} 4
# TYPE kube_deployment_status_replicas_available gauge
kube_deployment_status_replicas_available{namespace="ai",deployment="vllm"} 1
kube_deployment_status_replicas_available{namespace="ai",deployment="stt"} 0
# TYPE kube_deployment_labels gauge
kube_deployment_labels{namespace="ai",deployment="vllm",label_app_kubernetes_io_name="vllm"} 1
kube_deployment_labels{namespace="ai",deployment="stt",label_app_kubernetes_io_name="stt"} 1
`;

function serve(body: string): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function query(port: number, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

describe('relabelling through the real Prometheus (127.0.0.1)', () => {
  let prometheus: ChildProcess | undefined;
  const servers: http.Server[] = [];
  let port = 0;
  let log = '';

  beforeAll(async () => {
    const kubelet = await serve(KUBELET_METRICS);
    const ksm = await serve(KSM_OUTPUT);
    servers.push(kubelet, ksm);
    const addr = (s: http.Server) => `127.0.0.1:${(s.address() as net.AddressInfo).port}`;
    // The synthesized jobs, with discovery replaced by one static target carrying the
    // __meta_* labels Kubernetes discovery would attach, so relabel_configs and
    // metric_relabel_configs run exactly as synthesized. The kubelet job's HTTPS and token
    // are replaced by plain HTTP: the fake kubelet has no certificate.
    const kubeletJob = { ...job('kubelet') };
    delete kubeletJob.kubernetes_sd_configs;
    delete kubeletJob.authorization;
    delete kubeletJob.tls_config;
    kubeletJob.scheme = 'http';
    kubeletJob.static_configs = [{ targets: [addr(kubelet)], labels: { __meta_kubernetes_node_name: 'node-a' } }];
    const ksmJob = { ...job('kube-state-metrics') };
    delete ksmJob.kubernetes_sd_configs;
    ksmJob.static_configs = [
      {
        targets: [addr(ksm)],
        labels: {
          __meta_kubernetes_pod_phase: 'Running',
          __meta_kubernetes_pod_container_port_name: 'http-metrics',
          __meta_kubernetes_namespace: 'monitoring',
          __meta_kubernetes_pod_name: 'kube-state-metrics-5d8f7-abcde',
          __meta_kubernetes_pod_node_name: 'node-b',
        },
      },
    ];
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [kubeletJob, ksmJob],
    };
    const dir = testTempDir('prom-kube-state-');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
    const check = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    if (check.status !== 0) throw new Error(check.stdout + check.stderr);
    port = await freePort();
    prometheus = spawn(
      tool('prometheus'),
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d) => {
      log += d;
    });
    const deadline = Date.now() + 30000;
    for (;;) {
      try {
        const ups = await query(port, 'up');
        if (ups.length === 2 && ups.every((u) => u.value[1] === '1')) {
          const post = await query(port, 'scrape_samples_post_metric_relabeling');
          if (post.length === 2) break;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape both fake targets in 30s:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    for (const s of servers) s.close();
  });

  test('only kubelet_volume_stats_* series survive the kubelet job', async () => {
    const names = (await query(port, 'count by (__name__) ({job="kubelet"})')).map((r) => r.metric.__name__).sort();
    const scrapeSeries = [
      'scrape_duration_seconds',
      'scrape_samples_post_metric_relabeling',
      'scrape_samples_scraped',
      'scrape_series_added',
      'up',
    ];
    expect(names.filter((n) => !scrapeSeries.includes(n))).toEqual([
      'kubelet_volume_stats_available_bytes',
      'kubelet_volume_stats_capacity_bytes',
      'kubelet_volume_stats_health_status_abnormal',
      'kubelet_volume_stats_inodes',
      'kubelet_volume_stats_inodes_free',
      'kubelet_volume_stats_inodes_used',
      'kubelet_volume_stats_used_bytes',
    ]);
    const [post] = await query(port, 'scrape_samples_post_metric_relabeling{job="kubelet"}');
    const [scraped] = await query(port, 'scrape_samples_scraped{job="kubelet"}');
    expect(Number(post.value[1])).toBe(VOLUME_SAMPLES);
    expect(Number(scraped.value[1])).toBeGreaterThan(VOLUME_SAMPLES);
  });

  test('kubelet series carry node and instance = node name, and the claim labels', async () => {
    const [s] = await query(port, 'kubelet_volume_stats_used_bytes');
    expect(s.metric).toEqual({
      __name__: 'kubelet_volume_stats_used_bytes',
      job: 'kubelet',
      instance: 'node-a',
      node: 'node-a',
      namespace: 'ai',
      persistentvolumeclaim: 'qdrant-data',
    });
  });

  test('the volume usage the alerts use reads 90% and 84% from the real series', async () => {
    const { volumeUsageExpr } = await import('../../charts/components/kube-state-metrics/rules');
    const r = await query(port, volumeUsageExpr());
    const byClaim = Object.fromEntries(r.map((x) => [x.metric.persistentvolumeclaim, Number(x.value[1])]));
    expect(byClaim).toEqual({ 'qdrant-data': 0.9, 'data-prometheus-0': 0.84 });
  });

  test("kube-state-metrics series describe the object: its namespace and pod, never the exporter's", async () => {
    const [restarts] = await query(port, 'kube_pod_container_status_restarts_total');
    expect(restarts.metric).toEqual({
      __name__: 'kube_pod_container_status_restarts_total',
      job: 'kube-state-metrics',
      instance: 'kube-state-metrics',
      namespace: 'ai',
      pod: 'vllm-0',
      container: 'vllm',
      uid: '3f1c',
    });
    const deployments = await query(port, 'kube_deployment_status_replicas_available');
    for (const d of deployments) expect(Object.keys(d.metric).sort()).toEqual(['__name__', 'deployment', 'instance', 'job', 'namespace']);
  });

  test('the workloads panel reads UP for vllm (1 available replica) and DOWN for stt', async () => {
    const [workloads] = kubeStatePanels(validateSpec(stackDoc({ services: SERVICES })).spec).workloads;
    const all = (expr: string) => expr.replace(/\$namespace/g, '.+');
    expect(
      (await query(port, all(workloads.queries[0].expr))).map((r) => [r.metric.label_app_kubernetes_io_name, r.value[1]]).sort(),
    ).toEqual([
      ['stt', '0'],
      ['vllm', '1'],
    ]);
    expect(await query(port, all(workloads.queries[1].expr))).toEqual([]);
  });
});
