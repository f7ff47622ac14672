/**
 * Catalog of the metric names each source exposes: the exporters the stack
 * deploys and the service kinds users declare in spec.services[]. A dashboard
 * panel may only use metrics listed here, and only ships when a source that
 * provides every metric it reads is enabled by the spec — so no panel is
 * silently empty because of a typo or a component that is switched off.
 *
 * For the service kinds whose software has no standard metric names (stt,
 * tts), the list is the contract the dashboards expect; docs/dashboards.md
 * prints it so a team can expose (or relabel to) these names.
 */
import { KSM_METRICS, KUBELET_KEPT_METRICS } from '../charts/core/metrics';
import { RECORDING } from '../charts/core/recording';
import { SLO_RECORDED_METRICS } from '../charts/core/slo-catalog';
import type { Spec } from '../charts/spec-schema';
import { KINDS } from '../charts/kinds';
import { histogram, PROCESS } from '../charts/kinds/shared';
import type { MetricSource } from '../charts/core/dashboard-model';

/** A service kind's name (charts/kinds/index.ts). */
export type ServiceKind = string;

export const EXPORTER_SOURCES = ['prometheus', 'cadvisor', 'kube-state-metrics', 'kubelet', 'alertmanager', 'loki', 'grafana'] as const;
export type ExporterSource = (typeof EXPORTER_SOURCES)[number];
/** The sources listed here (`slo`: the SLO recording rules, rules/slo.ts, present when a service declares slos[]);
 * components contribute more (ComponentDef.catalog), so a source id is a string. */
// ExporterSource | ServiceKind | 'slo' | 'velero'; a service kind is any registered kind's name (charts/kinds), so a string.
export type BuiltinSourceId = string;
export type SourceId = string;

const summary = (name: string): string[] => [name, `${name}_sum`, `${name}_count`];

/** Series every scrape job produces (https://prometheus.io/docs/concepts/jobs_instances/). */
const SCRAPE_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

export const CATALOG: Record<BuiltinSourceId, { readonly title: string; readonly metrics: readonly string[] }> = {
  // --- Exporters and stack components
  prometheus: {
    title: 'Prometheus (self-monitoring and the series every scrape adds)',
    metrics: [
      ...SCRAPE_SERIES,
      ...PROCESS,
      'prometheus_build_info',
      'prometheus_config_last_reload_successful',
      'prometheus_ready',
      'prometheus_tsdb_head_series',
      'prometheus_tsdb_head_chunks',
      'prometheus_tsdb_head_samples_appended_total',
      'prometheus_tsdb_storage_blocks_bytes',
      'prometheus_tsdb_compactions_failed_total',
      'prometheus_tsdb_compactions_total',
      'prometheus_tsdb_wal_corruptions_total',
      'prometheus_tsdb_reloads_failures_total',
      'prometheus_rule_evaluations_total',
      'prometheus_rule_evaluation_failures_total',
      'prometheus_rule_group_last_duration_seconds',
      'prometheus_rule_group_interval_seconds',
      'prometheus_rule_group_iterations_missed_total',
      'prometheus_notifications_sent_total',
      'prometheus_notifications_errors_total',
      'prometheus_notifications_dropped_total',
      'prometheus_notifications_queue_length',
      'prometheus_notifications_alertmanagers_discovered',
      'prometheus_sd_discovered_targets',
      'prometheus_target_scrapes_exceeded_sample_limit_total',
      ...summary('prometheus_engine_query_duration_seconds'),
      ...summary('prometheus_target_interval_length_seconds'),
    ],
  },
  cadvisor: {
    title: 'cAdvisor (container metrics, groups cpu, memory, network, disk, diskIO) and the container recording rules',
    metrics: [
      'container_cpu_usage_seconds_total',
      'container_cpu_cfs_throttled_periods_total',
      'container_cpu_cfs_periods_total',
      'container_memory_working_set_bytes',
      'container_memory_rss',
      'container_memory_usage_bytes',
      'container_memory_cache',
      'container_network_receive_bytes_total',
      'container_network_transmit_bytes_total',
      'container_network_receive_packets_dropped_total',
      'container_network_transmit_packets_dropped_total',
      'container_fs_reads_bytes_total',
      'container_fs_writes_bytes_total',
      'container_fs_usage_bytes',
      'container_spec_memory_limit_bytes',
      'container_spec_cpu_quota',
      'container_spec_cpu_period',
      RECORDING.containerCpu,
      RECORDING.containerMemory,
    ],
  },
  'kube-state-metrics': {
    title:
      'kube-state-metrics (object state: restarts, terminations, waiting reasons, replicas, workload labels; exactly its --metric-allowlist)',
    // The allowlist itself (charts/components/kube-state-metrics/construct.ts): a panel cannot read a family the exporter does not expose.
    metrics: Object.values(KSM_METRICS).flat(),
  },
  kubelet: {
    title: `kubelet volume stats (job kubelet, keeps only ${KUBELET_KEPT_METRICS}; by namespace and persistentvolumeclaim)`,
    metrics: [
      'kubelet_volume_stats_capacity_bytes',
      'kubelet_volume_stats_available_bytes',
      'kubelet_volume_stats_used_bytes',
      'kubelet_volume_stats_inodes',
      'kubelet_volume_stats_inodes_free',
      'kubelet_volume_stats_inodes_used',
    ],
  },
  alertmanager: {
    title: 'Alertmanager',
    metrics: [
      'alertmanager_alerts',
      'alertmanager_alerts_received_total',
      'alertmanager_alerts_invalid_total',
      'alertmanager_notifications_total',
      'alertmanager_notifications_failed_total',
      ...histogram('alertmanager_notification_latency_seconds'),
      'alertmanager_silences',
      'alertmanager_config_last_reload_successful',
      'alertmanager_cluster_members',
    ],
  },
  loki: {
    title: 'Loki (LogQL queries through the Loki datasource, and its own metrics)',
    metrics: [
      'loki_distributor_bytes_received_total',
      'loki_distributor_lines_received_total',
      'loki_ingester_memory_streams',
      'loki_discarded_samples_total',
      ...histogram('loki_request_duration_seconds'),
      'loki_build_info',
    ],
  },
  grafana: {
    title: 'Grafana',
    metrics: [...histogram('grafana_http_request_duration_seconds'), 'grafana_build_info', 'grafana_stat_totals_dashboard'],
  },
  slo: { title: 'SLO recording rules (rules/slo.ts; with spec.services[].slos[])', metrics: SLO_RECORDED_METRICS },
  velero: {
    title: 'Velero server (job velero, with spec.backup.method velero; pkg/metrics/metrics.go names, prefix velero_)',
    metrics: [
      'velero_backup_last_successful_timestamp',
      'velero_backup_attempt_total',
      'velero_backup_success_total',
      'velero_backup_failure_total',
    ],
  },
  // --- Service kinds (spec.services[].kind): each kind's own list (charts/kinds/<kind>/index.ts)
  ...Object.fromEntries(KINDS.map((k) => [k.name, { title: k.title, metrics: k.metrics }])),
};

/** The catalog's sources followed by the components' (ComponentDef.catalog); a source id appears once. */
export function catalogSources(extra: readonly MetricSource[] = []): MetricSource[] {
  const out: MetricSource[] = (Object.entries(CATALOG) as [SourceId, { title: string; metrics: readonly string[] }][]).map(
    ([id, { title, metrics }]) => ({ id, title, metrics }),
  );
  for (const s of extra) {
    if (out.some((o) => o.id === s.id))
      throw new Error(`metric source "${s.id}" is declared twice (dashboards/catalog.ts or a ComponentDef.catalog)`);
    out.push(s);
  }
  return out;
}

/** Metric -> the sources providing it. */
export type MetricIndex = ReadonlyMap<string, readonly SourceId[]>;

export function metricIndex(extra: readonly MetricSource[] = []): MetricIndex {
  const m = new Map<string, SourceId[]>();
  for (const { id, metrics } of catalogSources(extra)) {
    for (const metric of metrics) m.set(metric, [...(m.get(metric) ?? []), id]);
  }
  return m;
}

/** Sources providing each metric (the catalog's own; buildDashboards adds the components'). */
export const METRIC_SOURCES: MetricIndex = metricIndex();

/**
 * The sources the spec enables: what dashboards may rely on.
 *
 * Each exporter source follows its component's switch (`enabled: false`
 * turns it off); `kubelet` follows spec.kubelet.volumeStats.enabled.
 * test/config/dashboards.test.ts checks that every enabled exporter source has a
 * Prometheus job of the same name.
 */
export function enabledSources(spec: Spec): Set<SourceId> {
  const s = new Set<SourceId>(['prometheus']);
  if (spec.cadvisor.enabled) s.add('cadvisor');
  if (spec.grafana.enabled) s.add('grafana');
  if (spec.alerting.enabled) s.add('alertmanager');
  if (spec.loki.enabled) s.add('loki');
  if (spec.kubeStateMetrics.enabled) s.add('kube-state-metrics');
  if (spec.kubelet.volumeStats.enabled) s.add('kubelet');
  for (const svc of spec.services) s.add(svc.kind);
  if (spec.services.some((svc) => svc.slos?.length)) s.add('slo');
  if (spec.backup.enabled && spec.backup.method === 'velero') s.add('velero');
  return s;
}
