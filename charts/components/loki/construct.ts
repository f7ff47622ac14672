/**
 * Loki, single binary: one StatefulSet pod running every Loki component
 * (`-target=all`) on a persistent filesystem volume, with the tsdb index and
 * the v13 schema, retention applied by the compactor, and optionally the
 * ruler evaluating log-based alerts.
 *
 * Config built from typed objects (charts/logs/loki-config.ts) in a
 * ConfigMap whose checksum rolls the pod. Runs as uid 10001 with a read-only
 * root filesystem: it writes only to its volume (/loki) and /tmp.
 *
 * Scale path: see charts/spec/section-logs.ts and README "Logs".
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { serviceUrl, StackContext } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { checksum, containerSecurity, dataVolumeClaim, httpProbe, podSecurity, resources } from '../../lib/workload';
import { LOKI_DATA_DIR, LOKI_GRPC_PORT, LOKI_HTTP_PORT, LOKI_RULES_DIR, LOKI_TENANT, lokiConfig, type LokiConfig } from './loki-config';
import { checkLogQueries } from '../../logs/queries';
import { webAuthOf } from '../../core/web-auth';
import { logRuleFile, renderLogRuleFile, type LogRuleFile } from './ruler';
import type { ILogPush, IPrometheus } from '../../core/component';
import { podJob } from '../../lib/scrape';
import type { LokiSpec } from './spec';
import { JOBS } from '../../core/names';

const UID = 10001;
const CONFIG_DIR = '/etc/loki/config';
/** Alertmanager's port (fixed across the stack). */
const ALERTMANAGER_PORT = 9093;

/** The env var holding the password the ruler sends to Alertmanager (from the spec.webAuth Secret). */
export const ALERTMANAGER_PASSWORD_ENV = 'LOKI_ALERTMANAGER_PASSWORD';

export interface LokiProps {
  readonly context: StackContext;
  readonly spec: LokiSpec;
  readonly prometheus: IPrometheus;
  /** Where the ruler sends alerts. @default http://alertmanager.<namespace>.svc:9093 */
  readonly alertmanagerUrl?: string;
  /** Add the Kubernetes event alerts to the ruler (events shipped by Alloy, charts/logs/events.ts). @default false */
  readonly eventAlerts?: boolean;
}

export class Loki extends Construct implements ILogPush {
  public readonly serviceName = 'loki';
  public readonly namespace: string;
  public readonly port = LOKI_HTTP_PORT;
  public readonly grpcPort = LOKI_GRPC_PORT;
  /** `http://loki.<namespace>.svc:3100`: the Grafana datasource URL. */
  public readonly url: string;
  /** Where collectors push: `<url>/loki/api/v1/push`. */
  public readonly pushUrl: string;
  public readonly config: LokiConfig;
  public readonly configText: string;
  /** The ruler's rule file, when `spec.loki.ruler.enabled`. */
  public readonly ruleFile?: LogRuleFile;
  public readonly statefulSet: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const { context: ctx, spec } = props;
    this.namespace = ctx.namespace;
    this.url = serviceUrl(this.serviceName, ctx.namespace, LOKI_HTTP_PORT);
    this.pushUrl = `${this.url}/loki/api/v1/push`;
    const image = spec.image ?? IMAGES.loki;
    const labels = recommendedLabels({ name: 'loki', instance: ctx.instance, component: 'log-store', version: imageVersion(image) });
    const selector = selectorLabels('loki', ctx.instance);
    const metadata = (name: string) => ({ name, namespace: ctx.namespace, labels });

    // Every LogQL query the stack ships parses, or the synth fails naming it.
    checkLogQueries();

    const alertmanagerUrl = props.alertmanagerUrl ?? serviceUrl('alertmanager', ctx.namespace, ALERTMANAGER_PORT);
    // The ruler logs in to Alertmanager (which enforces basic auth): Loki has no password_file for it
    // (v3.7.6 pkg/ruler/base/notifier.go reads basic_auth_password inline), so the config says
    // ${LOKI_ALERTMANAGER_PASSWORD} and -config.expand-env=true fills it from a Secret env var.
    const webAuth = webAuthOf(ctx);
    this.config = lokiConfig(spec, { alertmanagerUrl, alertmanagerAuth: { username: webAuth.username, passwordEnv: ALERTMANAGER_PASSWORD_ENV } });
    this.configText = toYaml(this.config);
    const expandEnv = spec.ruler.enabled;
    // With -config.expand-env every "$" of the file is expanded (drone/envsubst): only the password reference may hold one.
    if (expandEnv && this.configText.replace(`\${${ALERTMANAGER_PASSWORD_ENV}}`, '').includes('$')) {
      throw new Error('loki.yaml holds a "$" besides the Alertmanager password reference: -config.expand-env would expand it');
    }
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('loki-config'), data: { 'loki.yaml': this.configText } });

    // The rules ConfigMap always exists (empty without the ruler) so the local rule store's directory does.
    let rulesText = '';
    if (spec.ruler.enabled) {
      this.ruleFile = logRuleFile(spec.ruler, { eventAlerts: props.eventAlerts });
      rulesText = renderLogRuleFile(this.ruleFile);
    }
    new k8s.KubeConfigMap(this, 'rules', {
      metadata: metadata('loki-rules'),
      data: this.ruleFile ? { [this.ruleFile.fileName]: rulesText } : {},
    });

    new k8s.KubeServiceAccount(this, 'sa', { metadata: metadata('loki'), automountServiceAccountToken: false });

    const ports = [
      { name: 'http', port: LOKI_HTTP_PORT, targetPort: k8s.IntOrString.fromString('http') },
      { name: 'grpc', port: LOKI_GRPC_PORT, targetPort: k8s.IntOrString.fromString('grpc') },
    ];
    new k8s.KubeService(this, 'service', { metadata: metadata(this.serviceName), spec: { selector, ports } });
    new k8s.KubeService(this, 'headless', {
      metadata: metadata('loki-headless'),
      spec: { selector, ports, clusterIp: 'None', publishNotReadyAddresses: true },
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: metadata('loki'),
      spec: {
        serviceName: 'loki-headless',
        replicas: 1, // single binary with an in-memory ring: exactly one replica
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(this.configText, rulesText) } },
          spec: {
            serviceAccountName: 'loki',
            automountServiceAccountToken: false, // Loki never calls the Kubernetes API
            securityContext: podSecurity(UID),
            // Flush in-memory chunks to the volume on shutdown (wal.flush_on_shutdown).
            terminationGracePeriodSeconds: 300,
            containers: [{
              name: 'loki',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: [`-config.file=${CONFIG_DIR}/loki.yaml`, '-target=all', ...(expandEnv ? ['-config.expand-env=true'] : [])],
              ...(expandEnv ? {
                env: [{
                  name: ALERTMANAGER_PASSWORD_ENV,
                  valueFrom: { secretKeyRef: { name: webAuth.secretName, key: webAuth.passwordKey, optional: false } },
                }],
              } : {}),
              ports: [
                { name: 'http', containerPort: LOKI_HTTP_PORT, protocol: 'TCP' },
                { name: 'grpc', containerPort: LOKI_GRPC_PORT, protocol: 'TCP' },
              ],
              resources: resources(spec.resources),
              securityContext: containerSecurity(),
              // WAL replay after a crash can take minutes: the startup probe gives it 10.
              startupProbe: httpProbe('/ready', 'http', { periodSeconds: 10, failureThreshold: 60 }),
              readinessProbe: httpProbe('/ready', 'http', { periodSeconds: 10, timeoutSeconds: 3 }),
              // Liveness asks the HTTP server only: /ready also reflects the ring and would restart a busy Loki.
              livenessProbe: httpProbe('/loki/api/v1/status/buildinfo', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 }),
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'data', mountPath: LOKI_DATA_DIR },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'rules', mountPath: `${LOKI_RULES_DIR}/${LOKI_TENANT}`, readOnly: true },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: 'loki-config' } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
              { name: 'rules', configMap: { name: 'loki-rules' } },
            ],
          },
        },
        volumeClaimTemplates: [dataVolumeClaim(spec.storage, selector)],
      },
    });

    props.prometheus.addScrapeConfig(podJob({ jobName: JOBS.loki, namespace: ctx.namespace, selector, port: 'http' }));
  }
}
