/**
 * One stack on a real control plane (test/lib/control-plane.ts), the way
 * README deploys it: synthesize the spec, create the namespaces and the
 * Secrets synth prints as prerequisites, `kubectl apply -f dist/`; then the
 * checks of issue 21 (idempotent re-apply, empty diff, server-side apply
 * without conflicts, Pod Security admission, scheduling on the platform's
 * node shape, PVCs Bound). Each test file runs one stack on a control plane
 * holding nothing else.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { MonitoringStack } from '../../charts/stack';
import { renderManifests, writeAtomically } from '../../charts/app/output';
import { readSpecFile, validateSpec } from '../../charts/spec-load';
import { prerequisites } from '../../charts/lib/prerequisites';
import { PROFILES, type Platform } from '../../charts/components/platform/profiles';
import { type ControlPlane, type NodePool, testCrdFiles } from '../lib/control-plane';
import { readManifests } from '../lib/dist';
import { ROOT } from '../lib/tools';

export interface Synthesized {
  readonly dir: string;
  readonly objects: any[];
  readonly platform: Platform;
  readonly spec: any;
}

/** Synthesize a spec file (or a spec object) into `<parent>/dist`, as `npm run synth -- SPEC --out DIR` does. */
export function synthesize(spec: string | Record<string, unknown>, parent: string): Synthesized {
  const validated = typeof spec === 'string' ? readSpecFile(path.join(ROOT, spec)) : validateSpec(spec, 'cluster test spec');
  const stack = new MonitoringStack(new App(), 'stack', { spec: validated });
  const dir = path.join(parent, 'dist');
  writeAtomically(dir, renderManifests(stack));
  return {
    dir,
    objects: readManifests(dir).map((d) => d.object),
    platform: ((validated as any).spec?.platform ?? 'generic') as Platform,
    spec: validated,
  };
}

/** A temp folder removed by the caller (afterAll). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface NodeShape {
  readonly name: string;
  readonly pools: NodePool[];
  /** Names of the nodes that carry a GPU. */
  readonly gpuPrefix?: string;
}

const GPU_CAPACITY = { cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': '1' };
const NODE_CAPACITY = { cpu: '4', memory: '16Gi', pods: '110' };

/** The GPU node labels and taints each platform's GPU pool carries (profiles.ts, from each platform's documentation). */
export function gpuPool(platform: Platform, count: number, namePrefix = 'gpu'): NodePool {
  const labels: Record<string, string> = {
    generic: { 'nvidia.com/gpu.present': 'true', 'feature.node.kubernetes.io/pci-10de.present': 'true' },
    k3s: { 'nvidia.com/gpu.present': 'true' },
    // GKE labels the pool with the accelerator and taints it nvidia.com/gpu=present:NoSchedule.
    gke: { 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-nodepool': 'gpu-pool' },
    // EKS managed node group with the accelerated AMI: the Cluster Autoscaler label.
    eks: { 'k8s.amazonaws.com/accelerator': 'nvidia-tesla-t4', 'eks.amazonaws.com/nodegroup': 'gpu' },
    // AKS GPU pool, tainted sku=gpu:NoSchedule as Azure's guide does.
    aks: { 'kubernetes.azure.com/accelerator': 'nvidia', 'kubernetes.azure.com/agentpool': 'gpupool' },
  }[platform];
  const taints: NodePool['taints'] =
    platform === 'aks'
      ? [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }]
      : platform === 'gke'
        ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]
        : [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }];
  return { count, namePrefix, labels, taints, capacity: GPU_CAPACITY };
}

/** README's node shape for a platform: k3s one 4-CPU 4 GB server; the others 3 nodes and a GPU node. */
export function nodeShape(platform: Platform, o: { nodes?: number; gpuNodes?: number } = {}): NodeShape {
  if (platform === 'k3s') {
    return {
      name: 'k3s single server (4 CPU, 4Gi)',
      pools: [
        {
          count: 1,
          namePrefix: 'server',
          labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' },
          capacity: { cpu: '4', memory: '4Gi', pods: '110' },
        },
      ],
    };
  }
  const nodes = o.nodes ?? 3;
  const gpus = o.gpuNodes ?? 1;
  return {
    name: `${platform}: ${nodes} nodes + ${gpus} GPU node${gpus === 1 ? '' : 's'}`,
    pools: [{ count: nodes, namePrefix: 'node', capacity: NODE_CAPACITY }, gpuPool(platform, gpus)],
    gpuPrefix: 'gpu',
  };
}

const PROVISIONERS: Record<string, string> = {
  'local-path': 'rancher.io/local-path',
  'standard-rwo': 'pd.csi.storage.gke.io',
  gp2: 'kubernetes.io/aws-ebs',
  'managed-csi': 'disk.csi.azure.com',
};

/** Nodes, the platform's StorageClass (default class), RuntimeClass nvidia where the stack needs one, and a PersistentVolume per claim. */
export async function prepareCluster(cp: ControlPlane, s: Synthesized, shape: NodeShape): Promise<void> {
  for (const pool of shape.pools) await cp.addNodes(pool);
  const className = PROFILES[s.platform].storageClassName ?? 'standard';
  await cp.addStorageClass(className, {
    isDefault: true,
    provisioner: PROVISIONERS[className] ?? 'example.com/nobody',
    allowVolumeExpansion: PROFILES[s.platform].volumeExpansion,
  });
  // Classes the spec names itself (e.g. an EBS CSI gp3 class on EKS): the cluster has them too.
  for (const other of new Set(
    claims(s.objects)
      .map((c) => c.spec.storageClassName)
      .filter((c) => c && c !== className),
  )) {
    await cp.addStorageClass(other, { provisioner: PROVISIONERS[className] ?? 'example.com/nobody', allowVolumeExpansion: true });
  }
  const runtimeClasses = new Set(s.objects.flatMap((o) => [podSpec(o)?.runtimeClassName]).filter(Boolean));
  for (const rc of runtimeClasses)
    if (!s.objects.some((o) => o.kind === 'RuntimeClass' && o.metadata.name === rc)) await cp.addRuntimeClass(rc);
  for (const claim of claims(s.objects)) {
    await cp.addVolumes({
      storageClassName: claim.spec.storageClassName ?? className,
      size: claim.spec.resources.requests.storage,
      accessModes: claim.spec.accessModes,
      count: claim.count,
    });
  }
}

function podSpec(o: any): any {
  return o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
}

/** Every claim the stack makes: PersistentVolumeClaims and one per StatefulSet replica and template. */
export function claims(objects: any[]): { spec: any; count: number; name: string; namespace: string }[] {
  const out: { spec: any; count: number; name: string; namespace: string }[] = [];
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') out.push({ spec: o.spec, count: 1, name: o.metadata.name, namespace: o.metadata.namespace });
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec.volumeClaimTemplates ?? [])
        out.push({
          spec: t.spec,
          count: o.spec.replicas ?? 1,
          name: `${t.metadata.name}-${o.metadata.name}`,
          namespace: o.metadata.namespace,
        });
    }
  }
  return out;
}

/** Namespaces (dist/00-namespaces.yaml, plus any other namespace a needed Secret lives in), then each needed Secret with placeholder values. */
export async function createPrerequisites(cp: ControlPlane, s: Synthesized): Promise<string[]> {
  const nsFile = path.join(s.dir, '00-namespaces.yaml');
  if (fs.existsSync(nsFile)) await cp.kubectlOk(['apply', '-f', nsFile]);
  const p = prerequisites(s.objects);
  const made: string[] = [];
  const namespaces = new Set(s.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const secret of p.secrets) {
    if (!namespaces.has(secret.namespace)) {
      await cp.kubectlOk(['create', 'namespace', secret.namespace]);
      namespaces.add(secret.namespace);
    }
    const keys = secret.keys.length ? secret.keys : secret.type === 'basic-auth' ? ['auth'] : ['value'];
    await cp.kubectlOk([
      '-n',
      secret.namespace,
      'create',
      'secret',
      'generic',
      secret.name,
      ...keys.map((k) => `--from-literal=${k}=placeholder`),
    ]);
    made.push(`${secret.namespace}/${secret.name}`);
  }
  return made;
}

/** The object lines kubectl apply prints (`kind.group/name verb`). */
export function applyLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export interface ApplyReport {
  readonly objects: number;
  readonly repatched: string[];
  readonly conflicts: string[];
}

/** Everything the checks find, kept for the report (printed by each test file). */
export const report: Record<string, unknown> = {};
export function record(key: string, value: unknown): void {
  report[key] = value;
}

/** SSA conflicts in kubectl's error text: one line per conflicting field. */
export function conflictLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^\s*- .*conflict|^\s*- \.[a-zA-Z]/.test(l) || /conflict with "/.test(l))
    .map((l) => l.trim());
}

/** The DaemonSets whose pods may run only on GPU nodes. */
export const GPU_DAEMONSETS = new Set(['dcgm-exporter']);

export interface PodCensus {
  running: number;
  total: number;
  notRunning: string[];
}

/** Pods of the stack's namespaces: Running (or Succeeded for Jobs) of all. */
export async function podCensus(cp: ControlPlane, namespaces: string[]): Promise<PodCensus> {
  const pods = (await cp.getItems('pods')).filter((p) => namespaces.includes(p.metadata.namespace));
  const notRunning = pods
    .filter((p) => p.status?.phase !== 'Running' && p.status?.phase !== 'Succeeded')
    .map(
      (p) =>
        `${p.metadata.namespace}/${p.metadata.name}: ${p.status?.phase} ${(p.status?.conditions ?? [])
          .filter((c: any) => c.status !== 'True')
          .map((c: any) => `${c.type} ${c.reason ?? ''} ${c.message ?? ''}`)
          .join('; ')}`,
    );
  return { running: pods.length - notRunning.length, total: pods.length, notRunning };
}

/** Workloads whose pods are not all created, scheduled and ready yet. */
export async function unsettledWorkloads(cp: ControlPlane, namespaces: string[]): Promise<string[]> {
  const out: string[] = [];
  const all = JSON.parse(await cp.kubectlOk(['get', 'deployments,statefulsets,daemonsets', '-A', '-o', 'json'])).items.filter((o: any) =>
    namespaces.includes(o.metadata.namespace),
  );
  for (const w of all) {
    const st = w.status ?? {};
    const stale = st.observedGeneration !== w.metadata.generation;
    if (w.kind === 'DaemonSet') {
      if (stale || (st.numberReady ?? 0) !== st.desiredNumberScheduled || (st.currentNumberScheduled ?? 0) !== st.desiredNumberScheduled) {
        out.push(`DaemonSet ${w.metadata.name} ready ${st.numberReady ?? 0}/${st.desiredNumberScheduled ?? '?'}`);
      }
    } else if (stale || (st.readyReplicas ?? 0) !== (w.spec.replicas ?? 1))
      out.push(`${w.kind} ${w.metadata.name} ${st.readyReplicas ?? 0}/${w.spec.replicas ?? 1}`);
  }
  return out;
}

/** Events of a reason (FailedCreate, FailedScheduling, ...) in the cluster. */
export async function eventsOf(cp: ControlPlane, reasons: string[]): Promise<string[]> {
  const events = await cp.getItems('events');
  return events
    .filter((e) => reasons.includes(e.reason))
    .map((e) => `${e.reason} ${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`);
}

/**
 * FailedCreate and FailedScheduling events, less one the scheduler reports while its informer lags: a StatefulSet
 * controller creates the claim just before the pod, and the scheduler may try the pod before it has seen the claim
 * (`persistentvolumeclaim "data-loki-0" not found`). Such an event is dropped only when that claim exists now and is
 * Bound; every other event (Pod Security refusals, no node fits) is kept.
 */
export async function lastingSchedulingFailures(cp: ControlPlane): Promise<string[]> {
  const bound = new Set(
    (await cp.getItems('persistentvolumeclaims'))
      .filter((c) => c.status?.phase === 'Bound')
      .map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
  );
  const events = await cp.getItems('events');
  return events
    .filter((e) => {
      if (e.reason === 'FailedCreate') return true;
      if (e.reason !== 'FailedScheduling') return false;
      const lag = /^0\/\d+ nodes are available: persistentvolumeclaim "([^"]+)" not found\. not found$/.exec(e.message ?? '');
      return !(lag && bound.has(`${e.involvedObject.namespace}/${lag[1]}`));
    })
    .map((e) => `${e.reason} ${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.message}`);
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${await describe()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Where `want` (a manifest) and `live` (the server's object) differ: every field of the manifest must read back the same. */
export function liveMismatches(want: unknown, live: unknown, at = ''): string[] {
  if (Array.isArray(want)) {
    if (!Array.isArray(live)) return [`${at}: ${JSON.stringify(want)} → ${JSON.stringify(live)}`];
    if (want.length !== live.length) return [`${at}: ${want.length} items → ${live.length}`];
    return want.flatMap((w, i) => liveMismatches(w, live[i], `${at}[${i}]`));
  }
  if (want && typeof want === 'object') {
    if (!live || typeof live !== 'object') return [`${at}: ${JSON.stringify(want)} → ${JSON.stringify(live)}`];
    return Object.entries(want).flatMap(([k, v]) => liveMismatches(v, (live as Record<string, unknown>)[k], `${at}.${k}`));
  }
  // IntOrString and numbers the server keeps as written; a string quantity must come back as the same string.
  return want === live ? [] : [`${at}: ${JSON.stringify(want)} → ${JSON.stringify(live)}`];
}

export interface StackOptions {
  readonly shape?: NodeShape;
  /** How long pods may take to reach Running (ms). */
  readonly settleMs?: number;
}

/**
 * The cluster tests of one stack on its own control plane: apply as README says, re-apply, diff,
 * server-side apply, live = dist, then scheduling on the node shape.
 */
export function describeStack(title: string, spec: string | Record<string, unknown>, o: StackOptions = {}): void {
  // Imported here so a test file that only imports helpers does not need the tools.
  const { startControlPlane } = require('../lib/control-plane') as typeof import('../lib/control-plane');
  describe(title, () => {
    let cp: ControlPlane | undefined;
    let parent = '';
    let s: Synthesized;
    let shape: NodeShape;
    let namespaces: string[] = [];
    const started = Date.now();
    const summary: Record<string, unknown> = { stack: title };

    beforeAll(async () => {
      parent = tempDir('cluster-stack-');
      s = synthesize(spec, parent);
      shape = o.shape ?? nodeShape(s.platform);
      // Only the CRDs of the kinds this stack writes (the Gateway API ones are large): test/crds/<group>_<plural>.yaml(.gz).
      const crdFiles = new Set(
        s.objects.filter((x) => x.apiVersion.includes('.')).map((x) => `${x.apiVersion.split('/')[0]}_${x.kind.toLowerCase()}s.`),
      );
      cp = await startControlPlane({ crds: testCrdFiles().filter((f) => [...crdFiles].some((c) => path.basename(f).startsWith(c))) });
      summary.controlPlaneReadyS = Math.round((Date.now() - started) / 100) / 10;
      await prepareCluster(cp, s, shape);
      namespaces = [...new Set(s.objects.map((x) => x.metadata?.namespace).filter(Boolean))] as string[];
      await createPrerequisites(cp, s);
    }, 300_000);

    afterAll(async () => {
      await cp?.stop();
      if (parent) fs.rmSync(parent, { recursive: true, force: true });
      summary.seconds = Math.round((Date.now() - started) / 100) / 10;
      record(title, summary);
      process.stdout.write(`cluster ${JSON.stringify(summary)}\n`);
    }, 60_000);

    it('kubectl apply -f dist/ creates every object without error', async () => {
      const r = await cp!.kubectl(['apply', '-f', s.dir]);
      const lines = applyLines(r.stdout);
      summary.objects = lines.length;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(lines.length).toBe(s.objects.length);
      // The namespaces exist already (README: dist/00-namespaces.yaml first, then the Secrets).
      expect(lines.filter((l) => !l.endsWith(' created') && !/^namespace\/\S+ unchanged$/.test(l))).toEqual([]);
    });

    it('a second kubectl apply -f dist/ leaves every object unchanged', async () => {
      const pdbGenerations = async () =>
        Object.fromEntries((await cp!.getItems('poddisruptionbudgets')).map((p) => [p.metadata.name, p.metadata.generation]));
      const before = await pdbGenerations();
      const r = await cp!.kubectl(['apply', '-f', s.dir]);
      expect(r.stderr).toBe('');
      const lines = applyLines(r.stdout);
      // kubectl's client-side patch of a PodDisruptionBudget always carries spec.selector (patchStrategy "replace" in
      // policy/v1, so the computed patch is never empty: Azure/eno#246), and kubectl prints "configured" for a patch
      // the server finds empty. Such a patch must change nothing: the PodDisruptionBudget's generation stays.
      const pdbNoOps = lines.filter((l) => /^poddisruptionbudget\.policy\/\S+ configured$/.test(l));
      const repatched = lines.filter((l) => !l.endsWith(' unchanged') && !pdbNoOps.includes(l));
      summary.repatched = repatched.length;
      if (pdbNoOps.length) summary.pdbNoOpPatches = pdbNoOps.length;
      expect(repatched).toEqual([]);
      expect(await pdbGenerations()).toEqual(before);
    });

    it('kubectl diff -f dist/ is empty', async () => {
      const r = await cp!.kubectl(['diff', '-f', s.dir]);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    });

    it('the live objects read back what dist/ says (what a GitOps controller compares)', async () => {
      const mismatches: string[] = [];
      // One request for every object of dist/, in dist/'s order.
      const live: any[] = JSON.parse(await cp!.kubectlOk(['get', '-f', s.dir, '-o', 'json'])).items;
      expect(live.length).toBe(s.objects.length);
      s.objects.forEach((obj, i) => {
        for (const m of liveMismatches(obj, live[i]))
          mismatches.push(`${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name} ${m}`);
      });
      summary.liveMismatches = mismatches.length;
      expect(mismatches).toEqual([]);
    });

    it('kubectl apply --server-side after the client-side apply reports no conflict', async () => {
      const r = await cp!.kubectl(['apply', '--server-side', '-f', s.dir]);
      const conflicts = conflictLines(r.stderr);
      summary.ssaConflicts = conflicts.length;
      expect(conflicts).toEqual([]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('schedules every pod (Pod Security admits them all) and binds every claim on the node shape', async () => {
      await waitUntil(
        'every workload settled',
        async () => ((await unsettledWorkloads(cp!, namespaces)).length === 0 ? true : undefined),
        o.settleMs ?? 120_000,
        async () =>
          [
            ...(await unsettledWorkloads(cp!, namespaces)),
            ...(await eventsOf(cp!, ['FailedCreate', 'FailedScheduling'])),
            ...(await podCensus(cp!, namespaces)).notRunning,
            (await cp!.kubectl(['get', 'pods', '-A', '-o', 'wide'])).stdout,
            cp!.logs(),
          ].join('\n'),
      );
      const census = await podCensus(cp!, namespaces);
      summary.shape = shape.name;
      summary.pods = `${census.running}/${census.total}`;
      expect(census.notRunning).toEqual([]);
      expect(census.total).toBeGreaterThan(0);
      expect(await lastingSchedulingFailures(cp!)).toEqual([]);
      // Each DaemonSet on exactly the nodes it should be: DCGM on the GPU nodes, node agents on every node.
      const nodes = (await cp!.getItems('nodes')).map((n) => n.metadata.name as string).sort();
      const gpuNodes = shape.gpuPrefix ? nodes.filter((n) => n.startsWith(`${shape.gpuPrefix}-`)) : [];
      const pods = (await cp!.getItems('pods')).filter((p) => namespaces.includes(p.metadata.namespace));
      for (const ds of s.objects.filter((x) => x.kind === 'DaemonSet')) {
        const on = pods
          .filter((p) => p.metadata.ownerReferences?.some((r: any) => r.kind === 'DaemonSet' && r.name === ds.metadata.name))
          .map((p) => p.spec.nodeName)
          .sort();
        expect({ daemonSet: ds.metadata.name, nodes: on }).toEqual({
          daemonSet: ds.metadata.name,
          nodes: GPU_DAEMONSETS.has(ds.metadata.name) ? gpuNodes : nodes,
        });
      }
      const pvcs = (await cp!.getItems('pvc')).filter((p) => namespaces.includes(p.metadata.namespace));
      summary.pvcsBound = `${pvcs.filter((p) => p.status?.phase === 'Bound').length}/${pvcs.length}`;
      expect(
        pvcs.filter((p) => p.status?.phase !== 'Bound').map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.status?.phase}`),
      ).toEqual([]);
      expect(pvcs.length).toBe(claims(s.objects).reduce((n, c) => n + c.count, 0));
    }, 200_000);
  });
}
