/**
 * Grafana: a Deployment (one replica, SQLite on a PersistentVolumeClaim, or
 * an emptyDir when `spec.grafana.persistence` is false), grafana.ini built
 * from typed objects, datasources and dashboard providers provisioned from
 * ConfigMaps, and one ConfigMap per dashboard (GrafanaDashboards, in
 * dist/41-grafana-dashboards.yaml) mounted into one folder per provider.
 *
 * The admin account comes from an existing Secret (spec.grafana.adminSecret):
 * nothing in dist/ holds a password, and the pod does not start until the
 * Secret exists, so Grafana never comes up with a default password.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import type { IDashboard } from '../../core/component';
import { applyOverride, grafanaRefs, type GrafanaDatasourcesSpec } from './datasources';
import { DATASOURCE_UIDS, FOLDERS, type FolderId, JOBS, PORTS } from '../../core/names';
import { type Endpoint, serviceUrl } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { checksum, containerSecurity, httpProbe, podSecurity, quantity, resources } from '../../lib/workload';
import type { IEndpoint, IScrapeJobs } from '../../core/component';
import type { ScrapeConfig } from '../../core/prometheus-config';
import type { Resources } from '../../spec/common';
import { podJob } from '../../lib/scrape';
import { webAuthOf, webAuthPasswordFile, type WebAuthRef } from '../../core/web-auth';
import { webAuthMount, webAuthVolume } from '../../lib/web-auth';
import type { GrafanaSpec } from './spec';

export const GRAFANA_PORT = PORTS.grafana;
/** The uid and gid of the grafana/grafana image. */
const UID = 472;
const DATA_DIR = '/var/lib/grafana';
/** The image's GF_PATHS_CONFIG is /etc/grafana/grafana.ini. */
const CONFIG_DIR = '/etc/grafana';
const PROVISIONING_DIR = '/etc/grafana/provisioning';
/** Dashboards of folder X are mounted at DASHBOARDS_DIR/X. */
export const DASHBOARDS_DIR = '/etc/grafana/dashboards';

// --- grafana.ini --------------------------------------------------------------

export type IniValue = string | number | boolean;
/** grafana.ini: section -> key -> value (https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/). */
export type GrafanaIni = Record<string, Record<string, IniValue>>;

/** INI text: `[section]` then `key = value` lines, sections and keys in the given order. */
export function renderIni(ini: GrafanaIni): string {
  return Object.entries(ini)
    .map(([section, keys]) => {
      const lines = Object.entries(keys).map(([k, v]) => {
        if (!/^[a-z0-9_.]+$/i.test(k)) throw new Error(`grafana.ini [${section}] key "${k}" is not a valid key`);
        const text = String(v);
        if (/[\r\n]/.test(text)) throw new Error(`grafana.ini [${section}] ${k}: values cannot span lines`);
        return `${k} = ${text}`;
      });
      return `[${section}]\n${lines.join('\n')}\n`;
    })
    .join('\n');
}

// --- Provisioning files (https://grafana.com/docs/grafana/latest/administration/provisioning/) ---

export interface DatasourceConfig {
  name: string;
  uid: string;
  type: 'prometheus' | 'loki' | 'alertmanager';
  access: 'proxy';
  url: string;
  isDefault: boolean;
  editable: boolean;
  /** Prometheus and Alertmanager enforce basic auth (charts/lib/web-auth.ts). */
  basicAuth?: boolean;
  basicAuthUser?: string;
  jsonData: Record<string, string | number | boolean>;
  /** `$__file{...}` references to mounted Secret keys only (the spec.webAuth password, spec.grafana.datasources): never a value. */
  secureJsonData?: Record<string, string>;
}

export interface DatasourcesFile {
  apiVersion: 1;
  /** Datasources provisioned earlier and no longer listed are removed. */
  prune: boolean;
  datasources: DatasourceConfig[];
}

export interface DashboardProvider {
  name: string;
  orgId: number;
  folder: string;
  folderUid: string;
  type: 'file';
  disableDeletion: boolean;
  allowUiUpdates: boolean;
  updateIntervalSeconds: number;
  options: { path: string; foldersFromFilesStructure: boolean };
}

export interface DashboardProvidersFile {
  apiVersion: 1;
  providers: DashboardProvider[];
}

/** Name of the ConfigMap holding one dashboard. */
export function dashboardConfigMapName(uid: string): string {
  return `grafana-dashboard-${uid}`;
}

// --- Dashboards ConfigMaps (dist/41-grafana-dashboards.yaml) --------------------

/** One ConfigMap per dashboard, in the folders Grafana's file provider reads. */
export interface GrafanaDashboardsProps {
  /** Namespace of the ConfigMaps (Grafana's). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of the ConfigMaps. @default 'monitoring' */
  readonly instance?: string;
  readonly dashboards: readonly IDashboard[];
}

/** One ConfigMap per dashboard, so each object stays far below the 256 KiB client-side apply limit. */
export class GrafanaDashboards extends Construct {
  public readonly dashboards: readonly IDashboard[];

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    this.dashboards = props.dashboards;
    const labels = recommendedLabels({ name: 'grafana', instance: props.instance ?? 'monitoring', component: 'dashboards' });
    for (const d of props.dashboards) {
      new k8s.KubeConfigMap(this, d.uid, {
        metadata: {
          name: dashboardConfigMapName(d.uid),
          namespace: props.namespace,
          labels: { ...labels, grafana_dashboard: '1' },
          annotations: { 'grafana-folder': FOLDERS[d.folder] },
        },
        data: { [`${d.uid}.json`]: d.json },
      });
    }
  }

  /** Dashboard uids by folder, in order. */
  public byFolder(): Map<FolderId, string[]> {
    const m = new Map<FolderId, string[]>();
    for (const d of this.dashboards) m.set(d.folder, [...(m.get(d.folder) ?? []), d.uid]);
    return m;
  }
}

// --- Grafana -------------------------------------------------------------------

/** Grafana's volume: SQLite, users, preferences, UI-made dashboards. */
export interface GrafanaPersistence {
  /** A PersistentVolumeClaim; false: an emptyDir (UI changes are lost on restart). */
  readonly enabled: boolean;
  readonly size: string;
  /** @default the cluster's default class */
  readonly storageClassName?: string;
}

/** The admin account's Secret (never written by the stack). */
export interface GrafanaAdminSecret {
  readonly name: string;
  readonly userKey: string;
  readonly passwordKey: string;
}

/** Requests and limits, as `spec.grafana.resources` defaults them. */
export const GRAFANA_DEFAULT_RESOURCES: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

/** Grafana (one replica, SQLite) with its datasources and the dashboards of a GrafanaDashboards. */
export interface GrafanaProps {
  /** Namespace of its objects. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** The basic-auth Secret whose password the datasources send to Prometheus and Alertmanager. @default DEFAULT_WEB_AUTH (charts/core/web-auth.ts) */
  readonly webAuth?: WebAuthRef;
  /** Image, pinned to a version. @default IMAGES.grafana */
  readonly image?: string;
  /** Public host name (server.domain). @default the host of rootUrl */
  readonly domain?: string;
  /** server.root_url. @default https://<domain>/ with a domain, else http://localhost:3000/ */
  readonly rootUrl?: string;
  /** The admin account's Secret. @default { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' } */
  readonly adminSecret?: GrafanaAdminSecret;
  /** The Secret key of [security] secret_key. @default { key: 'secret-key' } in the adminSecret */
  readonly secretKeyRef?: { readonly name?: string; readonly key: string };
  /** Its volume. @default { enabled: true, size: '10Gi' } */
  readonly persistence?: GrafanaPersistence;
  /** users.default_theme. @default 'dark' */
  readonly theme?: GrafanaSpec['theme'];
  /** Container requests and limits. @default GRAFANA_DEFAULT_RESOURCES */
  readonly resources?: Resources;
  /** Datasource overrides (central stores, their credentials by reference). @default {} (the in-cluster Services) */
  readonly datasources?: GrafanaDatasourcesSpec;
  /** Default datasource (uid `prometheus`); it scrapes Grafana too. */
  readonly prometheus: IEndpoint & IScrapeJobs;
  /** Loki datasource (uid `loki`). @default none (or datasources.loki) */
  readonly loki?: Pick<Endpoint, 'url'>;
  /** Alertmanager datasource (uid `alertmanager`). @default none (or datasources.alertmanager) */
  readonly alertmanager?: Pick<Endpoint, 'url'>;
  readonly dashboards: GrafanaDashboards;
}

const DEFAULT_ADMIN_SECRET: GrafanaAdminSecret = { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' };
type Metadata = (name: string) => { name: string; namespace: string; labels: Record<string, string> };

export class Grafana extends Construct implements Endpoint {
  public readonly serviceName = 'grafana';
  public readonly namespace: string;
  public readonly port = GRAFANA_PORT;
  public readonly url: string;
  /** The public URL users open (server.root_url). */
  public readonly rootUrl: string;
  public readonly deployment: k8s.KubeDeployment;
  public readonly ini: GrafanaIni;
  public readonly datasources: DatasourcesFile;
  public readonly providers: DashboardProvidersFile;
  /** Its scrape job. */
  public readonly scrapeConfig: ScrapeConfig;

  private readonly refs = grafanaRefs();
  private readonly webAuth: WebAuthRef;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    this.namespace = ns;
    this.url = serviceUrl(this.serviceName, ns, GRAFANA_PORT);
    this.rootUrl = props.rootUrl ?? (props.domain ? `https://${props.domain}/` : `http://localhost:${GRAFANA_PORT}/`);
    const persistence = props.persistence ?? { enabled: true, size: '10Gi' };
    const image = props.image ?? IMAGES.grafana;
    const labels = recommendedLabels({ name: 'grafana', instance, component: 'visualization', version: imageVersion(image) });
    const selector = selectorLabels('grafana', instance);
    const metadata: Metadata = (name) => ({ name, namespace: ns, labels });

    this.ini = grafanaIni({ domain: props.domain, theme: props.theme ?? 'dark' }, this.rootUrl);
    this.webAuth = webAuthOf(props);
    this.datasources = this.datasourcesFile(props);
    const folders = props.dashboards.byFolder();
    this.providers = providersFile([...folders.keys()]);

    const iniText = renderIni(this.ini);
    const datasourcesText = toYaml(this.datasources);
    const providersText = toYaml(this.providers);
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('grafana-config'), data: { 'grafana.ini': iniText } });
    new k8s.KubeConfigMap(this, 'datasources', {
      metadata: metadata('grafana-datasources'),
      data: { 'datasources.yaml': datasourcesText },
    });
    new k8s.KubeConfigMap(this, 'providers', {
      metadata: metadata('grafana-dashboard-providers'),
      data: { 'providers.yaml': providersText },
    });

    new k8s.KubeServiceAccount(this, 'sa', { metadata: metadata('grafana'), automountServiceAccountToken: false });
    new k8s.KubeService(this, 'service', {
      metadata: metadata(this.serviceName),
      spec: { selector, ports: [{ name: 'http', port: GRAFANA_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });

    if (persistence.enabled) {
      new k8s.KubePersistentVolumeClaim(this, 'pvc', {
        metadata: metadata('grafana'),
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(persistence.storageClassName ? { storageClassName: persistence.storageClassName } : {}),
          resources: { requests: { storage: quantity(persistence.size) } },
        },
      });
    }

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata('grafana'),
      spec: {
        replicas: 1, // SQLite: one writer
        // Recreate: the ReadWriteOnce volume cannot be attached to a second pod during a rolling update.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            // Dashboards are re-read by the file provider every updateIntervalSeconds: only config changes restart Grafana.
            annotations: { 'checksum/config': checksum(iniText, datasourcesText, providersText) },
          },
          spec: this.podSpec(props, image, persistence.enabled, folders),
        },
      },
    });

    this.scrapeConfig = podJob({ jobName: JOBS.grafana, namespace: ns, selector, port: 'http' });
    props.prometheus.addScrapeConfig(this.scrapeConfig);
  }

  /** The in-cluster datasources, each replaced by its override (a central store) when one is given. */
  private datasourcesFile(props: GrafanaProps): DatasourcesFile {
    const ds = props.datasources ?? {};
    const base = datasourcesFile(
      props.prometheus.url,
      props.loki?.url ?? (ds.loki ? ds.loki.url : undefined),
      props.alertmanager?.url ?? ds.alertmanager?.url,
      this.webAuth,
    );
    const overrides: Record<string, GrafanaDatasourcesSpec['prometheus' | 'loki' | 'alertmanager']> = {
      prometheus: ds.prometheus,
      loki: ds.loki,
      alertmanager: ds.alertmanager,
    };
    return {
      ...base,
      datasources: base.datasources.map((d) => {
        const o = overrides[d.type];
        if (!o) return d;
        // A central store gets its own credentials (or none), never the stack's web-auth password.
        const { basicAuth: _b, basicAuthUser: _u, secureJsonData: _s, ...plain } = d;
        return applyOverride(plain, o, this.refs);
      }),
    };
  }

  private podSpec(props: GrafanaProps, image: string, persistent: boolean, folders: Map<FolderId, string[]>): k8s.PodSpec {
    const admin = props.adminSecret ?? DEFAULT_ADMIN_SECRET;
    const secretKey = props.secretKeyRef ?? { key: 'secret-key' };
    const secretEnv = (name: string, key: string): k8s.EnvVar => ({
      name,
      valueFrom: { secretKeyRef: { name: admin.name, key, optional: false } },
    });
    const folderVolumes = [...folders.entries()].map(([folder, uids]) => ({
      volume: {
        name: `dashboards-${folder}`,
        projected: { sources: uids.map((uid) => ({ configMap: { name: dashboardConfigMapName(uid) } })) },
      } satisfies k8s.Volume,
      mount: { name: `dashboards-${folder}`, mountPath: `${DASHBOARDS_DIR}/${folder}`, readOnly: true } satisfies k8s.VolumeMount,
    }));
    return {
      serviceAccountName: 'grafana',
      automountServiceAccountToken: false, // Grafana never calls the Kubernetes API
      securityContext: podSecurity(UID),
      containers: [
        {
          name: 'grafana',
          image,
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: GRAFANA_PORT, protocol: 'TCP' }],
          env: [
            secretEnv('GF_SECURITY_ADMIN_USER', admin.userKey),
            secretEnv('GF_SECURITY_ADMIN_PASSWORD', admin.passwordKey),
            // [security] secret_key: never Grafana's built-in (public) default.
            {
              name: 'GF_SECURITY_SECRET_KEY',
              valueFrom: { secretKeyRef: { name: secretKey.name ?? admin.name, key: secretKey.key, optional: false } },
            },
          ],
          resources: resources(props.resources ?? GRAFANA_DEFAULT_RESOURCES),
          securityContext: containerSecurity(),
          // First start migrates the SQLite database: give it time before liveness counts.
          startupProbe: httpProbe('/api/health', 'http', { periodSeconds: 5, failureThreshold: 60 }),
          readinessProbe: httpProbe('/api/health', 'http', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: httpProbe('/api/health', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
          volumeMounts: [
            { name: 'config', mountPath: `${CONFIG_DIR}/grafana.ini`, subPath: 'grafana.ini', readOnly: true },
            { name: 'datasources', mountPath: `${PROVISIONING_DIR}/datasources`, readOnly: true },
            { name: 'providers', mountPath: `${PROVISIONING_DIR}/dashboards`, readOnly: true },
            // Empty provisioning folders Grafana scans at startup.
            { name: 'provisioning-empty', mountPath: `${PROVISIONING_DIR}/plugins`, readOnly: true },
            { name: 'provisioning-empty', mountPath: `${PROVISIONING_DIR}/alerting`, readOnly: true },
            { name: 'data', mountPath: DATA_DIR },
            { name: 'tmp', mountPath: '/tmp' },
            ...this.refs.mounts(),
            webAuthMount,
            ...folderVolumes.map((f) => f.mount),
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'grafana-config' } },
        { name: 'datasources', configMap: { name: 'grafana-datasources' } },
        { name: 'providers', configMap: { name: 'grafana-dashboard-providers' } },
        { name: 'provisioning-empty', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Mi') } },
        persistent
          ? { name: 'data', persistentVolumeClaim: { claimName: 'grafana' } }
          : { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        ...this.refs.volumes(),
        // The password the datasources send to Prometheus and Alertmanager (only that key).
        webAuthVolume(this.webAuth, ['password']),
        ...folderVolumes.map((f) => f.volume),
      ],
    };
  }
}

/** grafana.ini from the spec: no anonymous access, no sign-up, no phoning home, writable paths on volumes. */
export function grafanaIni(spec: { readonly domain?: string; readonly theme: GrafanaSpec['theme'] }, rootUrl: string): GrafanaIni {
  const url = new URL(rootUrl);
  return {
    paths: {
      data: DATA_DIR,
      logs: `${DATA_DIR}/logs`,
      plugins: `${DATA_DIR}/plugins`,
      provisioning: PROVISIONING_DIR,
      temp_data_lifetime: '24h',
    },
    server: {
      protocol: 'http',
      http_port: GRAFANA_PORT,
      domain: spec.domain ?? url.hostname,
      root_url: rootUrl,
      enforce_domain: false,
      enable_gzip: true,
    },
    database: { type: 'sqlite3', wal: true },
    security: {
      disable_initial_admin_creation: false,
      cookie_secure: url.protocol === 'https:',
      cookie_samesite: 'lax',
      disable_gravatar: true,
      strict_transport_security: url.protocol === 'https:',
      content_security_policy: true,
    },
    users: {
      allow_sign_up: false,
      allow_org_create: false,
      auto_assign_org_role: 'Viewer',
      default_theme: spec.theme,
    },
    'auth.anonymous': { enabled: false },
    'auth.basic': { enabled: true },
    analytics: {
      reporting_enabled: false,
      check_for_updates: false,
      check_for_plugin_updates: false,
      feedback_links_enabled: false,
    },
    news: { news_feed_enabled: false },
    log: { mode: 'console', level: 'info' },
    'log.console': { format: 'json' },
    metrics: { enabled: true },
    dashboards: { min_refresh_interval: '5s' },
  };
}

/**
 * Basic auth of a datasource: the user by name, the password through Grafana's
 * `$__file{}` expansion of provisioning values (read when Grafana provisions,
 * from the mounted Secret), so neither this ConfigMap nor the pod spec holds it.
 * Fact from grafana/grafana pkg/services/provisioning/values/values.go (stored
 * commit 03d9862; not read at the v12.4.3 tag, the repository is too large to
 * fetch): secureJsonData is a StringMapValue whose values go through
 * setting.ExpandVar ($__file{}, $__env{}) and then os.ExpandEnv, so the file
 * must hold no other "$" (none does).
 */
export function datasourceBasicAuth(a: WebAuthRef): Pick<DatasourceConfig, 'basicAuth' | 'basicAuthUser' | 'secureJsonData'> {
  return { basicAuth: true, basicAuthUser: a.username, secureJsonData: { basicAuthPassword: `$__file{${webAuthPasswordFile(a)}}` } };
}

export function datasourcesFile(prometheusUrl: string, lokiUrl?: string, alertmanagerUrl?: string, webAuth?: WebAuthRef): DatasourcesFile {
  const auth = datasourceBasicAuth(webAuth ?? webAuthOf({}));
  const datasources: DatasourceConfig[] = [
    {
      name: 'Prometheus',
      uid: DATASOURCE_UIDS.prometheus,
      type: 'prometheus',
      access: 'proxy',
      url: prometheusUrl,
      isDefault: true,
      editable: false,
      ...auth,
      jsonData: { httpMethod: 'POST', timeInterval: '15s', prometheusType: 'Prometheus', cacheLevel: 'Low', incrementalQuerying: true },
    },
  ];
  if (lokiUrl) {
    datasources.push({
      name: 'Loki',
      uid: DATASOURCE_UIDS.loki,
      type: 'loki',
      access: 'proxy',
      url: lokiUrl,
      isDefault: false,
      editable: false,
      jsonData: { maxLines: 1000, timeout: 60 },
    });
  }
  if (alertmanagerUrl) {
    datasources.push({
      name: 'Alertmanager',
      uid: DATASOURCE_UIDS.alertmanager,
      type: 'alertmanager',
      access: 'proxy',
      url: alertmanagerUrl,
      isDefault: false,
      editable: false,
      ...auth,
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
    });
  }
  return { apiVersion: 1, prune: true, datasources };
}

export function providersFile(folders: FolderId[]): DashboardProvidersFile {
  return {
    apiVersion: 1,
    providers: folders.map((folder) => ({
      name: folder,
      orgId: 1,
      folder: FOLDERS[folder],
      folderUid: folder,
      type: 'file',
      disableDeletion: true,
      allowUiUpdates: false,
      updateIntervalSeconds: 30,
      options: { path: `${DASHBOARDS_DIR}/${folder}`, foldersFromFilesStructure: false },
    })),
  };
}
