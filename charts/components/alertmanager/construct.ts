/**
 * Alertmanager: StatefulSet with a PersistentVolumeClaim per replica (silences
 * and the notification log survive restarts), replicas gossiping over the
 * headless Service when there are several, config in a Secret.
 *
 * The configuration is built from typed objects (`buildAlertmanagerConfig`)
 * and holds no secret value: webhook URLs and SMTP passwords stay in the
 * Secrets the spec names, mounted read-only under
 * /etc/alertmanager/secrets/<secret>/<key> and referenced with `*_file`
 * fields. It still lives in a Secret (like kube-prometheus-stack) so that
 * users can switch to inline credentials without changing where it is read.
 *
 * Routing: critical and warning alerts go to two receivers built from the
 * spec's receivers (route.criticalReceivers / warningReceivers); maintenance
 * windows become time_intervals muted on those routes; inhibition silences a
 * warning when the critical alert of the same name and target fires, and
 * every alert of a target that is down.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { Endpoint, serviceUrl } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import {
  checksum,
  containerSecurity,
  CanonicalStatefulSet,
  dataVolumeClaim,
  podSecurity,
  resources,
  spreadAcrossNodes,
} from '../../lib/workload';
import type { IPrometheus } from '../../core/component';
import type { AlertmanagerConfig, ScrapeConfig } from '../../core/prometheus-config';
import type { Resources } from '../../spec/common';
import { podJob } from '../../lib/scrape';
import { promBasicAuth, webAuthOf, type WebAuthRef } from '../../core/web-auth';
import { authProbe, tcpProbe, webAuthMount, webAuthVolume, webConfigArg } from '../../lib/web-auth';
import type { AlertingSpec, ReceiverSpec, SecretRef } from './spec';
import { JOBS, PORTS } from '../../core/names';

export const ALERTMANAGER_PORT = PORTS.alertmanager;
export const ALERTMANAGER_CLUSTER_PORT = PORTS.alertmanagerCluster;
const UID = 65534;
const CONFIG_DIR = '/etc/alertmanager/config';
export const SECRETS_DIR = '/etc/alertmanager/secrets';
const DATA_DIR = '/alertmanager';

// --- Typed subset of alertmanager.yml (https://prometheus.io/docs/alerting/latest/configuration/).

export interface AmRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: AmRoute[];
}

export interface AmWebhookConfig {
  url?: string;
  url_file?: string;
  send_resolved?: boolean;
  max_alerts?: number;
}
export interface AmMsTeamsV2Config {
  webhook_url?: string;
  webhook_url_file?: string;
  send_resolved?: boolean;
  title?: string;
}
export interface AmEmailConfig {
  to: string;
  from: string;
  smarthost: string;
  auth_username?: string;
  auth_password_file?: string;
  require_tls?: boolean;
  send_resolved?: boolean;
}

export interface AmReceiver {
  name: string;
  webhook_configs?: AmWebhookConfig[];
  msteamsv2_configs?: AmMsTeamsV2Config[];
  email_configs?: AmEmailConfig[];
}

export interface AmInhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AmTimeRange {
  times?: { start_time: string; end_time: string }[];
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

export interface AlertmanagerConfigFile {
  global?: { resolve_timeout?: string };
  route: AmRoute;
  receivers: AmReceiver[];
  inhibit_rules?: AmInhibitRule[];
  time_intervals?: { name: string; time_intervals: AmTimeRange[] }[];
}

/** Labels along which a critical alert inhibits the warning of the same alert (absent labels compare equal). */
export const SAME_TARGET = ['alertname', 'namespace', 'job', 'instance', 'pod', 'container', 'device', 'mountpoint'];
/** Alerts that mean "the target is gone"; they inhibit the other alerts of that job and instance. */
export const TARGET_DOWN_ALERTS = ['TargetDown', 'ServiceDown'];

/** Where a Secret key is mounted in the Alertmanager pod. */
export function secretFile(ref: SecretRef): string {
  return `${SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** Every Secret key the receivers read as a file. */
export function mountedSecretRefs(receivers: readonly ReceiverSpec[]): SecretRef[] {
  const refs: SecretRef[] = [];
  for (const r of receivers) {
    if (r.type === 'msteamsv2') refs.push(r.webhookUrlSecretRef);
    if (r.type === 'webhook') refs.push(r.urlSecretRef);
    if (r.type === 'email' && r.authPasswordSecretRef) refs.push(r.authPasswordSecretRef);
  }
  return refs;
}

export interface AlertmanagerConfigOptions {
  /** Base URL of the Teams bridge, e.g. http://prometheus-msteams.monitoring.svc:2000 (needed when a receiver is of type msteams). */
  readonly msteamsBridgeUrl?: string;
}

/** The request path of an msteams receiver on the bridge. */
export function bridgeChannel(r: Extract<ReceiverSpec, { type: 'msteams' }>): string {
  return r.channel ?? r.name;
}

function receiverConfigs(r: ReceiverSpec, o: AlertmanagerConfigOptions): Omit<AmReceiver, 'name'> {
  switch (r.type) {
    case 'msteams':
      if (!o.msteamsBridgeUrl) throw new Error(`receiver "${r.name}" needs the Teams bridge`);
      return { webhook_configs: [{ url: `${o.msteamsBridgeUrl}/${bridgeChannel(r)}`, send_resolved: r.sendResolved }] };
    case 'msteamsv2':
      return { msteamsv2_configs: [{ webhook_url_file: secretFile(r.webhookUrlSecretRef), send_resolved: r.sendResolved }] };
    case 'email':
      return {
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            ...(r.authUsername ? { auth_username: r.authUsername } : {}),
            ...(r.authPasswordSecretRef ? { auth_password_file: secretFile(r.authPasswordSecretRef) } : {}),
            require_tls: r.requireTls,
            send_resolved: r.sendResolved,
          },
        ],
      };
    case 'webhook':
      return {
        webhook_configs: [
          { url_file: secretFile(r.urlSecretRef), send_resolved: r.sendResolved, ...(r.maxAlerts ? { max_alerts: r.maxAlerts } : {}) },
        ],
      };
  }
}

/** One receiver gathering the configs of several spec receivers (a route has a single receiver). */
function mergedReceiver(name: string, members: readonly ReceiverSpec[], o: AlertmanagerConfigOptions): AmReceiver {
  const out: AmReceiver = { name };
  for (const m of members) {
    const c = receiverConfigs(m, o);
    if (c.webhook_configs) out.webhook_configs = [...(out.webhook_configs ?? []), ...c.webhook_configs];
    if (c.msteamsv2_configs) out.msteamsv2_configs = [...(out.msteamsv2_configs ?? []), ...c.msteamsv2_configs];
    if (c.email_configs) out.email_configs = [...(out.email_configs ?? []), ...c.email_configs];
  }
  return out;
}

/** alertmanager.yml as a typed object, from spec.alerting. */
export function buildAlertmanagerConfig(a: AlertRouting, o: AlertmanagerConfigOptions = {}): AlertmanagerConfigFile {
  const pick = (names?: string[]) => (names ? a.receivers.filter((r) => names.includes(r.name)) : a.receivers);
  const severityRoutes = (mute: string[]): AmRoute[] =>
    (['critical', 'warning'] as const).map((severity) => ({
      matchers: [`severity="${severity}"`],
      receiver: severity,
      ...(mute.length ? { mute_time_intervals: mute } : {}),
    }));
  const global = a.maintenanceWindows.filter((w) => w.matchers.length === 0).map((w) => w.name);
  const scoped = a.maintenanceWindows.filter((w) => w.matchers.length > 0);
  return {
    global: { resolve_timeout: '5m' },
    route: {
      // Alerts without a known severity are treated as critical: better noisy than lost.
      receiver: 'critical',
      group_by: a.route.groupBy,
      group_wait: a.route.groupWait,
      group_interval: a.route.groupInterval,
      repeat_interval: a.route.repeatInterval,
      routes: [
        // A scoped maintenance window: its alerts take this branch, muted during the window.
        ...scoped.map((w) => ({
          matchers: w.matchers,
          mute_time_intervals: [...global, w.name],
          routes: severityRoutes([...global, w.name]),
        })),
        ...severityRoutes(global),
      ],
    },
    receivers: [
      mergedReceiver('critical', pick(a.route.criticalReceivers), o),
      mergedReceiver('warning', pick(a.route.warningReceivers), o),
    ],
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: SAME_TARGET },
      {
        source_matchers: [`alertname=~"${TARGET_DOWN_ALERTS.join('|')}"`],
        target_matchers: [`alertname!~"${TARGET_DOWN_ALERTS.join('|')}"`],
        equal: ['job', 'instance'],
      },
    ],
    ...(a.maintenanceWindows.length
      ? {
          time_intervals: a.maintenanceWindows.map((w) => ({
            name: w.name,
            time_intervals: w.timeIntervals.map((t) => ({
              ...(t.times ? { times: t.times.map((x) => ({ start_time: x.startTime, end_time: x.endTime })) } : {}),
              ...(t.weekdays ? { weekdays: t.weekdays } : {}),
              ...(t.daysOfMonth ? { days_of_month: t.daysOfMonth } : {}),
              ...(t.months ? { months: t.months } : {}),
              ...(t.years ? { years: t.years } : {}),
              location: t.location,
            })),
          })),
        }
      : {}),
  };
}

/** What the Alertmanager config is built from: routing, receivers and maintenance windows. */
export type AlertRouting = Pick<AlertingSpec, 'route' | 'receivers' | 'maintenanceWindows'>;

/** Grouping and repetition of notifications, as `spec.alerting.route` defaults them (every receiver gets both severities). */
export const ALERTMANAGER_DEFAULT_ROUTE: AlertingSpec['route'] = {
  groupBy: ['alertname', 'job', 'instance'],
  groupWait: '10s',
  groupInterval: '2m',
  repeatInterval: '4h',
};
/** Requests and limits, as `spec.alerting.alertmanager.resources` defaults them. */
export const ALERTMANAGER_DEFAULT_RESOURCES: Resources = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** An Alertmanager StatefulSet (a gossip cluster when replicas > 1), its config Secret and Services. */
export interface AlertmanagerProps {
  /** Namespace of its objects. */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** The basic-auth Secret Alertmanager enforces and its clients log in with. @default DEFAULT_WEB_AUTH (charts/core/web-auth.ts) */
  readonly webAuth?: WebAuthRef;
  /** Where notifications go (Secrets by reference: their keys are mounted, never copied). */
  readonly receivers: AlertingSpec['receivers'];
  /** Grouping, timing and the receivers of each severity. @default ALERTMANAGER_DEFAULT_ROUTE */
  readonly route?: AlertingSpec['route'];
  /** Recurring windows that mute matching notifications. @default [] */
  readonly maintenanceWindows?: AlertingSpec['maintenanceWindows'];
  /** Image, pinned to a version. @default IMAGES.alertmanager */
  readonly image?: string;
  /** Replicas; more than one gossip and deduplicate notifications. @default 1 */
  readonly replicas?: number;
  /** --data.retention of silences and the notification log. @default '120h' */
  readonly retention?: string;
  /** --web.external-url (links in notifications). @default its Service URL */
  readonly externalUrl?: string;
  /** The volume of each replica. @default { size: '2Gi' } */
  readonly storage?: { readonly size: string; readonly storageClassName?: string };
  /** Container requests and limits. @default ALERTMANAGER_DEFAULT_RESOURCES */
  readonly resources?: Resources;
  /** The Prometheus that sends it alerts and scrapes it. @default none: add `alertmanagerConfig` and `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IPrometheus;
  /** The Teams bridge, when a receiver is of type msteams. @default none */
  readonly msteamsBridge?: Endpoint;
}

type Metadata = (name: string) => { name: string; namespace: string; labels: Record<string, string> };
const HEADLESS = 'alertmanager-headless';

export class Alertmanager extends Construct implements Endpoint {
  public readonly serviceName = 'alertmanager';
  public readonly namespace: string;
  public readonly port = ALERTMANAGER_PORT;
  public readonly url: string;
  public readonly config: AlertmanagerConfigFile;
  public readonly configYaml: string;
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** How a Prometheus reaches every replica (what `prometheus` receives through addAlertmanager). */
  public readonly alertmanagerConfig: AlertmanagerConfig;
  /** Its scrape job. */
  public readonly scrapeConfig: ScrapeConfig;

  private readonly webAuth: WebAuthRef;
  private readonly replicas: number;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    // Alertmanager enforces basic auth itself (charts/lib/web-auth.ts): Prometheus, Grafana and the Loki ruler log in.
    this.webAuth = webAuthOf(props);
    this.replicas = props.replicas ?? 1;
    this.namespace = ns;
    this.url = serviceUrl(this.serviceName, ns, ALERTMANAGER_PORT);
    this.config = buildAlertmanagerConfig(
      { route: props.route ?? ALERTMANAGER_DEFAULT_ROUTE, receivers: props.receivers, maintenanceWindows: props.maintenanceWindows ?? [] },
      { msteamsBridgeUrl: props.msteamsBridge?.url },
    );
    this.configYaml = toYaml(this.config);

    const image = props.image ?? IMAGES.alertmanager;
    const labels = recommendedLabels({ name: 'alertmanager', instance, component: 'alerting', version: imageVersion(image) });
    const selector = selectorLabels('alertmanager', instance);
    const metadata: Metadata = (name) => ({ name, namespace: ns, labels });

    new k8s.KubeServiceAccount(this, 'sa', { metadata: metadata('alertmanager'), automountServiceAccountToken: false });
    new k8s.KubeSecret(this, 'config', {
      metadata: metadata('alertmanager-config'),
      type: 'Opaque',
      data: { 'alertmanager.yml': Buffer.from(this.configYaml).toString('base64') },
    });
    this.addServices(metadata, selector);

    this.statefulSet = new CanonicalStatefulSet(this, 'statefulset', {
      metadata: metadata('alertmanager'),
      spec: {
        serviceName: HEADLESS,
        replicas: this.replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(this.configYaml) } },
          spec: this.podSpec(props, image, selector),
        },
        volumeClaimTemplates: [dataVolumeClaim(props.storage ?? { size: '2Gi' }, selector)],
      },
    });

    if (this.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: metadata('alertmanager'),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      });
    }

    // Prometheus sends to every replica (each one deduplicates through gossip), addressed by its stable DNS name.
    this.alertmanagerConfig = {
      api_version: 'v2',
      scheme: 'http',
      basic_auth: promBasicAuth(this.webAuth),
      timeout: '10s',
      static_configs: [{ targets: Array.from({ length: this.replicas }, (_, i) => `${this.peerHost(i)}:${ALERTMANAGER_PORT}`) }],
    };
    this.scrapeConfig = podJob({
      jobName: JOBS.alertmanager,
      namespace: ns,
      selector,
      port: 'web',
      basicAuth: promBasicAuth(this.webAuth),
    });
    props.prometheus?.addAlertmanager(this.alertmanagerConfig);
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }

  private peerHost(i: number): string {
    return `alertmanager-${i}.${HEADLESS}.${this.namespace}.svc`;
  }

  /** A ClusterIP Service for clients, a headless one for the peers. */
  private addServices(metadata: Metadata, selector: Record<string, string>): void {
    new k8s.KubeService(this, 'service', {
      metadata: metadata(this.serviceName),
      spec: { selector, ports: [{ name: 'web', port: ALERTMANAGER_PORT, targetPort: k8s.IntOrString.fromString('web') }] },
    });
    new k8s.KubeService(this, 'headless', {
      metadata: metadata(HEADLESS),
      spec: {
        selector,
        clusterIp: 'None',
        publishNotReadyAddresses: true, // peers must find each other before they are ready
        ports: [
          { name: 'web', port: ALERTMANAGER_PORT, targetPort: k8s.IntOrString.fromString('web') },
          { name: 'cluster-tcp', port: ALERTMANAGER_CLUSTER_PORT, protocol: 'TCP', targetPort: k8s.IntOrString.fromString('cluster-tcp') },
          { name: 'cluster-udp', port: ALERTMANAGER_CLUSTER_PORT, protocol: 'UDP', targetPort: k8s.IntOrString.fromString('cluster-udp') },
        ],
      },
    });
  }

  private podSpec(props: AlertmanagerProps, image: string, selector: Record<string, string>): k8s.PodSpec {
    const webAuth = this.webAuth;
    const secretRefs = mountedSecretRefs(props.receivers);
    const secretNames = [...new Set(secretRefs.map((r) => r.name))].sort();
    const clusterArgs =
      this.replicas > 1
        ? [
            `--cluster.listen-address=0.0.0.0:${ALERTMANAGER_CLUSTER_PORT}`,
            `--cluster.advertise-address=$(POD_IP):${ALERTMANAGER_CLUSTER_PORT}`,
            ...Array.from({ length: this.replicas }, (_, i) => `--cluster.peer=${this.peerHost(i)}:${ALERTMANAGER_CLUSTER_PORT}`),
          ]
        : ['--cluster.listen-address=']; // a single replica: no gossip
    return {
      serviceAccountName: 'alertmanager',
      automountServiceAccountToken: false, // never calls the Kubernetes API
      securityContext: podSecurity(UID),
      terminationGracePeriodSeconds: 60,
      ...spreadAcrossNodes(this.replicas, selector),
      containers: [
        {
          name: 'alertmanager',
          image,
          imagePullPolicy: 'IfNotPresent',
          args: [
            `--config.file=${CONFIG_DIR}/alertmanager.yml`,
            `--storage.path=${DATA_DIR}`,
            `--data.retention=${props.retention ?? '120h'}`,
            `--web.listen-address=:${ALERTMANAGER_PORT}`,
            `--web.external-url=${props.externalUrl ?? this.url}`,
            '--web.route-prefix=/',
            webConfigArg(webAuth),
            ...clusterArgs,
          ],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
          ports: [
            { name: 'web', containerPort: ALERTMANAGER_PORT, protocol: 'TCP' },
            { name: 'cluster-tcp', containerPort: ALERTMANAGER_CLUSTER_PORT, protocol: 'TCP' },
            { name: 'cluster-udp', containerPort: ALERTMANAGER_CLUSTER_PORT, protocol: 'UDP' },
          ],
          resources: resources(props.resources ?? ALERTMANAGER_DEFAULT_RESOURCES),
          securityContext: containerSecurity(),
          readinessProbe: authProbe(webAuth, ALERTMANAGER_PORT, '/-/ready', { periodSeconds: 10, failureThreshold: 3 }),
          livenessProbe: tcpProbe('web', { periodSeconds: 15, failureThreshold: 4 }),
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'data', mountPath: DATA_DIR },
            webAuthMount,
            ...secretNames.map((n, i) => ({ name: `secret-${i}`, mountPath: `${SECRETS_DIR}/${n}`, readOnly: true })),
          ],
        },
      ],
      volumes: [
        { name: 'config', secret: { secretName: 'alertmanager-config' } },
        // The web config (server side) and the password (readiness probe).
        webAuthVolume(webAuth, ['webConfig', 'password']),
        // Volume names are DNS labels; Secret names may hold dots: number the volumes.
        ...secretNames.map((n, i) => ({
          name: `secret-${i}`,
          secret: {
            secretName: n,
            items: [...new Set(secretRefs.filter((r) => r.name === n).map((r) => r.key))].sort().map((key) => ({ key, path: key })),
          },
        })),
      ],
    };
  }
}
