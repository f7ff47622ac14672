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
import type { Spec } from '../charts/spec/schema';
import { SERVICE_KINDS } from '../charts/core/names';
import type { MetricSource } from '../charts/core/dashboard-model';

export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const EXPORTER_SOURCES = [
  'prometheus', 'cadvisor', 'kube-state-metrics', 'kubelet', 'alertmanager', 'loki', 'grafana',
] as const;
export type ExporterSource = (typeof EXPORTER_SOURCES)[number];
/** The sources listed here (`slo`: the SLO recording rules, rules/slo.ts, present when a service declares slos[]);
 * components contribute more (ComponentDef.catalog), so a source id is a string. */
export type BuiltinSourceId = ExporterSource | ServiceKind | 'slo' | 'velero';
export type SourceId = string;

/** The three series of a Prometheus histogram. */
const histogram = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];
const summary = (name: string): string[] => [name, `${name}_sum`, `${name}_count`];

/** Series every scrape job produces (https://prometheus.io/docs/concepts/jobs_instances/). */
const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

/** Metrics of the process/runtime collectors of the official Go and Python clients. */
const PROCESS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'process_max_fds', 'process_start_time_seconds'];
const PYTHON = [...PROCESS, 'python_info', 'python_gc_collections_total', 'python_gc_objects_collected_total'];

/**
 * Generic HTTP service metrics, whatever the prefix (`sodav_http_requests_total`,
 * `http_requests_total` of prometheus-fastapi-instrumentator, ...): dashboards
 * select them with a `__name__` regex, listed here verbatim.
 */
export const HTTP_REQUESTS_ANY_PREFIX = '(.+_)?http_requests_total';
export const HTTP_DURATION_BUCKET_ANY_PREFIX = '(.+_)?http_request_duration_seconds_bucket';
export const HTTP_DURATION_COUNT_ANY_PREFIX = '(.+_)?http_request_duration_seconds_count';
export const HTTP_DURATION_SUM_ANY_PREFIX = '(.+_)?http_request_duration_seconds_sum';

export const CATALOG: Record<BuiltinSourceId, { readonly title: string; readonly metrics: readonly string[] }> = {
  // --- Exporters and stack components
  prometheus: {
    title: 'Prometheus (self-monitoring and the series every scrape adds)',
    metrics: [
      ...SCRAPE_SERIES, ...PROCESS,
      'prometheus_build_info', 'prometheus_config_last_reload_successful', 'prometheus_ready',
      'prometheus_tsdb_head_series', 'prometheus_tsdb_head_chunks', 'prometheus_tsdb_head_samples_appended_total',
      'prometheus_tsdb_storage_blocks_bytes', 'prometheus_tsdb_compactions_failed_total', 'prometheus_tsdb_compactions_total',
      'prometheus_tsdb_wal_corruptions_total', 'prometheus_tsdb_reloads_failures_total',
      'prometheus_rule_evaluations_total', 'prometheus_rule_evaluation_failures_total', 'prometheus_rule_group_last_duration_seconds',
      'prometheus_rule_group_interval_seconds', 'prometheus_rule_group_iterations_missed_total',
      'prometheus_notifications_sent_total', 'prometheus_notifications_errors_total', 'prometheus_notifications_dropped_total',
      'prometheus_notifications_queue_length', 'prometheus_notifications_alertmanagers_discovered',
      'prometheus_sd_discovered_targets', 'prometheus_target_scrapes_exceeded_sample_limit_total',
      ...summary('prometheus_engine_query_duration_seconds'), ...summary('prometheus_target_interval_length_seconds'),
    ],
  },
  cadvisor: {
    title: 'cAdvisor (container metrics, groups cpu, memory, network, disk, diskIO) and the container recording rules',
    metrics: [
      'container_cpu_usage_seconds_total', 'container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total',
      'container_memory_working_set_bytes', 'container_memory_rss', 'container_memory_usage_bytes', 'container_memory_cache',
      'container_network_receive_bytes_total', 'container_network_transmit_bytes_total',
      'container_network_receive_packets_dropped_total', 'container_network_transmit_packets_dropped_total',
      'container_fs_reads_bytes_total', 'container_fs_writes_bytes_total', 'container_fs_usage_bytes',
      'container_spec_memory_limit_bytes', 'container_spec_cpu_quota', 'container_spec_cpu_period',
      RECORDING.containerCpu, RECORDING.containerMemory,
    ],
  },
  'kube-state-metrics': {
    title: 'kube-state-metrics (object state: restarts, terminations, waiting reasons, replicas, workload labels; exactly its --metric-allowlist)',
    // The allowlist itself (charts/components/kube-state-metrics/construct.ts): a panel cannot read a family the exporter does not expose.
    metrics: Object.values(KSM_METRICS).flat(),
  },
  kubelet: {
    title: `kubelet volume stats (job kubelet, keeps only ${KUBELET_KEPT_METRICS}; by namespace and persistentvolumeclaim)`,
    metrics: [
      'kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_used_bytes',
      'kubelet_volume_stats_inodes', 'kubelet_volume_stats_inodes_free', 'kubelet_volume_stats_inodes_used',
    ],
  },
  alertmanager: {
    title: 'Alertmanager',
    metrics: [
      'alertmanager_alerts', 'alertmanager_alerts_received_total', 'alertmanager_alerts_invalid_total',
      'alertmanager_notifications_total', 'alertmanager_notifications_failed_total', ...histogram('alertmanager_notification_latency_seconds'),
      'alertmanager_silences', 'alertmanager_config_last_reload_successful', 'alertmanager_cluster_members',
    ],
  },
  loki: {
    title: 'Loki (LogQL queries through the Loki datasource, and its own metrics)',
    metrics: [
      'loki_distributor_bytes_received_total', 'loki_distributor_lines_received_total', 'loki_ingester_memory_streams',
      'loki_discarded_samples_total', ...histogram('loki_request_duration_seconds'), 'loki_build_info',
    ],
  },
  grafana: {
    title: 'Grafana',
    metrics: [...histogram('grafana_http_request_duration_seconds'), 'grafana_build_info', 'grafana_stat_totals_dashboard'],
  },
  slo: { title: 'SLO recording rules (rules/slo.ts; with spec.services[].slos[])', metrics: SLO_RECORDED_METRICS },
  velero: {
    title: 'Velero server (job velero, with spec.backup.method velero; pkg/metrics/metrics.go names, prefix velero_)',
    metrics: ['velero_backup_last_successful_timestamp', 'velero_backup_attempt_total', 'velero_backup_success_total', 'velero_backup_failure_total'],
  },
  // --- Service kinds (spec.services[].kind)
  vllm: {
    title: 'vLLM OpenAI-compatible server (`vllm:` metrics, label model_name)',
    metrics: [
      'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc',
      'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:request_success_total',
      ...histogram('vllm:time_to_first_token_seconds'), ...histogram('vllm:e2e_request_latency_seconds'),
      ...histogram('vllm:inter_token_latency_seconds'), ...histogram('vllm:time_per_output_token_seconds'), ...PYTHON,
    ],
  },
  stt: {
    title: 'speech-to-text service (contract: stt_* names; seeds name no standard)',
    metrics: [
      'stt_requests_total', 'stt_request_errors_total', ...histogram('stt_request_duration_seconds'),
      'stt_audio_seconds_total', 'stt_words_total', ...PYTHON,
    ],
  },
  tts: {
    title: 'text-to-speech service (contract: tts_* names; seeds name no standard)',
    metrics: [
      'tts_active_connections', 'tts_active_sessions', 'tts_steps_total', ...histogram('tts_step_duration_seconds'), ...PYTHON,
    ],
  },
  'whisper-api': {
    title: 'Whisper API (names from the Whisper API seed)',
    metrics: [
      'whisper_transcription_requests_total', 'whisper_transcription_errors_total', 'whisper_model_loaded',
      ...histogram('whisper_transcription_duration_seconds'), ...histogram('whisper_inference_duration_seconds'),
      ...histogram('whisper_audio_load_duration_seconds'), ...histogram('whisper_processing_duration_seconds'),
      ...histogram('whisper_decode_duration_seconds'), ...PYTHON,
    ],
  },
  'rq-exporter': {
    title: 'mdawar/rq-exporter (RQ job queues; rq_jobs{queue,status}, rq_workers{name,queues,state})',
    metrics: [
      'rq_workers', 'rq_jobs', 'rq_workers_success_total', 'rq_workers_failed_total', 'rq_workers_working_time_total',
      'rq_request_processing_seconds_count', 'rq_request_processing_seconds_sum',
    ],
  },
  qdrant: {
    title: 'Qdrant (/metrics; rest_responses_duration_seconds needs Qdrant >= 1.8)',
    metrics: [
      'app_info', 'collections_total', 'collections_vector_total', 'rest_responses_total',
      'rest_responses_avg_duration_seconds', ...histogram('rest_responses_duration_seconds'), 'grpc_responses_total',
    ],
  },
  mcp: {
    title: 'MCP servers (Python, prometheus-fastapi-instrumentator names: http_requests_total{handler,method,status})',
    metrics: ['http_requests_total', ...histogram('http_request_duration_seconds'), ...PYTHON],
  },
  'redis-exporter': {
    title: 'oliver006/redis_exporter (redis_total_system_memory_bytes with --include-system-metrics)',
    metrics: [
      'redis_up', 'redis_connected_clients', 'redis_blocked_clients', 'redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_total_system_memory_bytes',
      'redis_keyspace_hits_total', 'redis_keyspace_misses_total', 'redis_commands_processed_total', 'redis_db_keys',
      'redis_evicted_keys_total', 'redis_expired_keys_total',
    ],
  },
  'mysql-exporter': {
    title: 'prometheus/mysqld_exporter',
    metrics: [
      'mysql_up', 'mysql_global_status_threads_connected', 'mysql_global_status_threads_running', 'mysql_global_variables_max_connections',
      'mysql_global_status_questions', 'mysql_global_status_slow_queries', 'mysql_global_status_innodb_buffer_pool_read_requests',
      'mysql_global_status_innodb_buffer_pool_reads', 'mysql_global_status_aborted_connects',
    ],
  },
  http: {
    title: 'generic HTTP service (any metric prefix: `<prefix>_http_requests_total`, `<prefix>_http_request_duration_seconds`)',
    metrics: [HTTP_REQUESTS_ANY_PREFIX, HTTP_DURATION_BUCKET_ANY_PREFIX, HTTP_DURATION_COUNT_ANY_PREFIX, HTTP_DURATION_SUM_ANY_PREFIX, ...PROCESS],
  },
};

/** The catalog's sources followed by the components' (ComponentDef.catalog); a source id appears once. */
export function catalogSources(extra: readonly MetricSource[] = []): MetricSource[] {
  const out: MetricSource[] = (Object.entries(CATALOG) as [SourceId, { title: string; metrics: readonly string[] }][])
    .map(([id, { title, metrics }]) => ({ id, title, metrics }));
  for (const s of extra) {
    if (out.some((o) => o.id === s.id)) throw new Error(`metric source "${s.id}" is declared twice (dashboards/catalog.ts or a ComponentDef.catalog)`);
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
