import { App } from '../node_modules/cdk8s';
import { MonitoringStack, renderManifests, renderGitops, validateSpec, SpecError } from '/work/wt/harden/charts';
const doc = (spec: any) => ({ apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1', kind: 'MonitoringStack', metadata: { name: 'probe' }, spec });
const svc = { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http' };
const cases: [string, any, 'bad' | 'ok'][] = [
  ['retentionSize above volume', { prometheus: { retentionSize: '100GB', storage: { size: '50Gi' } } }, 'bad'],
  ['service named like a built-in job', { services: [{ ...svc, name: 'prometheus' }] }, 'bad'],
  ['service named node-exporter', { services: [{ ...svc, name: 'node-exporter' }] }, 'bad'],
  ['duplicate log alert', { loki: { ruler: { enabled: true, rules: [1, 2].map(() => ({ alert: 'A', expr: 'sum(rate({app="a"}[5m])) > 1', summary: 's', description: 'd' })) } } }, 'bad'],
  ['log alert named like built-in', { loki: { ruler: { enabled: true, rules: [{ alert: 'LogErrorRateHigh', expr: 'sum(rate({app="a"}[5m])) > 1', summary: 's', description: 'd' }] } } }, 'bad'],
  ['bad logql', { loki: { ruler: { enabled: true, rules: [{ alert: 'A', expr: 'sum(rate({app="a"}[5m]) > 1', summary: 's', description: 'd' }] } } }, 'bad'],
  ['email receiver', { alerting: { receivers: [{ name: 'mail', type: 'email', to: 'a@b.c', from: 'x@b.c', smarthost: 'smtp.b.c:587' }] } }, 'ok'],
  ['webhook only', { alerting: { receivers: [{ name: 'hook', type: 'webhook', urlSecretRef: { name: 's', key: 'url' } }] } }, 'ok'],
  ['msteamsv2 only', { alerting: { receivers: [{ name: 'tv2', type: 'msteamsv2', webhookUrlSecretRef: { name: 's', key: 'url' } }] } }, 'ok'],
  ['replicas 3 alertmanager', { alerting: { alertmanager: { replicas: 3 } } }, 'ok'],
  ['prometheus replicas 2', { prometheus: { replicas: 2 } }, 'ok'],
  ['alloy', { logs: { collector: 'alloy' } }, 'ok'],
  ['all off', { loki: { enabled: false }, grafana: { enabled: false }, alerting: { enabled: false }, gpu: { enabled: false }, kubeStateMetrics: { enabled: false }, nodeExporter: { enabled: false }, cadvisor: { enabled: false }, networkPolicies: { enabled: false } }, 'ok'],
  ['kubelet cadvisor', { cadvisor: { mode: 'kubelet' } }, 'ok'],
  ['grafana persistence false', { grafana: { persistence: false } }, 'ok'],
  ['domain + exposing all', { ingress: { domain: 'example.com', prometheus: { enabled: true }, alertmanager: { enabled: true }, tls: { createClusterIssuer: { email: 'a@example.com', server: 'production' } } } }, 'ok'],
  ['tls issuer', { ingress: { domain: 'example.com', tls: { issuer: 'my-issuer' } } }, 'ok'],
  ['tls disabled', { ingress: { domain: 'example.com', tls: { enabled: false } } }, 'ok'],
  ['cidrs', { networkPolicies: { apiServerCidrs: ['10.0.0.1/32'], nodeCidrs: ['10.0.0.0/16'] } }, 'ok'],
  ['bad cidr octet', { networkPolicies: { apiServerCidrs: ['10.0.0.300/32'] } }, 'bad'],
  ['bad cidr prefix', { networkPolicies: { apiServerCidrs: ['10.0.0.0/40'] } }, 'bad'],
  ['cidr host bits set', { networkPolicies: { nodeCidrs: ['10.0.0.1/8'] } }, 'bad'],
  ['bad ipv6', { networkPolicies: { nodeCidrs: ['::::/200'] } }, 'bad'],
  ['many services', { services: Array.from({ length: 30 }, (_, i) => ({ ...svc, name: `s${i}`, kind: ['vllm', 'stt', 'tts', 'qdrant', 'mcp', 'http'][i % 6] })) }, 'ok'],
  ['service https', { services: [{ ...svc, scheme: 'https', port: 8443 }] }, 'ok'],
  ['externalUrl', { prometheus: { externalUrl: 'https://prom.example.com/' } }, 'ok'],
  ['externalUrl bad scheme', { prometheus: { externalUrl: 'ftp://x' } }, 'bad'],
  ['rootUrl', { grafana: { rootUrl: 'https://g.example.com/' } }, 'ok'],
  ['gitops', { gitops: { argocd: { repoURL: 'https://git.example.com/x.git' } } }, 'ok'],
  ['maintenance window', { alerting: { maintenanceWindows: [{ name: 'w', matchers: ['namespace="ai"'], timeIntervals: [{ times: [{ startTime: '22:00', endTime: '24:00' }], weekdays: ['saturday:sunday'], location: 'Europe/Berlin' }] }] } }, 'ok'],
  ['time start after end', { alerting: { maintenanceWindows: [{ name: 'w', timeIntervals: [{ times: [{ startTime: '22:00', endTime: '06:00' }] }] }] } }, 'bad'],
  ['weekday range reversed', { alerting: { maintenanceWindows: [{ name: 'w', timeIntervals: [{ weekdays: ['friday:monday'] }] }] } }, 'bad'],
  ['routing to unknown receiver', { alerting: { route: { criticalReceivers: ['nope'] } } }, 'bad'],
  ['groupBy bad label', { alerting: { route: { groupBy: ['alert-name'] } } }, 'bad'],
  ['tolerations', { gpu: { tolerations: [{ operator: 'Exists' }] } }, 'ok'],
  ['jsonNamespaces', { logs: { jsonNamespaces: ['ai'], jsonApps: ['whisper-api'] } }, 'ok'],
  ['extraMetrics', { kubeStateMetrics: { extraMetrics: ['kube_pod_start_time'] } }, 'ok'],
  ['externalLabels', { prometheus: { externalLabels: { cluster: 'prod', region: 'eu-west-1' } } }, 'ok'],
  ['grafana domain', { grafana: { domain: 'grafana.example.com' } }, 'ok'],
  ['namespace long', { namespace: 'a'.repeat(60) }, 'bad?'],
  ['agentNamespace 63 chars', { namespace: 'm', agentNamespace: 'a'.repeat(63) }, 'ok'],
  ['metadata name 63', null, 'ok'],
  ['limits cpu 0.5 request 500m', { prometheus: { resources: { requests: { cpu: '500m' }, limits: { cpu: 0.5 } } } }, 'ok'],
  ['storage 1.5Gi', { prometheus: { storage: { size: '1.5Gi' } } }, 'ok'],
  ['retention 1y', { prometheus: { retention: '1y' } }, 'ok'],
  ['retention size tiny', { prometheus: { retentionSize: '1MB' } }, 'ok'],
  ['scrape 1s', { prometheus: { scrapeInterval: '1s', scrapeTimeout: '1s' } }, 'ok'],
  ['loki retention 36h', { loki: { retention: '36h' } }, 'bad'],
  ['msteams channel dup', { alerting: { receivers: [{ name: 'a', type: 'msteams', webhookUrlSecretRef: { name: 's', key: 'k' } }, { name: 'b', type: 'msteams', channel: 'a', webhookUrlSecretRef: { name: 's', key: 'k' } }] } }, 'bad'],
  ['receiver name reserved', { alerting: { receivers: [{ name: 'critical', type: 'webhook', urlSecretRef: { name: 's', key: 'k' } }] } }, 'bad'],
  ['ingress class ok', { ingress: { domain: 'example.com', ingressClassName: 'nginx-public' } }, 'ok'],
  ['http-only service path query', { services: [{ ...svc, path: '/metrics?format=prometheus' }] }, 'bad'],
  ['latency threshold', { services: [{ ...svc, latencyThresholdSeconds: 2.5 }] }, 'ok'],
  ['selector expression value too long', { services: [{ ...svc, selector: { app: 'x'.repeat(64) } }] }, 'bad'],
];
const big = (n: string) => ({ apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1', kind: 'MonitoringStack', metadata: { name: n }, spec: {} });
for (const [name, spec, want] of cases) {
  let outcome: string;
  try {
    const s = validateSpec(spec === null ? big('a'.repeat(63)) : doc(spec), 'probe');
    const st = new MonitoringStack(new App(), 'stack', { spec: s });
    renderManifests(st); renderGitops(st);
    outcome = 'ok';
  } catch (e) {
    outcome = e instanceof SpecError ? `bad: ${e.problems[0]}` : `CRASH: ${(e as Error).message.split('\n')[0]}`;
  }
  const flag = outcome.startsWith('CRASH') || (want === 'ok') !== (outcome === 'ok') ? '!!' : '  ';
  console.log(`${flag} ${name}: ${outcome.slice(0, 220)}`);
}
