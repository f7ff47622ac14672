/**
 * Kubernetes events in Loki (`spec.logs.events`, with collector alloy): one
 * Alloy replica (Deployment alloy-events in the stack namespace: a DaemonSet
 * would ship every event once per node) running loki.source.kubernetes_events
 * over every namespace (charts/core/events.ts describes the stream). Its
 * ClusterRole allows get/list/watch on events and nothing else.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ILogPush, IPrometheus } from '../../core/component';
import type { StackContext } from '../../core/context';
import { EVENTS_NAME } from '../../core/events';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { apiReader } from '../../lib/rbac';
import { podJob } from '../../lib/scrape';
import { checksum, containerSecurity, httpProbe, podSecurity, resources } from '../../lib/workload';
import { ALLOY_PORT, CONFIG_DIR, lokiWriteBlock, STORAGE_DIR } from '../alloy/construct';
import type { LogsSpec } from '../loki/spec';
import { renderEventsConfig } from './config';

export interface AlloyEventsProps {
  readonly context: StackContext;
  readonly spec: LogsSpec;
  readonly loki: ILogPush;
  readonly prometheus: IPrometheus;
}

export class AlloyEvents extends Construct {
  public readonly configText: string;

  constructor(scope: Construct, id: string, props: AlloyEventsProps) {
    super(scope, id);
    const { context: ctx, spec, prometheus } = props;
    const image = spec.alloy.image ?? IMAGES.alloy;
    const lokiPushUrl = props.loki.pushUrl;
    const ns = ctx.namespace;
    const labels = recommendedLabels({ name: EVENTS_NAME, instance: ctx.instance, component: 'event-collector', version: imageVersion(image) });
    const selector = selectorLabels(EVENTS_NAME, ctx.instance);
    const metadata = (name: string) => ({ name, namespace: ns, labels });
    this.configText = renderEventsConfig(lokiWriteBlock(lokiPushUrl));
    apiReader(this, { name: EVENTS_NAME, namespace: ns, instance: ctx.instance, labels, rules: [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] }] });
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
            containers: [{
              name: 'alloy',
              image,
              imagePullPolicy: 'IfNotPresent',
              args: ['run', `${CONFIG_DIR}/config.alloy`, `--server.http.listen-addr=0.0.0.0:${ALLOY_PORT}`, `--storage.path=${STORAGE_DIR}`, '--disable-reporting'],
              ports: [{ name: 'http', containerPort: ALLOY_PORT, protocol: 'TCP' }],
              resources: resources(spec.events.resources),
              securityContext: containerSecurity(),
              readinessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 10 }),
              livenessProbe: httpProbe('/-/ready', 'http', { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 5 }),
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                // Positions (the last event shipped): lost on restart, so events still in the API are sent again.
                { name: 'storage', mountPath: STORAGE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: 'alloy-events-config' } },
              { name: 'storage', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            ],
          },
        },
      },
    });
    prometheus.addScrapeConfig(podJob({ jobName: EVENTS_NAME, namespace: ns, selector, port: 'http' }));
  }
}
