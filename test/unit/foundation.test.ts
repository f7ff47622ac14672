/** Behaviour of the metrics core: Prometheus, node-exporter, cAdvisor, namespaces, strict validity. */
import { parse } from 'yaml';
import { defaultRetentionSize } from '../../charts/components/prometheus/construct';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { allScrapeConfigs } from '../lib/prometheus-files';
import { validateObject } from '../lib/k8s-validate';
import { find, synth, synthFile } from '../lib/synth';

const whisper = {
  name: 'whisper-api',
  kind: 'whisper-api',
  namespace: 'ai',
  selector: { 'app.kubernetes.io/name': 'whisper-api' },
  port: 'http',
  interval: '5s',
};

describe('default stack', () => {
  const { objects } = synth({ services: [whisper] });
  const sts = find(objects, 'StatefulSet', 'prometheus');
  const container = sts.spec.template.spec.containers[0];
  const job = (name: string) => allScrapeConfigs(objects).find((j: { job_name: string }) => j.job_name === name); // prometheus.yml and scrape/*.yml

  test('every object is strictly valid, small, and every container is complete', () => {
    expect(allProblems(objects)).toEqual([]);
  });

  test('namespaces carry deliberate Pod Security levels', () => {
    expect(find(objects, 'Namespace', 'monitoring').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(find(objects, 'Namespace', 'monitoring-agents').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('Prometheus retention by time and by size (85% of the volume), no lifecycle API, persistent volume', () => {
    expect(container.args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=15d', '--storage.tsdb.retention.size=8704MB']));
    expect(container.args).not.toContain('--web.enable-lifecycle');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi'); // derived from spec.sizing (3 nodes)
    // Prometheus enforces basic auth (spec.webAuth): authenticated exec readiness, TCP liveness.
    expect(container.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
    expect(container.readinessProbe.exec.command.join(' ')).toContain('http://127.0.0.1:9090/-/ready');
    expect(container.livenessProbe.tcpSocket.port).toBe('web');
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 65534 });
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.resources.requests).toEqual({ cpu: '130m', memory: '448Mi' }); // derived from spec.sizing (3 nodes, 1 service)
  });

  test('RBAC is read-only discovery', () => {
    const role = find(objects, 'ClusterRole', 'test-stack-prometheus');
    for (const rule of role.rules) expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(role.rules[0].resources).toEqual(expect.arrayContaining(['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods']));
    expect(role.rules.flatMap((r: { resources?: string[] }) => r.resources ?? [])).toContain('endpointslices');
  });

  test('a service gets a grouped job with its interval, port and pod labels; job = its name through relabelling', () => {
    const j = job('services/ai/whisper-api/http');
    expect(j.scrape_interval).toBe('5s');
    expect(j.scrape_timeout).toBe('5s');
    // Discovery is the namespace only (shared by every group of the namespace); the selector is a relabel claim.
    expect(j.kubernetes_sd_configs[0]).toEqual({ role: 'pod', namespaces: { names: ['ai'] } });
    const targets = j.relabel_configs.map((r: { target_label?: string }) => r.target_label).filter(Boolean);
    expect(targets).toEqual(expect.arrayContaining(['namespace', 'pod', 'container', 'node', 'job', 'service_kind']));
    expect(j.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'http',
      action: 'keep',
    });
    expect(j.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
      regex: '(whisper-api)',
      target_label: '__tmp_service',
    });
  });

  test('node-exporter: host network and PID, read-only rootfs at /host/root, every taint tolerated', () => {
    const ds = find(objects, 'DaemonSet', 'node-exporter');
    const pod = ds.spec.template.spec;
    expect(ds.metadata.namespace).toBe('monitoring-agents');
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, tolerations: [{ operator: 'Exists' }] });
    expect(pod.containers[0].args).toContain('--path.rootfs=/host/root');
    expect(pod.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/host/root', readOnly: true }));
    expect(pod.containers[0].ports[0]).toMatchObject({ containerPort: 9100 });
    expect(pod.containers[0].resources.requests).toEqual({ cpu: '30m', memory: '48Mi' });
    expect(job('node-exporter').relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_node_name'],
      target_label: 'instance',
    });
  });

  test('cAdvisor: read-only host mounts, low-cardinality flags, drops unused series', () => {
    const pod = find(objects, 'DaemonSet', 'cadvisor').spec.template.spec;
    expect(pod.containers[0].volumeMounts.every((m: { readOnly: boolean }) => m.readOnly)).toBe(true);
    expect(pod.containers[0].args).toEqual(expect.arrayContaining(['--store_container_labels=false', '--housekeeping_interval=30s']));
    expect(pod.containers[0].args.find((a: string) => a.startsWith('--enable_metrics='))).toBe(
      '--enable_metrics=cpu,memory,network,disk,diskIO',
    );
    const drops = job('cadvisor')
      .metric_relabel_configs.filter((r: { action?: string }) => r.action === 'drop')
      .map((r: { regex: string }) => r.regex)
      .join(' ');
    expect(drops).toContain('tasks_state');
    expect(drops).toContain('container_spec_');
  });

  test('a config change is reloaded in place, not by rolling the pods (no WAL replay; test/no-remote-stop.test.ts runs it)', () => {
    const a = find(synth({}).objects, 'StatefulSet', 'prometheus').spec.template;
    const b = find(synth({ prometheus: { scrapeInterval: '30s' } }).objects, 'StatefulSet', 'prometheus').spec.template;
    expect(b).toEqual(a);
    expect(a.spec.containers.map((c: { name: string }) => c.name)).toEqual(['prometheus', 'config-reloader']);
  });
});

describe('options', () => {
  test('kubelet mode scrapes /metrics/cadvisor over HTTPS and runs no DaemonSet', () => {
    const { objects } = synth({ cadvisor: { mode: 'kubelet' } });
    expect(objects.some((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'cadvisor')).toBe(false);
    const config = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
    const j = config.scrape_configs.find((x: { job_name: string }) => x.job_name === 'cadvisor');
    expect(j).toMatchObject({ scheme: 'https', metrics_path: '/metrics/cadvisor', kubernetes_sd_configs: [{ role: 'node' }] });
  });

  test('replicas > 1 adds anti-affinity and a PodDisruptionBudget', () => {
    const { objects } = synth({ prometheus: { replicas: 2 } });
    expect(find(objects, 'StatefulSet', 'prometheus').spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(find(objects, 'PodDisruptionBudget', 'prometheus').spec.minAvailable).toBe(1);
  });

  test('disabled agents are not deployed nor scraped', () => {
    const { objects } = synth({ nodeExporter: { enabled: false }, cadvisor: { enabled: false } });
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata?.name)).not.toEqual(
      expect.arrayContaining(['node-exporter']),
    );
    expect(objects.some((o) => o.kind === 'DaemonSet' && o.metadata?.name === 'cadvisor')).toBe(false);
    const jobs = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs.map(
      (j: { job_name: string }) => j.job_name,
    );
    expect(jobs).not.toContain('node-exporter');
    expect(jobs).not.toContain('cadvisor');
  });

  test('storage class, custom retention size and agent namespace are honoured', () => {
    const { objects } = synth({
      agentNamespace: 'node-agents',
      prometheus: { retentionSize: '20GB', storage: { size: '30Gi', storageClassName: 'fast' } },
    });
    const sts = find(objects, 'StatefulSet', 'prometheus');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
    expect(sts.spec.template.spec.containers[0].args).toContain('--storage.tsdb.retention.size=20GB');
    expect(find(objects, 'DaemonSet', 'node-exporter').metadata.namespace).toBe('node-agents');
  });

  test('a retention size above the volume is refused by the loader, naming the field and the fix', () => {
    expect(() => synth({ prometheus: { retentionSize: '60GB', storage: { size: '50Gi' } } })).toThrow(
      /spec\.prometheus\.retentionSize: "60GB" is larger than the 50Gi volume \(storage\.size\).*\(42GB\)/,
    );
  });

  test('a service named like a built-in job is refused', () => {
    expect(() => synth({ services: [{ ...whisper, name: 'prometheus' }] })).toThrow(
      /spec.services\[0\].name: "prometheus" is the job of a built-in component; rename the service/,
    );
  });

  test('default retention size is about 85% of the volume', () => {
    expect(defaultRetentionSize('50Gi')).toBe('42GB');
    expect(defaultRetentionSize('200Gi')).toBe('170GB');
    expect(defaultRetentionSize('5Gi')).toBe('4352MB');
  });
});

describe('strict validator catches what the API server would reject', () => {
  const ok = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  test('accepts a valid object', () => expect(validateObject(ok)).toEqual([]));
  test('unknown top-level field', () =>
    expect(validateObject({ ...ok, datta: {} })).toEqual(['ConfigMap x: .datta: unknown field in V1ConfigMap']));
  test('unknown nested field in a pod template', () => {
    const { objects } = synth({});
    const sts = JSON.parse(JSON.stringify(find(objects, 'StatefulSet', 'prometheus')));
    sts.spec.template.spec.containers[0].readinessprobe = {};
    expect(validateObject(sts)).toEqual([
      expect.stringContaining('.spec.template.spec.containers[0].readinessprobe: unknown field in V1Container'),
    ]);
  });
  test('wrong type', () =>
    expect(validateObject({ ...ok, data: { a: 1 } })).toContain('ConfigMap x: .data.a: expected string, found number'));
  test('missing required field', () => {
    const problems = validateObject({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { template: {} } });
    expect(problems.join('\n')).toContain('selector');
  });
  test('unknown kind', () =>
    expect(validateObject({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } })[0]).toContain('unknown built-in kind'));
});

describe('dist/ of monitoring.yaml', () => {
  test('holds no YAML anchors or aliases (every value written out for tools that do not resolve them)', () => {
    const { parseAllDocuments, visit, isAlias } = require('yaml');
    const aliases: string[] = [];
    for (const [f, text] of [...synthFile().files].filter(([x]) => x.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(text)) {
        visit(doc, {
          Alias: () => {
            aliases.push(f);
          },
        });
        // Config files embedded as strings (prometheus.yml, rule files) too.
        visit(doc, {
          Scalar: (_k: unknown, n: { value: unknown }) => {
            if (
              typeof n.value === 'string' &&
              /^\s*- \*\w+$|&\w+\n/m.test(n.value) &&
              parseAllDocuments(n.value).some((d: unknown) => {
                let a = false;
                visit(d, {
                  Alias: () => {
                    a = true;
                  },
                });
                return a;
              })
            )
              aliases.push(`${f} (embedded)`);
          },
        });
      }
    }
    expect(isAlias).toBeDefined();
    expect(aliases).toEqual([]);
  });
});

describe('Prometheus external URL', () => {
  const args = (spec: Record<string, unknown>) =>
    find(synth(spec).objects, 'StatefulSet', 'prometheus').spec.template.spec.containers[0].args as string[];
  test('unset without an Ingress: no --web.external-url', () => {
    expect(args({}).some((a) => a.startsWith('--web.external-url'))).toBe(false);
  });
  test('set in the spec: passed through', () => {
    expect(args({ prometheus: { externalUrl: 'https://prom.example.com/' } })).toContain('--web.external-url=https://prom.example.com/');
  });
  test('exposed through an Ingress: defaults to its URL', () => {
    const ingress = { domain: 'example.org', prometheus: { enabled: true }, tls: { clusterIssuer: 'letsencrypt' } };
    expect(args({ ingress })).toContain('--web.external-url=https://prometheus.example.org/');
  });
});
