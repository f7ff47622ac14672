/**
 * Issue 17 items 3-4: platform profiles (spec.platform) and exporters that are
 * already there (gpu.exporter, nodeExporter.mode, kubeStateMetrics.mode:
 * external). Every committed example synthesizes strictly valid; each
 * platform's documented facts reach the objects; every derived value yields
 * to the spec field that sets it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { PLATFORMS, PROFILES } from '../../charts/components/platform';
import { validateSpec, SpecError } from '../../charts/spec-load';
import { quantityValue } from '../../charts/spec/formats';
import { allProblems } from '../lib/checks';
import { configMapData, podTemplates } from '../lib/dist';
import { allGateProblems } from '../lib/gates';
import { relabel } from '../lib/relabel';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { find, stackDoc, synth } from '../lib/synth';
import type { K8sObject } from '../lib/k8s-validate';
import { allScrapeConfigs } from '../lib/prometheus-files';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const exampleSpec = (name: string): Record<string, unknown> => parse(fs.readFileSync(path.join(EXAMPLES, `${name}.yaml`), 'utf8')).spec;

const promConfig = (objects: K8sObject[]) => parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
const job = (objects: K8sObject[], name: string) =>
  promConfig(objects).scrape_configs.find((j: { job_name: string }) => j.job_name === name);
const dcgm = (objects: K8sObject[]) => find(objects, 'DaemonSet', 'dcgm-exporter').spec.template.spec;
const termKeys = (pod: any): string[] =>
  pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.map(
    (t: any) =>
      `${t.matchExpressions[0].key} ${t.matchExpressions[0].operator}${t.matchExpressions[0].values ? ` ${t.matchExpressions[0].values.join(',')}` : ''}`,
  );
const claims = (objects: K8sObject[]): any[] =>
  objects.flatMap((o: any) =>
    o.kind === 'StatefulSet' ? (o.spec.volumeClaimTemplates ?? []) : o.kind === 'PersistentVolumeClaim' ? [o] : [],
  );

describe('examples: one per platform, each strictly valid', () => {
  const names = fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''));
  test('every platform has its example', () => {
    for (const p of PLATFORMS) expect(names).toContain(p);
    expect(names).toContain('k3s-single-server');
  });
  test.each(names)('examples/%s.yaml synthesizes strictly valid and passes the security gates', (name) => {
    const spec = exampleSpec(name);
    const { objects } = synth(spec);
    expect(allProblems(objects)).toEqual([]);
    expect(allGateProblems(objects)).toEqual([]);
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(configMapData(objects, 'prometheus-config')['prometheus.yml']) });
    const r = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(r.stderr + r.stdout).toContain('SUCCESS');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("GPU nodes: ORed nodeAffinity terms from the platform, or the user's selector", () => {
  test.each([
    ['generic', ['nvidia.com/gpu.present In true', 'feature.node.kubernetes.io/pci-10de.present In true']],
    ['k3s', ['nvidia.com/gpu.present In true', 'feature.node.kubernetes.io/pci-10de.present In true']],
    ['gke', ['cloud.google.com/gke-accelerator Exists', 'nvidia.com/gpu.present In true']],
    [
      'eks',
      [
        'nvidia.com/gpu.present In true',
        'eks.amazonaws.com/instance-gpu-manufacturer In nvidia',
        'karpenter.k8s.aws/instance-gpu-manufacturer In nvidia',
        'k8s.amazonaws.com/accelerator Exists',
      ],
    ],
    ['aks', ['kubernetes.azure.com/accelerator In nvidia', 'nvidia.com/gpu.present In true']],
  ])('%s', (platform, terms) => {
    const pod = dcgm(synth({ platform }).objects);
    expect(termKeys(pod)).toEqual(terms);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  });
  test('spec.gpu.nodeSelector replaces the platform terms with its one label', () => {
    const pod = dcgm(synth({ platform: 'gke', gpu: { nodeSelector: { label: 'example.com/gpu', value: 'yes' } } }).objects);
    expect(termKeys(pod)).toEqual(['example.com/gpu In yes']);
  });
  test("spec.gpu.nodeLabels replaces them with the user's list", () => {
    const pod = dcgm(synth({ platform: 'eks', gpu: { nodeLabels: [{ key: 'example.com/gpu', operator: 'Exists' }] } }).objects);
    expect(termKeys(pod)).toEqual(['example.com/gpu Exists']);
  });
});

describe("RuntimeClass: only where the NVIDIA runtime is not containerd's default", () => {
  test.each([
    ['generic', 'nvidia'],
    ['k3s', 'nvidia'],
    ['gke', undefined],
    ['eks', undefined],
    ['aks', undefined],
  ])('%s -> %s', (platform, rc) => {
    expect(dcgm(synth({ platform }).objects).runtimeClassName).toBe(rc);
  });
  test('spec.gpu.runtimeClassName wins (the GPU Operator on AKS)', () => {
    expect(dcgm(synth({ platform: 'aks', gpu: { runtimeClassName: 'nvidia' } }).objects).runtimeClassName).toBe('nvidia');
  });
  test('AKS tolerates the sku=gpu taint of its GPU guide as well as nvidia.com/gpu', () => {
    expect(dcgm(synth({ platform: 'aks' }).objects).tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
    ]);
  });
});

describe('kubelet serving certificates: verification skipped only where they are self-signed', () => {
  test.each(PLATFORMS.map((p) => [p, PROFILES[p].kubeletSelfSigned] as const))('%s -> insecure_skip_verify %s', (platform, insecure) => {
    const tls = job(synth({ platform }).objects, 'kubelet').tls_config;
    expect(tls.ca_file).toBe('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
    expect(tls.insecure_skip_verify === true).toBe(insecure);
  });
  test('only GKE and AKS are self-signed', () => {
    expect(PLATFORMS.filter((p) => PROFILES[p].kubeletSelfSigned)).toEqual(['gke', 'aks']);
  });
  test('spec.kubelet.tlsInsecureSkipVerify: false wins on AKS (every pool with kubelet serving certificate rotation)', () => {
    expect(
      job(synth({ platform: 'aks', kubelet: { tlsInsecureSkipVerify: false } }).objects, 'kubelet').tls_config.insecure_skip_verify,
    ).toBeUndefined();
  });
});

describe('storage class per platform, overridable per volume', () => {
  test.each([
    ['generic', undefined],
    ['k3s', 'local-path'],
    ['gke', 'standard-rwo'],
    ['eks', 'gp2'],
    ['aks', 'managed-csi'],
  ])('%s -> %s', (platform, sc) => {
    const vols = claims(synth({ platform }).objects);
    expect(vols.length).toBeGreaterThanOrEqual(3); // Prometheus, Alertmanager, Loki (+ Grafana)
    for (const v of vols) expect(v.spec.storageClassName).toBe(sc);
  });
  test("a volume's own storageClassName wins", () => {
    const vols = claims(synth({ platform: 'eks', prometheus: { storage: { storageClassName: 'gp3' } } }).objects);
    expect(vols.find((v) => v.metadata.name === 'data' && v.spec.storageClassName === 'gp3')).toBeDefined();
    expect(vols.filter((v) => v.spec.storageClassName === 'gp2').length).toBe(vols.length - 1);
  });
  test('local-path (k3s) cannot expand; the cloud CSI defaults can', () => {
    expect(PROFILES.k3s.volumeExpansion).toBe(false);
    expect(PROFILES.gke.volumeExpansion && PROFILES.aks.volumeExpansion).toBe(true);
  });
});

describe('GKE: system-node-critical pods outside kube-system need a quota scoped to that class', () => {
  const critical = (objects: K8sObject[]) =>
    podTemplates(objects)
      .filter((t) => t.podSpec.priorityClassName === 'system-node-critical')
      .map((t) => t.object.metadata?.namespace as string);
  test('a ResourceQuota scoped to system-node-critical in every namespace running such pods', () => {
    const { objects } = synth({ platform: 'gke' });
    const quotas = objects.filter((o: any) => o.kind === 'ResourceQuota');
    const namespaces = [...new Set(critical(objects))];
    expect(namespaces.length).toBeGreaterThan(0);
    for (const ns of namespaces) {
      const q: any = quotas.find((x: any) => x.metadata.namespace === ns);
      expect(q.spec.scopeSelector.matchExpressions).toEqual([
        { scopeName: 'PriorityClass', operator: 'In', values: ['system-node-critical'] },
      ]);
      expect(quantityValue(q.spec.hard.pods)).toBeGreaterThanOrEqual(1000);
    }
  });
  test('no quota on the other platforms', () => {
    for (const p of PLATFORMS.filter((x) => x !== 'gke'))
      expect(synth({ platform: p }).objects.filter((o) => o.kind === 'ResourceQuota')).toEqual([]);
  });
});

describe('k3s: one small server, cAdvisor through the kubelet, containerd under /run/k3s', () => {
  const { objects } = synth({ platform: 'k3s' });
  const memory = (q: string) => Number(q.replace(/Mi$/, '')) * (q.endsWith('Gi') ? 1024 : 1) || Number(q.replace(/Gi$/, '')) * 1024;
  test("no cAdvisor DaemonSet; the cadvisor job reads the kubelet's /metrics/cadvisor", () => {
    expect(objects.find((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'cadvisor')).toBeUndefined();
    expect(job(objects, 'cadvisor').metrics_path).toBe('/metrics/cadvisor');
  });
  test('the whole stack requests under 1.5 GiB and is limited to 3 GiB of memory (a 4-8 GB server)', () => {
    let requests = 0;
    let limits = 0;
    for (const t of podTemplates(objects)) {
      if (t.object.metadata?.name === 'dcgm-exporter') continue; // GPU nodes only
      for (const c of t.podSpec.containers) {
        requests += memory(c.resources.requests.memory);
        limits += memory(c.resources.limits.memory);
      }
    }
    expect(requests).toBeLessThan(1.5 * 1024);
    expect(limits).toBeLessThanOrEqual(3 * 1024);
  });
  test("cAdvisor as a DaemonSet on k3s talks to k3s's containerd", () => {
    const ds = find(synth({ platform: 'k3s', cadvisor: { mode: 'daemonset' } }).objects, 'DaemonSet', 'cadvisor').spec.template.spec;
    expect(ds.containers[0].args).toContain('--containerd=/run/k3s/containerd/containerd.sock');
    expect(ds.volumes.map((v: any) => v.hostPath.path)).toEqual(
      expect.arrayContaining(['/run/k3s/containerd', '/var/lib/rancher/k3s/agent/containerd']),
    );
  });
  test('a size the spec sets wins, field by field', () => {
    const sts = find(
      synth({ platform: 'k3s', prometheus: { resources: { limits: { memory: '2Gi' } } } }).objects,
      'StatefulSet',
      'prometheus',
    );
    const c = sts.spec.template.spec.containers.find((x: any) => x.name === 'prometheus');
    expect(c.resources.limits.memory).toBe('2Gi');
    expect(c.resources.requests.memory).toBe(PROFILES.k3s.sizing?.prometheus.resources.requests.memory);
  });
});

describe('exporters that are already there (external)', () => {
  const { objects } = synth(exampleSpec('eks'));
  test('no node-exporter, kube-state-metrics or DCGM exporter workload is deployed', () => {
    for (const name of ['node-exporter', 'kube-state-metrics', 'dcgm-exporter']) {
      expect(objects.find((o: any) => ['DaemonSet', 'Deployment'].includes(o.kind) && o.metadata.name === name)).toBeUndefined();
    }
  });
  test("each is scraped under the stack's job name, discovered through its Service in its namespace", () => {
    const cases = [
      ['node-exporter', 'monitoring-kps', 'kube-prometheus-stack-prometheus-node-exporter'],
      ['kube-state-metrics', 'monitoring-kps', 'kube-prometheus-stack-kube-state-metrics'],
      ['dcgm-exporter', 'gpu-operator', 'nvidia-dcgm-exporter'],
    ];
    for (const [name, ns, svc] of cases) {
      const j = job(objects, name);
      expect(j.kubernetes_sd_configs).toEqual([
        {
          role: 'endpointslice',
          namespaces: { names: [ns] },
          selectors: [{ role: 'endpointslice', label: `kubernetes.io/service-name=${svc}` }],
        },
      ]);
    }
    expect(job(objects, 'kube-state-metrics').honor_labels).toBe(true);
    expect(job(objects, 'kube-state-metrics-telemetry')).toBeUndefined();
  });
  test("relabelling maps another stack's targets to the labels the dashboards and alerts select on", () => {
    const meta = (svc: string, port: string) => ({
      __address__: '10.0.1.7:9100',
      __meta_kubernetes_service_name: svc,
      __meta_kubernetes_endpointslice_port_name: port,
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'true',
      __meta_kubernetes_endpointslice_endpoint_node_name: 'ip-10-0-1-7',
      __meta_kubernetes_namespace: 'monitoring-kps',
      __meta_kubernetes_pod_name: 'kps-node-exporter-abcde',
      job: 'node-exporter',
    });
    const ne = relabel(
      job(objects, 'node-exporter').relabel_configs,
      meta('kube-prometheus-stack-prometheus-node-exporter', 'http-metrics'),
    );
    expect(ne).toMatchObject({ job: 'node-exporter', instance: 'ip-10-0-1-7', node: 'ip-10-0-1-7' });
    const ksm = relabel(job(objects, 'kube-state-metrics').relabel_configs, {
      ...meta('kube-prometheus-stack-kube-state-metrics', 'http'),
      job: 'kube-state-metrics',
    });
    expect(ksm).toMatchObject({ job: 'kube-state-metrics', instance: 'kube-state-metrics' });
    expect(ksm?.node).toBeUndefined();
    const gpu = relabel(job(objects, 'dcgm-exporter').relabel_configs, {
      ...meta('nvidia-dcgm-exporter', 'gpu-metrics'),
      job: 'dcgm-exporter',
    });
    expect(gpu).toMatchObject({ job: 'dcgm-exporter', instance: 'ip-10-0-1-7', node: 'ip-10-0-1-7' });
    expect(gpu?.pod).toBeUndefined(); // pod/namespace on GPU series are the workload's, as the exporter exposes them
    expect(
      relabel(job(objects, 'dcgm-exporter').relabel_configs, { ...meta('other-service', 'gpu-metrics'), job: 'dcgm-exporter' }),
    ).toBeNull();
    expect(
      relabel(job(objects, 'node-exporter').relabel_configs, {
        ...meta('kube-prometheus-stack-prometheus-node-exporter', 'http-metrics'),
        __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'false',
      }),
    ).toBeNull();
  });
  test('NetworkPolicy egress from Prometheus to each (node addresses for the host-network node-exporter)', () => {
    const pol = (name: string): any => find(objects, 'NetworkPolicy', `prometheus-to-${name}`).spec;
    for (const name of ['node-exporter', 'kube-state-metrics', 'dcgm-exporter']) {
      expect(pol(name).podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/instance': 'test-stack',
      });
      expect(pol(name).policyTypes).toEqual(['Egress']);
    }
    expect(pol('node-exporter').egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 9100 }] }]);
    expect(pol('dcgm-exporter').egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gpu-operator' } },
            podSelector: { matchLabels: { app: 'nvidia-dcgm-exporter' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9400 }],
      },
    ]);
    expect(pol('kube-state-metrics').egress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
  });
  test('without NetworkPolicies no policy is emitted', () => {
    const off = synth({ ...exampleSpec('eks'), networkPolicies: { enabled: false } }).objects;
    expect(off.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
  test('a pod selector instead of a Service: pod discovery, and the policy selects those pods on the port', () => {
    const sel = { 'app.kubernetes.io/name': 'node-exporter' };
    const o = synth({
      nodeExporter: { mode: 'external', external: { namespace: 'other', selector: sel, port: 9100, hostNetwork: false } },
    }).objects;
    expect(job(o, 'node-exporter').kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', namespaces: { names: ['other'] } });
    expect(find(o, 'NetworkPolicy', 'prometheus-to-node-exporter').spec.egress[0].to[0].podSelector.matchLabels).toEqual(sel);
  });
});

describe("pod logs: the collectors read the directory each platform's kubelet writes", () => {
  test.each(PLATFORMS.flatMap((p) => (['promtail', 'alloy'] as const).map((c) => [p, c] as const)))('%s, %s', (platform, collector) => {
    const ds = find(synth({ platform, logs: { collector } }).objects, 'DaemonSet', collector).spec.template.spec;
    expect(ds.volumes.find((v: any) => v.name === 'pods').hostPath.path).toBe(PROFILES[platform].podLogDir);
  });
});

describe("examples/k3s-single-server.yaml: the seed's server on k3s", () => {
  const { objects } = synth(exampleSpec('k3s-single-server'));
  test("scrapes the WhisperX API, its RQ queue and Redis, each pod under its service's job name", () => {
    const jobs = allScrapeConfigs(objects).filter((j) => j.job_name.startsWith('services/')); // in the scrape config files
    const labelOf = (app: string, port: string | number) =>
      jobs
        .map((j) =>
          relabel(j.relabel_configs, {
            __meta_kubernetes_namespace: 'whisperx',
            __meta_kubernetes_pod_name: `${app}-0`,
            __meta_kubernetes_pod_phase: 'Running',
            __meta_kubernetes_pod_label_app_kubernetes_io_name: app,
            __meta_kubernetes_pod_container_name: app,
            __meta_kubernetes_pod_container_port_name: typeof port === 'string' ? port : '',
            __meta_kubernetes_pod_container_port_number: String(port),
            __meta_kubernetes_pod_node_name: 'vps',
            __address__: '10.42.0.9:1',
            job: j.job_name,
          }),
        )
        .find((l) => l !== null);
    expect(labelOf('whisperx', 'http')?.job).toBe('whisperx');
    expect(labelOf('rq-exporter', 9726)?.job).toBe('whisperx-rq');
    expect(labelOf('redis-exporter', 9121)?.job).toBe('whisperx-redis');
    expect(jobs.find((j) => j.job_name.includes('whisper-api')).scrape_interval).toBe('5s');
  });
  test('exposes Grafana only (its own login); Prometheus and Alertmanager stay behind port-forward', () => {
    // Traefik: the HTTPS Ingress and its HTTP->HTTPS redirect Ingress, both for Grafana's host only.
    const ingresses = objects.filter((o) => o.kind === 'Ingress') as any[];
    expect([...new Set(ingresses.flatMap((o) => o.spec.rules.map((r: any) => r.host)))]).toEqual(['monitoring.example.net']);
    expect(
      ingresses
        .flatMap((o) => o.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service?.name)))
        .filter((n: string | undefined) => n === 'prometheus' || n === 'alertmanager'),
    ).toEqual([]);
  });
  test('k3s volumes: local-path, sized for the retention', () => {
    for (const v of claims(objects)) expect(v.spec.storageClassName).toBe('local-path');
  });
});

describe('synth warnings: what the platform cannot do', () => {
  const warnings = (spec: Record<string, unknown>) => synth(spec).stack.warnings.filter((w) => w.startsWith('spec.platform'));
  test('k3s: local-path volumes cannot grow, so the sizes are named', () => {
    expect(warnings({ platform: 'k3s' })).toEqual([
      expect.stringContaining(
        'storage class local-path cannot expand volumes, so size them for the retention now: spec.prometheus.storage.size 10Gi, spec.loki.storage.size 5Gi',
      ),
    ]);
    expect(
      warnings({
        platform: 'k3s',
        prometheus: { storage: { storageClassName: 'longhorn' } },
        loki: { storage: { storageClassName: 'longhorn' } },
      }),
    ).toEqual([]);
    expect(warnings({ platform: 'aks' })).toEqual([]);
  });
  test('gke: a deployed DCGM exporter without a RuntimeClass cannot read the GPUs', () => {
    expect(warnings({ platform: 'gke' })).toEqual([expect.stringContaining('set spec.gpu.exporter: external')]);
    expect(warnings({ platform: 'gke', gpu: { exporter: 'external' } })).toEqual([]);
    expect(warnings({ platform: 'gke', gpu: { runtimeClassName: 'nvidia' } })).toEqual([]);
  });
});

describe('bad input: one clear message naming the field', () => {
  const problems = (spec: Record<string, unknown>): string[] => {
    try {
      validateSpec(stackDoc(spec), 'spec');
    } catch (e) {
      return (e as SpecError).problems;
    }
    return [];
  };
  test('an unknown platform', () => {
    expect(problems({ platform: 'gkee' })).toEqual([
      expect.stringMatching(/^spec\.platform: expected one of generic, k3s, gke, eks, aks, found "gkee"; did you mean "gke"\?$/),
    ]);
  });
  test('an external exporter with both a Service and a selector', () => {
    expect(problems({ gpu: { exporter: 'external', external: { service: 'x', selector: { a: 'b' } } } })).toEqual([
      'spec.gpu.external: set exactly one of service (scrape the endpoints of that Service) or selector (scrape the pods with these labels)',
    ]);
  });
  test('a bad exporter mode', () => {
    expect(problems({ kubeStateMetrics: { mode: 'externl' } })[0]).toMatch(
      /^spec\.kubeStateMetrics\.mode: expected "deploy" .* found "externl"; did you mean "external"\?$/,
    );
  });
});

describe('derived sizes never contradict what the user set (requests <= limits)', () => {
  test("k3s: a request above the profile's limit raises that limit; a limit below its request lowers that request", () => {
    const { objects } = synth({
      platform: 'k3s',
      logs: { alloy: { resources: { requests: { memory: '300Mi' } } } },
      grafana: { resources: { limits: { memory: '96Mi' } } },
    });
    const res = (kind: string, name: string) => find(objects, kind, name).spec.template.spec.containers[0].resources;
    expect(res('DaemonSet', 'alloy').requests.memory).toBe('300Mi');
    expect(res('DaemonSet', 'alloy').limits.memory).toBe('300Mi'); // the profile's 256Mi would be below the request
    expect(res('DaemonSet', 'alloy').limits.cpu).toBe('500m'); // the rest of the profile still applies
    expect(res('Deployment', 'grafana').limits.memory).toBe('96Mi');
    expect(res('Deployment', 'grafana').requests.memory).toBe('96Mi'); // the profile's 128Mi would be above the limit
  });
});
