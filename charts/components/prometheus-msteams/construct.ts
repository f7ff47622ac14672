/**
 * prometheus-msteams: the bridge that turns Alertmanager webhook calls into
 * Microsoft Teams cards. One request path per Teams channel (one per msteams
 * receiver of the spec); Alertmanager posts to
 * http://prometheus-msteams.<namespace>.svc:2000/<channel>.
 *
 * Teams webhook URLs are secrets. They reach the pod as environment
 * variables from the Secrets the spec names; an init container substitutes
 * them into the connectors file (an in-memory emptyDir), so neither the
 * ConfigMap nor dist/ ever holds one. The bridge's /config endpoint echoes
 * its connectors (URLs included), so probes use /metrics and nothing else
 * should be exposed outside the cluster.
 *
 * Mode: Teams Workflows with Adaptive Cards (default; Microsoft retired the
 * Office 365 connector webhooks) or, with `spec.alerting.msteams.workflows:
 * false`, legacy MessageCards. The card template lives in the ConfigMap.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { toYaml } from '../../core/yaml';
import { Endpoint, serviceUrl } from '../../core/context';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { checksum, containerSecurity, httpProbe, podSecurity, resources } from '../../lib/workload';
import type { IScrapeJobs } from '../../core/component';
import type { ScrapeConfig } from '../../core/prometheus-config';
import type { Resources } from '../../spec/common';
import { podJob } from '../../lib/scrape';
import { bridgeChannel } from '../alertmanager/construct';
import type { ReceiverSpec } from '../alertmanager/spec';
import { JOBS, PORTS } from '../../core/names';

export const MSTEAMS_PORT = PORTS.msteams;
const UID = 65534;
const TEMPLATE_DIR = '/etc/prometheus-msteams';
const RUN_DIR = '/run/prometheus-msteams';
export const CARD_TEMPLATE_FILE = `${TEMPLATE_DIR}/card.tmpl`;

/** prometheus-msteams' connectors file (`-config-file`). */
export interface PromTeamsConfig {
  connectors_with_custom_templates: {
    request_path: string;
    template_file: string;
    webhook_url: string;
    escape_underscores: boolean;
  }[];
}

/** Placeholder replaced by the init container with the value of the env var of the same name. */
export function webhookEnvName(index: number): string {
  return `TEAMS_WEBHOOK_URL_${index}`;
}

/**
 * Init container script: copy the connectors template, replacing each
 * ${TEAMS_WEBHOOK_URL_<n>} with that variable from the environment (set from
 * the Secret). awk reads ENVIRON, so no URL character needs escaping; a
 * missing or empty variable fails the pod with a clear message.
 */
export const RENDER_SCRIPT = [
  'set -eu',
  "awk '{",
  '  while (match($0, /\\$\\{TEAMS_WEBHOOK_URL_[0-9]+\\}/)) {',
  '    name = substr($0, RSTART + 2, RLENGTH - 3)',
  '    if (ENVIRON[name] == "") { print "prometheus-msteams: " name " is empty: check the webhook Secret named in spec.alerting.receivers" > "/dev/stderr"; exit 1 }',
  '    $0 = substr($0, 1, RSTART - 1) ENVIRON[name] substr($0, RSTART + RLENGTH)',
  '  }',
  '  print',
  `}' ${TEMPLATE_DIR}/connectors.yaml.tmpl > ${RUN_DIR}/connectors.yaml`,
].join('\n');

/** Adaptive Card for Teams Workflows: one card per notification group, one section per alert. */
export const ADAPTIVE_CARD_TEMPLATE = `{{ define "teams.card" }}{{ $cluster := "" }}{{ if .CommonLabels.cluster }}{{ $cluster = printf "[%s] " .CommonLabels.cluster }}{{ end }}
{
  "type": "message",
  "attachments": [{
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {
      "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
      "type": "AdaptiveCard",
      "version": "1.4",
      "msteams": { "width": "Full" },
      "body": [
        {
          "type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": true,
          "color": "{{ if eq .Status "resolved" }}Good{{ else if eq .CommonLabels.severity "critical" }}Attention{{ else }}Warning{{ end }}",
          "text": {{ printf "%s%s: %s (%d)" $cluster (.Status | upper) .CommonLabels.alertname (len .Alerts) | toJson }}
        }
        {{- range .Alerts }},
        { "type": "TextBlock", "wrap": true, "weight": "Bolder", "separator": true, "text": {{ .Annotations.summary | toJson }} },
        { "type": "TextBlock", "wrap": true, "text": {{ .Annotations.description | toJson }} },
        {
          "type": "FactSet",
          "facts": [
            { "title": "status", "value": {{ .Status | toJson }} }
            {{- range $k, $v := .Labels }}{{ if ne $k "alertname" }},
            { "title": {{ $k | toJson }}, "value": {{ $v | toJson }} }{{ end }}{{ end }}
          ]
        }
        {{- if .Annotations.runbook_url }},
        { "type": "ActionSet", "actions": [{ "type": "Action.OpenUrl", "title": "Runbook", "url": {{ .Annotations.runbook_url | toJson }} }] }
        {{- end }}
        {{- end }}
      ]
    }
  }]
}
{{ end }}
`;

/** Legacy Office 365 connector MessageCard (spec.alerting.msteams.workflows: false). */
export const MESSAGE_CARD_TEMPLATE = `{{ define "teams.card" }}{{ $cluster := "" }}{{ if .CommonLabels.cluster }}{{ $cluster = printf "[%s] " .CommonLabels.cluster }}{{ end }}
{
  "@type": "MessageCard",
  "@context": "http://schema.org/extensions",
  "themeColor": "{{ if eq .Status "resolved" }}2DC72D{{ else if eq .CommonLabels.severity "critical" }}8C1A1A{{ else }}FFA500{{ end }}",
  "summary": {{ printf "%s%s: %s" $cluster (.Status | upper) .CommonLabels.alertname | toJson }},
  "title": {{ printf "%s%s: %s (%d)" $cluster (.Status | upper) .CommonLabels.alertname (len .Alerts) | toJson }},
  "sections": [
    {{- range $i, $a := .Alerts }}{{ if $i }},{{ end }}
    {
      "activityTitle": {{ $a.Annotations.summary | toJson }},
      "text": {{ $a.Annotations.description | toJson }},
      "facts": [
        { "name": "status", "value": {{ $a.Status | toJson }} }
        {{- range $k, $v := $a.Labels }}{{ if ne $k "alertname" }},
        { "name": {{ $k | toJson }}, "value": {{ $v | toJson }} }{{ end }}{{ end }}
      ]
    }
    {{- end }}
  ]
}
{{ end }}
`;

export type MsTeamsReceiver = Extract<ReceiverSpec, { type: 'msteams' }>;

/** The connectors file, with a placeholder per channel instead of the URL. */
export function connectorsConfig(receivers: readonly MsTeamsReceiver[]): PromTeamsConfig {
  return {
    connectors_with_custom_templates: receivers.map((r, i) => ({
      request_path: `/${bridgeChannel(r)}`,
      template_file: CARD_TEMPLATE_FILE,
      webhook_url: `\${${webhookEnvName(i)}}`,
      escape_underscores: false, // card texts are JSON-encoded by the template, not Markdown-escaped
    })),
  };
}

/** Requests and limits of the bridge, as `spec.alerting.msteams.resources` defaults them. */
export const MSTEAMS_DEFAULT_RESOURCES: Resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } };
/** Requests and limits of the init container that renders the connectors file. */
const INIT_RESOURCES: Resources = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } };

/** The prometheus-msteams bridge: one request path per Teams channel. */
export interface PrometheusMsTeamsProps {
  /** Namespace of its objects (Alertmanager's). */
  readonly namespace: string;
  /** app.kubernetes.io/instance of its objects. @default 'monitoring' */
  readonly instance?: string;
  /** The Teams channels (at least one): request path `channel ?? name`, webhook URL from a Secret key. */
  readonly receivers: readonly MsTeamsReceiver[];
  /** Image, pinned to a version. @default IMAGES.prometheusMsteams */
  readonly image?: string;
  /** Image of the init container that writes the connectors file (needs sh and awk). @default IMAGES.busybox */
  readonly initImage?: string;
  /** Adaptive Cards to Teams Workflows webhooks; false for legacy connector webhooks (MessageCards). @default true */
  readonly workflows?: boolean;
  /** Container requests and limits. @default MSTEAMS_DEFAULT_RESOURCES */
  readonly resources?: Resources;
  /** Where its scrape job is added (a Prometheus construct). @default none: add `scrapeConfig` to your Prometheus yourself */
  readonly prometheus?: IScrapeJobs;
}

type Metadata = (name: string) => { name: string; namespace: string; labels: Record<string, string> };

export class PrometheusMsTeams extends Construct implements Endpoint {
  public readonly serviceName = 'prometheus-msteams';
  public readonly namespace: string;
  public readonly port = MSTEAMS_PORT;
  public readonly url: string;
  public readonly deployment: k8s.KubeDeployment;
  /** Request paths served, one per Teams channel. */
  public readonly channels: string[];
  /** Its scrape job. */
  public readonly scrapeConfig: ScrapeConfig;

  constructor(scope: Construct, id: string, props: PrometheusMsTeamsProps) {
    super(scope, id);
    const receivers = props.receivers;
    if (receivers.length === 0) throw new Error('PrometheusMsTeams needs at least one receiver of type msteams in spec.alerting.receivers');
    const ns = props.namespace;
    const instance = props.instance ?? 'monitoring';
    const workflows = props.workflows ?? true;
    this.namespace = ns;
    this.url = serviceUrl(this.serviceName, ns, MSTEAMS_PORT);
    this.channels = receivers.map(bridgeChannel);

    const image = props.image ?? IMAGES.prometheusMsteams;
    const labels = recommendedLabels({ name: 'prometheus-msteams', instance, component: 'alerting-bridge', version: imageVersion(image) });
    const selector = selectorLabels('prometheus-msteams', instance);
    const metadata: Metadata = (name) => ({ name, namespace: ns, labels });

    const connectorsTmpl = toYaml(connectorsConfig(receivers), { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
    const card = workflows ? ADAPTIVE_CARD_TEMPLATE : MESSAGE_CARD_TEMPLATE;
    new k8s.KubeServiceAccount(this, 'sa', { metadata: metadata('prometheus-msteams'), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: metadata('prometheus-msteams'),
      data: { 'connectors.yaml.tmpl': connectorsTmpl, 'card.tmpl': card },
    });
    new k8s.KubeService(this, 'service', {
      metadata: metadata(this.serviceName),
      spec: { selector, ports: [{ name: 'http', port: MSTEAMS_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });

    const webhookEnv: k8s.EnvVar[] = receivers.map((r, i) => ({
      name: webhookEnvName(i),
      valueFrom: { secretKeyRef: { name: r.webhookUrlSecretRef.name, key: r.webhookUrlSecretRef.key } },
    }));
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata('prometheus-msteams'),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          metadata: {
            labels,
            annotations: { 'checksum/config': checksum(connectorsTmpl, card, RENDER_SCRIPT, JSON.stringify(webhookEnv)) },
          },
          spec: podSpec({
            image,
            initImage: props.initImage ?? IMAGES.busybox,
            workflows,
            resources: props.resources ?? MSTEAMS_DEFAULT_RESOURCES,
            webhookEnv,
          }),
        },
      },
    });

    this.scrapeConfig = podJob({ jobName: JOBS.msteams, namespace: ns, selector, port: 'http' });
    props.prometheus?.addScrapeConfig(this.scrapeConfig);
  }
}

/** The bridge's pod: an init container renders the connectors file from the webhook env into memory. */
function podSpec(o: { image: string; initImage: string; workflows: boolean; resources: Resources; webhookEnv: k8s.EnvVar[] }): k8s.PodSpec {
  return {
    serviceAccountName: 'prometheus-msteams',
    automountServiceAccountToken: false, // never calls the Kubernetes API
    securityContext: podSecurity(UID),
    initContainers: [
      {
        name: 'render-connectors',
        image: o.initImage,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '-c', RENDER_SCRIPT],
        env: o.webhookEnv,
        resources: resources(INIT_RESOURCES),
        securityContext: containerSecurity(),
        volumeMounts: [
          { name: 'config', mountPath: TEMPLATE_DIR, readOnly: true },
          { name: 'run', mountPath: RUN_DIR },
        ],
      },
    ],
    containers: [
      {
        name: 'prometheus-msteams',
        image: o.image,
        imagePullPolicy: 'IfNotPresent',
        args: [
          `-config-file=${RUN_DIR}/connectors.yaml`,
          `-template-file=${CARD_TEMPLATE_FILE}`,
          `-http-addr=:${MSTEAMS_PORT}`,
          '-log-format=json',
          '-debug=false',
        ],
        // prometheus-msteams maps every flag to an environment variable; WORKFLOW_WEBHOOK selects
        // the Workflows (Adaptive Card) sender. Set as env, not as a flag, so an image without the
        // option ignores it instead of refusing to start.
        env: [{ name: 'WORKFLOW_WEBHOOK', value: String(o.workflows) }],
        ports: [{ name: 'http', containerPort: MSTEAMS_PORT, protocol: 'TCP' }],
        resources: resources(o.resources),
        securityContext: containerSecurity(),
        readinessProbe: httpProbe('/metrics', 'http', { periodSeconds: 10 }),
        livenessProbe: httpProbe('/metrics', 'http', { periodSeconds: 20, failureThreshold: 3 }),
        volumeMounts: [
          { name: 'config', mountPath: TEMPLATE_DIR, readOnly: true },
          { name: 'run', mountPath: RUN_DIR, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'prometheus-msteams' } },
      // Holds the rendered connectors file (webhook URLs): memory only, never on disk.
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    ],
  };
}
