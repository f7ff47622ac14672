/** Grafana: Deployment, grafana.ini, admin Secret, persistence, provisioning, scrape job, spec errors. */
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { validateObject } from '../lib/k8s-validate';
import { stackDoc, synth, find } from '../lib/synth';
import { validateSpec } from '../../charts/spec-load';
import { datasourcesFile } from '../../charts/components/grafana/construct';

/** grafana.ini -> { section: { key: value } } */
function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1];
      out[section] = {};
      continue;
    }
    const kv = /^([\w.]+) = (.*)$/.exec(line);
    if (kv) out[section][kv[1]] = kv[2];
  }
  return out;
}

describe('Grafana with defaults', () => {
  const { objects } = synth({});
  const dep = find(objects, 'Deployment', 'grafana');
  const pod = dep.spec.template.spec;
  const c = pod.containers[0];
  const ini = parseIni(configMapData(objects, 'grafana-config')['grafana.ini']);

  test('every Grafana object is strictly valid', () => {
    for (const o of objects.filter((x: any) => x.metadata?.labels?.['app.kubernetes.io/name'] === 'grafana'))
      expect(validateObject(o)).toEqual([]);
  });

  test('Recreate strategy with a PersistentVolumeClaim', () => {
    expect(dep.spec.strategy.type).toBe('Recreate');
    expect(pod.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('grafana');
    expect(find(objects, 'PersistentVolumeClaim', 'grafana').spec.resources.requests.storage).toBe('10Gi');
  });

  test('non-root uid 472, read-only root filesystem, writable /var/lib/grafana and /tmp only', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 472, fsGroup: 472 });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const writable = c.volumeMounts
      .filter((m: any) => !m.readOnly)
      .map((m: any) => m.mountPath)
      .sort();
    expect(writable).toEqual(['/tmp', '/var/lib/grafana']);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('admin user and password come from the Secret, never a literal', () => {
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.GF_SECURITY_ADMIN_USER.valueFrom.secretKeyRef).toEqual({ name: 'grafana-admin', key: 'admin-user', optional: false });
    expect(env.GF_SECURITY_ADMIN_PASSWORD.valueFrom.secretKeyRef).toEqual({
      name: 'grafana-admin',
      key: 'admin-password',
      optional: false,
    });
    expect(c.env.every((e: any) => e.value === undefined)).toBe(true);
    expect(configMapData(objects, 'grafana-config')['grafana.ini']).not.toMatch(/admin_(user|password)/);
  });

  test('readiness on /api/health, Service on 3000, config checksum on the pod', () => {
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/api/health', port: 'http' });
    expect(find(objects, 'Service', 'grafana').spec.ports[0]).toMatchObject({ port: 3000, targetPort: 'http' });
    expect(dep.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('grafana.ini: no anonymous access, no sign-up, dark theme, no phoning home', () => {
    expect(ini['auth.anonymous'].enabled).toBe('false');
    expect(ini.users.allow_sign_up).toBe('false');
    expect(ini.users.default_theme).toBe('dark');
    expect(ini.analytics).toMatchObject({ reporting_enabled: 'false', check_for_updates: 'false' });
    expect(ini.server.root_url).toBe('http://localhost:3000/');
    expect(ini.paths.data).toBe('/var/lib/grafana');
  });

  test('datasources with fixed uids, Prometheus the default at its typed URL', () => {
    const ds = parse(configMapData(objects, 'grafana-datasources')['datasources.yaml']).datasources;
    expect(ds.map((d: any) => d.uid)).toEqual(['prometheus', 'loki', 'alertmanager']);
    expect(ds[0]).toMatchObject({ type: 'prometheus', isDefault: true, url: 'http://prometheus.monitoring.svc:9090' });
    expect(ds[1]).toMatchObject({ type: 'loki', url: 'http://loki.monitoring.svc:3100' });
    expect(ds[2]).toMatchObject({
      type: 'alertmanager',
      url: 'http://alertmanager.monitoring.svc:9093',
      jsonData: { implementation: 'prometheus' },
    });
  });

  test('each provider folder is mounted from exactly the ConfigMaps of its dashboards', () => {
    const providers = parse(configMapData(objects, 'grafana-dashboard-providers')['providers.yaml']).providers;
    const cms = objects.filter(
      (o) =>
        o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('grafana-dashboard-') && o.metadata.name !== 'grafana-dashboard-providers',
    );
    let mounted = 0;
    for (const p of providers) {
      const mount = c.volumeMounts.find((m: any) => m.mountPath === p.options.path);
      expect(mount).toBeDefined();
      const vol = pod.volumes.find((v: any) => v.name === mount.name);
      const names = vol.projected.sources.map((s: any) => s.configMap.name);
      for (const n of names) {
        const cm = cms.find((x) => x.metadata?.name === n) as any;
        expect(cm.metadata.annotations['grafana-folder']).toBe(p.folder);
      }
      mounted += names.length;
    }
    expect(mounted).toBe(cms.length);
    expect(providers.map((p: any) => p.folder)).toEqual(['Infrastructure', 'Logs', 'Monitoring stack', 'GPU']);
  });

  test('Prometheus scrapes Grafana (job grafana)', () => {
    const jobs = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs.map((j: any) => j.job_name);
    expect(jobs).toContain('grafana');
  });
});

describe('Grafana from the spec', () => {
  test('domain sets the root URL and secure cookies; a changed theme rolls the pod', () => {
    const a = synth({ grafana: { domain: 'grafana.example.com' } });
    const b = synth({ grafana: { domain: 'grafana.example.com', theme: 'light' } });
    const ini = parseIni(configMapData(a.objects, 'grafana-config')['grafana.ini']);
    expect(ini.server).toMatchObject({ domain: 'grafana.example.com', root_url: 'https://grafana.example.com/' });
    expect(ini.security.cookie_secure).toBe('true');
    const sum = (o: any) => find(o, 'Deployment', 'grafana').spec.template.metadata.annotations['checksum/config'];
    expect(sum(a.objects)).not.toBe(sum(b.objects));
  });

  test('persistence: false uses an emptyDir and no claim', () => {
    const { objects } = synth({ grafana: { persistence: false } });
    expect(objects.find((o) => o.kind === 'PersistentVolumeClaim')).toBeUndefined();
    const vols = find(objects, 'Deployment', 'grafana').spec.template.spec.volumes;
    expect(vols.find((v: any) => v.name === 'data').emptyDir).toBeDefined();
  });

  test('persistence object: size and storage class', () => {
    const { objects } = synth({ grafana: { persistence: { size: '20Gi', storageClassName: 'fast' } } });
    expect(find(objects, 'PersistentVolumeClaim', 'grafana').spec).toMatchObject({
      storageClassName: 'fast',
      resources: { requests: { storage: '20Gi' } },
    });
  });

  test('admin Secret name and keys from the spec', () => {
    const { objects } = synth({ grafana: { adminSecret: { name: 'ops-grafana', userKey: 'user', passwordKey: 'pass' } } });
    const env = find(objects, 'Deployment', 'grafana').spec.template.spec.containers[0].env;
    expect(env.map((e: any) => e.valueFrom.secretKeyRef)).toEqual([
      { name: 'ops-grafana', key: 'user', optional: false },
      { name: 'ops-grafana', key: 'pass', optional: false },
      { name: 'ops-grafana', key: 'secret-key', optional: false },
    ]);
  });

  test('[security] secret_key comes from a Secret key (GF_SECURITY_SECRET_KEY), never the built-in default', () => {
    const env = (g: Record<string, unknown>) =>
      Object.fromEntries(
        find(synth({ grafana: g }).objects, 'Deployment', 'grafana').spec.template.spec.containers[0].env.map((e: any) => [e.name, e]),
      );
    expect(env({}).GF_SECURITY_SECRET_KEY.valueFrom.secretKeyRef).toEqual({ name: 'grafana-admin', key: 'secret-key', optional: false });
    expect(env({ secretKeyRef: { name: 'grafana-keys', key: 'k' } }).GF_SECURITY_SECRET_KEY.valueFrom.secretKeyRef).toEqual({
      name: 'grafana-keys',
      key: 'k',
      optional: false,
    });
    const ini = configMapData(synth({}).objects, 'grafana-config')['grafana.ini'];
    expect(ini).not.toMatch(/secret_key/); // never written in the ConfigMap
  });

  test('enabled: false removes Grafana, its dashboards and its scrape job', () => {
    const { objects } = synth({ grafana: { enabled: false } });
    expect(objects.filter((o: any) => o.metadata?.labels?.['app.kubernetes.io/name'] === 'grafana')).toEqual([]);
    expect(configMapData(objects, 'prometheus-config')['prometheus.yml']).not.toContain('job_name: grafana');
  });

  test('bad values fail with the field path and what was expected', () => {
    expect(() =>
      validateSpec(
        stackDoc({ grafana: { persistence: 'yes', domain: 'https://grafana.example.com', adminSecret: { passwordKey: 'a b' } } }),
      ),
    ).toThrow(
      /spec\.grafana\.domain: expected a host name[\s\S]*spec\.grafana\.adminSecret\.passwordKey: expected a Secret key[\s\S]*spec\.grafana\.persistence: expected true, false/,
    );
  });

  test('an inline admin password is refused', () => {
    expect(() => validateSpec(stackDoc({ grafana: { adminPassword: 'hunter2' } }))).toThrow(/spec\.grafana\.adminPassword: unknown field/);
  });

  test('a datasource is left out when its component is', () => {
    expect(datasourcesFile('http://p:9090').datasources.map((d) => d.uid)).toEqual(['prometheus']);
  });
});

/**
 * No Grafana binary runs here: the provisioning files and grafana.ini are
 * checked against the field names Grafana documents (conf/defaults.ini and
 * the provisioning reference), so a typo cannot silently be ignored by Grafana.
 */
describe('Grafana configuration uses documented field names only', () => {
  const DOCUMENTED_INI: Record<string, string[]> = {
    paths: ['data', 'temp_data_lifetime', 'logs', 'plugins', 'provisioning'],
    server: [
      'protocol',
      'http_addr',
      'http_port',
      'domain',
      'enforce_domain',
      'root_url',
      'serve_from_sub_path',
      'router_logging',
      'enable_gzip',
    ],
    database: ['type', 'path', 'cache_mode', 'wal'],
    security: [
      'disable_initial_admin_creation',
      'disable_gravatar',
      'cookie_secure',
      'cookie_samesite',
      'allow_embedding',
      'strict_transport_security',
      'content_security_policy',
    ],
    users: ['allow_sign_up', 'allow_org_create', 'auto_assign_org', 'auto_assign_org_role', 'default_theme'],
    'auth.anonymous': ['enabled', 'org_name', 'org_role', 'hide_version'],
    'auth.basic': ['enabled'],
    analytics: ['reporting_enabled', 'check_for_updates', 'check_for_plugin_updates', 'feedback_links_enabled'],
    news: ['news_feed_enabled'],
    log: ['mode', 'level', 'filters'],
    'log.console': ['level', 'format'],
    metrics: ['enabled', 'interval_seconds', 'disable_total_stats'],
    dashboards: ['versions_to_keep', 'min_refresh_interval', 'default_home_dashboard_path'],
  };
  const DATASOURCE_FIELDS = [
    'name',
    'type',
    'access',
    'orgId',
    'uid',
    'url',
    'user',
    'database',
    'basicAuth',
    'basicAuthUser',
    'withCredentials',
    'isDefault',
    'jsonData',
    'secureJsonData',
    'version',
    'editable',
  ];
  const PROVIDER_FIELDS = [
    'name',
    'orgId',
    'folder',
    'folderUid',
    'type',
    'disableDeletion',
    'updateIntervalSeconds',
    'allowUiUpdates',
    'options',
  ];
  const { objects } = synth({ grafana: { domain: 'grafana.example.com' } });

  test('grafana.ini sections and keys', () => {
    const ini = parseIni(configMapData(objects, 'grafana-config')['grafana.ini']);
    const unknown = Object.entries(ini).flatMap(([s, keys]) =>
      Object.keys(keys)
        .filter((k) => !DOCUMENTED_INI[s]?.includes(k))
        .map((k) => `[${s}] ${k}`),
    );
    expect(unknown).toEqual([]);
  });

  test('datasources.yaml and providers.yaml', () => {
    const ds = parse(configMapData(objects, 'grafana-datasources')['datasources.yaml']);
    expect(Object.keys(ds).sort()).toEqual(['apiVersion', 'datasources', 'prune']);
    for (const d of ds.datasources) expect(Object.keys(d).filter((k) => !DATASOURCE_FIELDS.includes(k))).toEqual([]);
    const pv = parse(configMapData(objects, 'grafana-dashboard-providers')['providers.yaml']);
    for (const p of pv.providers) {
      expect(Object.keys(p).filter((k) => !PROVIDER_FIELDS.includes(k))).toEqual([]);
      expect(Object.keys(p.options).sort()).toEqual(['foldersFromFilesStructure', 'path']);
    }
  });
});
