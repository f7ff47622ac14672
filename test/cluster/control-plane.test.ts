/** The control-plane harness itself: a node pool kwok makes Ready, a pod the scheduler places and kwok runs, a claim bound to a PersistentVolume. */
import { type ControlPlane, startControlPlane } from '../lib/control-plane';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
}, 240_000);
afterAll(async () => {
  await cp?.stop();
}, 60_000);

it('reports the pinned Kubernetes release', async () => {
  expect(JSON.parse(await cp.kubectlOk(['get', '--raw', '/version'])).gitVersion).toBe('v1.36.3');
});

it('schedules a pod with a claim onto a tainted GPU node and runs it', async () => {
  await cp.addNodes({
    count: 1,
    namePrefix: 'gpu',
    labels: { 'nvidia.com/gpu.present': 'true' },
    taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    capacity: { 'nvidia.com/gpu': '1' },
  });
  await cp.addStorageClass('standard', { isDefault: true });
  await cp.addVolumes({ storageClassName: 'standard', size: '1Gi' });
  await cp.addRuntimeClass('nvidia');
  await cp.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'c', namespace: 'default' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'default' },
          spec: {
            runtimeClassName: 'nvidia',
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            containers: [
              { name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1' } }, volumeMounts: [{ name: 'd', mountPath: '/d' }] },
            ],
            volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }],
          },
        },
      ],
    }),
  });
  const deadline = Date.now() + 60_000;
  let pod: any;
  while (Date.now() < deadline) {
    pod = JSON.parse(await cp.kubectlOk(['-n', 'default', 'get', 'pod', 'p', '-o', 'json']));
    if (pod.status?.phase === 'Running') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(pod.status.phase).toBe('Running');
  expect(pod.spec.nodeName).toBe('gpu-0');
  expect(JSON.parse(await cp.kubectlOk(['-n', 'default', 'get', 'pvc', 'c', '-o', 'json'])).status.phase).toBe('Bound');
});
