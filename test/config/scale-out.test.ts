/**
 * Issue 12, beyond one Prometheus and one Loki: the synthesized objects and
 * configs of remote write, HA pairs, agent mode, Loki on object storage
 * (single binary and simple-scalable), external Loki, the cluster label, and
 * Grafana's datasource overrides. Real programs where they run here
 * (test/lib/tools.ts' promtool: `check config [--agent]`, `check rules`); Loki has
 * no binary here, so loki.yaml is checked field by field against the
 * contract read from Loki's configuration reference
 * (test/contracts/loki-config-v3.7.6.json, source noted in the file).
 * The remote-write path itself runs in test/e2e/remote-write.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { REFS_DIR } from '../../charts/components/prometheus/construct';
import { parseSpecYaml, SpecError } from '../../charts/spec-load';
import { configMapData } from '../lib/dist';
import { validateObject, type K8sObject } from '../lib/k8s-validate';
import { lokiContractProblems, LOKI_CONTRACT } from '../lib/loki-contract';
import { findBlock, parseAlloy } from '../lib/alloy-parse';
import { run, tempFiles, withPodFiles } from '../lib/promtool';
import { tool } from '../lib/tools';
import { find, synth, synthFile } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'scale-out.yaml');
const lokiYaml = (objects: K8sObject[]) => parse(configMapData(objects, 'loki-config')['loki.yaml']);
const promYaml = (objects: K8sObject[]) => parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);

const S3 = {
  type: 's3',
  s3: {
    bucket: 'loki-chunks',
    endpoint: 'minio.storage.svc:9000',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { name: 'loki-s3' },
  },
};
const MIMIR = {
  name: 'mimir',
  preset: 'mimir',
  url: 'https://mimir.example.com',
  tenant: 'gpu',
  auth: { basic: { username: 'u', password: { name: 'mimir-credentials' } } },
};

/** promtool check config on a synthesized prometheus.yml; mounted Secret keys become stand-in files. */
function promtoolCheck(objects: K8sObject[], agent: boolean): { status: number | null; out: string } {
  const dir = tempFiles({});
  try {
    const text = withPodFiles(configMapData(objects, 'prometheus-config')['prometheus.yml']).split(`${REFS_DIR}/`).join(`${dir}/refs/`);
    for (const m of text.matchAll(new RegExp(`${dir}/refs/[^\\s"']+`, 'g'))) {
      fs.mkdirSync(path.dirname(m[0]), { recursive: true });
      fs.writeFileSync(m[0], 'stand-in\n');
    }
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), text);
    const r = run(tool('promtool'), ['check', 'config', ...(agent ? ['--agent'] : []), path.join(dir, 'prometheus.yml')]);
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Loki configs against the configuration reference', () => {
  test(`the contract names its source (${LOKI_CONTRACT.source.repository} ${LOKI_CONTRACT.source.tag})`, () => {
    expect(LOKI_CONTRACT.source).toMatchObject({ repository: 'grafana/loki', path: 'docs/sources/shared/configuration.md' });
    expect(LOKI_CONTRACT.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test.each([
    ['single binary, filesystem', {}],
    ['single binary, ruler', { loki: { ruler: { enabled: true } } }],
    ['single binary, S3 from a date', { loki: { storage: { ...S3, since: '2030-01-01' } } }],
    ['single binary, GCS', { loki: { storage: { type: 'gcs', gcs: { bucket: 'loki-chunks', credentials: { name: 'loki-gcs' } } } } }],
    [
      'single binary, Azure',
      {
        loki: { storage: { type: 'azure', azure: { accountName: 'lokistore', container: 'chunks', credentials: { name: 'loki-azure' } } } },
      },
    ],
    ['simple-scalable, S3, ruler', { loki: { mode: 'simple-scalable', storage: S3, ruler: { enabled: true } } }],
  ])('%s: every field is documented with its type', (_name, spec) => {
    expect(lokiContractProblems(lokiYaml(synth(spec).objects))).toEqual([]);
  });

  test('the contract check can fail: a misspelt field and a wrong type are caught', () => {
    const cfg = lokiYaml(synth({ loki: { mode: 'simple-scalable', storage: S3 } }).objects);
    expect(
      lokiContractProblems({ ...cfg, common: { ...cfg.common, storage: { s3: { ...cfg.common.storage.s3, bucket_names: 'x' } } } }),
    ).toEqual(['common.storage.s3.bucket_names: not a field of the Loki v3.7.6 configuration reference']);
    expect(lokiContractProblems({ ...cfg, memberlist: { ...cfg.memberlist, join_members: 'loki-memberlist' } })).toHaveLength(1);
  });

  test('credentials are never in loki.yaml: ${VAR} references, set from the Secret, expanded by -config.expand-env', () => {
    const { objects } = synth({ loki: { storage: S3 } });
    const text = configMapData(objects, 'loki-config')['loki.yaml'];
    expect(lokiYaml(objects).common.storage.s3).toEqual({
      bucketnames: 'loki-chunks',
      endpoint: 'minio.storage.svc:9000',
      region: 'us-east-1',
      s3forcepathstyle: true,
      insecure: false,
      access_key_id: '${AWS_ACCESS_KEY_ID}',
      secret_access_key: '${AWS_SECRET_ACCESS_KEY}',
    });
    expect(text).not.toMatch(/loki-s3/);
    const c = find(objects, 'StatefulSet', 'loki').spec.template.spec.containers[0];
    expect(c.args).toContain('-config.expand-env=true');
    expect(c.env).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'loki-s3', key: 'access-key-id' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'loki-s3', key: 'secret-access-key' } } },
    ]);
    expect(lokiYaml(objects).schema_config.configs.map((p: { object_store: string }) => p.object_store)).toEqual(['s3']);
    const since = lokiYaml(synth({ loki: { storage: { ...S3, since: '2030-01-01' } } }).objects).schema_config.configs;
    expect(since.map((p: { from: string; object_store: string }) => `${p.from} ${p.object_store}`)).toEqual([
      '2024-04-01 filesystem',
      '2030-01-01 s3',
    ]);
  });
});

describe('Loki simple-scalable', () => {
  const { objects } = synth({ loki: { mode: 'simple-scalable', storage: S3, ruler: { enabled: true } } });
  const lokiObjects = objects.filter(
    (o) => (o.metadata?.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] === 'loki',
  );

  test('write, read and backend are separate workloads with -target, each with a PodDisruptionBudget and anti-affinity', () => {
    expect(lokiObjects.flatMap((o) => validateObject(o))).toEqual([]);
    const workloads = {
      write: find(objects, 'StatefulSet', 'loki-write'),
      read: find(objects, 'Deployment', 'loki-read'),
      backend: find(objects, 'StatefulSet', 'loki-backend'),
    };
    for (const [target, w] of Object.entries(workloads)) {
      const pod = w.spec.template.spec;
      expect(pod.containers[0].args).toContain(`-target=${target}`);
      expect(w.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(target);
      expect(
        pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels,
      ).toEqual(w.spec.selector.matchLabels);
      const pdb = find(objects, 'PodDisruptionBudget', `loki-${target}`);
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: w.spec.selector.matchLabels } });
    }
    expect(workloads.write.spec.replicas).toBe(3);
    // Only the backend (ruler) mounts the rules.
    expect(workloads.backend.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toContain('rules');
    expect(workloads.write.spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain('rules');
  });

  test('one memberlist ring: a headless Service of every Loki pod, joined by DNS', () => {
    const svc = find(objects, 'Service', 'loki-memberlist');
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'memberlist', port: 7946 }] });
    expect(svc.spec.selector['app.kubernetes.io/component']).toBeUndefined();
    const cfg = lokiYaml(objects);
    expect(cfg.common.ring.kvstore.store).toBe('memberlist');
    expect(cfg.memberlist.join_members).toEqual(['dns+loki-memberlist.monitoring.svc.cluster.local:7946']);
    expect(cfg.frontend.scheduler_address).toBe('loki-backend-headless.monitoring.svc.cluster.local:9095');
    expect(cfg.common.compactor_address).toBe('http://loki-backend.monitoring.svc:3100');
    expect(cfg.common.replication_factor).toBe(3);
    expect(cfg.target).toBeUndefined();
    for (const name of ['loki-write-headless', 'loki-read-headless', 'loki-backend-headless'])
      expect(find(objects, 'Service', name).spec.clusterIP).toBe('None');
  });

  test('collectors push to the write path, Grafana reads the read path', () => {
    const write = findBlock(parseAlloy(configMapData(objects, 'alloy-config')['config.alloy']), 'loki.write', 'loki');
    expect(findBlock(write.blocks, 'endpoint').attrs.url).toBe('http://loki-write.monitoring.svc:3100/loki/api/v1/push');
    const ds = parse(configMapData(objects, 'grafana-datasources')['datasources.yaml']).datasources;
    expect(ds.find((d: { uid: string }) => d.uid === 'loki').url).toBe('http://loki-read.monitoring.svc:3100');
  });
});

describe('cluster label and external Loki', () => {
  const ext = {
    mode: 'external',
    external: {
      pushUrl: 'https://logs.example.com/loki/api/v1/push',
      tenant: 'team-gpu',
      auth: { basic: { username: '1234', password: { name: 'loki-push' } } },
    },
  };

  test('Promtail: cluster on every stream; external Loki with tenant and the password read from the mounted Secret', () => {
    const { objects } = synth({
      cluster: 'gpu-eu-1',
      logs: { collector: 'promtail' },
      loki: ext,
      grafana: { datasources: { loki: { url: 'https://logs.example.com' } } },
    });
    expect(
      objects.filter((o) => (o.metadata?.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] === 'loki'),
    ).toEqual([]);
    const client = parse(configMapData(objects, 'promtail-config')['promtail.yaml']).clients[0];
    expect(client).toMatchObject({
      url: 'https://logs.example.com/loki/api/v1/push',
      tenant_id: 'team-gpu',
      external_labels: { cluster: 'gpu-eu-1' },
      basic_auth: { username: '1234', password_file: '/etc/promtail-refs/secrets/loki-push/password' },
    });
    const pod = find(objects, 'DaemonSet', 'promtail').spec.template.spec;
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({ secret: { secretName: 'loki-push', items: [{ key: 'password', path: 'password' }] } }),
    );
    expect(pod.containers[0].volumeMounts).toContainEqual(
      expect.objectContaining({ mountPath: '/etc/promtail-refs/secrets/loki-push', readOnly: true }),
    );
  });

  test("Alloy: external_labels and the endpoint's tenant and basic_auth", () => {
    const { objects } = synth({
      cluster: 'gpu-eu-1',
      logs: { collector: 'alloy' },
      loki: ext,
      grafana: { datasources: { loki: { url: 'https://logs.example.com' } } },
    });
    const write = findBlock(parseAlloy(configMapData(objects, 'alloy-config')['config.alloy']), 'loki.write', 'loki');
    expect(write.attrs.external_labels).toEqual({ cluster: 'gpu-eu-1' });
    const endpoint = findBlock(write.blocks, 'endpoint');
    expect(endpoint.attrs).toMatchObject({ url: 'https://logs.example.com/loki/api/v1/push', tenant_id: 'team-gpu' });
    expect(findBlock(endpoint.blocks, 'basic_auth').attrs).toEqual({
      username: '1234',
      password_file: '/etc/alloy-refs/secrets/loki-push/password',
    });
  });

  test('Prometheus: cluster and the HA replica label are external labels; alerts drop the replica label for Alertmanager to dedup', () => {
    const cfg = promYaml(
      synth({ cluster: 'gpu-eu-1', prometheus: { replicas: 2, remoteWrite: [MIMIR] }, alerting: { alertmanager: { replicas: 2 } } })
        .objects,
    );
    expect(cfg.global.external_labels).toEqual({ cluster: 'gpu-eu-1', __replica__: '${POD_NAME}' });
    expect(cfg.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: '__replica__' }]);
    expect(cfg.alerting.alertmanagers[0].static_configs[0].targets).toHaveLength(2); // both replicas send to every peer
    const thanos = promYaml(
      synth({
        cluster: 'c',
        prometheus: { replicas: 2, remoteWrite: [{ name: 't', preset: 'thanos-receive', url: 'https://thanos.example.com' }] },
      }).objects,
    );
    expect(thanos.global.external_labels.replica).toBe('${POD_NAME}');
    const vm = promYaml(
      synth({
        cluster: 'c',
        prometheus: { replicas: 2, remoteWrite: [{ name: 'vm', preset: 'victoriametrics', url: 'https://vm.example.com', tenant: '42' }] },
      }).objects,
    );
    expect(vm.remote_write[0].url).toBe('https://vm.example.com/insert/42/prometheus/api/v1/write');
    expect(vm.remote_write[0].write_relabel_configs).toEqual([{ action: 'labeldrop', regex: '__replica__' }]);
  });

  test('dashboards: a cluster variable first and cluster=~"$cluster" on every query', () => {
    const { objects } = synth({ cluster: 'gpu-eu-1' });
    const dashboards = objects
      .filter((o) => o.kind === 'ConfigMap')
      .flatMap((o) => Object.entries((o as { data?: Record<string, string> }).data ?? {}))
      .filter(([k]) => k.endsWith('.json'))
      .map(([, v]) => JSON.parse(v));
    expect(dashboards.length).toBeGreaterThan(0);
    for (const d of dashboards) {
      expect(d.templating.list[0]).toMatchObject({ name: 'cluster', allValue: '.*' });
      for (const p of d.panels) for (const t of p.targets ?? []) expect(t.expr).toContain('cluster=~"$cluster"');
    }
  });
});

describe('spec errors name the field and the fix', () => {
  test.each([
    [{ prometheus: { remoteWrite: [MIMIR] } }, /spec\.cluster: required with spec\.prometheus\.remoteWrite/],
    [
      { cluster: 'c', prometheus: { mode: 'agent' }, grafana: { enabled: false } },
      /spec\.prometheus\.remoteWrite: agent mode keeps no local storage/,
    ],
    [
      { cluster: 'c', prometheus: { mode: 'agent', remoteWrite: [MIMIR] } },
      /spec\.grafana\.datasources\.prometheus: Prometheus in agent mode answers no queries/,
    ],
    [
      { loki: { mode: 'simple-scalable' } },
      /spec\.loki\.storage\.type: simple-scalable mode shares chunks and index between pods: use object storage/,
    ],
    [{ loki: { storage: { type: 's3' } } }, /spec\.loki\.storage\.s3: storage.type is "s3": add storage.s3/],
    [{ cluster: 'c', prometheus: { remoteWrite: [{ ...MIMIR, headers: { Authorization: 'Bearer x' } }] } }, /Authorization/],
    [
      { cluster: 'c', prometheus: { remoteWrite: [{ name: 'gc', preset: 'grafana-cloud', url: 'https://prometheus-prod.grafana.net' }] } },
      /Grafana Cloud needs basic auth/,
    ],
    [{ cluster: 'c', prometheus: { remoteWrite: [{ ...MIMIR, auth: { basic: { username: 'u', password: 'hunter2' } } }] } }, /password/],
    [
      { loki: { mode: 'external', external: { pushUrl: 'https://l.example.com/loki/api/v1/push' } } },
      /spec\.cluster: required with spec\.loki\.mode external/,
    ],
  ])('%j', (spec, message) => {
    expect(() => synth(spec)).toThrow(SpecError);
    expect(() => synth(spec)).toThrow(message);
  });
});

describe('the scale-out example (examples/scale-out.yaml): issue 12 done-when', () => {
  const spec = parseSpecYaml(fs.readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
  const { objects } = synthFile('examples/scale-out.yaml');

  test('cluster, Mimir remote write, HA pair, agent mode, Loki simple-scalable on S3: every object strictly valid', () => {
    expect(spec.spec).toMatchObject({
      cluster: 'gpu-eu-1',
      prometheus: { mode: 'agent', replicas: 2 },
      loki: { mode: 'simple-scalable', storage: { type: 's3' } },
    });
    expect(objects.flatMap((o) => validateObject(o).map((p) => `${o.kind}/${o.metadata?.name}: ${p}`))).toEqual([]);
    const c = find(objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['--agent', '--storage.agent.path=/prometheus']));
    expect(c.args.filter((a: string) => a.startsWith('--storage.tsdb'))).toEqual([]);
  });

  test('promtool (the real program) accepts prometheus.yml in agent mode', () => {
    const cfg = promYaml(objects);
    expect(cfg.rule_files).toBeUndefined();
    expect(cfg.alerting).toBeUndefined();
    expect(cfg.remote_write[0]).toMatchObject({ url: 'https://mimir.example.com/api/v1/push', headers: { 'X-Scope-OrgID': 'gpu' } });
    const r = promtoolCheck(objects, true);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('promtool refuses the same config with rule_files in agent mode (the check is real)', () => {
    const dir2 = tempFiles({
      'prometheus.yml': stringify({
        ...parse(withPodFiles(configMapData(objects, 'prometheus-config')['prometheus.yml'])),
        remote_write: undefined,
        rule_files: ['/nonexistent/*.yaml'],
      }),
    });
    try {
      expect(run(tool('promtool'), ['check', 'config', '--agent', `${dir2}/prometheus.yml`]).status).not.toBe(0);
    } finally {
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });

  test('the rule files for the central ruler (prometheus-rules ConfigMap) pass promtool check rules', () => {
    const rules = configMapData(objects, 'prometheus-rules');
    expect(Object.keys(rules).length).toBeGreaterThan(0);
    const rdir = tempFiles(rules);
    try {
      const r = run(tool('promtool'), ['check', 'rules', ...Object.keys(rules).map((f) => path.join(rdir, f))]);
      expect(r.stdout + r.stderr).not.toMatch(/FAILED/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(rdir, { recursive: true, force: true });
    }
    // Not mounted into the agent (agent mode refuses rule_files).
    expect(find(objects, 'StatefulSet', 'prometheus').spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain(
      'rules',
    );
  });

  test('loki.yaml matches the configuration reference field by field', () => {
    expect(lokiContractProblems(lokiYaml(objects))).toEqual([]);
  });

  test('Grafana queries Mimir with the password from the mounted Secret ($__file), never inline', () => {
    const ds = parse(configMapData(objects, 'grafana-datasources')['datasources.yaml']).datasources;
    const prom = ds.find((d: { uid: string }) => d.uid === 'prometheus');
    expect(prom).toMatchObject({
      url: 'https://mimir.example.com/prometheus',
      basicAuth: true,
      basicAuthUser: 'gpu-eu-1',
      jsonData: { prometheusType: 'Mimir', httpHeaderName1: 'X-Scope-OrgID', tlsAuthWithCACert: true },
      secureJsonData: {
        httpHeaderValue1: 'gpu',
        basicAuthPassword: '$__file{/etc/grafana-refs/secrets/mimir-credentials/password}',
        tlsCACert: '$__file{/etc/grafana-refs/configmaps/mimir-ca/ca.crt}',
      },
    });
    const pod = find(objects, 'Deployment', 'grafana').spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual(
      expect.objectContaining({ mountPath: '/etc/grafana-refs/secrets/mimir-credentials' }),
    );
  });
  test("a central store never receives the stack's web-auth password; the stack's own Alertmanager still does", () => {
    const r = synth({ cluster: 'gpu-eu-1', grafana: { datasources: { prometheus: { url: 'https://thanos-query.example.com' } } } });
    const ds = parse(configMapData(r.objects, 'grafana-datasources')['datasources.yaml']).datasources;
    const prom = ds.find((d: { uid: string }) => d.uid === 'prometheus');
    expect(prom.url).toBe('https://thanos-query.example.com');
    expect(prom).not.toHaveProperty('basicAuth');
    expect(prom).not.toHaveProperty('basicAuthUser');
    expect(JSON.stringify(prom)).not.toContain('web-auth');
    const am = ds.find((d: { uid: string }) => d.uid === 'alertmanager');
    expect(am).toMatchObject({ basicAuth: true, basicAuthUser: 'monitoring' });
    expect(am.secureJsonData.basicAuthPassword).toMatch(/^\$__file\{.*web-auth.*password\}$/);
  });
});
