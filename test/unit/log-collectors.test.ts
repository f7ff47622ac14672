/**
 * Promtail and Alloy, read back from the synthesized ConfigMaps:
 *
 * - label parity: both relabel pipelines write the same target labels, and on
 *   the same discovered pods produce the same stream labels and log paths;
 * - the pipeline stages (CRI, JSON match stages, filename drop) correspond;
 * - Promtail's file survives `-config.expand-env=true` (the relabel `$1` and
 *   regex `$` are escaped, `${HOSTNAME}` is the only substitution);
 * - documented field names and types of the Promtail file;
 * - every path a collector writes is on a writable mount, /var/log/pods is
 *   mounted read-only, every taint is tolerated, RBAC is read-only;
 * - strict Kubernetes validity of every object.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { ALLOY_PORT } from '../../charts/components/alloy/construct';
import { STREAM_LABELS } from '../../charts/logs/pipeline';
import { PROMTAIL_PORT } from '../../charts/components/promtail/construct';
import { configMapData } from '../lib/dist';
import { findBlock, parseAlloy, type ParsedBlock, type ParsedValue } from '../lib/alloy-parse';
import { validateObject } from '../lib/k8s-validate';
import { envsubst, publicLabels, relabel, type Labels, type RelabelRule } from '../lib/relabel';
import { find, synth } from '../lib/synth';

const LOGS = { jsonNamespaces: ['ai'], jsonApps: ['whisper-api', 'gateway'], jsonFields: ['level', 'trace_id'] };
const promtailRun = synth({ logs: { ...LOGS, collector: 'promtail' } });
const alloyRun = synth({ logs: { ...LOGS, collector: 'alloy' } });

const NODE = 'gpu-node-1';
const promtailText = configMapData(promtailRun.objects, 'promtail-config')['promtail.yaml'];
const promtailYaml = parse(envsubst(promtailText, { HOSTNAME: NODE }));
const promtailJob = promtailYaml.scrape_configs[0];
const alloyText = configMapData(alloyRun.objects, 'alloy-config')['config.alloy'];
const alloyBlocks = parseAlloy(alloyText);

function alloyRules(): RelabelRule[] {
  return findBlock(alloyBlocks, 'discovery.relabel')
    .blocks.filter((b) => b.name === 'rule')
    .map((b) => b.attrs as unknown as RelabelRule);
}

/** Discovered targets as Kubernetes pod discovery presents them. */
const POD = (o: Labels): Labels => ({
  __meta_kubernetes_namespace: 'ai',
  __meta_kubernetes_pod_node_name: NODE,
  __meta_kubernetes_pod_uid: '0b6f3c2e-1111-4a4a-9c9c-123456789abc',
  __address__: '10.0.0.7',
  ...o,
});
const TARGETS: Record<string, Labels> = {
  'Deployment pod with app.kubernetes.io/name': POD({
    __meta_kubernetes_pod_name: 'whisper-api-7d9c5b6f8-x2x4k',
    __meta_kubernetes_pod_container_name: 'api',
    __meta_kubernetes_pod_controller_name: 'whisper-api-7d9c5b6f8',
    __meta_kubernetes_pod_label_app_kubernetes_io_name: 'whisper-api',
    __meta_kubernetes_pod_label_app: 'legacy',
  }),
  'pod with only an app label': POD({
    __meta_kubernetes_pod_name: 'gateway-0',
    __meta_kubernetes_pod_container_name: 'gateway',
    __meta_kubernetes_pod_controller_name: 'gateway',
    __meta_kubernetes_pod_label_app: 'gateway',
  }),
  'ReplicaSet pod without app labels': POD({
    __meta_kubernetes_namespace: 'batch',
    __meta_kubernetes_pod_name: 'worker-5b7f9cdd48-qwz8p',
    __meta_kubernetes_pod_container_name: 'worker',
    __meta_kubernetes_pod_controller_name: 'worker-5b7f9cdd48',
  }),
  'bare pod': POD({ __meta_kubernetes_pod_name: 'debug', __meta_kubernetes_pod_container_name: 'sh' }),
  'static (mirror) pod': POD({
    __meta_kubernetes_namespace: 'kube-system',
    __meta_kubernetes_pod_name: `kube-apiserver-${NODE}`,
    __meta_kubernetes_pod_container_name: 'kube-apiserver',
    __meta_kubernetes_pod_controller_name: NODE,
    __meta_kubernetes_pod_annotationpresent_kubernetes_io_config_hash: 'true',
    __meta_kubernetes_pod_annotation_kubernetes_io_config_hash: 'a1b2c3d4e5',
  }),
};

describe('collector label parity', () => {
  test('both relabel pipelines write the same target labels', () => {
    const promtailTargets = new Set((promtailJob.relabel_configs as RelabelRule[]).map((r) => r.target_label));
    const alloyTargets = new Set(alloyRules().map((r) => r.target_label));
    expect([...alloyTargets].sort()).toEqual([...promtailTargets].sort());
    expect([...promtailTargets].filter((l) => !l?.startsWith('__')).sort()).toEqual([...STREAM_LABELS].sort());
  });

  test.each(Object.keys(TARGETS))('same stream labels and log path for a %s', (name) => {
    const p = relabel(promtailJob.relabel_configs, TARGETS[name]);
    const a = relabel(alloyRules(), TARGETS[name]);
    expect(p).not.toBeNull();
    expect(a).toEqual(p);
    expect(Object.keys(publicLabels(p!)).sort()).toEqual([...STREAM_LABELS].sort());
    expect(p!.__path__).toMatch(/^\/var\/log\/pods\/\*[^/]+\/[^/]+\/\*\.log$/);
  });

  test('labels and paths are what queries and the kubelet expect', () => {
    const deploy = publicLabels(relabel(promtailJob.relabel_configs, TARGETS['Deployment pod with app.kubernetes.io/name'])!);
    expect(deploy).toEqual({
      namespace: 'ai',
      pod: 'whisper-api-7d9c5b6f8-x2x4k',
      container: 'api',
      app: 'whisper-api',
      node_name: NODE,
      job: 'ai/whisper-api',
    });
    expect(relabel(promtailJob.relabel_configs, TARGETS['ReplicaSet pod without app labels'])!.app).toBe('worker');
    expect(relabel(promtailJob.relabel_configs, TARGETS['bare pod'])!.app).toBe('debug');
    expect(relabel(promtailJob.relabel_configs, TARGETS['Deployment pod with app.kubernetes.io/name'])!.__path__).toBe(
      '/var/log/pods/*0b6f3c2e-1111-4a4a-9c9c-123456789abc/api/*.log',
    );
    expect(relabel(promtailJob.relabel_configs, TARGETS['static (mirror) pod'])!.__path__).toBe(
      '/var/log/pods/*a1b2c3d4e5/kube-apiserver/*.log',
    );
  });

  test('the pipeline stages correspond one to one', () => {
    const process = findBlock(alloyBlocks, 'loki.process');
    const fromAlloy = (blocks: ParsedBlock[]): unknown[] =>
      blocks.map((b) => {
        switch (b.name) {
          case 'stage.cri':
            return { cri: {} };
          case 'stage.match':
            return { match: { selector: b.attrs.selector, stages: fromAlloy(b.blocks) } };
          case 'stage.json':
            return { json: { expressions: b.attrs.expressions } };
          case 'stage.structured_metadata':
            return { structured_metadata: b.attrs.values };
          case 'stage.label_drop':
            return { labeldrop: b.attrs.values };
          default:
            throw new Error(`unexpected Alloy stage ${b.name}`);
        }
      });
    expect(fromAlloy(process.blocks)).toEqual(promtailJob.pipeline_stages);
    const selectors = promtailJob.pipeline_stages
      .filter((s: Record<string, unknown>) => s.match)
      .map((s: { match: { selector: string } }) => s.match.selector);
    expect(selectors).toEqual(['{namespace=~"ai"}', '{app=~"whisper-api|gateway", namespace!~"ai"}']);
  });

  test('without JSON settings there is no match stage', () => {
    const plain = synth({ logs: { collector: 'promtail' } });
    const y = parse(envsubst(configMapData(plain.objects, 'promtail-config')['promtail.yaml'], { HOSTNAME: NODE }));
    expect(y.scrape_configs[0].pipeline_stages).toEqual([{ cri: {} }, { labeldrop: ['filename'] }]);
  });
});

describe("discovery of the node's own pods", () => {
  test('Promtail: field selector expands to this node, nothing else is substituted', () => {
    expect(promtailText).toContain('field: spec.nodeName=${HOSTNAME}');
    expect(promtailText.match(/\$\{/g)).toHaveLength(1);
    expect(promtailJob.kubernetes_sd_configs).toEqual([{ role: 'pod', selectors: [{ role: 'pod', field: `spec.nodeName=${NODE}` }] }]);
    // The escapes are what keep `$1` a capture-group reference after envsubst.
    expect(promtailText).toContain('*$$1/*.log');
    expect(JSON.stringify(promtailYaml)).toContain('/var/log/pods/*$1/*.log');
  });

  test('Alloy: field selector built from sys.env of the same variable', () => {
    const sel = findBlock(findBlock(alloyBlocks, 'discovery.kubernetes').blocks, 'selectors');
    expect(sel.attrs).toEqual({ role: 'pod', field: { expr: '"spec.nodeName=" + sys.env("HOSTNAME")' } });
  });

  test.each([
    ['promtail', promtailRun.objects],
    ['alloy', alloyRun.objects],
  ])('%s gets HOSTNAME from spec.nodeName', (name, objects) => {
    const c = find(objects, 'DaemonSet', name).spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'HOSTNAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } });
  });
});

describe('envsubst emulation', () => {
  test('matches drone/envsubst on the cases that matter', () => {
    expect(envsubst('a${X}b', { X: 'n1' })).toBe('an1b');
    expect(envsubst('*$$1/*.log', {})).toBe('*$1/*.log');
    expect(envsubst('$1', {})).toBe('$1');
    expect(envsubst('"\\\\d+"', {})).toBe('"\\d+"');
    expect(envsubst('a$${X}', { X: 'no' })).toBe('a${X}');
  });
});

/** Promtail 3.x documented fields (https://grafana.com/docs/loki/latest/send-data/promtail/configuration/), strict. */
const goDuration = z.string().regex(/^(\d+(ms|s|m|h))+$/);
const relabelSchema = z.strictObject({
  source_labels: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)).optional(),
  separator: z.string().optional(),
  regex: z.string().optional(),
  modulus: z.number().int().optional(),
  target_label: z.string().optional(),
  replacement: z.string().optional(),
  action: z.enum(['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep']).optional(),
});
type StageSchema = z.ZodType<unknown>;
const stageSchema: StageSchema = z.lazy(() =>
  z.union([
    z.strictObject({
      cri: z.strictObject({ max_partial_lines: z.number().int().optional(), max_partial_line_size: z.number().int().optional() }),
    }),
    z.strictObject({
      match: z.strictObject({
        selector: z.string(),
        pipeline_name: z.string().optional(),
        action: z.enum(['keep', 'drop']).optional(),
        stages: z.array(stageSchema),
      }),
    }),
    z.strictObject({ json: z.strictObject({ expressions: z.record(z.string(), z.string()), source: z.string().optional() }) }),
    z.strictObject({ structured_metadata: z.record(z.string(), z.string()) }),
    z.strictObject({ labeldrop: z.array(z.string()) }),
  ]),
);
const promtailSchema = z.strictObject({
  server: z.strictObject({
    http_listen_port: z.number().int(),
    grpc_listen_port: z.number().int(),
    log_level: z.enum(['debug', 'info', 'warn', 'error']),
    log_format: z.enum(['logfmt', 'json']).optional(),
  }),
  positions: z.strictObject({ filename: z.string(), sync_period: goDuration.optional() }),
  clients: z
    .array(
      z.strictObject({
        url: z.url(),
        batchwait: goDuration,
        batchsize: z.number().int(),
        timeout: goDuration,
        backoff_config: z.strictObject({ min_period: goDuration, max_period: goDuration, max_retries: z.number().int() }),
      }),
    )
    .min(1),
  target_config: z.strictObject({ sync_period: goDuration }),
  scrape_configs: z.array(
    z.strictObject({
      job_name: z.string(),
      pipeline_stages: z.array(stageSchema),
      kubernetes_sd_configs: z.array(
        z.strictObject({
          role: z.enum(['pod', 'node', 'service', 'endpoints', 'ingress']),
          selectors: z.array(z.strictObject({ role: z.string(), field: z.string().optional(), label: z.string().optional() })).optional(),
        }),
      ),
      relabel_configs: z.array(relabelSchema),
    }),
  ),
});

describe('Promtail configuration', () => {
  test('uses only documented fields with the documented types', () => {
    const r = promtailSchema.safeParse(promtailYaml);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  test('the structure check catches an unknown field (it can fail)', () => {
    expect(promtailSchema.safeParse({ ...promtailYaml, server: { ...promtailYaml.server, http_port: 1 } }).success).toBe(false);
  });

  test('listens where the probes and the scrape job look, pushes to the Loki Service', () => {
    expect(promtailYaml.server.http_listen_port).toBe(PROMTAIL_PORT);
    expect(promtailYaml.clients[0].url).toBe('http://loki.monitoring.svc:3100/loki/api/v1/push');
    expect(promtailYaml.positions.filename).toBe('/var/lib/promtail/positions.yaml');
  });
});

describe('Alloy configuration', () => {
  test('wires the components into one pipeline ending in Loki', () => {
    const ref = (b: string, l: string, field: string) => ({ expr: `${b}.${l}.${field}` });
    expect(findBlock(alloyBlocks, 'discovery.relabel', 'pod_logs').attrs.targets).toEqual(ref('discovery.kubernetes', 'pods', 'targets'));
    expect(findBlock(alloyBlocks, 'local.file_match', 'pod_logs').attrs.path_targets).toEqual(
      ref('discovery.relabel', 'pod_logs', 'output'),
    );
    expect(findBlock(alloyBlocks, 'loki.source.file', 'pod_logs').attrs).toEqual({
      targets: ref('local.file_match', 'pod_logs', 'targets'),
      forward_to: [ref('loki.process', 'pod_logs', 'receiver')],
    });
    expect(findBlock(alloyBlocks, 'loki.process', 'pod_logs').attrs.forward_to).toEqual([ref('loki.write', 'loki', 'receiver')]);
    const endpoint = findBlock(findBlock(alloyBlocks, 'loki.write', 'loki').blocks, 'endpoint');
    expect(endpoint.attrs.url).toBe('http://loki.monitoring.svc:3100/loki/api/v1/push');
    // Every reference points to a component declared in the file.
    const declared = new Set(alloyBlocks.map((b) => `${b.name}.${b.label}`));
    const refs = [...alloyText.matchAll(/\b((?:discovery|local|loki)\.[a-z_.]+)\.(targets|output|receiver)\b/g)].map((m) => m[1]);
    expect(refs.filter((r) => !declared.has(r))).toEqual([]);
  });

  test('the parser rejects malformed text (the round trip can fail)', () => {
    expect(() => parseAlloy('loki.write "x" { endpoint { url = "a" }')).toThrow();
    expect(() => parseAlloy('a = 1')).toThrow(/top-level/);
  });

  test('string values survive the round trip, regexes included', () => {
    const values = (b: ParsedBlock): ParsedValue[] => [...Object.values(b.attrs), ...b.blocks.flatMap(values)];
    const all = alloyBlocks.flatMap(values).filter((v): v is string => typeof v === 'string');
    expect(all).toContain('^;*([^;]+)(;.*)?$');
    expect(all).toContain('/var/log/pods/*$1/*.log');
  });
});

describe.each([
  ['promtail', promtailRun.objects, PROMTAIL_PORT],
  ['alloy', alloyRun.objects, ALLOY_PORT],
])('%s DaemonSet', (name, objects, port) => {
  const ds = find(objects, 'DaemonSet', name);
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];

  test('every object is strictly valid Kubernetes', () => {
    const mine = objects.filter(
      (o) => o.metadata?.namespace === 'monitoring-agents' || ['ClusterRole', 'ClusterRoleBinding'].includes(o.kind),
    );
    expect(mine.flatMap((o) => validateObject(o))).toEqual([]);
  });

  test('RBAC is read-only: get/list/watch on pods and nodes, no wildcards', () => {
    const role = find(objects, 'ClusterRole', `test-stack-${name}`);
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find(objects, 'ClusterRoleBinding', `test-stack-${name}`);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'monitoring-agents' }]);
  });

  test('runs on every node, reads /var/log/pods read-only, writes only to its own mounts', () => {
    expect(ds.metadata.namespace).toBe('monitoring-agents');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
    });
    const pods = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/log/pods');
    expect(pods.readOnly).toBe(true);
    const writable = c.volumeMounts.filter((m: { readOnly?: boolean }) => !m.readOnly).map((m: { mountPath: string }) => m.mountPath);
    const writes =
      name === 'promtail' ? [promtailYaml.positions.filename] : [c.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1]];
    for (const w of writes) expect(writable.some((d: string) => w === d || w.startsWith(`${d}/`))).toBe(true);
  });

  test("read positions are kept on the node's disk (a hostPath under /var/lib), not on a tmpfs emptied at reboot", () => {
    const writes =
      name === 'promtail' ? promtailYaml.positions.filename : c.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1];
    const mount = c.volumeMounts.find(
      (m: { mountPath: string; readOnly?: boolean }) => !m.readOnly && (writes === m.mountPath || writes.startsWith(`${m.mountPath}/`)),
    );
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.hostPath.path).toMatch(/^\/var\/lib\/[a-z0-9-]+$/);
    expect(volume.hostPath.type).toBe('DirectoryOrCreate');
  });

  test('probes, port and config checksum', () => {
    expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet.path).toBe(name === 'promtail' ? '/ready' : '/-/ready');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(ds.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('Prometheus scrapes it', () => {
    const prom = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === name);
    expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual(['monitoring-agents']);
    expect(job.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'http',
      action: 'keep',
    });
  });
});

test('only the selected collector is deployed', () => {
  expect(promtailRun.objects.some((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'alloy')).toBe(false);
  expect(alloyRun.objects.some((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'promtail')).toBe(false);
  const none = synth({ loki: { enabled: false } });
  expect(none.objects.some((o) => ['loki', 'promtail', 'alloy'].includes(o.metadata?.name ?? ''))).toBe(false);
});

test('a config change rolls the collector pods', () => {
  const other = synth({ logs: { collector: 'promtail', jsonNamespaces: ['other'] } });
  const sum = (objs: typeof other.objects) => find(objs, 'DaemonSet', 'promtail').spec.template.metadata.annotations['checksum/config'];
  expect(sum(other.objects)).not.toBe(sum(promtailRun.objects));
});

test('pipeline alerts watch the selected collector, and disappear without Loki', () => {
  const rulesFor = (objects: typeof alloyRun.objects) => configMapData(objects, 'prometheus-rules')['logs.yaml'];
  expect(rulesFor(alloyRun.objects)).toContain('loki_write_request_duration_seconds_count{job="alloy"');
  expect(rulesFor(promtailRun.objects)).toContain('promtail_request_duration_seconds_count{job="promtail"');
  expect(rulesFor(synth({ loki: { enabled: false } }).objects)).toBeUndefined();
});
