/**
 * Kubernetes events in Loki (`spec.logs.events`, with collector alloy): one
 * Alloy replica (Deployment alloy-events in the stack namespace: a DaemonSet
 * would ship every event once per node) running loki.source.kubernetes_events
 * over every namespace (charts/core/events.ts describes the stream). Its
 * ClusterRole allows get/list/watch on events and nothing else.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ILogPush, IScrapeJobs, IScrapeTarget } from '../../core/component';
import type { ScrapeConfig } from '../../core/prometheus-config';
import { EVENTS_NAME } from '../../core/events';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { apiReader } from '../../lib/rbac';
import { podJob } from '../../lib/scrape';
import { checksum, containerSecurity, httpProbe, podSecurity, resources } from '../../lib/workload';
import { ALLOY_PORT, CONFIG_DIR, lokiWriteBlock, STORAGE_DIR } from '../alloy/construct';
import type { Resources } from '../../spec/common';
import { renderEventsConfig } from './config';
import { logPushClient } from '../../logs/push';

/** Requests and limits of the events collector. */
export const EVENTS_RESOURCES = { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } } as const;

/**
 * One Alloy replica shipping every namespace's Kubernetes events to `loki`. Nothing of the stack's spec: the stack
 * maps `spec.logs` onto these in one step (`alloyEventsProps`, index.ts).
 */
export interface AlloyEventsProps {
  /** Namespace of the Deployment (Pod Security "restricted" is enough). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects, and the prefix of its cluster-scoped RBAC names. @default 'monitoring' */
  readonly instance?: string;
  /** Where the events are pushed (a Loki construct, or an external Loki's push URL and credentials). */
  readonly loki: ILogPush;
  /** Alloy image, pinned to a version. @default IMAGES.alloy */
  readonly image?: string;
  /** Container requests and limits. @default EVENTS_RESOURCES */
  readonly resources?: Resources;
  /** The `cluster` label on the event streams (issue 12). @default none */
  readonly cluster?: string;
  /** Where its scrape job is added. @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

export class AlloyEvents extends Construct implements IScrapeTarget {
  public readonly jobs: readonly string[] = [EVENTS_NAME];
  public readonly configText: string;
  /** Its scrape job (the collector's own metrics). */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: AlloyEventsProps) {
    super(scope, id);
    const instance = props.instance ?? 'monitoring';
    const image = props.image ?? IMAGES.alloy;
    const lokiPushUrl = props.loki.pushUrl;
    const ns = props.namespace;
    const labels = recommendedLabels({ name: EVENTS_NAME, instance, component: 'event-collector', version: imageVersion(image) });
    const selector = selectorLabels(EVENTS_NAME, instance);
    const metadata = (name: string) => ({ name, namespace: ns, labels });
    // Issue 12: cluster stream label; external Loki's tenant and credentials by file (Secret in spec.namespace).
    const push = logPushClient(props.loki, props.cluster, '/etc/alloy-events-refs');
    this.configText = renderEventsConfig(lokiWriteBlock(lokiPushUrl, push));
    apiReader(this, {
      name: EVENTS_NAME,
      namespace: ns,
      instance,
      labels,
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeConfigMap(this, 'config', { metadata: metadata('alloy-events-config'), data: { 'config.alloy': this.configText } });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata(EVENTS_NAME),
      spec: {
        // Exactly one: every replica would ship every event again.
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { 'checksum/config': checksum(this.configText) } },
          spec: {
            serviceAccountName: EVENTS_NAME,
            automountServiceAccountToken: true, // watches events through the Kubernetes API
            securityContext: podSecurity(473), // the image's alloy user (uid 473)
            containers: [
              {
                name: 'alloy',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  'run',
                  `${CONFIG_DIR}/config.alloy`,
                  `--server.http.listen-addr=0.0.0.0:${ALLOY_PORT}`,
                  `--storage.path=${STORAGE_DIR}`,
                  '--disable-reporting',
                ],
                ports: [{ name: 'http', containerPort: ALLOY_PORT, protocol: 'TCP' }],
                resources: resources(props.resources ?? EVENTS_RESOURCES),
                securityContext: containerSecurity(),
                readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 10 }),
                livenessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 5 }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  // Positions (the last event shipped): lost on restart, so events still in the API are sent again.
                  { name: 'storage', mountPath: STORAGE_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...push.refs.mounts(),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'alloy-events-config' } },
              { name: 'storage', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ...push.refs.volumes(),
            ],
          },
        },
      },
    });
    this.scrapeConfig = podJob({ jobName: EVENTS_NAME, namespace: ns, selector, port: 'http' });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}
