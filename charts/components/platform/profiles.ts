/**
 * Platform profiles (`spec.platform`): what each Kubernetes distribution or
 * managed service does differently for a monitoring stack, from its own
 * documentation (each fact cites its page). The loader fills these values
 * into the spec wherever the spec leaves the field unset (derive.ts), so
 * every derived value stays overridable by the ordinary spec field.
 *
 * Facts per platform: the labels its GPU nodes carry (ORed: any one marks a
 * GPU node), whether a RuntimeClass is needed for the NVIDIA runtime, the
 * containerd socket and root for cAdvisor, whether the kubelets' serving
 * certificates verify against the cluster CA, the storage class and whether
 * it can expand, and whether critical-priority pods outside kube-system need
 * a ResourceQuota (GKE).
 */

export const PLATFORMS = ['generic', 'k3s', 'gke', 'eks', 'aks'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface NodeLabelTerm {
  readonly key: string;
  readonly operator: 'Exists' | 'In';
  readonly values?: readonly string[];
}
export interface TolerationFact {
  readonly key: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect: 'NoSchedule';
}

export interface PlatformProfile {
  /** Labels that mark GPU nodes (nodeAffinity terms, ORed). */
  readonly gpuNodeLabels: readonly NodeLabelTerm[];
  /** Taints GPU nodes carry. */
  readonly gpuTolerations: readonly TolerationFact[];
  /** RuntimeClass for the NVIDIA runtime, or null where it is containerd's default runtime (managed drivers). */
  readonly runtimeClassName: string | null;
  readonly containerd: { readonly socket: string; readonly root: string };
  /** Pod logs, where the log collectors read them (the kubelet's layout on every platform here). */
  readonly podLogDir: string;
  /** Kubelet serving certificates are self-signed (not signed by the cluster CA): skip verification. */
  readonly kubeletSelfSigned: boolean;
  /** Storage class for the stack's volumes (undefined: the cluster default) and whether it allows volume expansion. */
  readonly storageClassName?: string;
  readonly volumeExpansion: boolean;
  /** Pods with system-node-critical priority outside kube-system need a ResourceQuota scoped to it. */
  readonly criticalPodsNeedQuota: boolean;
  /** cAdvisor through the kubelet (no DaemonSet) rather than its own DaemonSet. */
  readonly cadvisorThroughKubelet: boolean;
  /** Sizes for a small single server (spec fields, filled where unset). */
  readonly sizing?: SmallServerSizing;
}

export interface SizedResources {
  readonly requests: { cpu: string; memory: string };
  readonly limits: { cpu: string; memory: string };
}
export interface SmallServerSizing {
  readonly prometheus: { readonly resources: SizedResources; readonly storageSize: string };
  readonly loki: { readonly resources: SizedResources; readonly storageSize: string };
  readonly grafana: { readonly resources: SizedResources; readonly storageSize: string };
  readonly kubeStateMetrics: { readonly resources: SizedResources };
  readonly alertmanager: { readonly storageSize: string };
  /** Alloy on one node (tens of pods) and its events watcher (one small cluster's events). */
  readonly alloy: { readonly resources: SizedResources };
  readonly events: { readonly resources: SizedResources };
}

/**
 * NVIDIA's labels, on any platform where GPU Feature Discovery runs (the GPU
 * Operator deploys it; https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/gpu-feature-discovery.html
 * sets nvidia.com/gpu.present=true), and Node Feature Discovery's PCI vendor
 * label for NVIDIA (vendor id 10de; the GPU Operator schedules its operands on
 * feature.node.kubernetes.io/pci-10de.present=true,
 * https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/getting-started.html).
 */
const NVIDIA_GFD: NodeLabelTerm = { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] };
const NFD_NVIDIA_PCI: NodeLabelTerm = { key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] };
/** The taint NVIDIA's and the clouds' guides put on GPU nodes. */
const GPU_TAINT: TolerationFact = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
/** The kubelet writes pod logs under /var/log/pods/<ns>_<pod>_<uid>/<container>/ on every platform below (k3s included). */
const POD_LOGS = '/var/log/pods';
/** containerd's packaged defaults (socket under /run, which /var/run links to). */
const CONTAINERD = { socket: '/var/run/containerd/containerd.sock', root: '/var/lib/containerd' };

export const PROFILES: Readonly<Record<Platform, PlatformProfile>> = {
  /** Any conformant cluster with the NVIDIA GPU Operator (which creates RuntimeClass nvidia) or the device plugin + GFD. */
  generic: {
    gpuNodeLabels: [NVIDIA_GFD, NFD_NVIDIA_PCI],
    gpuTolerations: [GPU_TAINT],
    runtimeClassName: 'nvidia',
    containerd: CONTAINERD,
    podLogDir: POD_LOGS,
    // kubeadm kubelets serve a self-signed certificate unless serverTLSBootstrap is on; unknown here, so verify and let
    // spec.kubelet.tlsInsecureSkipVerify opt out (https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#kubelet-serving-certs).
    kubeletSelfSigned: false,
    volumeExpansion: false, // unknown: the cluster default class
    criticalPodsNeedQuota: false,
    cadvisorThroughKubelet: false,
  },
  /**
   * k3s on one server (https://docs.k3s.io):
   * - containerd is embedded: socket /run/k3s/containerd/containerd.sock, root /var/lib/rancher/k3s/agent/containerd
   *   (https://docs.k3s.io/advanced#configuring-containerd);
   * - the NVIDIA runtime: k3s adds the `nvidia` runtime to its containerd when the NVIDIA container toolkit is
   *   installed; pods select it with runtimeClassName: nvidia (https://docs.k3s.io/advanced#nvidia-container-runtime-support).
   *   k3s also ships RuntimeClass definitions for the runtimes it detects; where `kubectl get runtimeclass nvidia` finds
   *   none, let the GPU exporter create it (its createRuntimeClass);
   * - k3s labels no GPUs itself: NVIDIA's device plugin with GFD (or the GPU Operator) sets nvidia.com/gpu.present;
   * - kubelet serving certificates are issued by the k3s server CA, the CA in every ServiceAccount's ca.crt
   *   (https://docs.k3s.io/cli/certificate): verified;
   * - storage: the bundled local-path provisioner, default class `local-path`, host directories that cannot be
   *   expanded (https://docs.k3s.io/storage#setting-up-the-local-storage-provider): size the volumes for the retention;
   * - sized for a single 4-8 GB server, cAdvisor through the kubelet (no DaemonSet).
   */
  k3s: {
    gpuNodeLabels: [NVIDIA_GFD, NFD_NVIDIA_PCI],
    gpuTolerations: [GPU_TAINT],
    runtimeClassName: 'nvidia',
    containerd: { socket: '/run/k3s/containerd/containerd.sock', root: '/var/lib/rancher/k3s/agent/containerd' },
    podLogDir: POD_LOGS,
    kubeletSelfSigned: false,
    storageClassName: 'local-path',
    volumeExpansion: false,
    criticalPodsNeedQuota: false,
    cadvisorThroughKubelet: true,
    // With these the whole stack requests ~1.2 GiB and is limited to ~2.7 GiB of memory on one 4-8 GB server (the rest
    // is for the AI services; test/config/platform.test.ts holds it under 1.5 / 3 GiB).
    sizing: {
      prometheus: { resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }, storageSize: '10Gi' },
      loki: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }, storageSize: '5Gi' },
      grafana: { resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '384Mi' } }, storageSize: '1Gi' },
      kubeStateMetrics: { resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } },
      alertmanager: { storageSize: '1Gi' },
      alloy: { resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '256Mi' } } },
      events: { resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '100m', memory: '128Mi' } } },
    },
  },
  /**
   * GKE Standard (https://cloud.google.com/kubernetes-engine/docs/how-to/gpus):
   * - GPU nodes carry cloud.google.com/gke-accelerator=<GPU type> and the taint nvidia.com/gpu=present:NoSchedule;
   * - GKE installs the drivers and runs its own device plugin: no nvidia RuntimeClass exists, and GKE makes the
   *   driver available only to containers that request nvidia.com/gpu. With GKE-managed drivers use GKE's managed
   *   GPU metrics or the GPU Operator's exporter (the GPU exporter's `exporter: external`); with the GPU Operator on
   *   GKE give the GPU exporter the RuntimeClass nvidia;
   * - kubelet serving certificates: GKE's cluster CA signs the API server's and the kubelets' client certificates
   *   (https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-trust), not the kubelets' serving
   *   certificates, which are self-signed: not verified;
   * - storage: `standard-rwo`, the default class of the Compute Engine PD CSI driver (pd-balanced), which allows
   *   volume expansion (https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver);
   * - GKE limits pods of priority class system-node-critical / system-cluster-critical to namespaces with a
   *   ResourceQuota scoped to those classes ("insufficient quota to match these scopes" otherwise; the mechanism is
   *   https://kubernetes.io/docs/concepts/policy/resource-quotas/#limit-priority-class-consumption-by-default, and
   *   NVIDIA's GKE guide creates such a quota for the same reason,
   *   https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/google-gke.html): the stack emits one in
   *   the agent namespace, where its node agents run system-node-critical.
   */
  gke: {
    gpuNodeLabels: [{ key: 'cloud.google.com/gke-accelerator', operator: 'Exists' }, NVIDIA_GFD],
    gpuTolerations: [GPU_TAINT],
    runtimeClassName: null,
    containerd: CONTAINERD,
    podLogDir: POD_LOGS,
    kubeletSelfSigned: true,
    storageClassName: 'standard-rwo',
    volumeExpansion: true,
    criticalPodsNeedQuota: true,
    cadvisorThroughKubelet: false,
  },
  /**
   * Amazon EKS (https://docs.aws.amazon.com/eks/latest/userguide/ml-workload-placement.html):
   * - GPU node labels differ by provisioner: EKS Auto Mode eks.amazonaws.com/instance-gpu-manufacturer=nvidia,
   *   Karpenter karpenter.k8s.aws/instance-gpu-manufacturer=nvidia, NVIDIA GFD nvidia.com/gpu.present=true, and
   *   k8s.amazonaws.com/accelerator, which managed node groups set for the Cluster Autoscaler
   *   (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md);
   * - the EKS-optimized accelerated AMIs ship the NVIDIA driver and container toolkit with the NVIDIA runtime as
   *   containerd's default (https://docs.aws.amazon.com/eks/latest/userguide/ml-eks-optimized-ami.html): no RuntimeClass;
   * - kubelet serving certificates are requested from and signed by the cluster CA (signer kubernetes.io/kubelet-serving,
   *   https://docs.aws.amazon.com/eks/latest/userguide/cert-signing.html): verified;
   * - storage: `gp2`, the class EKS creates (in-tree EBS, migrated to the EBS CSI driver; without allowVolumeExpansion).
   *   Clusters created on 1.30 or later have no default class: install the EBS CSI driver and set
   *   storageClassName to its class (a gp3 class with allowVolumeExpansion: true)
   *   (https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
   */
  eks: {
    gpuNodeLabels: [
      NVIDIA_GFD,
      { key: 'eks.amazonaws.com/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] },
      { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] },
      { key: 'k8s.amazonaws.com/accelerator', operator: 'Exists' },
    ],
    gpuTolerations: [GPU_TAINT],
    runtimeClassName: null,
    containerd: CONTAINERD,
    podLogDir: POD_LOGS,
    kubeletSelfSigned: false,
    storageClassName: 'gp2',
    volumeExpansion: false,
    criticalPodsNeedQuota: false,
    cadvisorThroughKubelet: false,
  },
  /**
   * Azure AKS (https://learn.microsoft.com/azure/aks/use-nvidia-gpu):
   * - GPU node pools carry kubernetes.azure.com/accelerator=nvidia; the guide taints them sku=gpu:NoSchedule;
   * - AKS installs the NVIDIA driver and configures the NVIDIA runtime on GPU nodes: no RuntimeClass (with the GPU
   *   Operator, --gpu-driver none, https://learn.microsoft.com/azure/aks/nvidia-gpu-operator, scrape its exporter:
   *   the GPU exporter's `exporter: external`);
   * - kubelet serving certificates are self-signed unless the node pool has kubelet serving certificate rotation
   *   (nodes labelled kubernetes.azure.com/kubelet-serving-ca=cluster,
   *   https://learn.microsoft.com/azure/aks/certificate-rotation): not verified; set
   *   spec.kubelet.tlsInsecureSkipVerify: false where every pool has it;
   * - storage: `managed-csi` (Azure Disk CSI, StandardSSD_LRS), the default class, which allows expansion
   *   (https://learn.microsoft.com/azure/aks/concepts-storage#storage-classes).
   */
  aks: {
    gpuNodeLabels: [{ key: 'kubernetes.azure.com/accelerator', operator: 'In', values: ['nvidia'] }, NVIDIA_GFD],
    gpuTolerations: [GPU_TAINT, { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    runtimeClassName: null,
    containerd: CONTAINERD,
    podLogDir: POD_LOGS,
    kubeletSelfSigned: true,
    storageClassName: 'managed-csi',
    volumeExpansion: true,
    criticalPodsNeedQuota: false,
    cadvisorThroughKubelet: false,
  },
};
