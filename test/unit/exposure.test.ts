/**
 * spec.ingress, the ACME ClusterIssuer and the Argo CD Application: what is
 * synthesized, strict validation of the custom resources (and proof the
 * validators reject bad ones), and the spec's error messages.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ARGOCD_APPLICATION_FILE } from '../../charts/components/argocd/construct';
import { ACME_SERVERS } from '../../charts/components/cluster-issuer/construct';
import { renderGitops, writeGitops } from '../../charts/app/output';
import { find, synth } from '../lib/synth';
import { specProblems } from '../lib/spec-problems';
import { validateObject } from '../lib/k8s-validate';
import { testTempDir } from '../lib/tmp';

const problemsOf = specProblems;

describe('Ingress', () => {
  test('no domain and no host: no Ingress', () => {
    expect(synth({}).objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
  });

  test('a domain exposes Grafana only, with TLS from the cluster issuer and long timeouts', () => {
    const { objects } = synth({ ingress: { domain: 'example.org', tls: { clusterIssuer: 'letsencrypt-prod' } } });
    expect(objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata?.name)).toEqual(['grafana']);
    const g = find(objects, 'Ingress', 'grafana');
    expect(g.metadata.namespace).toBe('monitoring');
    expect(g.spec.ingressClassName).toBe('nginx');
    expect(g.spec.rules).toEqual([
      {
        host: 'grafana.example.org',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { number: 3000 } } } }] },
      },
    ]);
    expect(g.spec.tls).toEqual([{ hosts: ['grafana.example.org'], secretName: 'grafana-tls' }]);
    expect(g.metadata.annotations).toMatchObject({
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '300',
    });
    expect(Object.keys(g.metadata.annotations).filter((k) => k.includes('auth'))).toEqual([]);
  });

  test('Prometheus and Alertmanager: no auth annotation (they enforce it themselves); hosts, Secret names and a namespaced issuer are settable', () => {
    const { objects } = synth({
      ingress: {
        grafana: { host: 'monitoring.example.org' },
        prometheus: { enabled: true, host: 'prom.example.org' },
        alertmanager: { enabled: true, host: 'alerts.example.org' },
        ingressClassName: 'nginx-internal',
        controller: 'ingress-nginx',
        tls: { issuer: 'internal-ca', secretNames: { prometheus: 'prom-cert' } },
      },
    });
    const p = find(objects, 'Ingress', 'prometheus');
    const a = find(objects, 'Ingress', 'alertmanager');
    expect(p.spec.ingressClassName).toBe('nginx-internal');
    expect(p.spec.rules[0].host).toBe('prom.example.org');
    expect(p.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'prometheus', port: { number: 9090 } });
    expect(a.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'alertmanager', port: { number: 9093 } });
    expect(p.spec.tls[0].secretName).toBe('prom-cert');
    expect(a.spec.tls[0].secretName).toBe('alertmanager-tls');
    expect(p.metadata.annotations).toMatchObject({
      'cert-manager.io/issuer': 'internal-ca',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
    });
    for (const i of [p, a]) expect(Object.keys(i.metadata.annotations).filter((k) => k.includes('auth'))).toEqual([]);
    expect(p.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(find(objects, 'Ingress', 'grafana').spec.rules[0].host).toBe('monitoring.example.org');
  });

  test("Grafana's domain and root URL default to its Ingress host", () => {
    const ini = (spec: Record<string, unknown>) => find(synth(spec).objects, 'ConfigMap', 'grafana-config').data['grafana.ini'] as string;
    expect(ini({ ingress: { domain: 'example.org' } })).toMatch(
      /domain = grafana\.example\.org\nroot_url = https:\/\/grafana\.example\.org\//,
    );
    expect(ini({ ingress: { domain: 'example.org', tls: { enabled: false } } })).toContain('root_url = http://grafana.example.org/');
    expect(ini({ ingress: { grafana: { host: 'monitoring.example.org' } }, grafana: { domain: 'monitoring.example.org' } })).toContain(
      'root_url = https://monitoring.example.org/',
    );
    expect(ini({})).toContain('root_url = http://localhost:3000/');
  });

  test("Alertmanager's external URL (links in notifications) follows its Ingress unless set", () => {
    const arg = (spec: Record<string, unknown>) =>
      (find(synth(spec).objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args as string[]).find((a) =>
        a.startsWith('--web.external-url='),
      );
    expect(arg({})).toBe('--web.external-url=http://alertmanager.monitoring.svc:9093');
    expect(arg({ ingress: { domain: 'example.org', alertmanager: { enabled: true } } })).toBe(
      '--web.external-url=https://alertmanager.example.org/',
    );
    expect(
      arg({
        ingress: { domain: 'example.org', alertmanager: { enabled: true } },
        alerting: { alertmanager: { externalUrl: 'https://am.internal.example.org/' } },
      }),
    ).toBe('--web.external-url=https://am.internal.example.org/');
  });

  test('tls.enabled: false serves plain HTTP without redirects or issuer', () => {
    const g = find(synth({ ingress: { domain: 'example.org', tls: { enabled: false } } }).objects, 'Ingress', 'grafana');
    expect(g.spec.tls).toBeUndefined();
    expect(Object.keys(g.metadata.annotations).filter((k) => /ssl-redirect|cert-manager/.test(k))).toEqual([]);
  });

  test.each([
    [{ ingress: { prometheus: { enabled: true } } }, /spec\.ingress\.prometheus\.host: required when prometheus\.enabled is true/],
    [
      { ingress: { prometheus: { host: 'p.example.org' } } },
      /spec\.ingress\.prometheus\.enabled: prometheus\.host is set but prometheus\.enabled is false/,
    ],
    [
      { ingress: { prometheus: { enabled: true, host: 'p.example.org' } } },
      /spec\.ingress\.grafana\.host: required when Prometheus or Alertmanager is exposed/,
    ],
    [{ ingress: { domain: 'https://example.org' } }, /spec\.ingress\.domain: expected a lowercase DNS name/],
    [
      { ingress: { domain: 'example.org', tls: { clusterIssuer: 'a', issuer: 'b' } } },
      /spec\.ingress\.tls\.issuer: set either tls\.clusterIssuer or tls\.issuer/,
    ],
    [
      { ingress: { domain: 'example.org', tls: { clusterIssuer: 'other', createClusterIssuer: { email: 'ops@example.org' } } } },
      /creates "letsencrypt-staging" but tls\.clusterIssuer names "other"/,
    ],
    [
      { ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'not-an-email' } } } },
      /spec\.ingress\.tls\.createClusterIssuer\.email: expected an e-mail address/,
    ],
    [
      { ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org', server: 'prodution' } } } },
      /spec\.ingress\.tls\.createClusterIssuer\.server: expected "staging" or "production", found "prodution"; did you mean "production"/,
    ],
    [{ networkPolicies: { enabeld: false } }, /spec\.networkPolicies\.enabeld: unknown field; did you mean "enabled"/],
    [{ networkPolicies: { apiServerCidrs: ['10.0.0.1'] } }, /spec\.networkPolicies\.apiServerCidrs\[0\]: expected a CIDR/],
    [
      { gitops: { argocd: { repoURL: 'https://deploy:hunter2@git.example.org/ops/monitoring.git' } } },
      /spec\.gitops\.argocd\.repoURL: holds a URL with an embedded password/,
    ],
    [{ gitops: { argocd: { path: 'dist' } } }, /spec\.gitops\.argocd\.repoURL: required field is missing/],
    [
      { ingress: { domain: 'example.org' }, grafana: { domain: 'dashboards.example.org' } },
      /spec\.grafana\.domain: "dashboards\.example\.org" differs from Grafana's Ingress host "grafana\.example\.org"/,
    ],
  ])('spec error %#', (spec, re) => {
    expect(problemsOf(spec).join('\n')).toMatch(re);
  });
});

describe('ACME ClusterIssuer', () => {
  test('created on request, in 90-cluster-issuer.yaml, HTTP-01 through the ingress class, strictly valid', () => {
    const s = synth({
      ingress: {
        domain: 'example.org',
        ingressClassName: 'public',
        controller: 'ingress-nginx',
        tls: { createClusterIssuer: { email: 'ops@example.org', server: 'production' } },
      },
    });
    const issuer = find(s.objects, 'ClusterIssuer', 'letsencrypt-production');
    expect(issuer.spec.acme).toEqual({
      server: ACME_SERVERS.production,
      email: 'ops@example.org',
      privateKeySecretRef: { name: 'letsencrypt-production-account-key' },
      solvers: [{ http01: { ingress: { ingressClassName: 'public' } } }],
    });
    expect(fs.readdirSync(s.dir)).toContain('90-cluster-issuer.yaml');
    expect(find(s.objects, 'Ingress', 'grafana').metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-production');
    expect(validateObject(issuer)).toEqual([]);
  });

  test('staging by default; no ClusterIssuer unless asked', () => {
    const s = synth({ ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } } });
    expect(find(s.objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.server).toBe(ACME_SERVERS.staging);
    expect(synth({ ingress: { domain: 'example.org' } }).objects.filter((o) => o.kind === 'ClusterIssuer')).toEqual([]);
  });

  test('the validator rejects an unknown field and a missing required one', () => {
    const s = synth({ ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } } });
    const issuer = find(s.objects, 'ClusterIssuer', 'letsencrypt-staging');
    const typo = structuredClone(issuer);
    typo.spec.acme.solvers[0].http01.ingress.ingressClass_Name = 'x';
    expect(validateObject(typo).join()).toMatch(/spec\.acme\.solvers\[0\]\.http01\.ingress\.ingressClass_Name: unknown field/);
    const missing = structuredClone(issuer);
    delete missing.spec.acme.server;
    expect(validateObject(missing).join()).toMatch(/must have required property server/);
    const badMeta = structuredClone(issuer);
    badMeta.metadata.labelz = {};
    expect(validateObject(badMeta).join()).toMatch(/metadata\.labelz: unknown field/);
  });
});

describe('Argo CD Application', () => {
  const spec = {
    gitops: { argocd: { repoURL: 'https://git.example.org/ops/monitoring.git', targetRevision: 'release', path: 'deploy/dist' } },
  };

  test('points at the repository, with automated sync, prune, self-heal, CreateNamespace and ServerSideApply', () => {
    const { stack } = synth(spec);
    const files = renderGitops(stack);
    expect([...files.keys()]).toEqual([ARGOCD_APPLICATION_FILE]);
    const app = parse(files.get(ARGOCD_APPLICATION_FILE) as string);
    expect(app.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(app.kind).toBe('Application');
    expect(app.metadata.name).toBe('test-stack'); // = app.kubernetes.io/instance of every object (label tracking)
    expect(app.metadata.namespace).toBe('argocd');
    expect(app.spec.project).toBe('default');
    expect(app.spec.source).toEqual({
      repoURL: 'https://git.example.org/ops/monitoring.git',
      targetRevision: 'release',
      path: 'deploy/dist',
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'monitoring' });
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['CreateNamespace=true', 'ServerSideApply=true']));
    expect(validateObject(app)).toEqual([]);
  });

  test("the instance label Argo CD's label tracking writes equals the one the stack sets", () => {
    const { stack, objects } = synth(spec);
    const app = parse(renderGitops(stack).get(ARGOCD_APPLICATION_FILE) as string);
    for (const o of objects) {
      const instance = (o.metadata?.labels as Record<string, string> | undefined)?.['app.kubernetes.io/instance'];
      expect([o.kind, o.metadata?.name, instance]).toEqual([o.kind, o.metadata?.name, app.metadata.name]);
    }
  });

  test('written beside dist/, removed when the spec drops it; never in dist/', () => {
    const tmp = testTempDir('gitops-');
    const out = path.join(tmp, 'dist');
    const withApp = synth(spec);
    expect(writeGitops(out, renderGitops(withApp.stack))).toEqual([path.join(tmp, ARGOCD_APPLICATION_FILE)]);
    expect(fs.existsSync(path.join(tmp, 'gitops', 'argocd-application.yaml'))).toBe(true);
    expect(withApp.objects.filter((o) => o.kind === 'Application')).toEqual([]);
    writeGitops(out, renderGitops(synth({}).stack));
    expect(fs.existsSync(path.join(tmp, 'gitops', 'argocd-application.yaml'))).toBe(false);
  });

  test('the validator rejects an unknown field and a missing project', () => {
    const app = parse(renderGitops(synth(spec).stack).get(ARGOCD_APPLICATION_FILE) as string);
    const typo = structuredClone(app);
    typo.spec.syncPolicy.automated.selfHeals = true;
    expect(validateObject(typo).join()).toMatch(/spec\.syncPolicy\.automated\.selfHeals: unknown field/);
    const missing = structuredClone(app);
    delete missing.spec.project;
    expect(validateObject(missing).join()).toMatch(/must have required property project/);
  });
});
