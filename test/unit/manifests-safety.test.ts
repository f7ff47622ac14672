/**
 * What the manifests promise the cluster: every custom resource survives an
 * Argo CD sync without its CRD, the spec's own metadata reaches every object,
 * and the prerequisites synth prints (and README's quick start shows before
 * `kubectl apply`) are the ones the objects reference.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { isCustomResource, renderGitops, SKIP_DRY_RUN_OPTION, SYNC_OPTIONS_ANNOTATION } from '../../charts/lib/output';
import { createSecretCommand, formatPrerequisites, prerequisites } from '../../charts/lib/prerequisites';
import { MonitoringStack } from '../../charts/stack';
import { validateSpec } from '../../charts/spec/load';
import { readManifests } from '../lib/dist';
import { stackDoc, synth } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const withIssuer = { ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } } };

describe('GitOps: custom resources', () => {
  test('every custom resource in dist/ carries SkipDryRunOnMissingResource=true (and there is at least one)', () => {
    for (const objects of [synth(withIssuer).objects, readManifests(path.join(ROOT, 'dist')).map((d) => d.object)]) {
      const custom = objects.filter((o) => isCustomResource(o.apiVersion));
      expect(custom.length).toBeGreaterThan(0);
      for (const o of custom) {
        const options = String((o.metadata?.annotations as Record<string, string> | undefined)?.[SYNC_OPTIONS_ANNOTATION] ?? '').split(',');
        expect([o.kind, options]).toEqual([o.kind, expect.arrayContaining([SKIP_DRY_RUN_OPTION])]);
      }
    }
  });

  test('core objects do not get it (a missing Deployment kind must fail loudly)', () => {
    const core = synth(withIssuer).objects.filter((o) => !isCustomResource(o.apiVersion));
    expect(core.filter((o) => (o.metadata?.annotations as Record<string, string> | undefined)?.[SYNC_OPTIONS_ANNOTATION])).toEqual([]);
  });
});

describe('metadata.labels and metadata.annotations of the MonitoringStack', () => {
  test('are applied to every object in dist/ and gitops/, without touching selectors', () => {
    const doc = { ...stackDoc({ ...withIssuer, gitops: { argocd: { repoURL: 'https://git.example.org/ops/monitoring.git' } } }), metadata: { name: 'demo', labels: { team: 'ml-platform' }, annotations: { 'example.com/owner': 'sre' } } };
    const stack = new MonitoringStack(new App(), 'stack', { spec: validateSpec(doc) });
    const objects = [...stack.charts.flatMap((c) => c.chart.toJson()), ...[...renderGitops(stack).keys()].flatMap(() => stack.gitopsChart!.toJson())];
    expect(objects.length).toBeGreaterThan(50);
    for (const o of objects) {
      expect([o.kind, o.metadata.name, o.metadata.labels?.team, o.metadata.annotations?.['example.com/owner']]).toEqual([o.kind, o.metadata.name, 'ml-platform', 'sre']);
      expect(JSON.stringify(o.spec?.selector ?? {})).not.toContain('ml-platform');
    }
  });
});

describe('prerequisites', () => {
  const objects = readManifests(path.join(ROOT, 'dist')).map((d) => d.object);
  const p = prerequisites(objects);

  test('lists the Secrets the pods and Ingresses reference, with a create command and no value', () => {
    expect(p.secrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(expect.arrayContaining([
      'monitoring/grafana-admin', 'monitoring/alertmanager-msteams', 'monitoring/monitoring-web-auth',
    ]));
    const grafana = p.secrets.find((s) => s.name === 'grafana-admin')!;
    expect(grafana.keys).toEqual(['admin-password', 'admin-user', 'secret-key']);
    expect(createSecretCommand(grafana)).toBe("kubectl -n monitoring create secret generic grafana-admin --from-literal=admin-password='<admin-password>' --from-literal=admin-user='<admin-user>' --from-literal=secret-key='<secret-key>'");
    expect(createSecretCommand(p.secrets.find((s) => s.name === 'monitoring-web-auth')!)).toContain('--from-literal=password=');
    // TLS Secrets are written by cert-manager (issuer annotation): not a prerequisite.
    expect(p.secrets.some((s) => s.name.endsWith('-tls'))).toBe(false);
  });

  test('lists the CRDs of custom resources and the controllers', () => {
    expect(p.crds).toEqual([
      expect.stringMatching(/^ClusterIssuer\.cert-manager\.io: install cert-manager/),
      expect.stringMatching(/^Gateway\.gateway\.networking\.k8s\.io: install the Gateway API CRDs/),
      expect.stringMatching(/^HTTPRoute\.gateway\.networking\.k8s\.io: install the Gateway API CRDs/),
    ]);
    expect(p.controllers.join('\n')).toMatch(/Gateway API implementation serving GatewayClass "eg"/);
    expect(p.controllers.join('\n')).toMatch(/cert-manager with Gateway API support/);
    expect(p.controllers.join('\n')).toMatch(/enforces NetworkPolicy/);
    expect(formatPrerequisites(p)).toMatch(/^Before kubectl apply, the cluster needs:/);
  });

  test('an inline Secret the stack itself creates is not a prerequisite; an optional one says so', () => {
    const pod = (secretName: string, optional?: boolean) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'n' }, spec: { template: { spec: { containers: [], volumes: [{ name: 'v', secret: { secretName, optional } }] } } } });
    expect(prerequisites([pod('made'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'made', namespace: 'n' } }]).secrets).toEqual([]);
    expect(prerequisites([pod('opt', true)]).secrets[0].optional).toBe(true);
  });

  test('README\'s quick start creates every Secret dist/ needs before it runs kubectl apply -f dist/', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.slice(0, readme.indexOf('## The spec'));
    const apply = start.indexOf('kubectl apply -f dist/ ');
    expect(apply).toBeGreaterThan(0);
    for (const s of p.secrets) {
      const at = start.indexOf(`create secret generic ${s.name} `);
      expect([s.name, at > 0 && at < apply]).toEqual([s.name, true]);
      const command = start.slice(at, apply).split(/\n(?!\s)/)[0]; // the command with its continuation lines
      for (const k of s.keys) {
        const given = command.includes(`--from-literal=${k}=`) || command.includes(`--from-file=${k}`);
        expect([s.name, k, given]).toEqual([s.name, k, true]);
      }
    }
    for (const what of ['cert-manager', 'Gateway API CRDs', 'GatewayClass "eg"', 'enableGatewayAPI', 'NetworkPolicy', 'StorageClass']) expect(start.slice(0, apply)).toContain(what);
  });
});
