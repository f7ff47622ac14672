/**
 * Every container image the stack deploys, pinned to an exact version in one
 * place. Users override one with `spec.<component>.image`; `latest` is refused
 * by the spec schema and by the security gate over dist/.
 */
export const IMAGES = {
  /** Prometheus 3.5 is the 2025 long-term-support line. */
  prometheus: 'quay.io/prometheus/prometheus:v3.5.0',
  nodeExporter: 'quay.io/prometheus/node-exporter:v1.9.1',
  cadvisor: 'gcr.io/cadvisor/cadvisor:v0.52.1',
  /** DCGM exporter 4.4.2-4.7.1 (DCGM 4.4.2); the ubuntu22.04 variant ships the linker cache the 4.x startup check reads. */
  dcgmExporter: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.4.2-4.7.1-ubuntu22.04',
  /**
   * kube-state-metrics 2.17: /livez on the metrics port, /readyz on the telemetry port (since 2.13),
   * --auto-gomemlimit (since 2.13). Not 2.18+: kube-state-metrics issue #2867 (open) reports more
   * than twice the memory of 2.17 on the same cluster.
   */
  kubeStateMetrics: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0',
  /** Loki 3.7, single binary (tsdb + v13 schema). */
  loki: 'docker.io/grafana/loki:3.7.8',
  /** The last Promtail release: Grafana published no Promtail image after 3.6.11 (end of life 2 March 2026). */
  promtail: 'docker.io/grafana/promtail:3.6.11',
  /** Grafana Alloy, Promtail's successor (`spec.logs.collector: alloy`). */
  alloy: 'docker.io/grafana/alloy:v1.20.1',
  /** 0.28 is the first release with msteamsv2_configs (Teams Workflows). */
  alertmanager: 'quay.io/prometheus/alertmanager:v0.28.1',
  /**
   * 1.5.4: Teams Workflows (-workflow-webhook, WORKFLOW_WEBHOOK) came in 1.5.3; 1.5.2 has no such flag and
   * rejects any card template whose type is not MessageCard. 1.5.4 keeps every Adaptive Card element of a
   * custom template (1.5.3 dropped unknown ones). Flags and card checked against contracts/prometheus-msteams/.
   */
  prometheusMsteams: 'quay.io/prometheusmsteams/prometheus-msteams:v1.5.4',
  /** Init container of the Teams bridge: renders the connectors file from the webhook Secrets (sh + awk). */
  busybox: 'docker.io/library/busybox:1.37.0',
  /**
   * The volumesnapshot backup CronJob (spec.backup): Kubernetes' own kubectl image, on debian-base with bash,
   * coreutils, grep, sed, jq (build/server-image/kubectl/Dockerfile); any kubectl within one minor of the API server.
   */
  kubectl: 'registry.k8s.io/kubectl:v1.34.2',
  /** Last 12.x minor (Grafana 13 saves dashboards in the v2 schema; file provisioning here ships v1 JSON). */
  grafana: 'docker.io/grafana/grafana:12.4.3',
  /** blackbox_exporter 0.28.0 (2025-12-04, the latest release); the tests run this release (TOOL_PINS.blackboxExporter). */
  blackboxExporter: 'quay.io/prometheus/blackbox-exporter:v0.28.0',
  /**
   * `ai-monitoring operator` (charts/app/operator): built by charts/app/operator/Dockerfile from the published
   * package at this version (the tag is package.json's version; test/live/offline.test.ts checks it).
   */
  operator: 'ghcr.io/cdk8s-ai/ai-monitoring:0.1.0',
} as const;

export type ImageKey = keyof typeof IMAGES;

/** The tag of an image reference (`v3.5.0`), or `digest` for digest-only references. */
export function imageVersion(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(colon + 1) : 'digest';
}

/**
 * The programs the tests run, each beside the image it stands for (issue 13).
 * `scripts/install-tools.ts` installs them into `.cache/` (gitignored, reused);
 * test/config/tool-pins.test.ts fails when a tool's release and its image's tag differ
 * without `drift` recording why, or when the installed binary is not the pin.
 */
export interface ToolPin {
  /**
   * go: a `tool` of one of our Go modules under tools/ (`dir`), built with `go build` from it, so the module's
   * own go.sum pins every dependency; pip; apt (Debian); unavailable: no way to install it here that the project
   * may use (`note` says why). Never a module downloaded by hand from the Go proxy and built (`go mod download`).
   */
  readonly via: 'go' | 'pip' | 'apt' | 'unavailable';
  /** go: module; pip: distribution; apt: package. */
  readonly module: string;
  /** go: the folder of our go.mod that lists the tool (tools/<name>). */
  readonly dir?: string;
  /** go: package paths below the module ('' = the module root) → binary names. */
  readonly cmds?: Readonly<Record<string, string>>;
  /** go: extra `-ldflags` (the Kubernetes binaries stamp their release so /version reports it). */
  readonly ldflags?: string;
  /** The version asked of the registry (go module version, pip version, Debian upstream version prefix). */
  readonly version: string;
  /** The upstream release it is, compared with the image tag. */
  readonly release: string;
  /** Binaries it provides (the first is the one whose version is checked). */
  readonly bins: readonly string[];
  readonly image?: ImageKey;
  /** Why the tested release differs from the image tag (required when they differ). */
  readonly drift?: string;
  /** Why this way of installing, or (unavailable) why it cannot be installed here. */
  readonly note?: string;
}

/** The Kubernetes release the OpenAPI contract (contracts/kubernetes/) and the control-plane tests target. */
export const KUBERNETES_RELEASE = '1.36.3';

export const TOOL_PINS = {
  prometheus: {
    via: 'go',
    module: 'github.com/prometheus/prometheus',
    dir: 'tools/prometheus',
    cmds: { 'cmd/prometheus': 'prometheus', 'cmd/promtool': 'promtool' },
    version: 'v0.305.0',
    release: '3.5.0',
    bins: ['prometheus', 'promtool'],
    image: 'prometheus',
  },
  /** Its own go.mod: amtool 0.28.1 needs prometheus/common v0.61 (promslog.AllowedLevel), which Prometheus 3.5.0 moves past. */
  alertmanager: {
    via: 'go',
    module: 'github.com/prometheus/alertmanager',
    dir: 'tools/alertmanager',
    cmds: { 'cmd/alertmanager': 'alertmanager', 'cmd/amtool': 'amtool' },
    version: 'v0.28.1',
    release: '0.28.1',
    bins: ['alertmanager', 'amtool'],
    image: 'alertmanager',
  },
  kubeconform: {
    via: 'go',
    module: 'github.com/yannh/kubeconform',
    dir: 'tools/prometheus',
    cmds: { 'cmd/kubeconform': 'kubeconform' },
    version: 'v0.7.0',
    release: '0.7.0',
    bins: ['kubeconform'],
  },
  /** Its own go.mod: pint v0.87.0 requires prometheus v0.313.0 and alertmanager v0.33.0, which would move the deployed versions' tools. */
  pint: {
    via: 'go',
    module: 'github.com/cloudflare/pint',
    dir: 'tools/pint',
    cmds: { 'cmd/pint': 'pint' },
    version: 'v0.87.0',
    release: '0.87.0',
    bins: ['pint'],
  },
  /**
   * The control plane of the cluster tests, at the release of the OpenAPI contract. Its go.mod replaces each
   * k8s.io staging module (k8s.io/kubernetes' own replace block points them at ./staging) with its published v0.36.3.
   */
  kubernetes: {
    via: 'go',
    module: 'k8s.io/kubernetes',
    dir: 'tools/kube',
    cmds: {
      'cmd/kube-apiserver': 'kube-apiserver',
      'cmd/kube-controller-manager': 'kube-controller-manager',
      'cmd/kube-scheduler': 'kube-scheduler',
      'cmd/kubectl': 'kubectl',
    },
    ldflags: `-X k8s.io/component-base/version.gitVersion=v${KUBERNETES_RELEASE} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 -X k8s.io/component-base/version.gitTreeState=clean`,
    version: `v${KUBERNETES_RELEASE}`,
    release: KUBERNETES_RELEASE,
    bins: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
  },
  /** Simulated nodes; its own go.mod because it moves grpc and cri-client past what Kubernetes 1.36.3 builds with. */
  kwok: {
    via: 'go',
    module: 'sigs.k8s.io/kwok',
    dir: 'tools/kwok',
    cmds: { 'cmd/kwok': 'kwok' },
    version: 'v0.8.0',
    release: '0.8.0',
    bins: ['kwok'],
  },
  /** etcd for the control plane (Debian 12's 3.4.23 serves kube-apiserver 1.36.3). */
  etcd: { via: 'apt', module: 'etcd-server', version: '3.4', release: '3.4', bins: ['etcd'] },
  rqExporter: { via: 'pip', module: 'rq-exporter', version: '3.1.0', release: '3.1.0', bins: ['rq-exporter'] },
  rq: { via: 'pip', module: 'rq', version: '2.12.0', release: '2.12.0', bins: ['rq'] },
  redis: { via: 'apt', module: 'redis-server', version: '7.0', release: '7.0', bins: ['redis-server'] },
  redisExporter: { via: 'apt', module: 'prometheus-redis-exporter', version: '1.45', release: '1.45', bins: ['prometheus-redis-exporter'] },
  mariadb: { via: 'apt', module: 'mariadb-server', version: '10.11', release: '10.11', bins: ['mariadbd', 'mariadb-install-db'] },
  mysqldExporter: {
    via: 'apt',
    module: 'prometheus-mysqld-exporter',
    version: '0.14',
    release: '0.14',
    bins: ['prometheus-mysqld-exporter'],
  },
  blackboxExporter: {
    via: 'apt',
    module: 'prometheus-blackbox-exporter',
    version: '0.23',
    release: '0.23.0',
    bins: ['prometheus-blackbox-exporter'],
    image: 'blackboxExporter',
    drift:
      "go install github.com/prometheus/blackbox_exporter@v0.28.0 fails (the module proxy refuses its version list, 403), so the tests run Debian 12's 0.23.0; the emitted module fields are also checked against v0.28.0's config.go (test/config/contracts/blackbox-exporter-v0.28.0.json), and use nothing 0.24-0.28 added",
  },
  nodeExporter: {
    via: 'apt',
    module: 'prometheus-node-exporter',
    version: '1.5',
    release: '1.5',
    bins: ['prometheus-node-exporter'],
    image: 'nodeExporter',
    drift:
      "the e2e and real-data tests scrape Debian's node-exporter for its host metrics; the names the dashboards read are stable across 1.5-1.9",
  },
  /** htpasswd -nbB: the web-auth tests make the spec.webAuth Secret with README's commands. */
  htpasswd: { via: 'apt', module: 'apache2-utils', version: '2.4', release: '2.4', bins: ['htpasswd'] },
  /**
   * The Prometheus and Alertmanager images are built on quay.io/prometheus/busybox (busybox:uclibc): the
   * web-auth test runs their exec readiness probe with busybox's sh, wget, base64 and tr.
   */
  busybox: {
    via: 'apt',
    module: 'busybox',
    version: '1.35',
    release: '1.35',
    bins: ['busybox'],
    drift:
      "Debian 12 ships busybox 1.35; the images' busybox:uclibc is newer. The probe uses only applets and options common to both (no wget -T, which crashes in 1.35)",
  },
} as const satisfies Record<string, ToolPin>;
export type ToolName = keyof typeof TOOL_PINS;
/*
 * Not installable here (so not pinned): grafana/dashboard-linter. The module proxy refuses v0.1.1 and
 * the 2025 pseudo-versions; v0.2.0 downloads but needs github.com/grafana/grafana/apps/dashboard at a
 * pseudo-version the proxy refuses. prometheus-msteams: the proxy refuses every version (v1.5.2-v1.5.4).
 * kube-state-metrics: the proxy refuses k8s.io/kube-state-metrics/v2@v2.17.0; its flags are a contract instead.
 */
