/**
 * What the manifests promise the cluster: every custom resource survives an
 * Argo CD sync without its CRD, the spec's own metadata reaches every object,
 * and the prerequisites synth prints (and README's quick start shows before
 * `kubectl apply`) are the ones the objects reference.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { isCustomResource, renderGitops, SKIP_DRY_RUN_OPTION, SYNC_OPTIONS_ANNOTATION } from '../../charts/app/output';
import { createSecretCommand, formatPrerequisites, prerequisites } from '../../charts/lib/prerequisites';
import { MonitoringStack } from '../../charts/stack';
import { validateSpec } from '../../charts/spec-load';
import { planSecrets } from '../../charts/app/secrets';
import { readSpecFile } from '../../charts/spec-load';
import { stackDoc, synth, synthFile } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const withIssuer = { ingress: { domain: 'example.org', tls: { createClusterIssuer: { email: 'ops@example.org' } } } };

describe('GitOps: custom resources', () => {
  test('every custom resource in dist/ carries SkipDryRunOnMissingResource=true (and there is at least one)', () => {
    for (const objects of [synth(withIssuer).objects, synthFile().objects]) {
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
    const doc = {
      ...stackDoc({ ...withIssuer, gitops: { argocd: { repoURL: 'https://git.example.org/ops/monitoring.git' } } }),
      metadata: { name: 'demo', labels: { team: 'ml-platform' }, annotations: { 'example.com/owner': 'sre' } },
    };
    const stack = new MonitoringStack(new App(), 'stack', { spec: validateSpec(doc) });
    const objects = [
      ...stack.charts.flatMap((c) => c.chart.toJson()),
      ...[...renderGitops(stack).keys()].flatMap(() => stack.gitopsChart!.toJson()),
    ];
    expect(objects.length).toBeGreaterThan(50);
    for (const o of objects) {
      expect([o.kind, o.metadata.name, o.metadata.labels?.team, o.metadata.annotations?.['example.com/owner']]).toEqual([
        o.kind,
        o.metadata.name,
        'ml-platform',
        'sre',
      ]);
      expect(JSON.stringify(o.spec?.selector ?? {})).not.toContain('ml-platform');
    }
  });
});

describe('prerequisites', () => {
  const { objects } = synthFile();
  const p = prerequisites(objects);

  test('lists the Secrets the pods and Ingresses reference, with a create command and no value', () => {
    expect(p.secrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(
      expect.arrayContaining(['monitoring/grafana-admin', 'monitoring/alertmanager-msteams', 'monitoring/monitoring-web-auth']),
    );
    const grafana = p.secrets.find((s) => s.name === 'grafana-admin')!;
    expect(grafana.keys).toEqual(['admin-password', 'admin-user', 'secret-key']);
    expect(createSecretCommand(grafana)).toBe(
      "kubectl -n monitoring create secret generic grafana-admin --from-literal=admin-password='<admin-password>' --from-literal=admin-user='<admin-user>' --from-literal=secret-key='<secret-key>'",
    );
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
    // synth's text: one command creates the Secrets; each is listed with its keys, no value and no kubectl recipe.
    const text = formatPrerequisites(p, 'npm run secrets -- monitoring.yaml');
    expect(text).toContain('Secrets (values never go into the spec or dist/); npm run secrets -- monitoring.yaml creates them');
    expect(text).toContain('    - monitoring/grafana-admin: admin-password, admin-user, secret-key; used by Deployment/grafana');
    expect(text).not.toContain('create secret');
  });

  test('an inline Secret the stack itself creates is not a prerequisite; an optional one says so', () => {
    const pod = (secretName: string, optional?: boolean) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', namespace: 'n' },
      spec: { template: { spec: { containers: [], volumes: [{ name: 'v', secret: { secretName, optional } }] } } },
    });
    expect(prerequisites([pod('made'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'made', namespace: 'n' } }]).secrets).toEqual(
      [],
    );
    expect(prerequisites([pod('opt', true)]).secrets[0].optional).toBe(true);
  });

  test("README's quick start creates every Secret the example needs before it applies: generated, or given with --from-file", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Upgrade'));
    const example = /cp (examples\/[a-z0-9-]+\.yaml) my-stack\.yaml/.exec(start)![1];
    const plan = planSecrets(readSpecFile(path.join(ROOT, example)));
    const apply = start.indexOf('kubectl apply -k dist');
    const secrets = start.indexOf('npm run secrets -- my-stack.yaml --from-file');
    expect(secrets).toBeGreaterThan(0);
    expect(apply).toBeGreaterThan(secrets);
    const command = start.slice(secrets).split('\n')[0];
    for (const s of plan) {
      for (const k of s.keys) {
        const given = k.source !== undefined || command.includes(`--from-file ${s.name}/${k.key}=`);
        expect([s.name, k.key, given || s.optional]).toEqual([s.name, k.key, true]);
      }
    }
    expect(plan.length).toBeGreaterThanOrEqual(3);
  });
});
