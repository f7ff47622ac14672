/**
 * Issue 17, items 1 and 2: spec.exposure (ingress with any controller, or
 * Gateway API), custom resources strictly valid against their CRDs (and proof
 * the validators reject bad ones), controller extras only for the declared
 * controller, NetworkPolicies that follow the controller, and the guarantee
 * that no spec exposes Prometheus or Alertmanager without authentication.
 */
import * as path from 'path';
import { INGRESS_NGINX_RETIRED } from '../../charts/components/ingress/construct';
import { readManifests } from '../lib/dist';
import type { K8sObject } from '../lib/k8s-validate';
import { validateObject } from '../lib/k8s-validate';
import { PolicySet } from '../lib/netpol';
import { specProblems } from '../lib/spec-problems';
import { find, synth } from '../lib/synth';

const HOSTS = { domain: 'example.org', prometheus: { enabled: true }, alertmanager: { enabled: true } };
const ACME = { createClusterIssuer: { email: 'ops@example.org' } };
const filesOf = (dir: string) => readManifests(dir).map((d) => ({ file: d.file, kind: d.object.kind, name: d.object.metadata?.name }));
const allValid = (objects: K8sObject[]) => objects.flatMap((o) => validateObject(o));

describe('Gateway API: a Gateway the stack creates', () => {
  const s = synth({ exposure: 'gateway', gateway: { create: { gatewayClassName: 'eg' } }, ingress: { ...HOSTS, tls: ACME } });

  test("Gateway: HTTP listener plus one HTTPS listener per host, TLS Secrets from cert-manager's gateway-shim annotation", () => {
    const g = find(s.objects, 'Gateway', 'monitoring');
    expect(g.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(g.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt-staging',
      'argocd.argoproj.io/sync-wave': '2',
      'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
    });
    expect(g.spec.gatewayClassName).toBe('eg');
    expect(g.spec.listeners.map((l: any) => [l.name, l.protocol, l.port, l.hostname, l.tls?.certificateRefs?.[0]?.name])).toEqual([
      ['http', 'HTTP', 80, undefined, undefined],
      ['https-grafana', 'HTTPS', 443, 'grafana.example.org', 'grafana-tls'],
      ['https-prometheus', 'HTTPS', 443, 'prometheus.example.org', 'prometheus-tls'],
      ['https-alertmanager', 'HTTPS', 443, 'alertmanager.example.org', 'alertmanager-tls'],
    ]);
  });

  test('one HTTPRoute per UI on its HTTPS listener, and the HTTP->HTTPS redirect route', () => {
    const p = find(s.objects, 'HTTPRoute', 'prometheus');
    expect(p.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'monitoring', sectionName: 'https-prometheus' }],
      hostnames: ['prometheus.example.org'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'prometheus', port: 9090, weight: 1 }],
        },
      ],
    });
    const r = find(s.objects, 'HTTPRoute', 'https-redirect');
    expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'monitoring', sectionName: 'http' }]);
    expect(r.spec.hostnames).toEqual(['grafana.example.org', 'prometheus.example.org', 'alertmanager.example.org']);
    expect(r.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
      },
    ]);
    expect(s.objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
  });

  test("HTTP-01 through cert-manager's gatewayHTTPRoute solver on the Gateway's HTTP listener", () => {
    expect(find(s.objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers).toEqual([
      {
        http01: {
          gatewayHTTPRoute: {
            parentRefs: [
              { group: 'gateway.networking.k8s.io', name: 'monitoring', namespace: 'monitoring', kind: 'Gateway', sectionName: 'http' },
            ],
          },
        },
      },
    ]);
  });

  test('every object strictly valid (custom resources against their CRDs), custom resources in the last files', () => {
    expect(allValid(s.objects)).toEqual([]);
    const files = filesOf(s.dir);
    for (const f of files.filter((x) => ['Gateway', 'HTTPRoute'].includes(x.kind))) expect(f.file).toBe('92-gateway.yaml');
    expect(files.find((f) => f.kind === 'NetworkPolicy' && f.name === 'gateway-monitoring')?.file).toBe('52-gateway-network-policy.yaml');
  });

  test("NetworkPolicies: the Gateway's proxies (GEP-1762 label) reach the UIs; nothing else from outside does", () => {
    const policies = new PolicySet(s.objects);
    const proxy = { namespace: 'monitoring', labels: { 'gateway.networking.k8s.io/gateway-name': 'monitoring' } };
    const pod = (name: string) => ({
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'test-stack' },
    });
    expect(policies.allowed({ from: proxy, to: pod('prometheus'), port: 9090 })).toBe(true);
    expect(policies.allowed({ from: proxy, to: pod('grafana'), port: 3000 })).toBe(true);
    expect(policies.allowed({ from: { namespace: 'internet', labels: {} }, to: proxy, port: 8443 })).toBe(true);
    expect(policies.allowed({ from: proxy, to: pod('loki'), port: 3100 })).toBe(false);
    expect(
      policies.allowed({
        from: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        to: pod('prometheus'),
        port: 9090,
      }),
    ).toBe(false);
  });
});

describe("Gateway API: the user's Gateway", () => {
  const s = synth({
    exposure: 'gateway',
    gateway: { parentRefs: [{ name: 'shared', namespace: 'gateway-system', sectionName: 'https' }] },
    ingress: { ...HOSTS, tls: ACME },
  });

  test("HTTPRoutes attach to the named Gateway; no Gateway, no redirect route (the user's Gateway owns TLS and redirects)", () => {
    expect(s.objects.filter((o) => o.kind === 'Gateway')).toEqual([]);
    expect(s.objects.filter((o) => o.kind === 'HTTPRoute').map((o) => o.metadata?.name)).toEqual(['grafana', 'prometheus', 'alertmanager']);
    expect(find(s.objects, 'HTTPRoute', 'grafana').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared', namespace: 'gateway-system', sectionName: 'https' },
    ]);
    expect(find(s.objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', name: 'shared', namespace: 'gateway-system', kind: 'Gateway' },
    ]);
    expect(allValid(s.objects)).toEqual([]);
  });

  test("NetworkPolicies let the Gateway's namespace reach the UIs", () => {
    const policies = new PolicySet(s.objects);
    const to = {
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/instance': 'test-stack' },
    };
    expect(policies.allowed({ from: { namespace: 'gateway-system', labels: { any: 'pod' } }, to, port: 9093 })).toBe(true);
    expect(
      policies.allowed({ from: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, to, port: 9093 }),
    ).toBe(false);
  });
});

describe('Ingress with any controller', () => {
  test('Traefik: no nginx annotations; HTTPS routers on websecure, HTTP redirected through a RedirectScheme Middleware (strictly valid, CRD file)', () => {
    const s = synth({ ingress: { ...HOSTS, ingressClassName: 'traefik', tls: ACME } });
    const all = s.objects.filter((o) => o.kind === 'Ingress');
    expect(all.map((o) => o.metadata?.name)).toEqual([
      'grafana',
      'grafana-http-redirect',
      'prometheus',
      'prometheus-http-redirect',
      'alertmanager',
      'alertmanager-http-redirect',
    ]);
    for (const i of all) expect(Object.keys(i.metadata?.annotations ?? {}).filter((k) => k.startsWith('nginx.'))).toEqual([]);
    const p = find(s.objects, 'Ingress', 'prometheus');
    expect(p.metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
      'traefik.ingress.kubernetes.io/router.tls': 'true',
    });
    expect(find(s.objects, 'Ingress', 'prometheus-http-redirect').metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
      'traefik.ingress.kubernetes.io/router.middlewares': 'monitoring-redirect-https@kubernetescrd',
    });
    const m = find(s.objects, 'Middleware', 'redirect-https');
    expect(m).toMatchObject({ apiVersion: 'traefik.io/v1alpha1', spec: { redirectScheme: { scheme: 'https', permanent: true } } });
    expect(filesOf(s.dir).find((f) => f.kind === 'Middleware')?.file).toBe('91-traefik-middlewares.yaml');
    expect(allValid(s.objects)).toEqual([]);
    expect(s.stack.warnings.filter((w) => w.startsWith('spec.ingress'))).toEqual([]);
    // Traefik lives in kube-system on k3s: its pods, and only them, reach the UIs.
    const policies = new PolicySet(s.objects);
    const to = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'test-stack' } };
    expect(policies.allowed({ from: { namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'traefik' } }, to, port: 9090 })).toBe(
      true,
    );
    expect(policies.allowed({ from: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, to, port: 9090 })).toBe(false);
  });

  test('ingress-nginx: its annotations, and a synth warning that it is retired', () => {
    const s = synth({ ingress: HOSTS });
    expect(find(s.objects, 'Ingress', 'grafana').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
    });
    expect(s.stack.warnings.filter((w) => w.startsWith('spec.ingress'))).toEqual([INGRESS_NGINX_RETIRED]);
    expect(INGRESS_NGINX_RETIRED).toMatch(/retired in March 2026/);
  });

  test('another controller: portable Ingresses only, a warning about the redirect, and its namespace is required for the NetworkPolicies', () => {
    expect(specProblems({ ingress: { ...HOSTS, ingressClassName: 'haproxy' } })).toEqual([
      expect.stringMatching(/^spec\.networkPolicies\.ingressControllerNamespaceSelector: required with spec\.ingress\.controller "other"/),
    ]);
    const s = synth({
      ingress: { ...HOSTS, ingressClassName: 'haproxy' },
      networkPolicies: { ingressControllerNamespaceSelector: { 'kubernetes.io/metadata.name': 'haproxy' } },
    });
    for (const i of s.objects.filter((o) => o.kind === 'Ingress') as any[]) {
      expect(
        Object.keys(i.metadata?.annotations ?? {}).filter((k) => !k.startsWith('cert-manager.io/') && !k.startsWith('argocd.')),
      ).toEqual([]);
      expect(i.spec.ingressClassName).toBe('haproxy');
    }
    expect(s.stack.warnings.join()).toMatch(/configure the HTTP->HTTPS redirect/);
  });
});

describe('spec errors', () => {
  test.each([
    [{ exposure: 'gateway', ingress: HOSTS }, /^spec\.gateway: spec\.exposure is "gateway": set gateway\.parentRefs/],
    [
      { exposure: 'gateway', ingress: HOSTS, gateway: { parentRefs: [{ name: 'a' }], create: { gatewayClassName: 'x' } } },
      /^spec\.gateway\.create: set either gateway\.parentRefs or gateway\.create/,
    ],
    [
      { ingress: HOSTS, gateway: { create: { gatewayClassName: 'x' } } },
      /^spec\.gateway: spec\.gateway is set but spec\.exposure is not "gateway"/,
    ],
    [{ exposure: 'gatway' }, /^spec\.exposure: expected "ingress" or "gateway", found "gatway"/],
    [
      { ingress: { ...HOSTS, controller: 'nginx' } },
      /^spec\.ingress\.controller: expected one of ingress-nginx, traefik, other, found "nginx"/,
    ],
    [{ webAuth: { enabled: false } }, /^spec\.webAuth\.enabled: unknown field/],
    [
      { ingress: { ...HOSTS, prometheus: { enabled: true, basicAuthSecretName: 'x' } } },
      /^spec\.ingress\.prometheus\.basicAuthSecretName: unknown field/,
    ],
    [{ webAuth: { username: 'a:b' } }, /^spec\.webAuth\.username: expected a user name/],
  ])('%j', (spec, message) => {
    expect(specProblems(spec)).toEqual([expect.stringMatching(message)]);
  });
});

describe('the CRD validators can fail', () => {
  const s = synth({ exposure: 'gateway', gateway: { create: { gatewayClassName: 'eg' } }, ingress: { ...HOSTS, tls: ACME } });
  test('unknown field, wrong enum, wrong type', () => {
    const route = structuredClone(find(s.objects, 'HTTPRoute', 'grafana'));
    route.spec.rules[0].backendRef = route.spec.rules[0].backendRefs;
    expect(validateObject(route).join()).toMatch(/backendRef/);
    const gw = structuredClone(find(s.objects, 'Gateway', 'monitoring'));
    gw.spec.listeners[1].tls.mode = 'Terminated';
    expect(validateObject(gw).join()).toMatch(/allowed values|enum/);
    const redirect = structuredClone(find(s.objects, 'HTTPRoute', 'https-redirect'));
    redirect.spec.rules[0].filters[0].requestRedirect.statusCode = '301';
    expect(validateObject(redirect).join()).toMatch(/integer|type/);
    const t = synth({ ingress: { ...HOSTS, ingressClassName: 'traefik' } });
    const m = structuredClone(find(t.objects, 'Middleware', 'redirect-https'));
    m.spec.redirectSchema = m.spec.redirectScheme;
    expect(validateObject(m).join()).toMatch(/redirectSchema/);
  });
});

/**
 * Whatever the controller or Gateway: every route to Prometheus or
 * Alertmanager (Ingress, HTTPRoute, Service) ends at pods that enforce basic
 * auth themselves from a mounted, non-optional Secret, and that never become
 * Ready (so receive no routed traffic) when the web config lets anonymous
 * requests through.
 */
describe('no spec exposes Prometheus or Alertmanager without authentication', () => {
  const SPECS: [string, Record<string, unknown>][] = [
    ['default spec', {}],
    ['ingress-nginx', { ingress: HOSTS }],
    ['ingress-nginx, no TLS, no NetworkPolicies', { ingress: { ...HOSTS, tls: { enabled: false } }, networkPolicies: { enabled: false } }],
    ['traefik', { ingress: { ...HOSTS, ingressClassName: 'traefik', tls: ACME } }],
    [
      'any other class',
      {
        ingress: { ...HOSTS, ingressClassName: 'haproxy' },
        networkPolicies: { ingressControllerNamespaceSelector: { 'kubernetes.io/metadata.name': 'haproxy' } },
      },
    ],
    [
      'an nginx class declared other',
      {
        ingress: { ...HOSTS, controller: 'other' },
        networkPolicies: { ingressControllerNamespaceSelector: { 'kubernetes.io/metadata.name': 'x' } },
      },
    ],
    ['Gateway created', { exposure: 'gateway', gateway: { create: { gatewayClassName: 'eg' } }, ingress: { ...HOSTS, tls: ACME } }],
    [
      'Gateway created, no TLS',
      { exposure: 'gateway', gateway: { create: { gatewayClassName: 'eg' } }, ingress: { ...HOSTS, tls: { enabled: false } } },
    ],
    ['user Gateway', { exposure: 'gateway', gateway: { parentRefs: [{ name: 'shared', namespace: 'gw' }] }, ingress: HOSTS }],
    [
      'replicas and a custom Secret',
      {
        ingress: HOSTS,
        prometheus: { replicas: 2 },
        alerting: { alertmanager: { replicas: 3 } },
        webAuth: { secretName: 'ops-auth', username: 'ops', passwordKey: 'pw', webConfigKey: 'web.yml' },
      },
    ],
  ];

  test.each(SPECS)('%s', (_name, spec) => {
    const objects = synth(spec).objects as any[];
    const auth = { secretName: 'monitoring-web-auth', webConfigKey: 'web-config.yml', ...((spec.webAuth as object) ?? {}) };
    // Where traffic for 9090/9093 can go: Services (Ingress and HTTPRoute backends are Services).
    const backends = new Set<string>();
    for (const o of objects) {
      if (o.kind === 'Ingress') for (const r of o.spec.rules) for (const p of r.http.paths) backends.add(p.backend.service.name);
      if (o.kind === 'HTTPRoute') for (const r of o.spec.rules) for (const b of r.backendRefs ?? []) backends.add(b.name);
    }
    for (const b of backends) expect(objects.some((o) => o.kind === 'Service' && o.metadata?.name === b)).toBe(true);
    const pods = objects.filter((o) => ['StatefulSet', 'Deployment', 'DaemonSet'].includes(o.kind));
    const guarded = new Set<string>();
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      const ports: number[] = svc.spec.ports.map((p: { port: number }) => p.port);
      const sel = svc.spec.selector ?? {};
      for (const w of pods.filter((p) => Object.entries(sel).every(([k, v]) => p.spec.template.metadata.labels?.[k] === v))) {
        for (const c of w.spec.template.spec.containers) {
          const serves = (c.ports ?? []).some((p: { containerPort: number }) => [9090, 9093].includes(p.containerPort) && ports.length > 0);
          if (!serves) continue;
          // The container enforces basic auth from the Secret's web config, mounted from a non-optional Secret volume.
          const arg = c.args.find((a: string) => a.startsWith('--web.config.file='));
          expect(arg).toBe(`--web.config.file=/etc/web-auth/${auth.webConfigKey}`);
          const mount = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/etc/web-auth');
          const vol = w.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
          expect(vol.secret).toMatchObject({ secretName: auth.secretName, optional: false });
          expect(vol.secret.items.map((i: { key: string }) => i.key)).toContain(auth.webConfigKey);
          // Never Ready (no routed traffic) when anonymous requests pass; no HTTP probe could carry credentials.
          expect(c.readinessProbe.exec.command.join(' ')).toMatch(/answers an anonymous request/);
          expect(JSON.stringify(c)).not.toMatch(/httpHeaders|Authorization: Basic [A-Za-z0-9+/=]{8}/);
          guarded.add(w.metadata?.name as string);
        }
      }
    }
    expect([...guarded].sort()).toEqual(['alertmanager', 'prometheus']);
    // No Ingress or HTTPRoute relies on a controller annotation for authentication.
    for (const o of objects.filter((x) => ['Ingress', 'HTTPRoute'].includes(x.kind))) {
      expect(Object.keys(o.metadata?.annotations ?? {}).filter((k) => /auth/.test(k))).toEqual([]);
    }
    // Every client of the two servers logs in with the password from the Secret, never a literal.
    const promYml = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'prometheus-config')?.data[
      'prometheus.yml'
    ] as string;
    expect(promYml).not.toMatch(/\bpassword:/);
    expect(JSON.stringify(objects)).not.toMatch(/\$2[aby]\$/);
  });
});

describe('examples/exposure-*.yaml', () => {
  const fs = require('fs') as typeof import('fs');
  const dir = path.join(__dirname, '..', '..', 'examples');
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^exposure-.*\.yaml$/.test(f))
    .sort();
  test('both exposure modes have examples', () => {
    expect(files).toEqual([
      'exposure-gateway-shared.yaml',
      'exposure-gateway.yaml',
      'exposure-ingress-any.yaml',
      'exposure-ingress-traefik.yaml',
    ]);
  });
  test.each(files)('%s synthesizes strictly valid (custom resources against their CRDs)', (file) => {
    const { parseSpecYaml } = require('../../charts/spec-load') as typeof import('../../charts/spec-load');
    const parsed = parseSpecYaml(fs.readFileSync(path.join(dir, file), 'utf8'), file);
    const s = synth(parsed.spec);
    expect(allValid(s.objects)).toEqual([]);
    expect(s.objects.filter((o) => ['Ingress', 'HTTPRoute'].includes(o.kind)).length).toBeGreaterThan(0);
  });
});

describe('clients of Prometheus and Alertmanager log in by Secret reference', () => {
  const objects = synth({ loki: { ruler: { enabled: true } }, webAuth: { secretName: 'ops-auth', passwordKey: 'pw' } }).objects as any[];
  test('Grafana: basicAuth datasources, the password through $__file{} from the mounted key only (Grafana expands every "$")', () => {
    const text = find(objects, 'ConfigMap', 'grafana-datasources').data['datasources.yaml'] as string;
    const { parse } = require('yaml') as typeof import('yaml');
    const ds = parse(text).datasources as any[];
    for (const uid of ['prometheus', 'alertmanager']) {
      expect(ds.find((d) => d.uid === uid)).toMatchObject({
        basicAuth: true,
        basicAuthUser: 'monitoring',
        secureJsonData: { basicAuthPassword: '$__file{/etc/web-auth/pw}' },
      });
    }
    expect(ds.find((d) => d.uid === 'loki').basicAuth).toBeUndefined();
    expect(text.match(/\$/g)).toHaveLength(2);
    const pod = find(objects, 'Deployment', 'grafana').spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'web-auth').secret).toEqual({
      secretName: 'ops-auth',
      optional: false,
      items: [{ key: 'pw', path: 'pw' }],
    });
  });
  test('no password or hash in any ConfigMap, Secret data or pod spec the stack writes', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/basic_auth_password":"[^$]|"password":|\$2[aby]\$/);
  });
});
