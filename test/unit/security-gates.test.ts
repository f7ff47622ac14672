/**
 * Security gates over every object of monitoring.yaml (dist/ and gitops/, synthesized
 * by the test), over a stack with every option on, and proof that each gate fails on a bad object.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  allGateProblems,
  API_CLIENTS,
  containerHardeningProblems,
  EXEMPTIONS,
  hostAccessProblems,
  imageProblems,
  rbacProblems,
  secretLiteralProblems,
  tokenMountProblems,
} from '../lib/gates';
import type { K8sObject } from '../lib/k8s-validate';
import { synth, synthFile } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const FULL_SPEC = {
  services: [{ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'vllm' }, port: 'http' }],
  ingress: {
    domain: 'example.org',
    prometheus: { enabled: true },
    alertmanager: { enabled: true },
    tls: { createClusterIssuer: { email: 'ops@example.org', server: 'staging' } },
  },
  gitops: { argocd: { repoURL: 'https://git.example.org/ops/monitoring.git' } },
  loki: { ruler: { enabled: true } },
  gpu: { profilingMetrics: true },
  operator: { enabled: true, replicas: 2 },
  alerting: { receivers: [{ name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'alertmanager-msteams', key: 'webhook-url' } }] },
};

describe('security gates', () => {
  test('dist/ and gitops/ of monitoring.yaml pass every gate', () => {
    const objects = [...synthFile().objects, ...synthFile().gitopsObjects];
    expect(objects.length).toBeGreaterThan(10);
    expect(allGateProblems(objects)).toEqual([]);
  });

  test.each(['promtail', 'alloy'])('a stack with every option on passes every gate (%s)', (collector) => {
    expect(allGateProblems(synth({ ...FULL_SPEC, logs: { collector } }).objects)).toEqual([]);
  });

  test('every exemption and API client has a reason', () => {
    for (const [component, ex] of Object.entries(EXEMPTIONS)) {
      for (const reason of [ex.runAsRoot, ex.hostAccess, ...Object.values(ex.capabilities ?? {})]) {
        if (reason !== undefined) expect(`${component}: ${reason}`.length).toBeGreaterThan(component.length + 20);
      }
    }
    for (const reason of Object.values(API_CLIENTS)) expect(reason.length).toBeGreaterThan(20);
  });

  test('every root, capability or host-access exception in the constructs carries a comment saying why', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.ts')) files.push(path.join(d, e.name));
      }
    };
    walk(path.join(ROOT, 'charts'));
    const missing: string[] = [];
    for (const f of files.filter((x) => !x.endsWith(path.join('lib', 'workload.ts')))) {
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/runAsRoot: true|addCapabilities:|hostNetwork: true|hostPid: true|privileged: true/.test(line)) return;
        const context = lines.slice(Math.max(0, i - 6), i + 1).join('\n');
        if (!/\/\/|\/\*|\*\s/.test(context)) missing.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(missing).toEqual([]);
  });
});

/** A Deployment that passes every gate; tests break one thing at a time. */
function goodDeployment(
  over: { pod?: Record<string, unknown>; container?: Record<string, unknown>; name?: string; namespace?: string } = {},
): K8sObject {
  const name = over.name ?? 'grafana';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: over.namespace ?? 'monitoring', labels: { 'app.kubernetes.io/name': name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 472, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name,
              image: 'docker.io/grafana/grafana:12.2.0',
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              readinessProbe: { httpGet: { path: '/api/health', port: 3000 } },
              livenessProbe: { httpGet: { path: '/api/health', port: 3000 } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              ...over.container,
            },
          ],
          ...over.pod,
        },
      },
    },
  };
}

const restrictedNs: K8sObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'monitoring', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
};
const cm = (data: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'monitoring' },
  data,
});

describe('each gate fails on a bad object', () => {
  test('the good fixture passes every gate', () => {
    expect(allGateProblems([restrictedNs, goodDeployment()])).toEqual([]);
  });

  test.each([
    [
      'a Teams webhook URL in a config file',
      cm({
        'alertmanager.yml':
          'receivers:\n  - name: teams\n    webhook_configs:\n      - url: https://contoso.webhook.office.com/webhookb2/abc\n',
      }),
      /Microsoft Teams webhook/,
    ],
    [
      'a password in an INI file',
      cm({ 'grafana.ini': '[security]\nadmin_user = admin\nadmin_password = YourSecurePassword2025!\n' }),
      /admin_password/,
    ],
    ['an SMTP password in YAML', cm({ 'alertmanager.yml': 'global:\n  smtp_auth_password: hunter2\n' }), /smtp_auth_password/],
    [
      'a bearer token field',
      cm({ 'datasource.yaml': 'apiVersion: 1\ndatasources:\n  - name: x\n    secureJsonData:\n      token: abc123\n' }),
      /token/,
    ],
    [
      'an htpasswd entry',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'auth', namespace: 'monitoring' },
        stringData: { auth: 'admin:$apr1$Ah2Gd9y1$Kq6Qbqk1a0N6lCN6QfXlV/' },
      },
      /htpasswd/,
    ],
    [
      'an htpasswd entry in base64 data',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'auth', namespace: 'monitoring' },
        data: { auth: Buffer.from('admin:$2y$05$abcdefghijklmnopqrstuuJ3TzE9kGmLvx1j4n3fGkqQwS6e8Yx3W\n').toString('base64') },
      },
      /htpasswd/,
    ],
    ['a private key', cm({ 'tls.key': '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n' }), /private key/],
    ['a URL with a password', cm({ url: 'https://admin:s3cret@grafana.example.com/' }), /embedded password/],
    [
      'a literal password in an environment variable',
      goodDeployment({ container: { env: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', value: 'admin' }] } }),
      /GF_SECURITY_ADMIN_PASSWORD/,
    ],
  ])('secret literals: %s', (_n, obj, re) => {
    const problems = secretLiteralProblems([obj]);
    expect(problems.join('\n')).toMatch(re);
  });

  test('a Teams webhook URL in an environment variable fails; a boolean flag named like a webhook passes', () => {
    expect(
      secretLiteralProblems([
        goodDeployment({ container: { env: [{ name: 'TEAMS_WEBHOOK_URL', value: 'https://example.org/hook/abc' }] } }),
      ]).join(),
    ).toMatch(/TEAMS_WEBHOOK_URL/);
    expect(secretLiteralProblems([goodDeployment({ container: { env: [{ name: 'WORKFLOW_WEBHOOK', value: 'true' }] } })])).toEqual([]);
  });

  test('secret references pass: secretKeyRef, $__file{}, ${VAR}, file paths, Secret names', () => {
    expect(
      secretLiteralProblems([
        goodDeployment({
          container: {
            env: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'password' } } }],
          },
        }),
        cm({
          'grafana.ini': '[security]\nadmin_password = $__file{/etc/secrets/admin-password}\n',
          'am.yml':
            'global:\n  smtp_auth_password_file: /etc/am/smtp\nreceivers:\n  - name: x\n    webhook_configs:\n      - url_file: /etc/am/url\n',
          'ds.yaml': 'datasources:\n  - secureJsonData:\n      basicAuthPassword: ${PROM_PASSWORD}\n',
        }),
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'p', annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'prometheus-basic-auth' } },
        },
      ]),
    ).toEqual([]);
  });

  test.each([
    ['latest', 'grafana/grafana:latest'],
    ['no tag', 'grafana/grafana'],
    ['a registry port but no tag', 'registry.local:5000/grafana/grafana'],
  ])('images: %s', (_n, image) => {
    expect(imageProblems([goodDeployment({ container: { image } })])).toHaveLength(1);
  });

  test('images: a digest is pinned', () => {
    expect(imageProblems([goodDeployment({ container: { image: `grafana/grafana@sha256:${'a'.repeat(64)}` } })])).toEqual([]);
  });

  test.each([
    ['no resources', { resources: undefined }, /no requests\.cpu/],
    ['no limits.memory', { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } } }, /no limits\.memory/],
    ['no readiness probe', { readinessProbe: undefined }, /no readinessProbe/],
    ['no liveness probe', { livenessProbe: undefined }, /no livenessProbe/],
    [
      'privilege escalation',
      { securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } },
      /allowPrivilegeEscalation/,
    ],
    [
      'privileged',
      { securityContext: { allowPrivilegeEscalation: false, privileged: true, capabilities: { drop: ['ALL'] } } },
      /privileged/,
    ],
    ['capabilities not dropped', { securityContext: { allowPrivilegeEscalation: false } }, /drop ALL/],
    [
      'an undocumented capability',
      { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } },
      /NET_ADMIN/,
    ],
    ['root', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 0 } }, /non-root/],
    [
      'seccomp Unconfined',
      { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'Unconfined' } } },
      /seccompProfile is Unconfined/,
    ],
  ])('container hardening: %s', (_n, container, re) => {
    expect(containerHardeningProblems([goodDeployment({ container })]).join('\n')).toMatch(re);
  });

  test('container hardening: no seccomp at pod or container level fails', () => {
    expect(
      containerHardeningProblems([goodDeployment({ pod: { securityContext: { runAsNonRoot: true, runAsUser: 472 } } })]).join('\n'),
    ).toMatch(/seccompProfile is unset/);
  });

  test('container hardening: exemptions are per component', () => {
    const sysAdmin = {
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
        runAsNonRoot: false,
        runAsUser: 0,
      },
    };
    expect(containerHardeningProblems([goodDeployment({ name: 'dcgm-exporter', container: sysAdmin })])).toEqual([]);
    expect(containerHardeningProblems([goodDeployment({ name: 'grafana', container: sysAdmin })])).toHaveLength(2);
  });

  test('host access: only exempted agents, never in a restricted namespace', () => {
    expect(hostAccessProblems([restrictedNs, goodDeployment({ pod: { hostNetwork: true } })]).join('\n')).toMatch(
      /no exemption for grafana.*\n.*restricted/,
    );
    expect(
      hostAccessProblems([
        restrictedNs,
        goodDeployment({
          name: 'promtail',
          namespace: 'monitoring',
          pod: { volumes: [{ name: 'logs', hostPath: { path: '/var/log/pods' } }] },
        }),
      ]).join('\n'),
    ).toMatch(/restricted/);
    expect(
      hostAccessProblems([
        restrictedNs,
        goodDeployment({
          name: 'promtail',
          namespace: 'monitoring-agents',
          pod: { volumes: [{ name: 'logs', hostPath: { path: '/var/log/pods' } }] },
        }),
      ]),
    ).toEqual([]);
  });

  test('RBAC: write verbs, wildcards and bindings to roles outside the stack fail', () => {
    const role = (rules: unknown[]): K8sObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules,
    });
    expect(rbacProblems([role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }])])).toEqual([]);
    expect(rbacProblems([role([{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }])]).join()).toMatch(/verb "create"/);
    expect(rbacProblems([role([{ apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }])]).join()).toMatch(/wildcard in apiGroups/);
    expect(rbacProblems([role([{ apiGroups: [''], resources: ['*'], verbs: ['get'] }])]).join()).toMatch(/wildcard in resources/);
    expect(rbacProblems([role([{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }])]).join()).toMatch(/wildcard in verbs/);
    expect(
      rbacProblems([
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'b' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [],
        },
      ]).join(),
    ).toMatch(/cluster-admin/);
  });

  test('RBAC of the operator: apply verbs pass; list/watch beyond its resource, unnamed bind/escalate or update, wildcards fail', () => {
    const role = (rules: unknown[]): K8sObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'x-operator', labels: { 'app.kubernetes.io/name': 'operator' } },
      rules,
    });
    expect(
      rbacProblems([
        role([
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create', 'patch', 'delete'] },
          {
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['clusterroles'],
            verbs: ['bind', 'escalate'],
            resourceNames: ['x-prometheus'],
          },
          { apiGroups: ['monitoring.cdk8s-ai.dev'], resources: ['monitoringstacks'], verbs: ['get', 'list', 'watch', 'patch'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['x-operator'] },
        ]),
      ]),
    ).toEqual([]);
    expect(rbacProblems([role([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }])]).join()).toMatch(/verb "list"/);
    expect(
      rbacProblems([role([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }])]).join(),
    ).toMatch(/verb "bind"/);
    expect(rbacProblems([role([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['update'] }])]).join()).toMatch(
      /verb "update"/,
    );
    expect(rbacProblems([role([{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }])]).join()).toMatch(/wildcard in resources/);
  });

  test('ServiceAccount tokens: mounted only in API clients, including through the ServiceAccount default', () => {
    expect(tokenMountProblems([goodDeployment({ pod: { automountServiceAccountToken: true } })]).join()).toMatch(
      /grafana does not call the Kubernetes API/,
    );
    expect(tokenMountProblems([goodDeployment({ pod: { automountServiceAccountToken: undefined } })])).toHaveLength(1);
    const sa: K8sObject = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'grafana', namespace: 'monitoring' },
      automountServiceAccountToken: false,
    };
    expect(
      tokenMountProblems([sa, goodDeployment({ pod: { automountServiceAccountToken: undefined, serviceAccountName: 'grafana' } })]),
    ).toEqual([]);
    expect(tokenMountProblems([goodDeployment({ name: 'prometheus', pod: { automountServiceAccountToken: true } })])).toEqual([]);
  });
});
