/**
 * The corpus of realistic spec mistakes (issue 15 item 9, the "Bad input"
 * standard): what a new user or an attacker writes into monitoring.yaml or
 * an example, as the file's text. Each invalid case names the field path its
 * one problem must start with and a phrase of the fix; each valid case must
 * load (and, in the CLI test, synthesize).
 *
 * A case is the text of a file: `edit` applies [find, replace] pairs to
 * monitoring.yaml (or `base`: an example), `spec` is a `spec:` section in a
 * minimal document, `text` is the whole file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { API_VERSION, KIND } from '../../charts/spec-schema';

export const ROOT = path.resolve(__dirname, '..', '..');
const MONITORING = fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8');

export interface CorpusCase {
  readonly name: string;
  /** The file's text. */
  readonly text: string;
  /** Invalid: the one problem starts with `${path}:` (a field path, or a file-level subject such as "YAML syntax"). */
  readonly path?: string;
  /** Invalid: a phrase of the fix the problem must contain. */
  readonly fix?: string;
  /** Invalid: strings the message must not contain (secrets it must not echo). */
  readonly hidden?: string[];
  /** Valid: the spec loads. */
  readonly valid?: true;
}

type Edit = [string | RegExp, string];

/** monitoring.yaml (or an example) with each `find` replaced; a find that does not match is a corpus bug. */
export function edited(edits: Edit[], base = 'monitoring.yaml'): string {
  let text = base === 'monitoring.yaml' ? MONITORING : fs.readFileSync(path.join(ROOT, base), 'utf8');
  for (const [find, replace] of edits) {
    const next = text.replace(find, replace);
    if (next === text) throw new Error(`corpus edit of ${base}: ${String(find)} not found`);
    text = next;
  }
  return text;
}

/** A minimal document with this `spec:` section. */
export function minimal(spec: Record<string, unknown>, name = 'ai-monitoring'): string {
  return stringify({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });
}

const svc = (extra: Record<string, unknown> = {}) => ({ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http', ...extra });
const slo = (extra: Record<string, unknown>) => minimal({ prometheus: { retention: '30d' }, services: [svc({ slos: [{ type: 'availability', objective: 99.9, window: '28d', ...extra }] })] });
const receiver = (r: Record<string, unknown>) => minimal({ alerting: { receivers: [r] } });
const TEAMS_URL = 'https://acme.webhook.office.com/webhookb2/0f3c6a1e-1111-2222-3333-444455556666@abc/IncomingWebhook/9d1e2f3a4b5c6d7e/0000';
const SLACK_URL = 'https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXXXXXXXXXXXXXXXXXXXXX';
const window = (ti: Record<string, unknown>) => minimal({ alerting: { maintenanceWindows: [{ name: 'patch', timeIntervals: [{ weekdays: ['sunday'], ...ti }] }] } });

const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

export const INVALID: CorpusCase[] = [
  // --- the file itself
  { name: 'empty file', text: '', path: 'the file is empty', fix: 'expected one MonitoringStack document' },
  { name: 'only comments', text: '# TODO fill this in\n', path: 'the file is empty', fix: 'MonitoringStack' },
  { name: 'tab indentation', text: edited([['\n    retention: 30d', '\n\tretention: 30d']]), path: 'YAML syntax', fix: 'line 22, column 1; indent with spaces' },
  { name: 'indented one space too few', text: edited([['\n    scrapeInterval: 15s', '\n   scrapeInterval: 15s']]), path: 'YAML syntax', fix: 'line 27, column 4; align the key' },
  { name: 'a missing space after the colon', text: edited([['    retention: 30d', '    retention:30d']]), path: 'YAML syntax', fix: 'on line 22 needs a space after ":" (write "retention: 30d")' },
  { name: 'an unclosed flow map', text: edited([['selector: { app.kubernetes.io/name: rq-exporter }', 'selector: { app.kubernetes.io/name: rq-exporter']]), path: 'YAML syntax', fix: 'line' },
  { name: 'an unclosed quote', text: edited([['schedule: "0 2 * * *"', 'schedule: "0 2 * * *'], ['  # backup:', '  backup:'], ['  #   schedule', '    schedule']]), path: 'YAML syntax', fix: 'line' },
  { name: 'duplicate key', text: edited([['    retention: 30d', '    retention: 30d\n    retention: 15d']]), path: 'spec.prometheus', fix: 'duplicate key "retention"' },
  { name: 'duplicate section', text: `${edited([])}  prometheus:\n    replicas: 2\n`, path: 'spec', fix: 'duplicate key "prometheus"' },
  { name: 'anchor/alias bomb', text: bomb, path: 'YAML', fix: 'alias' },
  { name: 'two documents', text: `${edited([])}---\n${edited([])}`, path: 'expected one YAML document, found 2', fix: 'one file per stack' },
  { name: 'a list of stacks', text: `- ${edited([]).split('\n').filter((l) => !l.startsWith('#')).join('\n  ')}`, path: 'the document is a list', fix: 'without a leading "- "' },
  { name: 'a plain string', text: 'monitoring\n', path: 'the document is string "monitoring"', fix: 'expected a MonitoringStack object' },
  { name: 'a Kubernetes manifest instead of a spec', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: b }\n', path: 'apiVersion', fix: 'is this the right file?' },
    // --- an attacker's YAML
  { name: 'a !!binary tag', text: edited([['retention: 30d', 'retention: !!binary MzBk']]), path: 'YAML', fix: 'remove the tag' },
  { name: 'a custom tag', text: edited([['retention: 30d', 'retention: !vault secret/prometheus#retention']]), path: 'YAML', fix: 'remove the tag' },
  { name: 'a !!js/function tag', text: edited([['retention: 30d', 'retention: !!js/function "function () { return 1 }"']]), path: 'YAML', fix: 'remove the tag' },
  { name: 'a YAML 1.1 merge key', text: edited([['  prometheus:\n', '  defaults: &defaults { replicas: 2 }\n  prometheus:\n    <<: *defaults\n']]), path: 'spec.prometheus', fix: 'write the fields out' },
  { name: 'an empty GatewayClass name', text: edited([['gatewayClassName: eg ', 'gatewayClassName: "" ']]), path: 'spec.gateway.create.gatewayClassName', fix: 'is empty ("")' },
  { name: 'a __proto__ key', text: edited([['  prometheus:\n', '  prometheus:\n    __proto__: { replicas: 5 }\n']]), path: 'spec.prometheus.__proto__', fix: 'unknown field' },
  { name: 'a duplicate hidden behind an alias key', text: edited([['  prometheus:\n', '  &p prometheus: { replicas: 2 }\n  *p :\n']]), path: 'spec', fix: 'duplicate key "prometheus"' },
  { name: 'a complex key', text: edited([['  prometheus:\n', '  ? [prometheus, loki]\n  : { replicas: 2 }\n  prometheus:\n']]), path: 'spec', fix: 'field names are plain words' },
  { name: 'nesting thousands deep', text: minimal({}).replace('spec: {}', `spec: { services: ${'['.repeat(5000)}${']'.repeat(5000)} }`), path: 'YAML syntax', fix: 'a spec is a few levels deep' },
  { name: 'a file over 1 MiB', text: `${edited([])}# ${'x'.repeat(1024 * 1024)}\n`, path: 'the file is too large', fix: '1 MiB' },
  { name: 'replicas .inf', text: edited([['replicas: 1', 'replicas: .inf']]), path: 'spec.prometheus.replicas', fix: 'expected number' },
  // --- apiVersion, kind, metadata
  { name: 'wrong apiVersion', text: edited([['v1alpha1', 'v1']]), path: 'apiVersion', fix: 'expected "monitoring.cdk8s-ai.dev/v1alpha1"' },
  { name: 'missing apiVersion', text: edited([[/^apiVersion: .*\n/m, '']]), path: 'apiVersion', fix: 'required field is missing' },
  { name: 'kind in lowercase', text: edited([['kind: MonitoringStack', 'kind: monitoringstack']]), path: 'kind', fix: 'expected "MonitoringStack"' },
  { name: 'missing metadata.name', text: edited([['  name: ai-monitoring\n', '  labels: { team: platform }\n']]), path: 'metadata.name', fix: 'required field is missing' },
  { name: 'metadata as a string', text: edited([['metadata:\n  name: ai-monitoring', 'metadata: ai-monitoring']]), path: 'metadata', fix: 'expected object' },
  { name: 'metadata.name in capitals', text: edited([['name: ai-monitoring', 'name: AI-Monitoring']]), path: 'metadata.name', fix: 'lowercase DNS label' },
  { name: 'metadata.name with an underscore', text: edited([['name: ai-monitoring', 'name: ai_monitoring']]), path: 'metadata.name', fix: 'lowercase DNS label' },
  { name: 'metadata.name of 64 characters', text: edited([['name: ai-monitoring', `name: ${'a'.repeat(64)}`]]), path: 'metadata.name', fix: 'at most 63 characters' },
  { name: 'metadata.name as a number', text: edited([['name: ai-monitoring', 'name: 2026']]), path: 'metadata.name', fix: 'quote' },
  { name: 'a very long metadata.name', text: edited([['name: ai-monitoring', `name: ${'x'.repeat(5000)}`]]), path: 'metadata.name', fix: 'at most 63 characters' },
  { name: 'status section copied from kubectl', text: `${edited([])}status: { ready: true }\n`, path: 'status', fix: 'unknown field' },
  // --- namespaces
  { name: 'namespace kube-system', text: edited([['namespace: monitoring            #', 'namespace: kube-system           #']]), path: 'spec.namespace', fix: 'dedicated namespace' },
  { name: 'namespace default', text: edited([['namespace: monitoring            #', 'namespace: default               #']]), path: 'spec.namespace', fix: 'dedicated namespace' },
  { name: 'agent namespace kube-system', text: edited([['  # agentNamespace: monitoring-agents', '  agentNamespace: kube-system']]), path: 'spec.agentNamespace', fix: 'dedicated namespace' },
  { name: 'namespace of 64 characters', text: minimal({ namespace: 'm'.repeat(64), agentNamespace: 'agents' }), path: 'spec.namespace', fix: 'at most 63 characters' },
  { name: 'namespace of 64 characters, agents namespace derived', text: minimal({ namespace: 'm'.repeat(64) }), path: 'spec.namespace', fix: 'at most 63 characters' },
  { name: 'namespace too long for the derived agents namespace', text: minimal({ namespace: 'm'.repeat(60) }), path: 'spec.namespace', fix: 'set spec.agentNamespace' },
  { name: 'namespace with capitals', text: edited([['namespace: monitoring            #', 'namespace: Monitoring            #']]), path: 'spec.namespace', fix: 'lowercase DNS label' },
  // --- durations
  { name: 'duration with a space', text: edited([['scrapeInterval: 15s', 'scrapeInterval: 15 s']]), path: 'spec.prometheus.scrapeInterval', fix: 'no spaces' },
  { name: 'duration "1h30" without the last unit', text: edited([['retention: 30d', 'retention: 1h30']]), path: 'spec.prometheus.retention', fix: 'units: y, w, d, h, m, s, ms' },
  { name: 'duration "90" without a unit', text: edited([['retention: 30d', 'retention: "90"']]), path: 'spec.prometheus.retention', fix: 'units' },
  { name: 'duration as a number', text: edited([['scrapeInterval: 15s', 'scrapeInterval: 15']]), path: 'spec.prometheus.scrapeInterval', fix: '"15s"' },
  { name: 'fractional duration "1.5h"', text: edited([['repeatInterval: 4h', 'repeatInterval: 1.5h']]), path: 'spec.alerting.route.repeatInterval', fix: '"90m"' },
  { name: 'zero duration', text: edited([['evaluationInterval: 15s', 'evaluationInterval: 0s']]), path: 'spec.prometheus.evaluationInterval', fix: 'greater than zero' },
  { name: 'retention "0d"', text: edited([['retention: 30d', 'retention: 0d']]), path: 'spec.prometheus.retention', fix: 'greater than zero' },
  { name: 'duration in capitals', text: edited([['interval: 5s', 'interval: 5S']]), path: 'spec.services[0].interval', fix: 'lowercase' },
  { name: 'Loki retention in hours, not whole days', text: edited([['retention: 7d ', 'retention: 36h']]), path: 'spec.loki.retention', fix: 'whole number of days' },
  { name: 'service timeout above its interval', text: edited([['interval: 5s', 'interval: 5s\n      timeout: 10s']]), path: 'spec.services[0].timeout', fix: 'must not exceed' },
  // --- sizes and quantities
  { name: 'volume size "50GB"', text: edited([['persistence: { enabled: true, size: 10Gi }', 'persistence: { enabled: true, size: 50GB }']]), path: 'spec.grafana.persistence.size', fix: '"50Gi"' },
  { name: 'volume size "50gi"', text: edited([['    #   size: 10Gi                 # derived from spec.sizing and retention', '      size: 50gi'], ['    # storage:\n', '    storage:\n']]), path: 'spec.prometheus.storage.size', fix: '"50Gi"' },
  { name: 'volume size "0Gi"', text: minimal({ loki: { storage: { size: '0Gi' } } }), path: 'spec.loki.storage.size', fix: 'positive' },
  { name: 'volume size "1e3Gi"', text: minimal({ loki: { storage: { size: '1e3Gi' } } }), path: 'spec.loki.storage.size', fix: 'Kubernetes quantity' },
  { name: 'volume size without a unit', text: edited([['persistence: { enabled: true, size: 10Gi }', 'persistence: { enabled: true, size: 10 }']]), path: 'spec.grafana.persistence.size', fix: '"10Gi"' },
  { name: 'retentionSize as a Kubernetes quantity', text: minimal({ prometheus: { retentionSize: '40Gi' } }), path: 'spec.prometheus.retentionSize', fix: '"42GB"' },
  { name: 'cpu with a unit typo', text: minimal({ grafana: { resources: { requests: { cpu: '100mc' } } } }), path: 'spec.grafana.resources.requests.cpu', fix: 'Kubernetes quantity' },
  { name: 'requests above limits', text: minimal({ prometheus: { resources: { requests: { memory: '8Gi' }, limits: { memory: '4Gi' } } } }), path: 'spec.prometheus.resources.requests.memory', fix: 'raise limits.memory' },
  { name: 'cpu request "500" (cores) above the default limit', text: minimal({ grafana: { resources: { requests: { cpu: '500' } } } }), path: 'spec.grafana.resources.requests.cpu', fix: 'lower requests.cpu' },
  { name: 'memory in megabits "512mb"', text: minimal({ grafana: { resources: { limits: { memory: '512mb' } } } }), path: 'spec.grafana.resources.limits.memory', fix: '"512Mi"' },
  // --- replicas and counts
  { name: 'replicas 0', text: edited([['replicas: 1', 'replicas: 0']]), path: 'spec.prometheus.replicas', fix: 'must be at least 1' },
  { name: 'replicas -1', text: edited([['replicas: 1', 'replicas: -1']]), path: 'spec.prometheus.replicas', fix: 'must be at least 1' },
  { name: 'replicas 1.5', text: edited([['replicas: 1', 'replicas: 1.5']]), path: 'spec.prometheus.replicas', fix: 'whole number' },
  { name: 'replicas "two"', text: edited([['replicas: 1', 'replicas: two']]), path: 'spec.prometheus.replicas', fix: 'expected number' },
  { name: 'sizing.nodes 0', text: edited([['nodes: 3', 'nodes: 0']]), path: 'spec.sizing.nodes', fix: 'must be at least 1' },
  // --- services
  { name: 'service kind misspelt', text: edited([['kind: vllm', 'kind: vllm-server']]), path: 'spec.services[2].kind', fix: 'did you mean "vllm"?' },
  { name: 'service kind in capitals', text: edited([['kind: vllm', 'kind: VLLM']]), path: 'spec.services[2].kind', fix: 'did you mean "vllm"?' },
  { name: 'service name with an underscore', text: edited([['name: whisperx-rq', 'name: whisperx_rq']]), path: 'spec.services[1].name', fix: 'lowercase DNS label' },
  { name: 'service name in capitals', text: edited([['name: qdrant', 'name: Qdrant']]), path: 'spec.services[5].name', fix: 'lowercase DNS label' },
  { name: 'service name of 64 characters', text: minimal({ services: [svc({ name: 'v'.repeat(64) })] }), path: 'spec.services[0].name', fix: 'at most 63 characters' },
  { name: 'the same service twice', text: edited([['    - name: redis\n', '    - name: mysql\n']]), path: 'spec.services[9].name', fix: 'duplicate service name "mysql"' },
  { name: 'two services scraping the same pods and port', text: minimal({ services: [svc(), svc({ name: 'vllm-2' })] }), path: 'spec.services[1].selector', fix: 'same pods' },
  { name: 'port 0', text: edited([['port: 9726', 'port: 0']]), path: 'spec.services[1].port', fix: 'port number 1-65535' },
  { name: 'port 65536', text: edited([['port: 9726', 'port: 65536']]), path: 'spec.services[1].port', fix: 'port number 1-65535' },
  { name: 'port name with a trailing space', text: edited([['port: 9726', 'port: "http "']]), path: 'spec.services[1].port', fix: 'space' },
  { name: 'port name over 15 characters', text: edited([['port: 9726', 'port: http-metrics-port']]), path: 'spec.services[1].port', fix: 'at most 15' },
  { name: 'port number quoted', text: edited([['port: 9726', 'port: "9726"']]), path: 'spec.services[1].port', fix: 'without quotes' },
  { name: 'selector as a list', text: edited([['selector: { app.kubernetes.io/name: rq-exporter }', 'selector:\n        - app.kubernetes.io/name: rq-exporter']]), path: 'spec.services[1].selector', fix: 'not a list' },
  { name: 'selector label value over 63 characters', text: minimal({ services: [svc({ selector: { app: 'a'.repeat(64) } })] }), path: 'spec.services[0].selector.app', fix: 'at most 63' },
  { name: 'selector label value with a space', text: edited([['selector: { app.kubernetes.io/name: rq-exporter }', 'selector: { app.kubernetes.io/name: rq exporter }']]), path: 'spec.services[1].selector.app.kubernetes.io/name', fix: 'not a valid label value' },
  { name: 'selector label value empty', text: edited([['selector: { app.kubernetes.io/name: rq-exporter }', 'selector: { app.kubernetes.io/name: }']]), path: 'spec.services[1].selector.app.kubernetes.io/name', fix: 'quote' },
  { name: 'selector label value a number', text: minimal({ services: [svc({ selector: { version: 2 } })] }), path: 'spec.services[0].selector.version', fix: 'quote numbers' },
  { name: 'services as a map', text: minimal({ services: { vllm: svc() } }), path: 'spec.services', fix: 'expected array' },
  { name: 'service namespace missing', text: edited([['      namespace: ai\n      selector: { app.kubernetes.io/name: rq-exporter }', '      selector: { app.kubernetes.io/name: rq-exporter }']]), path: 'spec.services[1].namespace', fix: 'required field is missing' },
  { name: 'metrics path without a slash', text: edited([['path: /api/metrics', 'path: api/metrics']]), path: 'spec.services[7].path', fix: '"/metrics"' },
  // --- SLOs
  { name: 'SLO objective as a ratio 0.999', text: slo({ objective: 0.999 }), path: 'spec.services[0].slos[0].objective', fix: 'did you mean 99.9' },
  { name: 'SLO objective 1.0', text: slo({ objective: 1.0 }), path: 'spec.services[0].slos[0].objective', fix: 'percent' },
  { name: 'SLO objective 100', text: slo({ objective: 100 }), path: 'spec.services[0].slos[0].objective', fix: 'no error budget' },
  { name: 'SLO objective 0', text: slo({ objective: 0 }), path: 'spec.services[0].slos[0].objective', fix: 'between 0 and 100' },
  { name: 'SLO objective "99.9%"', text: slo({ objective: '99.9%' }), path: 'spec.services[0].slos[0].objective', fix: 'without "%"' },
  { name: 'SLO window "4w"', text: slo({ window: '4w' }), path: 'spec.services[0].slos[0].window', fix: '"28d"' },
  { name: 'SLO type misspelt', text: slo({ type: 'availibility' }), path: 'spec.services[0].slos[0].type', fix: 'did you mean "availability"?' },
  { name: 'latency threshold not on a bucket boundary', text: edited([['thresholdSeconds: 0.5, objective: 99, window: 28d }\n        - { name: e2e', 'thresholdSeconds: 0.4, objective: 99, window: 28d }\n        - { name: e2e']]), path: 'spec.services[2].slos[1].thresholdSeconds', fix: 'use one of' },
  { name: 'SLO window longer than the retention', text: edited([['retention: 30d', 'retention: 15d']]), path: 'spec.prometheus.retention', fix: 'raise spec.prometheus.retention to at least 30d' },
  { name: 'one SLO window longer than the retention', text: minimal({ services: [svc({ slos: [{ type: 'availability', objective: 99.9, window: '28d' }] })] }), path: 'spec.services[0].slos[0].window', fix: 'raise spec.prometheus.retention to at least 28d' },
  // --- schedules
  { name: 'cron with 6 fields (seconds)', text: minimal({ backup: { enabled: true, schedule: '0 0 2 * * *' } }), path: 'spec.backup.schedule', fix: 'five fields' },
  { name: 'cron hour 25', text: minimal({ backup: { enabled: true, schedule: '0 25 * * *' } }), path: 'spec.backup.schedule', fix: '0-23' },
  { name: 'backup time zone unknown', text: minimal({ backup: { enabled: true, timeZone: 'Paris' } }), path: 'spec.backup.timeZone', fix: 'IANA time zone' },
  // --- e-mail, URLs and secrets
  { name: 'ACME e-mail without @', text: edited([['email: platform-team@example.com', 'email: platform-team']]), path: 'spec.ingress.tls.createClusterIssuer.email', fix: 'e-mail address' },
  { name: 'receiver e-mail without @', text: receiver({ name: 'mail', type: 'email', to: 'oncall', from: 'am@example.com', smarthost: 'smtp.example.com:587' }), path: 'spec.alerting.receivers[0].to', fix: 'e-mail addresses' },
  { name: 'smarthost with a scheme', text: receiver({ name: 'mail', type: 'email', to: 'oncall@example.com', from: 'am@example.com', smarthost: 'smtp://smtp.example.com:587' }), path: 'spec.alerting.receivers[0].smarthost', fix: 'host:port' },
  { name: 'repoURL without a scheme', text: edited([['repoURL: https://git.example.com', 'repoURL: git.example.com']]), path: 'spec.gitops.argocd.repoURL', fix: 'Git repository URL' },
  { name: 'repoURL with credentials', text: edited([['repoURL: https://git.example.com', 'repoURL: https://deploy:s3cr3t-Passw0rd@git.example.com']]), path: 'spec.gitops.argocd.repoURL', fix: 'Secret', hidden: ['s3cr3t-Passw0rd'] },
  { name: 'externalUrl without a scheme', text: minimal({ prometheus: { externalUrl: 'prometheus.example.com' } }), path: 'spec.prometheus.externalUrl', fix: 'https://' },
  { name: 'Teams webhook URL instead of the Secret ref', text: edited([['webhookUrlSecretRef: { name: alertmanager-msteams, key: webhook-url }', `webhookUrlSecretRef: ${TEAMS_URL}`]]), path: 'spec.alerting.receivers[0].webhookUrlSecretRef', fix: 'Kubernetes Secret', hidden: ['webhook.office.com', '0f3c6a1e'] },
  { name: 'Teams webhook URL under a misspelt field', text: edited([['webhookUrlSecretRef: { name: alertmanager-msteams, key: webhook-url }', `webhookUrl: ${TEAMS_URL}`]]), path: 'spec.alerting.receivers[0].webhookUrl', fix: 'Kubernetes Secret', hidden: ['webhook.office.com', '0f3c6a1e'] },
  { name: 'Slack webhook URL as the Secret name', text: edited([['webhookUrlSecretRef: { name: alertmanager-msteams,', `webhookUrlSecretRef: { name: "${SLACK_URL}",`]]), path: 'spec.alerting.receivers[0].webhookUrlSecretRef.name', fix: 'Kubernetes Secret', hidden: ['hooks.slack.com', 'XXXXXXXX'] },
  { name: 'Secret name with capitals and an underscore', text: edited([['name: alertmanager-msteams,', 'name: Alertmanager_MSTeams,']]), path: 'spec.alerting.receivers[0].webhookUrlSecretRef.name', fix: 'lowercase DNS name' },
  { name: 'Secret key with a space', text: edited([['key: webhook-url }', 'key: webhook url }']]), path: 'spec.alerting.receivers[0].webhookUrlSecretRef.key', fix: 'Secret data key' },
  { name: 'Grafana admin password inline', text: edited([['adminSecret: { name: grafana-admin, userKey: admin-user, passwordKey: admin-password }', 'adminPassword: hunter2-but-longer']]), path: 'spec.grafana.adminPassword', fix: 'Kubernetes Secret', hidden: ['hunter2'] },
  { name: 'receiver type "teams"', text: receiver({ name: 'teams', type: 'teams', webhookUrlSecretRef: { name: 'x', key: 'y' } }), path: 'spec.alerting.receivers[0].type', fix: 'type msteams' },
  // --- ingress and network
  { name: 'ingress domain with a scheme', text: edited([['domain: example.com ', 'domain: https://example.com ']]), path: 'spec.ingress.domain', fix: 'no scheme' },
  { name: 'ingress domain with a trailing dot', text: edited([['domain: example.com ', 'domain: example.com.']]), path: 'spec.ingress.domain', fix: 'trailing dot' },
  { name: 'ingress domain with a port', text: edited([['domain: example.com ', 'domain: example.com:8443']]), path: 'spec.ingress.domain', fix: 'port' },
  { name: 'ingress domain in capitals', text: edited([['domain: example.com ', 'domain: Example.com ']]), path: 'spec.ingress.domain', fix: 'lowercase' },
  { name: 'Grafana domain with a scheme', text: minimal({ grafana: { domain: 'https://grafana.example.com' } }), path: 'spec.grafana.domain', fix: 'no scheme' },
  { name: 'CIDR prefix /33', text: minimal({ networkPolicies: { apiServerCidrs: ['10.0.0.0/33'] } }), path: 'spec.networkPolicies.apiServerCidrs[0]', fix: 'at most 32' },
  { name: 'CIDR with host bits set', text: minimal({ networkPolicies: { nodeCidrs: ['10.0.0.1/8'] } }), path: 'spec.networkPolicies.nodeCidrs[0]', fix: '"10.0.0.0/8"' },
  { name: 'CIDR without a prefix', text: minimal({ networkPolicies: { nodeCidrs: ['10.0.0.1'] } }), path: 'spec.networkPolicies.nodeCidrs[0]', fix: 'a prefix length' },
  { name: 'cloud metadata CIDR', text: minimal({ networkPolicies: { apiServerCidrs: ['169.254.169.254/32'] } }), path: 'spec.networkPolicies.apiServerCidrs[0]', fix: 'link-local' },
  { name: 'ingress class with capitals', text: edited([['ingressClassName: haproxy', 'ingressClassName: HAProxy']], 'examples/exposure-ingress-any.yaml'), path: 'spec.ingress.ingressClassName', fix: 'IngressClass' },
  // --- labels
  { name: 'external label __name__', text: minimal({ prometheus: { externalLabels: { __name__: 'x' } } }), path: 'spec.prometheus.externalLabels.__name__', fix: 'use e.g. "name"' },
  { name: 'external label job', text: minimal({ prometheus: { externalLabels: { job: 'prod' } } }), path: 'spec.prometheus.externalLabels.job', fix: 'cluster' },
  { name: 'external label with a dash', text: minimal({ prometheus: { externalLabels: { 'cluster-name': 'prod' } } }), path: 'spec.prometheus.externalLabels.cluster-name', fix: '"cluster_name"' },
  { name: 'metadata label value with a space', text: edited([['  name: ai-monitoring\n', '  name: ai-monitoring\n  labels: { team: platform team }\n']]), path: 'metadata.labels.team', fix: 'not a valid label value' },
  { name: 'metadata label value over 63 characters', text: edited([['  name: ai-monitoring\n', `  name: ai-monitoring\n  labels: { team: ${'t'.repeat(64)} }\n`]]), path: 'metadata.labels.team', fix: 'at most 63' },
  // --- maintenance windows
  { name: 'maintenance window time zone "CEST"', text: window({ location: 'CEST' }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].location', fix: 'IANA time zone' },
  { name: 'maintenance window time zone "UTC+2"', text: window({ location: 'UTC+2' }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].location', fix: 'IANA time zone' },
  { name: 'time 25:00', text: window({ times: [{ startTime: '22:00', endTime: '25:00' }] }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].times[0].endTime', fix: '"06:00"' },
  { name: 'start time 24:00', text: window({ times: [{ startTime: '24:00', endTime: '06:00' }] }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].times[0].endTime', fix: 'two ranges' },
  { name: 'time range across midnight', text: window({ times: [{ startTime: '22:00', endTime: '06:00' }] }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].times[0].endTime', fix: 'two ranges' },
  { name: 'time without a leading zero', text: window({ times: [{ startTime: '2:00', endTime: '04:00' }] }), path: 'spec.alerting.maintenanceWindows[0].timeIntervals[0].times[0].startTime', fix: '"22:00"' },
  // --- types, nulls, keys
  { name: 'boolean as "yes"', text: edited([['    enabled: true                  # DCGM', '    enabled: yes                   # DCGM']]), path: 'spec.gpu.enabled', fix: 'true or false' },
  { name: 'a section left empty (null)', text: edited([['  cadvisor:\n    enabled: true\n    mode: daemonset                # or "kubelet" to scrape the kubelet\'s /metrics/cadvisor\n', '  cadvisor:\n    # enabled: true\n']]), path: 'spec.cadvisor', fix: 'remove it to use the default' },
  { name: 'retention null', text: edited([['    retention: 30d                 #', '    retention:                     #']]), path: 'spec.prometheus.retention', fix: 'remove it to use the default' },
  { name: 'a field indented under the wrong section', text: edited([['\n  services:\n', '\n    services:\n']]), path: 'spec.logs.services', fix: 'spec.services' },
  { name: 'a field one level too high', text: edited([['  prometheus:\n    retention: 30d                 #', '  retention: 30d\n  prometheus:\n    #']]), path: 'spec.retention', fix: 'spec.prometheus.retention' },
  { name: 'key with a trailing space', text: edited([['    retention: 30d  ', '    "retention ": 30d']]), path: 'spec.prometheus.retention ', fix: 'space' },
  { name: 'key with a non-breaking space', text: edited([['    scrapeInterval: 15s', '    scrapeInterval\u00a0: 15s']]), path: 'spec.prometheus.scrapeInterval\u00a0', fix: 'U+00A0' },
  { name: 'key with a Cyrillic homoglyph', text: edited([['    scrapeInterval: 15s', '    scrapeInterv\u0430l: 15s']]), path: 'spec.prometheus.scrapeInterv\u0430l', fix: 'U+0430' },
  { name: 'value with a zero-width space', text: edited([['interval: 5s', 'interval: 5s\u200b']]), path: 'spec.services[0].interval', fix: 'U+200B' },
  { name: 'value with a control character', text: minimal({ prometheus: { externalLabels: { cluster: 'prod\u0007' } } }), path: 'spec.prometheus.externalLabels.cluster', fix: 'remove it' },
  { name: 'a template in a label value', text: minimal({ prometheus: { externalLabels: { cluster: '{{ .Env.CLUSTER }}' } } }), path: 'spec.prometheus.externalLabels.cluster', fix: 'remove it' },
  { name: 'platform in capitals', text: edited([['platform: generic', 'platform: GKE']]), path: 'spec.platform', fix: 'did you mean "gke"?' },
  { name: 'log collector misspelt', text: edited([['collector: alloy', 'collector: aloy']]), path: 'spec.logs.collector', fix: 'did you mean "alloy"?' },
  { name: 'a misspelt field in an example', text: edited([['      port: http', '      prot: http']], 'examples/generic.yaml'), path: 'spec.services[0].prot', fix: 'did you mean "port"?' },
  { name: 'a misspelt mode in the scale-out example', text: edited([['    mode: agent', '    mode: agnet']], 'examples/scale-out.yaml'), path: 'spec.prometheus.mode', fix: 'did you mean "agent"?' },
];

const CRLF = edited([]).replace(/\n/g, '\r\n');

export const VALID: CorpusCase[] = [
  { name: 'monitoring.yaml as shipped', text: edited([]), valid: true },
  { name: 'CRLF line endings', text: CRLF, valid: true },
  { name: 'a UTF-8 byte order mark', text: `\uFEFF${edited([])}`, valid: true },
  { name: 'BOM and CRLF', text: `\uFEFF${CRLF}`, valid: true },
  { name: 'the same spec as JSON', text: JSON.stringify({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'ai-monitoring' }, spec: { services: [svc()] } }, null, 2), valid: true },
  { name: 'JSON with a trailing comma (a YAML flow map allows it)', text: `{"apiVersion": "${API_VERSION}", "kind": "${KIND}", "metadata": {"name": "x"},}`, valid: true },
  { name: 'flow style throughout', text: `{apiVersion: ${API_VERSION}, kind: ${KIND}, metadata: {name: ai}, spec: {prometheus: {retention: 30d, replicas: 1}, services: [{name: vllm, kind: vllm, namespace: ai, selector: {app: vllm}, port: http}]}}\n`, valid: true },
  { name: 'a document start marker and a trailing one', text: `---\n${edited([])}---\n`, valid: true },
  { name: 'a document end marker', text: `${edited([])}...\n`, valid: true },
  { name: 'a %YAML directive', text: `%YAML 1.2\n---\n${edited([])}`, valid: true },
  { name: 'no spec section at all', text: `apiVersion: ${API_VERSION}\nkind: ${KIND}\nmetadata:\n  name: ai\n`, valid: true },
  { name: 'an empty spec map', text: `apiVersion: ${API_VERSION}\nkind: ${KIND}\nmetadata: { name: ai }\nspec: {}\n`, valid: true },
  { name: 'quoted strings and quoted keys', text: edited([['retention: 30d', '"retention": "30d"'], ['scrapeInterval: 15s', "'scrapeInterval': '15s'"]]), valid: true },
  { name: 'comments and blank lines everywhere', text: edited([['  prometheus:\n', '  # a comment\n\n  prometheus:   # another\n\n']]), valid: true },
  { name: 'trailing tab before a comment', text: edited([['replicas: 1', 'replicas: 1\t# one']]), valid: true },
  { name: 'anchors and aliases for a repeated selector', text: minimal({}).replace('spec: {}\n', 'spec:\n  services:\n    - { name: a, kind: http, namespace: ai, selector: &sel { app: shared-a }, port: http }\n    - { name: b, kind: http, namespace: apps, selector: *sel, port: http }\n'), valid: true },
  { name: 'memory "2G" and "2Gi"', text: minimal({ grafana: { resources: { requests: { memory: '1G' }, limits: { memory: '2Gi' } } } }), valid: true },
  { name: 'cpu as a number', text: minimal({ grafana: { resources: { requests: { cpu: 0.5 }, limits: { cpu: 2 } } } }), valid: true },
  { name: 'enabled: True (YAML 1.2 core)', text: edited([['    enabled: true                  # DCGM', '    enabled: True                  # DCGM']]), valid: true },
  { name: 'unquoted times (YAML 1.2 has no sexagesimal numbers)', text: edited([['    # maintenanceWindows:\n    #   - name: sunday-upgrades\n    #     timeIntervals:\n    #       - weekdays: [sunday]\n    #         times: [{ startTime: "02:00", endTime: "04:00" }]\n    #         location: Europe/Paris', '    maintenanceWindows:\n      - name: sunday-upgrades\n        timeIntervals:\n          - weekdays: [sunday]\n            times: [{ startTime: 02:00, endTime: 04:00 }]\n            location: Europe/Paris']]), valid: true },
  { name: 'explicit core tags', text: edited([['retention: 30d', 'retention: !!str 30d'], ['replicas: 1', 'replicas: !!int 1']]), valid: true },
  { name: 'end time 24:00', text: window({ times: [{ startTime: '22:00', endTime: '24:00' }], location: 'Europe/Paris' }), valid: true },
  { name: 'cron @daily', text: minimal({ backup: { enabled: true, schedule: '@daily' } }), valid: true },
  { name: 'a compound duration "1h30m"', text: edited([['repeatInterval: 4h', 'repeatInterval: 1h30m']]), valid: true },
  { name: 'a port number', text: minimal({ services: [svc({ port: 8000 })] }), valid: true },
  { name: 'a label selector with a prefix', text: minimal({ services: [svc({ selector: { 'app.kubernetes.io/name': 'vllm', 'app.kubernetes.io/instance': 'v-1.2_a' } })] }), valid: true },
  { name: 'IPv6 CIDR', text: minimal({ networkPolicies: { nodeCidrs: ['fd00::/8', '10.0.0.0/8'] } }), valid: true },
  { name: 'a long but valid name (63 characters)', text: minimal({ agentNamespace: 'agents' }, 'a'.repeat(63)), valid: true },
  { name: 'unicode in an alert description', text: minimal({ loki: { ruler: { enabled: true, rules: [{ alert: 'PaymentErrors', expr: 'sum(rate({app="pay"} |= "error" [5m])) > 1', summary: 'Erreurs de paiement ⚠', description: 'Erreurs dans {{ $labels.app }} — vérifiez' }] } } }), valid: true },
  // Every example, as shipped (a new one joins by itself).
  ...fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort()
    .map((f): CorpusCase => ({ name: `examples/${f}`, text: edited([], `examples/${f}`), valid: true })),
  { name: 'examples/scale-out.yaml with CRLF', text: edited([], 'examples/scale-out.yaml').replace(/\n/g, '\r\n'), valid: true },
];
