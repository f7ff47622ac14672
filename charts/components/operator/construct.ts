/**
 * The operator in the cluster (`spec.operator.enabled`): `ai-monitoring operator` as a Deployment in the stack
 * namespace, reconciling the MonitoringStack resources of that namespace, with its ServiceAccount and
 * least-privilege RBAC (rbac.ts): a ClusterRole derived from the objects the stack emits, read when the
 * manifests are written (so objects built after this construct count too), and a Role in the namespace for
 * the MonitoringStack resources, Events and its leader-election Lease. One or two replicas: both campaign
 * for the Lease, only its holder reconciles; probes read the operator's /healthz and /readyz.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageVersion } from '../../core/images';
import { recommendedLabels, selectorLabels } from '../../core/labels';
import { containerSecurity, httpProbe, quantity, resources, spreadAcrossNodes } from '../../lib/workload';
import type { Resources } from '../../spec-schema';
import { clusterRules, namespaceRules, type EmittedObject, type OperatorRule } from './rbac';

export const OPERATOR_NAME = 'operator';
/** ServiceAccount, Role and Deployment name in the stack namespace. */
export const OPERATOR_OBJECT_NAME = 'ai-monitoring-operator';
export const OPERATOR_HEALTH_PORT = 8081;
/** The MonitoringStack resource (charts/app/operator/crd.ts; a test checks they agree). */
export const MONITORING_STACK_RESOURCE = { group: 'monitoring.cdk8s-ai.dev', plural: 'monitoringstacks' } as const;
/** The conventional "nonroot" uid of the image (charts/app/operator/Dockerfile). */
const UID = 65532;

export const DEFAULT_OPERATOR_RESOURCES: Resources = { requests: { cpu: '100m', memory: '320Mi' }, limits: { cpu: '1', memory: '768Mi' } };

export interface OperatorProps {
  /** Namespace of the operator, and the namespace whose MonitoringStack resources it reconciles. */
  readonly namespace: string;
  /** The stack's metadata.name: prefix of the ClusterRole and its binding, and of the Lease name. */
  readonly instance: string;
  /** The objects the operator applies; its ClusterRole is derived from them when the manifests are written. */
  readonly emitted: () => readonly EmittedObject[];
  /** API group and plural of the MonitoringStack resource. @default monitoring.cdk8s-ai.dev, monitoringstacks */
  readonly crd?: { readonly group: string; readonly plural: string };
  /** @default IMAGES.operator */
  readonly image?: string;
  /** 1, or 2 (a standby waiting on the Lease). @default 1 */
  readonly replicas?: number;
  /** How often every stack is re-applied, in seconds. @default 60 */
  readonly resyncSeconds?: number;
  /** @default requests 100m CPU and 320Mi (the measured RSS is about 290Mi), limits 1 CPU and 768Mi */
  readonly resources?: Resources;
  /** Port of /healthz and /readyz. @default 8081 */
  readonly healthPort?: number;
}

/** A ClusterRole whose rules are computed when it is written (after every construct of the stack exists). */
class DerivedClusterRole extends k8s.KubeClusterRole {
  constructor(
    scope: Construct,
    id: string,
    props: k8s.KubeClusterRoleProps,
    private readonly derive: () => OperatorRule[],
  ) {
    super(scope, id, props);
  }

  public override toJson(): Record<string, unknown> {
    return { ...(super.toJson() as Record<string, unknown>), rules: this.derive() };
  }
}

/** The operator container: `ai-monitoring operator` with leader election, its health port and probes, read-only root filesystem. */
function operatorContainer(props: OperatorProps, image: string, leaseName: string, port: number): k8s.Container {
  return {
    name: OPERATOR_NAME,
    image,
    imagePullPolicy: 'IfNotPresent',
    args: [
      'operator',
      '--namespace',
      props.namespace,
      '--resync',
      `${props.resyncSeconds ?? 60}s`,
      '--leader-elect',
      '--lease-name',
      leaseName,
      '--health-port',
      String(port),
    ],
    ports: [{ name: 'health', containerPort: port, protocol: 'TCP' }],
    resources: resources(props.resources ?? DEFAULT_OPERATOR_RESOURCES),
    securityContext: containerSecurity(),
    livenessProbe: httpProbe('/healthz', 'health', { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
    readinessProbe: httpProbe('/readyz', 'health', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export class Operator extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  public readonly clusterRoleName: string;
  public readonly leaseName: string;

  constructor(scope: Construct, id: string, props: OperatorProps) {
    super(scope, id);
    const ns = props.namespace;
    const image = props.image ?? IMAGES.operator;
    const labels = recommendedLabels({
      name: OPERATOR_NAME,
      instance: props.instance,
      component: 'operator',
      version: imageVersion(image),
    });
    const selector = selectorLabels(OPERATOR_NAME, props.instance);
    const crd = props.crd ?? MONITORING_STACK_RESOURCE;
    const port = props.healthPort ?? OPERATOR_HEALTH_PORT;
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 2)
      throw new Error(`Operator replicas: expected 1 or 2, found ${replicas}`);
    this.clusterRoleName = `${props.instance}-operator`;
    this.leaseName = `${props.instance}-operator`;
    const metadata = { name: OPERATOR_OBJECT_NAME, namespace: ns, labels };
    const subjects = [{ kind: 'ServiceAccount', name: OPERATOR_OBJECT_NAME, namespace: ns }];

    this.createRbac(props, metadata, subjects, labels, crd);

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        // The new pod campaigns as a standby (ready) before the old one stops and releases the Lease.
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: OPERATOR_OBJECT_NAME,
            automountServiceAccountToken: true, // applies the stack through the API server
            securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            terminationGracePeriodSeconds: 30,
            ...spreadAcrossNodes(replicas, selector),
            containers: [operatorContainer(props, image, this.leaseName, port)],
            // Nothing is written; a small /tmp for Node's own use, the root filesystem stays read-only.
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: quantity('64Mi') } }],
          },
        },
      },
    });
  }

  /** ServiceAccount, the derived ClusterRole and the namespaced Role (MonitoringStacks, Events, Lease), each with its binding. */
  private createRbac(
    props: OperatorProps,
    metadata: { name: string; namespace: string; labels: Record<string, string> },
    subjects: k8s.Subject[],
    labels: Record<string, string>,
    crd: { readonly group: string; readonly plural: string },
  ): void {
    new k8s.KubeServiceAccount(this, 'sa', { metadata, automountServiceAccountToken: true });
    new DerivedClusterRole(this, 'cluster-role', { metadata: { name: this.clusterRoleName, labels } }, () => clusterRules(props.emitted()));
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: this.clusterRoleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRoleName },
      subjects,
    });
    new k8s.KubeRole(this, 'role', { metadata, rules: namespaceRules(crd, this.leaseName) });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OPERATOR_OBJECT_NAME },
      subjects,
    });
  }
}
