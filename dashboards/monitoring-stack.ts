/**
 * Monitoring stack health: the declared services' workloads UP/DOWN (the
 * seeds' "État Services", kube-state-metrics), targets and scrapes,
 * Prometheus itself, its and the other volumes (kubelet volume stats), rule
 * evaluation, alert delivery, log ingestion, Grafana. Panels of a disabled
 * component are left out. To add a panel, append it to its row's function below.
 */
import type { Spec } from '../charts/spec-schema';
import { SERVICE_KIND_LABEL } from '../charts/core/service-kind';
import { backupRow } from './panels/backup';
import { type DashboardModule, lowIsBad, namespaceVariable, neutral, type Row, upDown, warnCrit } from './lib';
import { quantiles, RATE } from './panels';
import { volumesRow, workloadStatusRow } from './panels/kube-state';

const PROM = 'job="prometheus"';
const ANY_BAD: [number | null, string][] = [
  [null, 'green'],
  [1, 'red'],
];

/** Scrape targets: down, up by job, scrape duration and samples per scrape. */
function targetsRow(): Row {
  return {
    title: 'Targets',
    panels: [
      {
        type: 'stat',
        title: 'Targets down',
        unit: 'short',
        thresholds: ANY_BAD,
        description: 'Scrape targets whose last scrape failed (up == 0). Alert: 2 minutes.',
        queries: [{ expr: 'sum(1 - up{job=~"$job"})', instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Targets up by job',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: lowIsBad(0.5, 1),
        width: 18,
        description: "Share of each job's targets that answered the last scrape.",
        queries: [{ expr: 'sum by (job) (up{job=~"$job"}) / count by (job) (up{job=~"$job"})', legend: '{{job}}' }],
      },
      {
        type: 'timeseries',
        title: 'Scrape duration (max) by job',
        unit: 's',
        min: 0,
        thresholds: warnCrit(5, 10),
        description: 'Slowest scrape of each job; the default scrape timeout is 10s.',
        queries: [{ expr: 'max by (job) (scrape_duration_seconds{job=~"$job"})', legend: '{{job}}' }],
      },
      {
        type: 'timeseries',
        title: 'Samples per scrape by job',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: "Samples kept after metric relabelling, summed over each job's targets (cardinality at a glance).",
        queries: [{ expr: 'sum by (job) (scrape_samples_post_metric_relabeling{job=~"$job"})', legend: '{{job}}' }],
      },
    ],
  };
}

/** Prometheus itself: config reload, head series, TSDB size and compactions, ingestion, memory, query latency. */
function prometheusRow(): Row {
  return {
    title: 'Prometheus',
    panels: [
      {
        type: 'stat',
        title: 'Config reload',
        unit: 'short',
        thresholds: upDown(),
        description: '1 when the last configuration reload succeeded.',
        queries: [{ expr: `min(prometheus_config_last_reload_successful{${PROM}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Head series',
        unit: 'short',
        thresholds: neutral(),
        description: 'Series in the in-memory head block (memory use follows it).',
        queries: [{ expr: `sum(prometheus_tsdb_head_series{${PROM}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'TSDB blocks size',
        unit: 'bytes',
        thresholds: neutral(),
        description: 'Bytes of persisted blocks (compare with the volume and spec.prometheus.retentionSize).',
        queries: [{ expr: `sum(prometheus_tsdb_storage_blocks_bytes{${PROM}})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Compactions failed (1h)',
        unit: 'short',
        thresholds: ANY_BAD,
        description: 'Failed TSDB compactions over the last hour (disk full or corruption).',
        queries: [{ expr: `sum(increase(prometheus_tsdb_compactions_failed_total{${PROM}}[1h]))`, instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Samples appended',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: 'Samples ingested per second per Prometheus.',
        queries: [
          { expr: `sum by (instance) (rate(prometheus_tsdb_head_samples_appended_total{${PROM}}[${RATE}]))`, legend: '{{instance}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Memory (RSS)',
        unit: 'bytes',
        min: 0,
        thresholds: neutral(),
        description: 'Resident memory of each Prometheus (compare with spec.prometheus.resources.limits.memory).',
        queries: [{ expr: `process_resident_memory_bytes{${PROM}}`, legend: '{{instance}}' }],
      },
      {
        type: 'timeseries',
        title: 'Query latency (p90)',
        unit: 's',
        min: 0,
        thresholds: warnCrit(1, 5),
        description: '90th percentile of query evaluation time (dashboards and rules).',
        queries: [
          {
            expr: `max by (instance) (prometheus_engine_query_duration_seconds{${PROM}, slice="inner_eval", quantile="0.9"})`,
            legend: '{{instance}}',
          },
        ],
      },
    ],
  };
}

/** Rule evaluation: failures, group duration against interval, missed iterations. */
function ruleEvaluationRow(): Row {
  return {
    title: 'Rule evaluation',
    panels: [
      {
        type: 'timeseries',
        title: 'Rule evaluation failures (1h)',
        unit: 'short',
        min: 0,
        thresholds: ANY_BAD,
        description: 'Failed rule evaluations per rule group over the last hour.',
        queries: [
          { expr: `sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total{${PROM}}[1h]))`, legend: '{{rule_group}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Rule group duration / interval',
        unit: 'percentunit',
        min: 0,
        thresholds: warnCrit(0.5, 0.9),
        description: 'Time the last evaluation took, as a share of the group interval; at 100% evaluations are skipped.',
        queries: [
          {
            expr: `max by (rule_group) (prometheus_rule_group_last_duration_seconds{${PROM}} / prometheus_rule_group_interval_seconds{${PROM}})`,
            legend: '{{rule_group}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Missed rule group iterations (1h)',
        unit: 'short',
        min: 0,
        thresholds: ANY_BAD,
        description: 'Evaluations skipped because the previous one was still running.',
        queries: [
          { expr: `sum by (rule_group) (increase(prometheus_rule_group_iterations_missed_total{${PROM}}[1h]))`, legend: '{{rule_group}}' },
        ],
      },
    ],
  };
}

/** Alert delivery: alerts sent to Alertmanager and dropped, notifications and their failures by integration. */
function alertDeliveryRow(): Row {
  return {
    title: 'Alert delivery',
    panels: [
      {
        type: 'timeseries',
        title: 'Alerts sent to Alertmanager',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: 'Alerts Prometheus sent per second, per Alertmanager.',
        queries: [
          { expr: `sum by (alertmanager) (rate(prometheus_notifications_sent_total{${PROM}}[${RATE}]))`, legend: '{{alertmanager}}' },
        ],
      },
      {
        type: 'stat',
        title: 'Alerts dropped (1h)',
        unit: 'short',
        thresholds: ANY_BAD,
        description: 'Alerts Prometheus dropped (queue full or no Alertmanager) over the last hour.',
        queries: [{ expr: `sum(increase(prometheus_notifications_dropped_total{${PROM}}[1h]))`, instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Notifications by integration',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: 'Notifications Alertmanager sent per second, per integration (webhook, msteams, email, ...).',
        queries: [
          { expr: `sum by (integration) (rate(alertmanager_notifications_total{job="alertmanager"}[${RATE}]))`, legend: '{{integration}}' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Failed notifications by integration',
        unit: 'cps',
        min: 0,
        thresholds: [
          [null, 'green'],
          [0.001, 'red'],
        ],
        description: 'Notifications that failed per second: alerts are not reaching Teams or e-mail.',
        queries: [
          {
            expr: `sum by (integration) (rate(alertmanager_notifications_failed_total{job="alertmanager"}[${RATE}]))`,
            legend: '{{integration}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Alerts in Alertmanager',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: 'Alerts Alertmanager holds, by state (active, suppressed, unprocessed).',
        queries: [{ expr: 'sum by (state) (alertmanager_alerts{job="alertmanager"})', legend: '{{state}}' }],
      },
    ],
  };
}

/** Log ingestion (Loki): lines and bytes received, discarded samples, request latency. */
function logIngestionRow(): Row {
  return {
    title: 'Log ingestion (Loki)',
    panels: [
      {
        type: 'timeseries',
        title: 'Lines received',
        unit: 'cps',
        min: 0,
        thresholds: neutral(),
        description: "Log lines Loki's distributor accepted per second.",
        queries: [{ expr: `sum(rate(loki_distributor_lines_received_total{job="loki"}[${RATE}]))`, legend: 'lines/s' }],
      },
      {
        type: 'timeseries',
        title: 'Bytes received',
        unit: 'Bps',
        min: 0,
        thresholds: neutral(),
        description: "Log bytes Loki's distributor accepted per second.",
        queries: [{ expr: `sum(rate(loki_distributor_bytes_received_total{job="loki"}[${RATE}]))`, legend: 'bytes/s' }],
      },
      {
        type: 'timeseries',
        title: 'Discarded samples by reason',
        unit: 'cps',
        min: 0,
        thresholds: [
          [null, 'green'],
          [0.001, 'red'],
        ],
        description: 'Log lines Loki refused (rate limits, too old, line too long, ...): these logs are lost.',
        queries: [{ expr: `sum by (reason) (rate(loki_discarded_samples_total{job="loki"}[${RATE}]))`, legend: '{{reason}}' }],
      },
      {
        type: 'timeseries',
        title: 'Loki request latency',
        unit: 's',
        min: 0,
        thresholds: warnCrit(1, 5),
        description: 'p50/p95/p99 of Loki HTTP and gRPC requests (push and query).',
        queries: quantiles('loki_request_duration_seconds_bucket', 'job="loki"'),
      },
    ],
  };
}

/** Grafana: up, requests. */
function grafanaRow(): Row {
  return {
    title: 'Grafana',
    panels: [
      {
        type: 'stat',
        title: 'Grafana up',
        unit: 'short',
        thresholds: upDown(),
        description: '1 when Grafana answered the last scrape.',
        queries: [{ expr: 'min(up{job="grafana"})', instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Grafana requests',
        unit: 'reqps',
        min: 0,
        thresholds: neutral(),
        description: 'HTTP requests Grafana served per second, by status code.',
        queries: [
          {
            expr: `sum by (status_code) (rate(grafana_http_request_duration_seconds_count{job="grafana"}[${RATE}]))`,
            legend: '{{status_code}}',
          },
        ],
      },
    ],
  };
}

export const stackRows = (spec: Spec): Row[] => [
  workloadStatusRow(spec),
  ...(spec.backup.enabled ? [backupRow(spec)] : []),
  targetsRow(),
  prometheusRow(),
  volumesRow(spec),
  ruleEvaluationRow(),
  alertDeliveryRow(),
  logIngestionRow(),
  grafanaRow(),
];

export const monitoringStack: DashboardModule = {
  uid: 'monitoring-stack',
  build: (ctx) => ({
    uid: 'monitoring-stack',
    title: 'Monitoring stack',
    description:
      "Status of the declared services' workloads, then the health of the stack itself: scrape targets, Prometheus, volumes, rule evaluation, alert delivery, log ingestion and Grafana.",
    folder: 'monitoring-stack',
    tags: ['monitoring-stack', 'prometheus'],
    variables: [
      { kind: 'query', name: 'job', label: 'job', query: 'label_values(up, job)' },
      // The namespaces of the declared services (the Workloads UP/DOWN panel).
      namespaceVariable(`up{${SERVICE_KIND_LABEL}!="", job=~"$job"}`),
    ],
    rows: stackRows(ctx.spec),
  }),
};
