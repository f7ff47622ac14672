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
import { synth } from '../lib/synth';
import { specProblems } from '../lib/spec-problems';
import { warningsOf } from '../../charts/lib/warnings';

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
      namespace: object.metadata?.namespace, labels: podMetadata.labels, namedPorts, hostNetwork: podSpec.hostNetwork === true,
    };
  }
  return out;
}

function stack(spec: Record<string, unknown>) {
  const s = synth(spec);
  return { ...s, policies: new PolicySet(s.objects), ep: endpoints(s.objects), warnings: warningsOf(s.stack) };
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
    expect(stack({ ingress: { ...domain, tls: { clusterIssuer: 'letsencrypt-prod' } } }).policies.allowed({ from: ingressController, to: solverPod, port: 8089 })).toBe(true);
    expect(stack({ ingress: { ...domain, tls: { issuer: 'acme' } } }).policies.allowed({ from: ingressController, to: solverPod, port: 8089 })).toBe(true);
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

  test('no listed namespace: no annotation jobs and no egress; listed namespaces add to the services\'', () => {
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

  test('no CIDRs: open except link-local, with a synth warning naming the field, the components and the ports', () => {
    const { policies, ep, warnings } = stack({});
    for (const c of apiClients) expect([c, policies.allowed({ from: ep[c], to: ELSEWHERE, port: 443 })]).toEqual([c, true]);
    expect(policies.allowed({ from: ep.prometheus, to: ELSEWHERE, port: 10250 })).toBe(true);
    expect(warnings).toEqual([
      expect.stringMatching(/^spec\.networkPolicies\.apiServerCidrs is empty, so prometheus, .*kube-state-metrics.* may reach any address \(except link-local\) on TCP 443, 6443; set spec\.networkPolicies\.apiServerCidrs/),
      expect.stringMatching(/^spec\.networkPolicies\.nodeCidrs is empty, so prometheus may reach any address \(except link-local\) on TCP 10250, 9100/),
    ]);
  });

  test('CIDRs that are not strict, or link-local, are refused with the field named', () => {
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['10.0.0.300/32'] } })).toEqual([expect.stringContaining('spec.networkPolicies.apiServerCidrs[0]: "10.0.0.300" is not an IPv4 or IPv6 address')]);
    expect(specProblems({ networkPolicies: { nodeCidrs: ['10.0.0.0/40'] } })).toEqual([expect.stringContaining('spec.networkPolicies.nodeCidrs[0]: an IPv4 prefix length is at most 32')]);
    expect(specProblems({ networkPolicies: { nodeCidrs: ['192.168.10.7/24'] } })).toEqual([expect.stringContaining('write "192.168.10.0/24" for the network, or "192.168.10.7/32"')]);
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['169.254.169.254/32'] } })).toEqual([expect.stringContaining('is link-local')]);
    expect(specProblems({ networkPolicies: { apiServerCidrs: ['fd00::1/128', '10.0.0.0/8'] } })).toEqual([]);
  });
});

describe('Alertmanager egress follows its receivers', () => {
  const teams = { name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' } };

  test('Teams through the bridge only: Alertmanager has no Internet egress at all (the bridge has 443)', () => {
    const { policies, ep } = stack({ alerting: { receivers: [teams] } });
    for (const port of [25, 465, 587, 443]) expect([port, policies.allowed({ from: ep.alertmanager, to: SMTP, port })]).toEqual([port, false]);
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
      for (const port of [80, 443, 6443, 9100, 10250, 25, 587, 8080]) if (policies.allowed({ from: e, to: METADATA, port })) reached.push(`${name}:${port}`);
    }
    expect(reached).toEqual([]);
  });
});
