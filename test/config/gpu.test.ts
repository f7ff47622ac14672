/**
 * GPU monitoring: the DCGM exporter DaemonSet lands only on GPU nodes, runs
 * with the NVIDIA runtime class, attributes GPUs to pods through the
 * read-only pod-resources socket, and holds no capability beyond what the
 * spec asks for; the scrape job keeps the workload's pod labels, proved with
 * the real Prometheus binary scraping a DCGM-format endpoint on 127.0.0.1.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { COUNTERS_PATH, DEFAULT_COUNTERS, EXPORTER_COUNTERS, PROFILING_COUNTERS } from '../../charts/components/dcgm-exporter/construct';
import { IMAGES } from '../../charts/core/images';
import { refusedWith } from '../lib/spec-problems';
import { GPU_RECORDING } from '../../charts/components/dcgm-exporter/rules';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { find, synth } from '../lib/synth';
import { tool } from '../lib/tools';
import { freePort } from '../lib/procs';

const daemonSetOf = (objects: ReturnType<typeof synth>['objects']) => find(objects, 'DaemonSet', 'dcgm-exporter');
const podSpecOf = (objects: ReturnType<typeof synth>['objects']) => daemonSetOf(objects).spec.template.spec;
const containerOf = (objects: ReturnType<typeof synth>['objects']) => podSpecOf(objects).containers[0];
const promConfig = (objects: ReturnType<typeof synth>['objects']) => parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
const dcgmJob = (objects: ReturnType<typeof synth>['objects']) =>
  promConfig(objects).scrape_configs.find((j: { job_name: string }) => j.job_name === 'dcgm-exporter');

const specError = (spec: Record<string, unknown>): string[] => refusedWith(() => synth(spec));

describe('DCGM exporter DaemonSet (defaults)', () => {
  const { objects } = synth();
  const ds = daemonSetOf(objects);
  const pod = podSpecOf(objects);
  const c = containerOf(objects);

  test('runs in the agent namespace with the pinned 4.x image', () => {
    expect(ds.metadata.namespace).toBe('monitoring-agents');
    expect(c.image).toBe(IMAGES.dcgmExporter);
    expect(c.image).toMatch(/^nvcr\.io\/nvidia\/k8s\/dcgm-exporter:4\.\d+\.\d+-4\.\d+\.\d+-ubuntu22\.04$/);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(pod.priorityClassName).toBe('system-node-critical');
  });

  test('can only land on GPU nodes: the GPU label is required and only the GPU taint is tolerated', () => {
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    // Required (not preferred) node affinity: a node with any of the GPU labels (GFD's or NFD's NVIDIA label).
    expect(pod.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
            { matchExpressions: [{ key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] },
          ],
        },
      },
    });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    // No blanket toleration (a key-less Exists tolerates every taint) and nothing that bypasses the selector.
    expect(pod.tolerations.every((t: { key?: string }) => t.key)).toBe(true);
    expect(pod.nodeName).toBeUndefined();
  });

  test('carries the nvidia runtime class and creates no RuntimeClass (the GPU operator does)', () => {
    expect(pod.runtimeClassName).toBe('nvidia');
    expect(objects.filter((o) => o.kind === 'RuntimeClass')).toEqual([]);
  });

  test('mounts only the pod-resources directory from the host, read-only', () => {
    const hostVolumes = pod.volumes.filter((v: { hostPath?: unknown }) => v.hostPath);
    expect(hostVolumes).toEqual([{ name: 'pod-resources', hostPath: { path: '/var/lib/kubelet/pod-resources', type: 'Directory' } }]);
    expect(c.volumeMounts.find((m: { name: string }) => m.name === 'pod-resources')).toEqual({
      name: 'pod-resources',
      mountPath: '/var/lib/kubelet/pod-resources',
      readOnly: true,
    });
    expect(c.volumeMounts.every((m: { readOnly?: boolean }) => m.readOnly === true)).toBe(true);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPid ?? pod.hostPID ?? false).toBe(false);
    expect(pod.hostIpc ?? pod.hostIPC ?? false).toBe(false);
  });

  test('attributes GPUs to pods: DCGM_EXPORTER_KUBERNETES and NODE_NAME from the downward API', () => {
    const env = Object.fromEntries(
      c.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]),
    );
    expect(env.DCGM_EXPORTER_KUBERNETES).toBe('true');
    expect(env.NODE_NAME).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } });
    expect(env.DCGM_EXPORTER_LISTEN).toBe(':9400');
    expect(env.DCGM_EXPORTER_INTERVAL).toBe('15000');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('no capability beyond the defaults: not privileged, ALL dropped, nothing added', () => {
    expect(c.securityContext.privileged).toBe(false);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(c.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('the counters CSV is mounted over the default counters file and selected with DCGM_EXPORTER_COLLECTORS (-f)', () => {
    const mount = c.volumeMounts.find((m: { name: string }) => m.name === 'counters');
    expect(mount).toEqual({ name: 'counters', mountPath: COUNTERS_PATH, subPath: 'counters.csv', readOnly: true });
    expect(COUNTERS_PATH).toBe('/etc/dcgm-exporter/default-counters.csv');
    expect(c.env.find((e: { name: string }) => e.name === 'DCGM_EXPORTER_COLLECTORS').value).toBe(COUNTERS_PATH);
    const csv = configMapData(objects, 'dcgm-exporter-counters')['counters.csv'];
    const fields = csv
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(',')[0].trim());
    for (const f of [
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_FB_FREE',
      'DCGM_FI_DEV_POWER_USAGE',
      'DCGM_FI_DEV_GPU_TEMP',
      'DCGM_FI_DEV_XID_ERRORS',
      'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL',
      'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
      'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL',
      'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL',
      'DCGM_FI_DEV_CLOCKS_EVENT_REASONS',
      'DCGM_FI_DEV_ROW_REMAP_FAILURE',
    ]) {
      expect(fields).toContain(f);
    }
    expect(fields.filter((f) => f.startsWith('DCGM_FI_PROF_'))).toEqual([]);
    // The windowed XID count the XID alert reads (the last-code gauge never returns to 0).
    expect(fields).toContain('DCGM_EXP_XID_ERRORS_COUNT');
    // Every line has exactly a field, a known type and a help text.
    for (const l of csv.split('\n').filter((x) => x && !x.startsWith('#'))) {
      expect(l).toMatch(/^DCGM_(FI|EXP)_[A-Z0-9_]+, (gauge|counter|label), .+$/);
    }
    expect(new Set(fields).size).toBe(fields.length);
  });

  test('probes /health with a long initial delay', () => {
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' });
    expect(c.readinessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(30);
    expect(c.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(60);
  });

  test('strictly valid, with resources, probes and a security context', () => {
    expect(allProblems(objects.filter((o) => o.metadata?.name?.startsWith('dcgm-exporter')))).toEqual([]);
  });
});

describe('DCGM exporter with profiling metrics', () => {
  const plain = synth();
  const { objects } = synth({ gpu: { profilingMetrics: true } });
  const c = containerOf(objects);

  test('adds SYS_ADMIN and nothing else', () => {
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['SYS_ADMIN'] });
    expect(c.securityContext.privileged).toBe(false);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
  });

  test('lists the DCGM_FI_PROF_* fields and rolls the pods', () => {
    const csv = configMapData(objects, 'dcgm-exporter-counters')['counters.csv'];
    for (const p of PROFILING_COUNTERS) expect(csv).toContain(`${p.field}, `);
    for (const d of DEFAULT_COUNTERS) expect(csv).toContain(`${d.field}, `);
    const checksumOf = (o: typeof objects) => daemonSetOf(o).spec.template.metadata.annotations['checksum/config'];
    expect(checksumOf(objects)).not.toBe(checksumOf(plain.objects));
  });

  test('strictly valid', () => {
    expect(allProblems(objects.filter((o) => o.metadata?.name?.startsWith('dcgm-exporter')))).toEqual([]);
  });
});

describe('spec.gpu settings', () => {
  test('node selector label/value and tolerations are settable', () => {
    const { objects } = synth({
      gpu: {
        nodeSelector: { label: 'accelerator', value: 'nvidia-l4' },
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
          { key: 'nvidia.com/gpu', operator: 'Exists' },
        ],
      },
    });
    const pod = podSpecOf(objects);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'accelerator', operator: 'In', values: ['nvidia-l4'] }] },
    ]);
    expect(pod.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
      { key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
  });

  test('runtimeClassName is settable, or omitted with null', () => {
    expect(podSpecOf(synth({ gpu: { runtimeClassName: 'nvidia-cdi' } }).objects).runtimeClassName).toBe('nvidia-cdi');
    expect('runtimeClassName' in podSpecOf(synth({ gpu: { runtimeClassName: null } }).objects)).toBe(false);
  });

  test('createRuntimeClass toggles a node.k8s.io/v1 RuntimeClass with the nvidia handler', () => {
    const { objects } = synth({ gpu: { createRuntimeClass: true } });
    const rc = find(objects, 'RuntimeClass', 'nvidia');
    expect(rc.apiVersion).toBe('node.k8s.io/v1');
    expect(rc.handler).toBe('nvidia');
    expect(rc.metadata.namespace).toBeUndefined();
    expect(allProblems([rc])).toEqual([]);
    const named = synth({ gpu: { createRuntimeClass: true, runtimeClassName: 'nvidia-gpu' } }).objects;
    expect(find(named, 'RuntimeClass', 'nvidia-gpu').handler).toBe('nvidia');
    expect(podSpecOf(named).runtimeClassName).toBe('nvidia-gpu');
  });

  test('pod-resources host path and resources are settable', () => {
    const { objects } = synth({
      gpu: { podResourcesPath: '/var/lib/k0s/kubelet/pod-resources', resources: { limits: { memory: '2Gi' } } },
    });
    const pod = podSpecOf(objects);
    expect(pod.volumes.find((v: { name: string }) => v.name === 'pod-resources').hostPath.path).toBe('/var/lib/k0s/kubelet/pod-resources');
    expect(pod.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'pod-resources').mountPath).toBe(
      '/var/lib/kubelet/pod-resources',
    );
    expect(pod.containers[0].resources.limits.memory).toBe('2Gi');
  });

  test('enabled: false removes the DaemonSet, the scrape job and the GPU rules', () => {
    const { objects } = synth({ gpu: { enabled: false } });
    expect(objects.filter((o) => o.metadata?.name?.startsWith('dcgm-exporter'))).toEqual([]);
    expect(dcgmJob(objects)).toBeUndefined();
    expect(Object.keys(configMapData(objects, 'prometheus-rules'))).not.toContain('gpu.yaml');
  });

  test('alert thresholds come from the spec', () => {
    const { objects } = synth({
      gpu: { alerts: { highTemperature: { celsius: 80, for: '5m' }, idleAllocated: { percent: 10, for: '1h' } } },
    });
    const rules = parse(configMapData(objects, 'prometheus-rules')['gpu.yaml']).groups.flatMap((g: { rules: unknown[] }) => g.rules);
    const byName = (n: string) => rules.find((r: { alert?: string }) => r.alert === n);
    expect(byName('GpuTemperatureHigh')).toMatchObject({ expr: 'DCGM_FI_DEV_GPU_TEMP{job="dcgm-exporter"} > 80', for: '5m' });
    expect(byName('GpuAllocatedButIdle')).toMatchObject({ expr: 'gpu:dcgm_gpu_busy:ratio{pod!=""} * 100 < 10', for: '1h' });
    expect(byName('GpuHighUtilisation')).toMatchObject({ expr: 'gpu:dcgm_gpu_busy:ratio * 100 > 95', for: '15m' });
    // llm-d's low-utilisation warning stays above the idle threshold (GpuAllocatedButIdle speaks below it).
    expect(byName('GpuLowUtilisation')).toMatchObject({
      expr: 'namespace_pod:gpu_utilisation:ratio * 100 < 30 and namespace_pod:gpu_utilisation:ratio * 100 >= 10',
      for: '30m',
    });
  });

  test('bad values are refused with the field and the fix', () => {
    expect(
      specError({
        gpu: {
          nodeSelector: { label: 'not a label!' },
          tolerations: [
            { key: 'nvidia.com/gpu', operator: 'Exists', value: 'present' },
            { operator: 'Equal', value: 'x' },
            { key: 'k', operator: 'Maybe' },
          ],
          alerts: { memoryFull: { percent: 150 }, highTemprature: { celsius: 90 } },
          image: 'nvcr.io/nvidia/k8s/dcgm-exporter:latest',
          collectInterval: '500ms',
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        'spec.gpu.nodeSelector.label: expected a node label key such as "nvidia.com/gpu.present", found "not a label!"',
        'spec.gpu.tolerations[0].value: must be omitted when operator is "Exists" (Exists matches any value); use operator "Equal" to match one value',
        'spec.gpu.tolerations[1].key: required when operator is "Equal"; to tolerate every taint use { operator: Exists } without a key',
        'spec.gpu.tolerations[2].operator: expected "Exists" or "Equal", found "Maybe"',
        'spec.gpu.alerts.memoryFull.percent: must be below 100 (a percentage), found number 150',
        'spec.gpu.alerts.highTemprature: unknown field; did you mean "highTemperature"?',
        'spec.gpu.image: the "latest" tag is not allowed: pin a version so rollouts are reproducible',
        'spec.gpu.collectInterval: must be at least 1s',
      ]),
    );
    expect(specError({ gpu: { runtimeClassName: null, createRuntimeClass: true } })).toEqual([
      'spec.gpu.createRuntimeClass: needs spec.gpu.runtimeClassName (the name of the RuntimeClass to create); set runtimeClassName: nvidia or createRuntimeClass: false',
    ]);
    expect(specError({ gpu: { runtimeClassName: 'Nvidia_GPU' } })).toEqual([
      'spec.gpu.runtimeClassName: expected a RuntimeClass name such as "nvidia" (lowercase DNS subdomain), or null to omit it, found "Nvidia_GPU"',
    ]);
  });
});

describe('dcgm-exporter scrape job', () => {
  const { objects } = synth();
  const job = dcgmJob(objects);

  test('discovers the exporter pods in the agent namespace on the metrics port', () => {
    expect(job.kubernetes_sd_configs).toEqual([
      {
        role: 'pod',
        namespaces: { names: ['monitoring-agents'] },
        selectors: [{ role: 'pod', label: 'app.kubernetes.io/name=dcgm-exporter,app.kubernetes.io/instance=test-stack' }],
      },
    ]);
    expect(job.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'metrics',
      action: 'keep',
    });
  });

  test("never writes the exporter pod into pod/namespace/container (they are the workload's) and keeps it as exporter_*", () => {
    const targets = job.relabel_configs.map((r: { target_label?: string }) => r.target_label).filter(Boolean);
    expect(targets).not.toContain('pod');
    expect(targets).not.toContain('namespace');
    expect(targets).not.toContain('container');
    expect(targets).toEqual(expect.arrayContaining(['node', 'instance', 'exporter_pod', 'exporter_namespace']));
    expect(job.honor_labels).toBeUndefined();
    expect(job.metric_relabel_configs).toEqual([{ regex: 'exporter_pod|exporter_namespace', action: 'labeldrop' }]);
  });

  test('promtool check config accepts it', () => {
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(configMapData(objects, 'prometheus-config')['prometheus.yml']) });
    const r = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
  });
});

/**
 * The real Prometheus (TOOL_PINS) runs the synthesized job, relabelling
 * included, with its Kubernetes discovery replaced by a static target that
 * carries the same __meta_kubernetes_* labels discovery would set, scraping a
 * local HTTP server that answers like dcgm-exporter with pod attribution on.
 * It also loads the synthesized gpu.yaml, so the recording rules run on the
 * labels as they arrive.
 */
describe('end to end: real Prometheus scraping a DCGM-format endpoint', () => {
  const { objects } = synth();
  const job = dcgmJob(objects);
  const gpuRules = configMapData(objects, 'prometheus-rules')['gpu.yaml'];
  let server: http.Server;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let promLog = '';
  const EXPORTER_LABELS = 'pci_bus_id="00000000:07:00.0",modelName="NVIDIA L40S",Hostname="gpu-node-1",DCGM_FI_DRIVER_VERSION="550.90.07"';

  function exposition(): string {
    const lines: string[] = [];
    for (const c of DEFAULT_COUNTERS.filter((x) => x.type !== 'label')) {
      lines.push(`# HELP ${c.field} ${c.help}`, `# TYPE ${c.field} ${c.type}`);
      const value =
        c.field === 'DCGM_FI_DEV_GPU_UTIL'
          ? [87, 0]
          : c.field === 'DCGM_FI_DEV_FB_USED'
            ? [30000, 500]
            : c.field === 'DCGM_FI_DEV_FB_FREE'
              ? [16000, 45500]
              : [1, 1];
      // GPU 0 is held by ai/vllm-0 (container vllm); GPU 1 is not allocated, so it has no pod labels.
      lines.push(
        `${c.field}{gpu="0",UUID="GPU-aaaa",device="nvidia0",${EXPORTER_LABELS},container="vllm",namespace="ai",pod="vllm-0"} ${value[0]}`,
      );
      lines.push(`${c.field}{gpu="1",UUID="GPU-bbbb",device="nvidia1",${EXPORTER_LABELS}} ${value[1]}`);
    }
    return `${lines.join('\n')}\n`;
  }

  async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.result;
  }

  async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      try {
        const v = await f();
        if (v !== undefined) return v;
      } catch {
        /* not ready yet */
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${promLog}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(exposition());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const exporterPort = (server.address() as AddressInfo).port;
    const deadPort = await freePort();
    const meta = (node: string, podName: string) => ({
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_container_port_name: 'metrics',
      __meta_kubernetes_pod_node_name: node,
      __meta_kubernetes_pod_name: podName,
      __meta_kubernetes_namespace: 'monitoring-agents',
    });
    const scrapeJob = { ...job, scrape_interval: '1s', scrape_timeout: '1s' };
    delete scrapeJob.kubernetes_sd_configs;
    scrapeJob.static_configs = [
      { targets: [`127.0.0.1:${exporterPort}`], labels: meta('gpu-node-1', 'dcgm-exporter-a1b2c') },
      // A second GPU node whose exporter does not answer: `up` must name its pod.
      { targets: [`127.0.0.1:${deadPort}`], labels: meta('gpu-node-2', 'dcgm-exporter-x7k2p') },
    ];
    const promPort = await freePort();
    const dir = tempFiles({
      'prometheus.yml': stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: ['gpu.yaml'],
        scrape_configs: [scrapeJob],
      }),
      'gpu.yaml': gpuRules,
    });
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      tool('prometheus'),
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (d) => {
      promLog += d;
    });
    prometheus.stderr?.on('data', (d) => {
      promLog += d;
    });
    await until('Prometheus to be ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise<void>((r) => server.close(() => r()));
  });

  test("GPU series carry node and the workload's pod, namespace and container, and nothing of the exporter pod", async () => {
    const series = await until('GPU utilisation series', async () => {
      const r = await query('DCGM_FI_DEV_GPU_UTIL');
      return r.length === 2 ? r : undefined;
    });
    const held = series.find((s) => s.metric.gpu === '0')!;
    expect(held.metric).toEqual({
      __name__: 'DCGM_FI_DEV_GPU_UTIL',
      job: 'dcgm-exporter',
      instance: 'gpu-node-1',
      node: 'gpu-node-1',
      namespace: 'ai',
      pod: 'vllm-0',
      container: 'vllm',
      gpu: '0',
      UUID: 'GPU-aaaa',
      device: 'nvidia0',
      pci_bus_id: '00000000:07:00.0',
      modelName: 'NVIDIA L40S',
      Hostname: 'gpu-node-1',
      DCGM_FI_DRIVER_VERSION: '550.90.07',
    });
    const free = series.find((s) => s.metric.gpu === '1')!;
    expect(free.metric.pod).toBeUndefined();
    expect(free.metric.namespace).toBeUndefined();
    expect(free.metric.node).toBe('gpu-node-1');
    expect(Object.keys(free.metric).filter((k) => k.startsWith('exported_') || k.startsWith('exporter_'))).toEqual([]);
  });

  test('up names the exporter pod of each GPU node, and the down one', async () => {
    const ups = await until('both up series', async () => {
      const r = await query('up{job="dcgm-exporter"}');
      return r.length === 2 ? r : undefined;
    });
    const byNode = Object.fromEntries(ups.map((u) => [u.metric.node, u]));
    expect(byNode['gpu-node-1'].metric).toMatchObject({
      exporter_pod: 'dcgm-exporter-a1b2c',
      exporter_namespace: 'monitoring-agents',
      instance: 'gpu-node-1',
    });
    expect(byNode['gpu-node-1'].value[1]).toBe('1');
    expect(byNode['gpu-node-2'].metric).toMatchObject({
      exporter_pod: 'dcgm-exporter-x7k2p',
      exporter_namespace: 'monitoring-agents',
      instance: 'gpu-node-2',
    });
    expect(byNode['gpu-node-2'].value[1]).toBe('0');
    expect(byNode['gpu-node-1'].metric.pod).toBeUndefined();
  });

  test('the recording rules run on the scraped labels: per node and per pod', async () => {
    const podUtil = await until('per-pod utilisation', async () => {
      const r = await query(GPU_RECORDING.podUtilisation);
      return r.length ? r : undefined;
    });
    expect(podUtil).toEqual([
      { metric: { __name__: GPU_RECORDING.podUtilisation, namespace: 'ai', pod: 'vllm-0' }, value: [expect.any(Number), '0.87'] },
    ]);
    const nodeMem = await until('per-node memory ratio', async () => {
      const r = await query(GPU_RECORDING.nodeMemoryUtilisation);
      return r.length ? r : undefined;
    });
    expect(nodeMem[0].metric).toEqual({ __name__: GPU_RECORDING.nodeMemoryUtilisation, node: 'gpu-node-1' });
    expect(Number(nodeMem[0].value[1])).toBeCloseTo(30500 / 92000, 6);
    const gpus = await until('GPU count', async () => {
      const r = await query(GPU_RECORDING.nodeGpus);
      return r.length ? r : undefined;
    });
    expect(gpus[0].value[1]).toBe('2');
  });
});

test('the GPU test data stays in sync with the metric names the rules read', () => {
  const fields = new Set([...DEFAULT_COUNTERS, ...EXPORTER_COUNTERS, ...PROFILING_COUNTERS].map((c) => c.field));
  const gpuTs = fs.readFileSync(path.join(__dirname, '..', '..', 'charts', 'components', 'dcgm-exporter', 'rules.ts'), 'utf8');
  const read = [...new Set(gpuTs.match(/DCGM_(FI|EXP)_[A-Z0-9_]+/g) ?? [])];
  expect(read.filter((m) => !fields.has(m))).toEqual([]);
  expect(read).toEqual(expect.arrayContaining(['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_EXP_XID_ERRORS_COUNT']));
});
