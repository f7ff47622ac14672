/**
 * The narrowed network (evaluated by test/lib/netpol.ts over the synthesized
 * stack): cert-manager's HTTP-01 solver is reachable whenever an ACME issuer
 * is used, annotation discovery reaches only the namespaces the spec lists,
 * API server and kubelet egress only the declared CIDRs (open with a synth
 * warning otherwise), SMTP only with an e-mail receiver, and the link-local
 * metadata range from nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import type { K8sObject } from '../lib/k8s-validate';
import { configMapData, podTemplates } from '../lib/dist';
import { Endpoint, PolicySet } from '../lib/netpol';
import { find, synth } from '../lib/synth';
import { specProblems } from '../lib/spec-problems';
import { adviceOf, warningsOf } from '../../charts/lib/warnings';
import { inClusterNamespace, remoteTarget } from '../../charts/core/remote';
import { parseSpecYaml } from '../../charts/spec-load';
import { MonitoringStack } from '../../charts/stack';
import { renderManifests } from '../../charts/app/output';
import { NetworkPolicies } from '../../charts/components/network-policies';
import { App } from 'cdk8s';

const solver = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'lib', 'contracts', 'cert-manager-http01-solver.json'), 'utf8'));
const ingressController: Endpoint = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
const randomPod: Endpoint = { namespace: 'default', labels: { app: 'x' } };
/** A solver pod as cert-manager v1.21 creates it (labels from the contract, hashes as it computes them). */
const solverPod: Endpoint = {
  namespace: 'monitoring',
  labels: { ...solver.labels, 'acme.cert-manager.io/http-domain': '1129923423', 'acme.cert-manager.io/http-token': '2219637116' },
  namedPorts: { http: solver.containerPort.port },
};
const METADATA: Endpoint = { ip: '169.254.169.254' };
const API: Endpoint = { ip: '10.96.0.1' };
const NODE: Endpoint = { ip: '192.168.10.21' };
const ELSEWHERE: Endpoint = { ip: '10.200.0.9' };
const SMTP: Endpoint = { ip: '52.97.1.10' };

const svc = { name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 8000 };
const domain = { domain: 'example.org' };

function endpoints(objects: K8sObject[]): Record<string, Endpoint> {
  const out: Record<string, Endpoint> = {};
  for (const { object, podSpec, podMetadata } of podTemplates(objects)) {
    const namedPorts: Record<string, number> = {};
    for (const c of podSpec.containers ?? []) for (const p of c.ports ?? []) if (p.name) namedPorts[p.name] = p.containerPort;
    out[(object.metadata?.labels as Record<string, string>)['app.kubernetes.io/name']] = {
      namespace: object.metadata?.namespace,
      labels: podMetadata.labels,
      namedPorts,
      hostNetwork: podSpec.hostNetwork === true,
    };
  }
  return out;
}

function stack(spec: Record<string, unknown>) {
  const s = synth(spec);
  return { ...s, policies: new PolicySet(s.objects), ep: endpoints(s.objects), warnings: warningsOf(s.stack), advice: adviceOf(s.stack) };
}

describe('cert-manager HTTP-01 solver', () => {
  test('with a created ACME ClusterIssuer the ingress controller reaches the solver on 8089, nothing else does', () => {
    const { policies } = stack({ ingress: { ...domain, tls: { createClusterIssuer: { email: 'ops@example.org' } } } });
    expect(policies.allowed({ from: ingressController, to: solverPod, port: 8089 })).toBe(true);
    expect(policies.allowed({ from: randomPod, to: solverPod, port: 8089 })).toBe(false);
    expect(policies.allowed({ from: ingressController, to: solverPod, port: 8080 })).toBe(false);
    expect(policies.allowed({ from: solverPod, to: { ip: '52.1.2.3' }, port: 443 })).toBe(false); // it only answers
  });

  test('with a referenced issuer too; not with a DNS-01 issuer (acmeHttp01: false), without TLS or without an Ingress', () => {
    expect(
      stack({ ingress: { ...domain, tls: { clusterIssuer: 'letsencrypt-prod' } } }).policies.allowed({
        from: ingressController,
        to: solverPod,
        port: 8089,
      }),
    ).toBe(true);
    expect(
      stack({ ingress: { ...domain, tls: { issuer: 'acme' } } }).policies.allowed({ from: ingressController, to: solverPod, port: 8089 }),
    ).toBe(true);
    for (const spec of [
      { ingress: { ...domain, tls: { clusterIssuer: 'dns01', acmeHttp01: false } } },
      { ingress: { ...domain, tls: { enabled: false } } },
      { ingress: { tls: { clusterIssuer: 'letsencrypt-prod' } } },
      { ingress: domain },
    ]) {
      expect(stack(spec).policies.allowed({ from: ingressController, to: solverPod, port: 8089 })).toBe(false);
    }
  });
});

describe('annotation discovery', () => {
  const annotated = (ns: string): Endpoint => ({ namespace: ns, labels: { app: 'annotated' } });

  test('by default: only the namespaces of spec.services, in the scrape jobs and in the policy', () => {
    const { policies, ep, objects } = stack({ services: [svc] });
    expect(policies.allowed({ from: ep.prometheus, to: annotated('ai'), port: 9102 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: annotated('default'), port: 9102 })).toBe(false);
    expect(policies.allowed({ from: ep.prometheus, to: annotated('kube-system'), port: 10249 })).toBe(false);
    const jobs = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']).scrape_configs;
    for (const name of ['kubernetes-pods', 'kubernetes-service-endpoints']) {
      expect(jobs.find((j: any) => j.job_name === name).kubernetes_sd_configs[0].namespaces).toEqual({ names: ['ai'] });
    }
  });

  test("no listed namespace: no annotation jobs and no egress; listed namespaces add to the services'", () => {
    const none = stack({});
    expect(none.policies.allowed({ from: none.ep.prometheus, to: annotated('default'), port: 9102 })).toBe(false);
    expect(configMapData(none.objects, 'prometheus-config')['prometheus.yml']).not.toContain('kubernetes-pods');
    const listed = stack({ services: [svc], prometheus: { annotationDiscovery: { namespaces: ['batch'] } } });
    expect(listed.policies.allowed({ from: listed.ep.prometheus, to: annotated('batch'), port: 9102 })).toBe(true);
    expect(listed.policies.allowed({ from: listed.ep.prometheus, to: annotated('ai'), port: 9102 })).toBe(true);
    expect(listed.policies.allowed({ from: listed.ep.prometheus, to: annotated('default'), port: 9102 })).toBe(false);
  });

  test('every namespace only as an explicit opt-in', () => {
    const all = stack({ prometheus: { annotationDiscovery: { allNamespaces: true } } });
    expect(all.policies.allowed({ from: all.ep.prometheus, to: annotated('default'), port: 9102 })).toBe(true);
    const jobs = parse(configMapData(all.objects, 'prometheus-config')['prometheus.yml']).scrape_configs;
    expect(jobs.find((j: any) => j.job_name === 'kubernetes-pods').kubernetes_sd_configs[0].namespaces).toBeUndefined();
    const off = stack({ services: [svc], prometheus: { annotationDiscovery: false } });
    expect(off.policies.allowed({ from: off.ep.prometheus, to: annotated('ai'), port: 9102 })).toBe(false);
  });
});

describe('API server and kubelet egress', () => {
  const apiClients = ['prometheus', 'kube-state-metrics', 'alloy', 'alloy-events'];

  test('declared CIDRs: only those addresses, and no warning', () => {
    const { policies, ep, warnings } = stack({ networkPolicies: { apiServerCidrs: ['10.96.0.1/32'], nodeCidrs: ['192.168.10.0/24'] } });
    for (const c of apiClients) {
      expect([c, policies.allowed({ from: ep[c], to: API, port: 443 })]).toEqual([c, true]);
      expect([c, policies.allowed({ from: ep[c], to: ELSEWHERE, port: 443 })]).toEqual([c, false]);
      expect([c, policies.allowed({ from: ep[c], to: ELSEWHERE, port: 6443 })]).toEqual([c, false]);
    }
    expect(policies.allowed({ from: ep.prometheus, to: NODE, port: 10250 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: NODE, port: 9100 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: ELSEWHERE, port: 10250 })).toBe(false);
    expect(warnings).toEqual([]);
  });

  test('no CIDRs: open except link-local, with hardening advice (not a warning: every spec starts so) naming the field, the components and the ports', () => {
    const { policies, ep, warnings, advice } = stack({});
    expect(warnings).toEqual([]);
    for (const c of apiClients) expect([c, policies.allowed({ from: ep[c], to: ELSEWHERE, port: 443 })]).toEqual([c, true]);
    expect(policies.allowed({ from: ep.prometheus, to: ELSEWHERE, port: 10250 })).toBe(true);
    expect(advice).toEqual([
      expect.stringMatching(
        /^spec\.networkPolicies\.apiServerCidrs is empty, so prometheus, .*kube-state-metrics.* may reach any address \(except link-local\) on TCP 443, 6443; set spec\.networkPolicies\.apiServerCidrs/,
      ),
      expect.stringMatching(
        /^spec\.networkPolicies\.nodeCidrs is empty, so prometheus may reach any address \(except link-local\) on TCP 10250, 9100/,
      ),
    ]);
  });

  test('CIDRs that are not strict, or link-local, are refused with the field named', () => {
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['10.0.0.300/32'] } })).toEqual([
      expect.stringContaining('spec.networkPolicies.apiServerCidrs[0]: "10.0.0.300" is not an IPv4 or IPv6 address'),
    ]);
    expect(specProblems({ networkPolicies: { nodeCidrs: ['10.0.0.0/40'] } })).toEqual([
      expect.stringContaining('spec.networkPolicies.nodeCidrs[0]: an IPv4 prefix length is at most 32'),
    ]);
    expect(specProblems({ networkPolicies: { nodeCidrs: ['192.168.10.7/24'] } })).toEqual([
      expect.stringContaining('write "192.168.10.0/24" for the network, or "192.168.10.7/32"'),
    ]);
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['169.254.169.254/32'] } })).toEqual([
      expect.stringContaining('is link-local'),
    ]);
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['fd00::1/128', '10.0.0.0/8'] } })).toEqual([]);
  });
});

describe('Alertmanager egress follows its receivers', () => {
  const teams = { name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' } };

  test('Teams through the bridge only: Alertmanager has no Internet egress at all (the bridge has 443)', () => {
    const { policies, ep } = stack({ alerting: { receivers: [teams] } });
    for (const port of [25, 465, 587, 443])
      expect([port, policies.allowed({ from: ep.alertmanager, to: SMTP, port })]).toEqual([port, false]);
    expect(policies.allowed({ from: ep['prometheus-msteams'], to: SMTP, port: 443 })).toBe(true);
  });

  test('an e-mail receiver opens its smarthost port only; a webhook receiver opens 443', () => {
    const mail = { name: 'mail', type: 'email', to: 'ops@example.org', from: 'am@example.org', smarthost: 'smtp.example.org:465' };
    const { policies, ep } = stack({ alerting: { receivers: [teams, mail] } });
    expect(policies.allowed({ from: ep.alertmanager, to: SMTP, port: 465 })).toBe(true);
    expect(policies.allowed({ from: ep.alertmanager, to: SMTP, port: 25 })).toBe(false);
    expect(policies.allowed({ from: ep.alertmanager, to: SMTP, port: 443 })).toBe(false);
    const hook = stack({ alerting: { receivers: [{ name: 'hook', type: 'webhook', urlSecretRef: { name: 'hook', key: 'url' } }] } });
    expect(hook.policies.allowed({ from: hook.ep.alertmanager, to: SMTP, port: 443 })).toBe(true);
    expect(hook.policies.allowed({ from: hook.ep.alertmanager, to: SMTP, port: 587 })).toBe(false);
  });
});

describe('link-local (cloud metadata, 169.254.169.254) is reachable from nothing', () => {
  const specs: Record<string, unknown>[] = [
    {},
    { networkPolicies: { apiServerCidrs: ['0.0.0.0/0'], nodeCidrs: ['0.0.0.0/0'] } },
    { logs: { collector: 'alloy' }, alerting: { receivers: [{ name: 'hook', type: 'webhook', urlSecretRef: { name: 'h', key: 'u' } }] } },
  ];
  test.each(specs.map((s) => [JSON.stringify(s), s] as const))('%s', (_n, spec) => {
    const { policies, ep } = stack(spec);
    const reached: string[] = [];
    for (const [name, e] of Object.entries(ep)) {
      if (e.hostNetwork) continue;
      for (const port of [80, 443, 6443, 9100, 10250, 25, 587, 8080])
        if (policies.allowed({ from: e, to: METADATA, port })) reached.push(`${name}:${port}`);
    }
    expect(reached).toEqual([]);
  });
});

describe('in-cluster Service hosts (charts/core/remote.ts)', () => {
  test.each([
    ['minio.storage.svc', 'storage'],
    ['mimir-distributor.mimir.svc.cluster.local', 'mimir'],
    ['mimir-gateway.mimir', 'mimir'],
    ['mimir.example.com', undefined],
    ['example.com.', undefined], // fully qualified: no search domain
    ['a.b.svc.example.org', undefined],
    ['10.0.0.5', undefined],
    ['[fd00::1]', undefined],
  ])('%s -> %s', (host, ns) => expect(inClusterNamespace(host)).toBe(ns));

  test('URL ports: explicit, else the scheme default', () => {
    expect(remoteTarget('https://mimir.example.com/api/v1/push')).toEqual({
      to: { external: 'remote', host: 'mimir.example.com' },
      port: 443,
    });
    expect(remoteTarget('http://mimir-gateway.mimir/api/v1/push').port).toBe(80);
    expect(remoteTarget('https://thanos.example.com:19291').port).toBe(19291);
  });
});

/**
 * Issue 12 with spec.networkPolicies (issue 15 item 2): each remote URL the spec names is reachable from the
 * component that calls it on that URL's port, and nothing else is (other ports, other addresses with CIDRs
 * declared, link-local always).
 */
describe('egress to remote stores', () => {
  const MIMIR_IP: Endpoint = { ip: '203.0.113.10' };
  const OTHER_IP: Endpoint = { ip: '198.51.100.7' };
  const S3_IP: Endpoint = { ip: '52.218.1.20' };
  const minio: Endpoint = { namespace: 'storage', labels: { app: 'minio' } };
  const mimirPod: Endpoint = { namespace: 'mimir', labels: { app: 'mimir' } };
  const elsewherePod: Endpoint = { namespace: 'other', labels: { app: 'mimir' } };
  const scaleOut = (
    parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'scale-out.yaml'), 'utf8')) as { spec: Record<string, any> }
  ).spec;
  const mimir = { name: 'mimir', preset: 'mimir', url: 'https://mimir.example.com', tenant: 'gpu' };
  /** Every pod of the stack by workload name (Loki's write, read and backend apart). */
  const pods = (objects: K8sObject[]): Record<string, Endpoint> =>
    Object.fromEntries(
      podTemplates(objects).map(({ object, podSpec, podMetadata }) => [
        object.metadata?.name as string,
        { namespace: object.metadata?.namespace, labels: podMetadata.labels, hostNetwork: podSpec.hostNetwork === true },
      ]),
    );
  const remoteWarnings = (w: string[]) => w.filter((x) => x.includes('remoteCidrs'));

  test('examples/scale-out.yaml: Prometheus and Grafana reach Mimir on 443, every Loki target MinIO on 9000, nothing more; one warning', () => {
    const { policies, objects, warnings } = stack(scaleOut);
    const p = pods(objects);
    expect(policies.allowed({ from: p.prometheus, to: MIMIR_IP, port: 443 })).toBe(true);
    expect(policies.allowed({ from: p.grafana, to: MIMIR_IP, port: 443 })).toBe(true);
    for (const port of [80, 8080, 9009]) {
      expect([port, policies.allowed({ from: p.prometheus, to: MIMIR_IP, port })]).toEqual([port, false]);
      expect([port, policies.allowed({ from: p.grafana, to: MIMIR_IP, port })]).toEqual([port, false]);
    }
    for (const target of ['loki-write', 'loki-read', 'loki-backend']) {
      expect([target, policies.egressAllowed({ from: p[target], to: minio, port: 9000 })]).toEqual([target, true]);
      expect([target, policies.egressAllowed({ from: p[target], to: minio, port: 9001 })]).toEqual([target, false]);
      expect([target, policies.egressAllowed({ from: p[target], to: elsewherePod, port: 9000 })]).toEqual([target, false]);
      expect([target, policies.allowed({ from: p[target], to: S3_IP, port: 443 })]).toEqual([target, false]); // MinIO in the cluster: no address range
    }
    // Nothing but Prometheus and Grafana reaches the remote store; the collector is not opened outwards.
    for (const name of ['alertmanager', 'kube-state-metrics', 'alloy', 'loki-write']) {
      expect([name, policies.allowed({ from: p[name], to: MIMIR_IP, port: 443 })]).toEqual([
        name,
        name === 'kube-state-metrics' || name === 'alloy',
      ]);
    }
    expect(remoteWarnings(warnings)).toEqual([
      'spec.networkPolicies.remoteCidrs is empty, so prometheus, grafana may reach any address (except link-local) on TCP 443; set spec.networkPolicies.remoteCidrs (the addresses of mimir.example.com)',
    ]);
  });

  test('remoteCidrs narrow the remote rules to those addresses and silence the warning', () => {
    const apiAndNodes = { apiServerCidrs: ['10.96.0.1/32'], nodeCidrs: ['192.168.10.0/24'] };
    const { policies, objects, warnings } = stack({ ...scaleOut, networkPolicies: { ...apiAndNodes, remoteCidrs: ['203.0.113.0/24'] } });
    const p = pods(objects);
    expect(policies.allowed({ from: p.prometheus, to: MIMIR_IP, port: 443 })).toBe(true);
    expect(policies.allowed({ from: p.grafana, to: MIMIR_IP, port: 443 })).toBe(true);
    expect(policies.allowed({ from: p.prometheus, to: OTHER_IP, port: 443 })).toBe(false);
    expect(policies.allowed({ from: p.grafana, to: OTHER_IP, port: 443 })).toBe(false);
    expect(policies.egressAllowed({ from: p['loki-read'], to: minio, port: 9000 })).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('remote write to an in-cluster Mimir: its namespace on the URL port, no address range, no warning', () => {
    const { policies, ep, warnings } = stack({
      cluster: 'gpu-eu-1',
      prometheus: {
        remoteWrite: [
          { ...mimir, url: 'http://mimir-distributor.mimir.svc.cluster.local:8080' },
          { name: 'gw', preset: 'mimir', url: 'http://mimir-gateway.mimir' },
        ],
      },
    });
    expect(policies.egressAllowed({ from: ep.prometheus, to: mimirPod, port: 8080 })).toBe(true);
    expect(policies.egressAllowed({ from: ep.prometheus, to: mimirPod, port: 80 })).toBe(true);
    expect(policies.egressAllowed({ from: ep.prometheus, to: mimirPod, port: 9095 })).toBe(false);
    expect(policies.egressAllowed({ from: ep.prometheus, to: elsewherePod, port: 8080 })).toBe(false);
    expect(policies.allowed({ from: ep.prometheus, to: MIMIR_IP, port: 8080 })).toBe(false);
    expect(remoteWarnings(warnings)).toEqual([]);
    // Both URLs in one rule: one peer, both ports.
    const rules = (
      find(
        stack({
          cluster: 'c',
          prometheus: {
            remoteWrite: [
              { ...mimir, url: 'http://a.mimir.svc:8080' },
              { ...mimir, name: 'b', url: 'http://b.mimir.svc:8081' },
            ],
          },
        }).objects,
        'NetworkPolicy',
        'prometheus',
      ).spec.egress as any[]
    ).filter((r) => r.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'mimir');
    expect(rules).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mimir' } } }],
        ports: [
          { port: 8080, protocol: 'TCP' },
          { port: 8081, protocol: 'TCP' },
        ],
      },
    ]);
  });

  test('token endpoints: OAuth2 token URL on its port, Azure AD and AWS STS on 443, named in the warning; an IP literal is that address only', () => {
    const { policies, ep, warnings } = stack({
      cluster: 'gpu-eu-1',
      prometheus: {
        remoteWrite: [
          {
            name: 'oauth',
            url: 'https://thanos.example.com:19291/api/v1/receive',
            auth: { oauth2: { clientId: 'c', clientSecret: { name: 'oauth' }, tokenUrl: 'https://auth.example.com:8443/token' } },
          },
          {
            name: 'amp',
            url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write',
            auth: { sigv4: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/prometheus' } },
          },
          {
            name: 'azure',
            url: 'https://gpu.westeurope-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write',
            auth: { azuread: { sdk: { tenantId: 't', credentials: { name: 'azure' } } } },
          },
          { name: 'vm', url: 'http://10.20.30.40:8480/insert/0/prometheus/api/v1/write' },
        ],
      },
    });
    expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 19291 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 8443 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 443 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 8480 })).toBe(false); // only the literal address
    expect(policies.allowed({ from: ep.prometheus, to: { ip: '10.20.30.40' }, port: 8480 })).toBe(true);
    expect(policies.allowed({ from: ep.prometheus, to: { ip: '10.20.30.40' }, port: 8481 })).toBe(false);
    expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 8080 })).toBe(false);
    expect(remoteWarnings(warnings)).toEqual([
      'spec.networkPolicies.remoteCidrs is empty, so prometheus may reach any address (except link-local) on TCP 19291, 443, 8443; set spec.networkPolicies.remoteCidrs (the addresses of aps-workspaces.eu-west-1.amazonaws.com, auth.example.com, gpu.westeurope-1.metrics.ingest.monitor.azure.com, login.microsoftonline.com, sts.eu-west-1.amazonaws.com, thanos.example.com)',
    ]);
  });

  test('Loki on AWS S3, GCS and Azure: 443 from Loki only; MinIO without TLS and port: 80', () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [
        { type: 's3', s3: { bucket: 'loki-chunks', region: 'eu-west-1', credentials: { name: 'loki-s3' } } },
        443,
        's3.eu-west-1.amazonaws.com',
      ],
      [{ type: 'gcs', gcs: { bucket: 'loki-chunks', credentials: { name: 'gcs' } } }, 443, 'oauth2.googleapis.com, storage.googleapis.com'],
      [
        { type: 'azure', azure: { accountName: 'gpulogs', container: 'chunks' } },
        443,
        'gpulogs.blob.core.windows.net, login.microsoftonline.com',
      ],
      [{ type: 's3', s3: { bucket: 'loki-chunks', endpoint: '10.0.5.9', insecure: true } }, 80, ''],
    ];
    for (const [storage, port, hosts] of cases) {
      const { policies, ep, warnings } = stack({ loki: { storage } });
      const to = port === 80 ? { ip: '10.0.5.9' } : S3_IP;
      expect([storage.type, policies.allowed({ from: ep.loki, to, port })]).toEqual([storage.type, true]);
      expect([storage.type, policies.allowed({ from: ep.loki, to, port: port === 80 ? 443 : 80 })]).toEqual([storage.type, false]);
      expect([storage.type, policies.allowed({ from: ep.grafana, to, port })]).toEqual([storage.type, false]);
      expect(remoteWarnings(warnings)).toEqual(
        hosts
          ? [
              expect.stringContaining(
                `so loki may reach any address (except link-local) on TCP 443; set spec.networkPolicies.remoteCidrs (the addresses of ${hosts})`,
              ),
            ]
          : [],
      );
    }
  });

  test.each(['promtail', 'alloy'])(
    "external Loki with %s: every collector pushes to the push URL's port, Grafana reads the query URL",
    (collector) => {
      const external = {
        pushUrl: 'https://logs.example.com:3100/loki/api/v1/push',
        queryUrl: 'https://logs-read.example.com',
        tenant: 'gpu',
      };
      const { policies, ep, warnings } = stack({
        cluster: 'gpu-eu-1',
        logs: { collector },
        loki: { mode: 'external', external, ruler: { enabled: false } },
      });
      const collectors = collector === 'alloy' ? ['alloy', 'alloy-events'] : ['promtail'];
      for (const c of collectors) {
        expect([c, policies.allowed({ from: ep[c], to: OTHER_IP, port: 3100 })]).toEqual([c, true]);
        expect([c, policies.allowed({ from: ep[c], to: OTHER_IP, port: 80 })]).toEqual([c, false]);
      }
      expect(policies.allowed({ from: ep.grafana, to: OTHER_IP, port: 443 })).toBe(true);
      expect(policies.allowed({ from: ep.grafana, to: OTHER_IP, port: 3100 })).toBe(false);
      expect(policies.allowed({ from: ep.prometheus, to: OTHER_IP, port: 3100 })).toBe(false);
      expect(remoteWarnings(warnings)).toEqual([
        expect.stringContaining(
          `${[...collectors, 'grafana'].join(', ')} may reach any address (except link-local) on TCP 3100, 443; set spec.networkPolicies.remoteCidrs (the addresses of logs-read.example.com, logs.example.com)`,
        ),
      ]);
    },
  );

  test('Grafana central datasources: each override URL, on its port, from Grafana only', () => {
    const { policies, ep } = stack({
      cluster: 'gpu-eu-1',
      grafana: {
        datasources: {
          prometheus: { url: 'https://mimir.example.com/prometheus', type: 'Mimir' },
          loki: { url: 'http://loki-read.logs.svc:3100' },
          alertmanager: { url: 'https://mimir.example.com:8443/alertmanager', implementation: 'mimir' },
        },
      },
    });
    expect(policies.allowed({ from: ep.grafana, to: MIMIR_IP, port: 443 })).toBe(true);
    expect(policies.allowed({ from: ep.grafana, to: MIMIR_IP, port: 8443 })).toBe(true);
    expect(policies.allowed({ from: ep.grafana, to: MIMIR_IP, port: 3100 })).toBe(false);
    expect(policies.egressAllowed({ from: ep.grafana, to: { namespace: 'logs', labels: { app: 'loki' } }, port: 3100 })).toBe(true);
    expect(policies.egressAllowed({ from: ep.grafana, to: { namespace: 'logs', labels: { app: 'loki' } }, port: 9095 })).toBe(false);
    expect(policies.allowed({ from: ep.prometheus, to: MIMIR_IP, port: 8443 })).toBe(false);
  });

  test('link-local stays closed from every pod with every remote feature on, even with remoteCidrs 0.0.0.0/0', () => {
    const spec = {
      ...scaleOut,
      logs: { collector: 'alloy' },
      prometheus: {
        ...scaleOut.prometheus,
        remoteWrite: [...scaleOut.prometheus.remoteWrite, { name: 'meta', url: 'http://169.254.169.254/latest' }],
      },
      networkPolicies: { remoteCidrs: ['0.0.0.0/0'] },
    };
    const { policies, objects } = stack(spec);
    const reached: string[] = [];
    for (const [name, e] of Object.entries(pods(objects))) {
      if (e.hostNetwork) continue;
      for (const port of [80, 443, 9000, 3100, 8080])
        if (policies.allowed({ from: e, to: METADATA, port })) reached.push(`${name}:${port}`);
    }
    expect(reached).toEqual([]);
    expect(specProblems({ networkPolicies: { remoteCidrs: ['169.254.0.0/16'] } })).toEqual([
      expect.stringContaining('spec.networkPolicies.remoteCidrs[0]: "169.254.0.0/16" is link-local'),
    ]);
  });

  test('credentials from the metadata address (never opened): a warning naming each field; none with a Secret, IRSA, or policies off', () => {
    const azure = {
      name: 'azure',
      url: 'https://x.metrics.ingest.monitor.azure.com/api/v1/write',
      auth: { azuread: { managedIdentity: {} } },
    };
    const amp = {
      name: 'amp',
      url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write',
      auth: { sigv4: { region: 'eu-west-1' } },
    };
    const warned = synth({
      cluster: 'c',
      prometheus: { remoteWrite: [azure, amp] },
      loki: { storage: { type: 'gcs', gcs: { bucket: 'loki-chunks' } } },
    }).stack.warnings;
    expect(warned.filter((w) => w.includes('metadata'))).toEqual([
      'spec.prometheus.remoteWrite azure auth.azuread.managedIdentity, spec.prometheus.remoteWrite amp auth.sigv4 (no credentials, no IRSA annotation) get their credentials from the cloud metadata address (169.254.0.0/16), which spec.networkPolicies never opens: use auth.azuread.sdk or auth.sigv4.credentials from a Secret, or IRSA (spec.prometheus.serviceAccountAnnotations eks.amazonaws.com/role-arn), or set spec.networkPolicies.enabled: false',
      expect.stringMatching(
        /^spec\.loki\.storage\.gcs \(no credentials: Workload Identity\) gets its credentials from the cloud metadata address/,
      ),
    ]);
    for (const spec of [
      {
        cluster: 'c',
        prometheus: { remoteWrite: [amp], serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/p' } },
      },
      { cluster: 'c', prometheus: { remoteWrite: [azure] }, networkPolicies: { enabled: false } },
      {
        loki: {
          storage: { type: 's3', s3: { bucket: 'loki-chunks', region: 'eu-west-1' } },
          serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/l' },
        },
      },
      { loki: { storage: { type: 'gcs', gcs: { bucket: 'loki-chunks', credentials: { name: 'gcs' } } } } },
    ])
      expect(synth(spec).stack.warnings.filter((w) => w.includes('metadata'))).toEqual([]);
  });

  test('monitoring.yaml (no remote store): no remote flow, no remoteCidrs warning, 51-network-policies.yaml as committed', () => {
    const root = path.join(__dirname, '..', '..');
    const doc = parseSpecYaml(fs.readFileSync(path.join(root, 'monitoring.yaml'), 'utf8'), 'monitoring.yaml');
    const s = new MonitoringStack(new App(), 'stack', { spec: doc });
    expect(remoteWarnings(warningsOf(s))).toEqual([]);
    const np = s.node.findAll().find((n) => n instanceof NetworkPolicies) as NetworkPolicies;
    expect(np.flows.filter((f) => typeof f.to !== 'string' && f.to.external === 'remote')).toEqual([]);
    // Compared with the committed file on purpose: monitoring.yaml's policies are unchanged by the remote flows.
    expect(renderManifests(s).get('51-network-policies.yaml')).toBe(
      fs.readFileSync(path.join(root, 'dist', '51-network-policies.yaml'), 'utf8'),
    );
  });
});
