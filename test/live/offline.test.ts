/**
 * The live layer's pure parts, without a cluster: synthesize() matches what
 * the CLI prints, the CRD is structural, field diffs, inventory round trip,
 * web-config and node-label checks, and how a custom resource becomes a spec.
 * (Cluster behaviour: test/live/cli.cluster.test.ts and test/live/operator.cluster.test.ts.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { DEFAULT_SPEC, SpecError } from '../../charts';
import { synthesize } from '../../charts/app/synthesize';
import { applyOrder } from '../../charts/app/live/apply';
import { fieldChanges } from '../../charts/app/live/fields';
import { entryOf, inventoryObject, parseInventory, upgradeSnapshot } from '../../charts/app/live/inventory';
import { nodeMatches, webConfigProblems } from '../../charts/app/live/preflight';
import { CRD_FILE, monitoringStackCrd } from '../../charts/app/operator/crd';
import { specOfResource } from '../../charts/app/operator/controller';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

describe('synthesize()', () => {
  const r = synthesize(DEFAULT_SPEC);

  test('returns the warnings, manifests and prerequisites the CLI prints, in the CLI order', () => {
    // A spec with warnings (Promtail: end of life, no events source), synthesized by the CLI and by the library.
    const text =
      'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1\nkind: MonitoringStack\nmetadata: { name: w }\nspec: { logs: { collector: promtail } }\n';
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    fs.writeFileSync(path.join(cwd, 'w.yaml'), text);
    const cli = spawnSync(TSX, [path.join(ROOT, 'charts/app/cli.ts'), 'synth', 'w.yaml', '--stdout'], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    fs.rmSync(cwd, { recursive: true, force: true });
    expect(cli.status).toBe(0);
    const r = synthesize(text);
    const printed = cli.stderr
      .split('\n')
      .filter((l) => l.startsWith('warning: '))
      .map((l) => l.slice('warning: '.length));
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings).toEqual(printed);
    const docs = parseAllDocuments(cli.stdout)
      .map((d) => d.toJS())
      .filter(Boolean);
    expect(r.manifests.map((m) => m.object)).toEqual(docs);
    expect([...r.files.keys()].pop()).toBe('Kustomization');
    expect(r.manifests[0].object.kind).toBe('Namespace');
    expect(r.manifests.every((m) => m.syncWave === Number(m.object.metadata.annotations?.['argocd.argoproj.io/sync-wave']))).toBe(true);
    expect(r.prerequisites.secrets.map((x) => x.name)).toContain('monitoring-web-auth');
    expect(r.upgradeFindings).toEqual([]);
  });

  test('reads YAML text, and reports upgrade findings against previous manifests', () => {
    const yaml =
      'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1\nkind: MonitoringStack\nmetadata: { name: demo }\nspec: { grafana: { persistence: { size: 1Gi } } }\n';
    const smaller = synthesize(yaml, { source: 'demo.yaml', previous: r.files });
    expect(smaller.spec.metadata.name).toBe('demo');
    // A different instance name renames nothing the upgrade check keys on except labels; compare a shrink instead.
    const big = synthesize(yaml.replace('1Gi', '20Gi'));
    const shrink = synthesize(yaml, { previous: big.manifests.map((m) => m.object) });
    expect(shrink.upgradeFindings.map((f) => `${f.object} ${f.field}`)).toContain(
      'PersistentVolumeClaim monitoring/grafana spec.resources.requests.storage',
    );
  });

  test('an invalid spec throws SpecError naming the field', () => {
    expect(() => synthesize({ ...DEFAULT_SPEC, spec: { prometheus: { retentoin: '15d' } } })).toThrow(SpecError);
    expect(() =>
      synthesize(
        'apiVersion: monitoring.cdk8s-ai.dev/v1alpha1\nkind: MonitoringStack\nmetadata: { name: demo }\nspec: { prometheus: { retentoin: 15d } }\n',
      ),
    ).toThrow(/spec\.prometheus\.retentoin: unknown field; did you mean "retention"\?/);
  });

  test('apply order: Namespaces first, then ascending sync waves, dist/ order within a wave', () => {
    const order = applyOrder(r);
    expect(order.length).toBe(r.manifests.length);
    const nsCount = order.filter((o) => o.kind === 'Namespace').length;
    expect(order.slice(0, nsCount).every((o) => o.kind === 'Namespace')).toBe(true);
    const waves = order.slice(nsCount).map((o) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
  });
});

describe('MonitoringStack CRD', () => {
  const crd = monitoringStackCrd();
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;

  test('the committed file is what npm run schema generates', () => {
    const committed = parseYaml(fs.readFileSync(path.join(ROOT, CRD_FILE), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(crd)));
  });

  test('is structural: every node typed (or preserving unknown fields), nothing the API server refuses', () => {
    const problems: string[] = [];
    let preserve = 0;
    const walk = (n: any, p: string) => {
      for (const k of [
        '$ref',
        'anyOf',
        'oneOf',
        'allOf',
        'not',
        'default',
        'propertyNames',
        'patternProperties',
        'const',
        'definitions',
        '$defs',
      ])
        if (k in n) problems.push(`${p}: ${k}`);
      if (n['x-kubernetes-preserve-unknown-fields']) preserve++;
      else if (!n.type) problems.push(`${p}: no type`);
      if (n.properties && n.additionalProperties !== undefined) problems.push(`${p}: properties and additionalProperties`);
      if (typeof n.exclusiveMinimum === 'number' || typeof n.exclusiveMaximum === 'number') problems.push(`${p}: numeric exclusive bound`);
      if (n.pattern && /\(\?[=!<]/.test(n.pattern)) problems.push(`${p}: lookaround in pattern`);
      for (const [k, v] of Object.entries<any>(n.properties ?? {})) walk(v, `${p}.${k}`);
      if (n.items) walk(n.items, `${p}[]`);
      if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${p}{}`);
    };
    walk(schema, '');
    expect(problems).toEqual([]);
    expect(crd.metadata.name).toBe('monitoringstacks.monitoring.cdk8s-ai.dev');
    expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
    // Only where a structural schema cannot say it (string-or-number quantities, boolean-or-object switches).
    expect(preserve).toBeLessThan(120);
    expect(schema.properties.spec.properties.prometheus.properties.retention.type).toBe('string');
    expect(Buffer.byteLength(JSON.stringify(crd))).toBeLessThan(256 * 1024);
  });
});

describe('live helpers', () => {
  test('field changes name the path, keyed by name inside lists', () => {
    const live = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'g', resourceVersion: '5', managedFields: [{}] },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'x:1' },
              { name: 'b', image: 'y:1' },
            ],
          },
        },
      },
      status: { ready: 1 },
    };
    const desired = {
      ...live,
      metadata: { name: 'g', resourceVersion: '6' },
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'x:2' },
              { name: 'b', image: 'y:1' },
            ],
          },
        },
      },
      status: {},
    };
    expect(fieldChanges(live, desired).map((c) => c.path)).toEqual(['spec.replicas', 'spec.template.spec.containers[name=a].image']);
    expect(fieldChanges(live, live)).toEqual([]);
  });

  test('inventory round trip; the upgrade snapshot keeps only what the check compares', () => {
    const r = synthesize(DEFAULT_SPEC);
    const snap = upgradeSnapshot(r.manifests.map((m) => m.object));
    const entries = r.manifests.map((m) => entryOf(m.object));
    const cm = inventoryObject('monitoring', 'ai-monitoring', { entries, snapshot: snap });
    const back = parseInventory(cm)!;
    expect(back.entries.length).toBe(entries.length);
    expect(new Set(back.entries.map((e) => JSON.stringify(e)))).toEqual(new Set(entries.map((e) => JSON.stringify(e))));
    expect(back.snapshot).toEqual(snap);
    expect(cm.metadata.labels?.['monitoring.cdk8s-ai.dev/stack']).toBe('ai-monitoring');
    expect(Buffer.byteLength(JSON.stringify(cm))).toBeLessThan(64 * 1024);
  });

  test('web config: an empty hash, no users, a plain-text password or a missing stack user is refused', () => {
    expect(
      webConfigProblems('basic_auth_users:\n  monitoring: $2y$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01\n', 'monitoring'),
    ).toEqual([]);
    expect(webConfigProblems('basic_auth_users:\n  monitoring: ""\n', 'monitoring')).toEqual([
      'has an empty password hash for user "monitoring"',
    ]);
    expect(webConfigProblems('basic_auth_users:\n  monitoring:\n', 'monitoring')).toEqual([
      'has an empty password hash for user "monitoring"',
    ]);
    expect(webConfigProblems('{}\n', 'monitoring')[0]).toMatch(/lists no basic_auth_users/);
    expect(webConfigProblems('basic_auth_users:\n  monitoring: secret\n', 'monitoring')[0]).toMatch(/not bcrypt/);
    expect(webConfigProblems('basic_auth_users:\n  admin: $2y$10$abc\n', 'monitoring')).toEqual([
      'does not list user "monitoring" (spec.webAuth.username), whom the stack\'s own clients log in as',
    ]);
  });

  test('node selection: nodeSelector and required affinity terms (any term, all expressions)', () => {
    const pod = {
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
              { matchExpressions: [{ key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] },
            ],
          },
        },
      },
    };
    expect(nodeMatches({ 'kubernetes.io/os': 'linux' }, pod)).toBe(false);
    expect(nodeMatches({ 'kubernetes.io/os': 'linux', 'nvidia.com/gpu.present': 'true' }, pod)).toBe(true);
    expect(nodeMatches({ 'kubernetes.io/os': 'linux', 'feature.node.kubernetes.io/pci-10de.present': 'true' }, pod)).toBe(true);
    expect(nodeMatches({ 'nvidia.com/gpu.present': 'true' }, pod)).toBe(false);
  });

  test('a custom resource becomes a spec: its namespace is the stack namespace unless set; system keys dropped', () => {
    const cr = {
      apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1',
      kind: 'MonitoringStack',
      metadata: {
        name: 'team-a',
        namespace: 'team-a',
        uid: 'u',
        generation: 3,
        labels: { team: 'a' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'example.com/owner': 'sre' },
      },
      spec: { prometheus: { retention: '15d' } },
    };
    expect(specOfResource(cr as never)).toEqual({
      apiVersion: 'monitoring.cdk8s-ai.dev/v1alpha1',
      kind: 'MonitoringStack',
      metadata: { name: 'team-a', labels: { team: 'a' }, annotations: { 'example.com/owner': 'sre' } },
      spec: { prometheus: { retention: '15d' }, namespace: 'team-a' },
    });
    expect(synthesize(specOfResource(cr as never)).spec.spec.namespace).toBe('team-a');
    expect((specOfResource({ ...cr, spec: { namespace: 'mon' } }) as any).spec.namespace).toBe('mon');
  });
});

describe('operator image', () => {
  test('IMAGES.operator is tagged with the package version, built by a Dockerfile that runs as non-root', () => {
    const { IMAGES } = require('../../charts/core/images');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(IMAGES.operator.split(':').pop()).toBe(pkg.version);
    const docker = fs.readFileSync(path.join(ROOT, 'charts/app/operator/Dockerfile'), 'utf8');
    expect(docker).toMatch(/^USER 65532:65532$/m);
    expect(docker).toContain(`ARG VERSION=${pkg.version}`);
    expect(docker).toContain('lib/charts/app/cli.js');
    expect(pkg.bin['ai-monitoring']).toBe('lib/charts/app/cli.js');
    expect(pkg.dependencies['@kubernetes/client-node']).toMatch(/^\^1\./);
  });
});

describe('ai-monitoring CLI', () => {
  const cli = (args: string[]) =>
    spawnSync(TSX, [path.join(ROOT, 'charts/app/cli.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });

  test('--help lists every command; an unknown option is a usage error (exit 2)', () => {
    const h = cli(['--help']);
    expect(h.status).toBe(0);
    for (const c of ['synth', 'preflight', 'apply', 'status', 'diff', 'operator']) expect(h.stdout).toContain(`  ${c}`);
    const bad = cli(['apply', '--prune-everything']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown option --prune-everything');
  });

  test('a cluster command with an unknown context names it and exits 1 before touching anything', () => {
    const r = cli([
      'preflight',
      'examples/generic.yaml',
      '--kubeconfig',
      path.join(ROOT, 'test/live/fixtures/kubeconfig.yaml'),
      '--context',
      'nope',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--context nope: no such context in the kubeconfig (contexts: fixture)');
  });
});
