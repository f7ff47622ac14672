/**
 * A real Kubernetes control plane on 127.0.0.1 for tests: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler at KUBERNETES_RELEASE, and kwok,
 * which fakes the kubelets of the nodes it manages (no container runtime, no
 * GPU): the real scheduler places real pods on simulated nodes and kwok's
 * stages take them to Running (Jobs' pods to Succeeded).
 *
 * Everything lives in one temp folder (certificates, kubeconfig, etcd data,
 * stage configs) on random ports; `stop()` stops every process and removes it.
 *
 *   const cp = await startControlPlane();
 *   await cp.addNodes({ count: 3, namePrefix: 'node' });
 *   await cp.kubectl(['apply', '-f', dir]);
 *   await cp.stop();
 */
import { type ChildProcess, execFile, type SpawnOptions, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, Procs } from './procs';
import { ROOT, tool } from './tools';

/** The annotation kwok selects the nodes it manages by (`--manage-nodes-with-annotation-selector`). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export interface NodePool {
  readonly count: number;
  readonly namePrefix: string;
  readonly labels?: Record<string, string>;
  readonly taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** Per node: cpu, memory, pods, nvidia.com/gpu, ... (allocatable = capacity). Default 8 CPU, 32Gi, 110 pods. */
  readonly capacity?: Record<string, string>;
}

export interface VolumeRequest {
  readonly storageClassName: string;
  readonly size: string;
  readonly accessModes?: string[];
  readonly count?: number;
}

export interface KubectlResult { readonly code: number; readonly stdout: string; readonly stderr: string }

export interface ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  /** Runs kubectl against this control plane; never throws (check `code`). */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Like kubectl, but throws with stderr when it fails; returns stdout. */
  kubectlOk(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** kubectl get -o json, parsed: the `items` of a list. */
  getItems(resource: string, namespace?: string): Promise<any[]>;
  /** Until every CRD the server holds is Established (120 s at most). */
  waitCrdsEstablished(): Promise<unknown>;
  /** Simulated nodes kwok manages, Ready when this resolves. */
  addNodes(pool: NodePool): Promise<string[]>;
  /** A StorageClass whose provisioner nobody runs (claims bind only to the PersistentVolumes made here). */
  addStorageClass(name: string, opts?: { isDefault?: boolean; provisioner?: string; volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer'; allowVolumeExpansion?: boolean }): Promise<void>;
  /** PersistentVolumes (hostPath under /tmp, no node affinity) of that class, size and access modes. */
  addVolumes(req: VolumeRequest): Promise<void>;
  /** RuntimeClass `name` (handler = name), as the NVIDIA GPU operator creates it. */
  addRuntimeClass(name: string): Promise<void>;
  /** Logs of the control-plane processes, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** CRD files (yaml or .yaml.gz) to install and wait Established; default every file in test/crds. */
  readonly crds?: string[];
}

/** The CRDs the cluster tests install: every upstream CRD copy in test/crds. */
export function testCrdFiles(): string[] {
  const dir = path.join(ROOT, 'test', 'crds');
  return fs.readdirSync(dir).filter((f) => /\.ya?ml(\.gz)?$/.test(f)).sort().map((f) => path.join(dir, f));
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 120_000): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr + (err && code === 1 && !stderr ? String(err.message) : '') });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, the API server's serving certificate (127.0.0.1, localhost, the kubernetes Service IP), an admin client certificate, the service-account key. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n'
    + 'extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  for (const [name, subj, ext] of [['server', '/CN=kube-apiserver', 'server.ext'], ['admin', '/O=system:masters/CN=admin', 'client.ext']]) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext], dir);
  }
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

/*
 * kwok stages (kwok.x-k8s.io/v1alpha1 Stage, read by `kwok --config`; kwok v0.8.0 ships none in the binary):
 * a node becomes Ready with the capacity it was created with; a pod on a managed node becomes Running and Ready
 * (a Job's pod then Succeeded); a pod being deleted goes away.
 */
const STAGES = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: node-ready }
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
      - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: NotIn, values: ['True'] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - { type: {{ .type | Quote }}, status: {{ .status | Quote }}, reason: {{ .reason | Quote }}, message: {{ .message | Quote }}, lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }} }
      {{ end }}
      addresses:
      - { type: InternalIP, address: {{ NodeIP | Quote }} }
      - { type: Hostname, address: {{ .metadata.name | Quote }} }
      allocatable:
      {{ YAML .status.allocatable 1 }}
      capacity:
      {{ YAML .status.capacity 1 }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        kubeletVersion: kwok
        kernelVersion: kwok
        containerRuntimeVersion: kwok
        kubeProxyVersion: kwok
        bootID: ""
        machineID: ""
        osImage: ""
        systemUUID: ""
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: pod-running }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.phase, operator: In, values: [Pending] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
      containerStatuses:
      {{ range .spec.containers }}
      - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: { running: { startedAt: {{ $now | Quote }} } } }
      {{ end }}
      initContainerStatuses:
      {{ range .spec.initContainers }}
      - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } } }
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: job-pod-succeeded }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.phase, operator: In, values: [Running] }
      - { key: '.metadata.ownerReferences.[].kind', operator: In, values: [Job] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .spec.containers }}
      - { name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: false, started: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } } }
      {{ end }}
      phase: Succeeded
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: { name: pod-delete }
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: Exists }
  next:
    delete: true
`;

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  // Missing tools fail here, naming the install command (never a skip).
  const bins = {
    etcd: tool('etcd'), apiserver: tool('kube-apiserver'), kcm: tool('kube-controller-manager'),
    scheduler: tool('kube-scheduler'), kubectl: tool('kubectl'), kwok: tool('kwok'),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'control-plane-'));
  const procs = new Procs();
  const children: ChildProcess[] = [];
  // etcd 3.4 has no watch progress requests, so the API server refuses streaming list-watch; client-go would retry it with
  // back-off before falling back to list + watch (seconds per informer). Its feature gate, off through the environment.
  const clientEnv = { ...process.env, KUBE_FEATURE_WatchListClient: 'false' };
  const start = (name: string, bin: string, args: string[], o: SpawnOptions = {}) => { children.push(procs.start(name, bin, args, { env: clientEnv, ...o })); };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Everything is thrown away: no graceful shutdown (kube-apiserver's takes seconds).
    for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await procs.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    makeCertificates(dir);
    const f = (n: string) => path.join(dir, n);
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    fs.mkdirSync(f('etcd'), { mode: 0o700 });
    start('etcd', bins.etcd, [
      '--name', 'test', '--data-dir', f('etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `test=http://127.0.0.1:${etcdPeer}`, '--log-level', 'warn', '--logger', 'zap',
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = f('kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', `- name: test`, '  cluster:', `    server: ${server}`, `    certificate-authority: ${f('ca.crt')}`,
      'users:', '- name: admin', '  user:', `    client-certificate: ${f('admin.crt')}`, `    client-key: ${f('admin.key')}`,
      'contexts:', '- name: test', '  context: { cluster: test, user: admin }', '',
    ].join('\n'), { mode: 0o600 });
    start('kube-apiserver', bins.apiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`, `--secure-port=${apiPort}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      `--tls-cert-file=${f('server.crt')}`, `--tls-private-key-file=${f('server.key')}`, `--client-ca-file=${f('ca.crt')}`,
      `--service-account-issuer=https://kubernetes.default.svc`, `--service-account-key-file=${f('sa.pub')}`,
      `--service-account-signing-key-file=${f('sa.key')}`, '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', // plus the defaults (PodSecurity, ServiceAccount, DefaultStorageClass, ...)
      '--profiling=false', '--cert-dir', f('apiserver-certs'), '--v=0',
    ]);
    const env = { ...clientEnv, KUBECONFIG: kubeconfig, HOME: dir };
    const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) => run(bins.kubectl, args, env, o.input, o.timeoutMs);
    const kubectlOk = async (args: string[], o: { input?: string; timeoutMs?: number } = {}) => {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(0, 4000)}\n${r.stdout.slice(0, 2000)}`);
      return r.stdout;
    };
    await procs.waitFor('kube-apiserver /readyz', async () => {
      const r = await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 5_000 });
      return r.code === 0 && r.stdout.trim() === 'ok' ? true : undefined;
    }, 180_000);

    const clientKubeconfig = ['--kubeconfig', kubeconfig];
    start('kube-controller-manager', bins.kcm, [
      ...clientKubeconfig, '--leader-elect=false', '--controllers=*', `--secure-port=${kcmPort}`, '--bind-address=127.0.0.1',
      `--service-account-private-key-file=${f('sa.key')}`, `--root-ca-file=${f('ca.crt')}`, '--use-service-account-credentials=true',
      `--cert-dir=${f('kcm-certs')}`, '--cluster-cidr=10.244.0.0/16', '--allocate-node-cidrs=false', '--concurrent-deployment-syncs=10',
      '--concurrent-statefulset-syncs=10', '--concurrent-daemonset-syncs=10', '--concurrent-replicaset-syncs=10', '--v=0',
      '--feature-gates=WatchListClient=false', // (the Kubernetes binaries take client-go's gates as flags)
      // kwok renews the simulated nodes' leases; on a loaded machine a renewal can come late, and a node marked
      // NotReady would mark its pods NotReady (kwok's stages do not bring them back): tests do not test node failure.
      '--node-monitor-grace-period=3600s',
    ]);
    start('kube-scheduler', bins.scheduler, [
      ...clientKubeconfig, '--leader-elect=false', `--secure-port=${schedPort}`, '--bind-address=127.0.0.1', `--cert-dir=${f('sched-certs')}`, '--v=0', '--feature-gates=WatchListClient=false',
    ]);
    fs.writeFileSync(f('kwok.yaml'), STAGES);
    start('kwok', bins.kwok, [
      ...clientKubeconfig, '--config', f('kwok.yaml'), '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`, '--cidr=10.128.0.1/10', '--node-ip=10.96.0.1',
    ], { env });

    // Polled, not `kubectl wait --for=condition=Established crd --all`: that fails outright on a CRD whose status has
    // no conditions yet (seen once, right after the apply).
    const waitCrdsEstablished = () => procs.waitFor('every CRD Established', async () => {
      const r = await kubectl(['get', 'crd', '-o', 'json']);
      if (r.code !== 0) return undefined;
      const items = JSON.parse(r.stdout).items as any[];
      return items.every((c) => (c.status?.conditions ?? []).some((x: any) => x.type === 'Established' && x.status === 'True')) ? true : undefined;
    }, 120_000);
    const crds = opts.crds ?? testCrdFiles();
    if (crds.length) {
      const text = crds.map((p) => p.endsWith('.gz') ? require('zlib').gunzipSync(fs.readFileSync(p)).toString('utf8') : fs.readFileSync(p, 'utf8')).join('\n---\n');
      await kubectlOk(['apply', '--server-side', '-f', '-'], { input: text });
      await waitCrdsEstablished();
    }
    // The default ServiceAccount of a namespace (the serviceaccount controller's) is what admission waits for.
    await procs.waitFor('ServiceAccount default/default', async () => (await kubectl(['-n', 'default', 'get', 'serviceaccount', 'default'])).code === 0 ? true : undefined, 120_000);

    const getItems = async (resource: string, namespace?: string) => {
      const out = await kubectlOk(['get', resource, ...(namespace ? ['-n', namespace] : ['-A']), '-o', 'json']);
      return JSON.parse(out).items as any[];
    };
    let pvSeq = 0;
    const cp: ControlPlane = {
      dir, kubeconfig, kubectl, kubectlOk, getItems, waitCrdsEstablished,
      async addNodes(pool) {
        const names = Array.from({ length: pool.count }, (_, i) => `${pool.namePrefix}-${i}`);
        const capacity = { cpu: '8', memory: '32Gi', pods: '110', ...pool.capacity };
        const docs = names.map((name) => JSON.stringify({
          apiVersion: 'v1', kind: 'Node',
          metadata: {
            name, annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...pool.labels },
          },
          spec: { taints: pool.taints ?? [] },
          status: { capacity, allocatable: capacity },
        }));
        await kubectlOk(['create', '-f', '-'], { input: docs.join('\n---\n') });
        await procs.waitFor(`nodes ${names[0]}.. Ready`, async () => {
          const nodes = await getItems('nodes');
          const ready = new Set(nodes.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name));
          return names.every((n) => ready.has(n)) ? true : undefined;
        }, 120_000);
        return names;
      },
      async addStorageClass(name, o = {}) {
        await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({
          apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
          metadata: { name, annotations: o.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
          provisioner: o.provisioner ?? 'test.invalid/nobody', volumeBindingMode: o.volumeBindingMode ?? 'WaitForFirstConsumer',
          allowVolumeExpansion: o.allowVolumeExpansion ?? false, reclaimPolicy: 'Delete',
        }) });
      },
      async addVolumes(req) {
        const docs = Array.from({ length: req.count ?? 1 }, () => {
          const name = `pv-${++pvSeq}`;
          return JSON.stringify({
            apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
            spec: {
              storageClassName: req.storageClassName, capacity: { storage: req.size }, accessModes: req.accessModes ?? ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/${name}`, type: 'DirectoryOrCreate' },
            },
          });
        });
        await kubectlOk(['create', '-f', '-'], { input: docs.join('\n---\n') });
      },
      async addRuntimeClass(name) {
        await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: name }) });
      },
      logs: () => Object.entries(procs.logs).map(([k, v]) => `--- ${k}\n${v.slice(-4000)}`).join('\n'),
      stop,
    };
    return cp;
  } catch (e) {
    const logs = Object.entries(procs.logs).map(([k, v]) => `--- ${k}\n${v.slice(-4000)}`).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
}
