/**
 * Alerts on the log pipeline itself (Prometheus rules over the metrics of
 * the `loki` and `promtail`/`alloy` scrape jobs): Loki failing requests,
 * Loki discarding log lines because a limit is too small, the collector
 * failing to push. Log-content alerts (error lines) live in Loki's ruler,
 * see charts/components/loki/ruler.ts.
 */
import { runbookUrl, type RuleArea } from '../../core/rule-types';

/**
 * The collector's push-request histogram (Promtail's client, and Alloy's loki.write built from it). Both label
 * a request by its HTTP status, or "-1" when no response came (connection refused, timeout): contracts/metrics/alloy.json,
 * Promtail v3.6.11 clients/pkg/promtail/client/client.go.
 */
export const COLLECTOR_REQUEST_METRIC = {
  promtail: 'promtail_request_duration_seconds_count',
  alloy: 'loki_write_request_duration_seconds_count',
} as const;

export const logsRules: RuleArea = (ctx) => {
  const { loki, logs } = ctx.spec;
  if (!loki.enabled) return undefined;
  const collector = logs.collector;
  const pushes = COLLECTOR_REQUEST_METRIC[collector];
  return {
    fileName: 'logs.yaml',
    title: 'Log pipeline: Loki and the log collector',
    groups: [
      {
        name: 'logs.pipeline',
        rules: [
          {
            alert: 'LokiRequestErrors',
            expr: '100 * sum by (namespace, job, route) (rate(loki_request_duration_seconds_count{job="loki",status_code=~"5.."}[5m]))\n  / sum by (namespace, job, route) (rate(loki_request_duration_seconds_count{job="loki"}[5m])) > 5',
            for: '15m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'Loki fails {{ $labels.route }} requests',
              description:
                '{{ printf "%.1f" $value }}% of Loki\'s {{ $labels.route }} requests in {{ $labels.namespace }} failed with a 5xx over the last 15 minutes.',
              runbook_url: runbookUrl('LokiRequestErrors'),
            },
          },
          {
            alert: 'LokiDiscardingLogs',
            expr: 'sum by (namespace, job, reason) (rate(loki_discarded_samples_total{job="loki"}[5m])) > 0',
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Loki discards log lines ({{ $labels.reason }})',
              description:
                'Loki in {{ $labels.namespace }} discards {{ printf "%.2f" $value }} lines per second for reason {{ $labels.reason }}: those lines are lost.',
              runbook_url: runbookUrl('LokiDiscardingLogs'),
            },
          },
          {
            alert: 'LogCollectorPushErrors',
            expr: `100 * sum by (namespace, job, node) (rate(${pushes}{job="${collector}",status_code=~"5..|-1"}[5m]))\n  / sum by (namespace, job, node) (rate(${pushes}{job="${collector}"}[5m])) > 10`,
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'The log collector on {{ $labels.node }} cannot push to Loki',
              description:
                '{{ printf "%.1f" $value }}% of {{ $labels.job }}\'s pushes to Loki from node {{ $labels.node }} failed over the last 15 minutes; lines are retried, then dropped.',
              runbook_url: runbookUrl('LogCollectorPushErrors'),
            },
          },
        ],
      },
    ],
    runbooks: {
      LokiRequestErrors: {
        meaning: 'Loki answers more than 5% of the requests of one route (push, query, ...) with a server error.',
        check:
          "`kubectl -n <namespace> logs statefulset/loki` for errors; the volume usage of the `data-loki-0` claim (`kubectl -n <namespace> exec loki-0 -- df -h /loki`); the container's memory against its limit.",
        fix: 'A full volume: raise spec.loki.storage.size or lower spec.loki.retention. OOM kills or timeouts on queries: raise spec.loki.resources. Push errors recover on their own once Loki is healthy; collectors retry.',
      },
      LokiDiscardingLogs: {
        meaning:
          'Loki refuses some log lines; the `reason` label says why (rate_limited, per_stream_rate_limit, stream_limit, line_too_long, too_far_behind, ...). Refused lines are lost.',
        check:
          'In Prometheus: `sum by (reason) (rate(loki_discarded_samples_total[5m]))`, and which streams are loud: `topk(10, sum by (namespace, container) (rate({namespace=~".+"} [5m])))` in Grafana Explore on Loki.',
        fix: 'rate_limited: raise spec.loki.limits.ingestionRateMB and ingestionBurstSizeMB. per_stream_rate_limit: raise perStreamRateLimit or quiet the container. stream_limit: raise maxGlobalStreamsPerUser. too_far_behind / greater_than_max_sample_age: a collector replaying old files; it clears once caught up.',
      },
      LogCollectorPushErrors: {
        meaning: 'The log collector on one node fails more than 10% of its pushes to Loki. It retries with backoff, then drops the batch.',
        check:
          '`kubectl -n <agent namespace> logs <collector pod on that node>`; whether Loki is up and ready (`kubectl -n <namespace> get pod loki-0`); LokiDiscardingLogs or LokiRequestErrors firing at the same time.',
        fix: "Loki down or restarting: the errors stop when it is ready. 429 responses: see LokiDiscardingLogs. Network policies blocking the agent namespace from Loki's port 3100: allow it.",
      },
    },
  };
};
