/**
 * Availability and self-monitoring: scrape targets, rule evaluation, scrape
 * limits, configuration reloads, alert delivery (Prometheus -> Alertmanager
 * -> receivers) and Prometheus' own storage.
 */
import { durationMs } from '../charts/spec/formats';
import { SERVICE_KIND_LABEL } from '../charts/core/service-kind';
import { alert } from './helpers';
import type { AlertRule, RuleArea, RulesContext, Runbook } from '../charts/core/rule-types';

type Add = (r: AlertRule, rb: Runbook) => void;
type Spec = RulesContext['spec'];
type Thresholds = Spec['alerting']['thresholds'];

export const availabilityRules: RuleArea = (ctx) => {
  const { spec } = ctx;
  const t = spec.alerting.thresholds;
  const slowScrape = t.slowScrapeSeconds ?? Number((((durationMs(spec.prometheus.scrapeTimeout) ?? 10000) / 1000) * 0.8).toPrecision(3));
  const runbooks: Record<string, Runbook> = {};
  const rules: AlertRule[] = [];
  const add = (r: AlertRule, rb: Runbook) => {
    rules.push(r);
    runbooks[r.alert] = rb;
  };

  scrapeAlerts(add, spec, t, slowScrape);
  limitAlerts(add);
  storageAlerts(add);
  if (spec.alerting.enabled) deliveryAlerts(add);

  return {
    fileName: 'availability.yaml',
    title: 'Availability and self-monitoring',
    groups: [{ name: 'availability', rules }],
    runbooks,
  };
};

/** Scrape health: targets down, rule evaluation, slow scrapes and the scrape limits. */
function scrapeAlerts(add: Add, spec: Spec, t: Thresholds, slowScrape: number): void {
  // spec.services[] jobs have their own ServiceDown alert (applications area).
  const upSelector = spec.services.length ? `up{${SERVICE_KIND_LABEL}=""}` : 'up';
  add(
    alert({
      name: 'TargetDown',
      expr: `${upSelector} == 0`,
      for: t.targetDownFor,
      severity: 'critical',
      summary: 'Scrape target {{ $labels.job }}/{{ $labels.instance }} is down',
      description:
        'Prometheus has failed to scrape {{ $labels.job }} target {{ $labels.instance }} for more than ' +
        t.targetDownFor +
        ' (up = {{ $value }}).',
    }),
    {
      meaning:
        'Prometheus cannot scrape a target: the exporter or component is down, restarting, or unreachable (network policy, wrong port). Every alert computed from its metrics goes blind, which is why TargetDown inhibits the other alerts of the same job and instance.',
      check:
        'Open Prometheus > Status > Targets and read the error of the target. `kubectl -n <namespace> get pods -o wide` for the pod, `kubectl logs` for its last lines, and `kubectl describe pod` for probes, OOM kills and scheduling.',
      fix: 'Restart or reschedule the pod if it is stuck; fix its configuration if it crashes; for a node agent, check the node itself (NotReady, disk pressure). If the target should not exist any more, remove it from the spec.',
    },
  );

  add(
    alert({
      name: 'PrometheusRuleEvaluationFailures',
      expr: 'increase(prometheus_rule_evaluation_failures_total{job="prometheus"}[5m]) > 0',
      for: '5m',
      severity: 'critical',
      summary: 'Prometheus {{ $labels.instance }} fails to evaluate rules',
      description:
        'Prometheus {{ $labels.instance }} failed {{ $value | humanize }} rule evaluations in group {{ $labels.rule_group }} over the last 5 minutes: some alerts cannot fire.',
    }),
    {
      meaning:
        'Rules fail at evaluation time (for example many-to-many matching after a label change, or a query over the sample limit). The alerts of that group are not evaluated.',
      check: 'Prometheus > Status > Rules shows the failing rule and its error; `kubectl logs statefulset/prometheus | grep -i "rule"`.',
      fix: 'Fix the rule in rules/<area>.ts (add `on()`/`ignoring()`, aggregate away the duplicate label), run `npm run synth` and the promtool tests, and apply.',
    },
  );

  add(
    alert({
      name: 'PrometheusMissedRuleEvaluations',
      expr: 'increase(prometheus_rule_group_iterations_missed_total{job="prometheus"}[5m]) > 0',
      for: '10m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} misses rule evaluations',
      description:
        'Rule group {{ $labels.rule_group }} on {{ $labels.instance }} missed {{ $value | humanize }} evaluations in 5 minutes: it takes longer than its interval.',
    }),
    {
      meaning: 'A rule group takes longer than the evaluation interval, so iterations are skipped and alerts fire late or not at all.',
      check: "Prometheus > Status > Rules shows each group's evaluation time; `prometheus_rule_group_last_duration_seconds` by group.",
      fix: 'Move the heavy expressions into recording rules (rules/recording.ts), reduce cardinality, or give Prometheus more CPU (spec.prometheus.resources).',
    },
  );

  add(
    alert({
      name: 'PrometheusSlowScrapes',
      expr: `avg_over_time(scrape_duration_seconds[5m]) > ${slowScrape}`,
      for: '10m',
      severity: 'warning',
      summary: 'Scrapes of {{ $labels.job }}/{{ $labels.instance }} are slow',
      description: `Scraping {{ $labels.job }} target {{ $labels.instance }} takes {{ $value | humanizeDuration }} on average, close to the scrape timeout (threshold ${slowScrape}s).`,
    }),
    {
      meaning: 'A target answers slowly; past the scrape timeout the scrape fails and the target is reported down.',
      check:
        '`curl -s -o /dev/null -w "%{time_total}\\n" http://<pod-ip>:<port>/metrics` from a debug pod; check the series count of the target (`scrape_samples_scraped`).',
      fix: "Reduce the exporter's cardinality (drop metrics it does not need), give it more CPU, or raise the job's interval/timeout in spec.services[].",
    },
  );
}

/** Prometheus itself: configuration reloads and its TSDB. */
function storageAlerts(add: Add): void {
  configReloadAlert(add);
  tsdbAlerts(add);
}

/** A prometheus.yml or rule file Prometheus rejected on reload. */
function configReloadAlert(add: Add): void {
  add(
    alert({
      name: 'PrometheusConfigReloadFailed',
      expr: 'max_over_time(prometheus_config_last_reload_successful{job="prometheus"}[5m]) == 0',
      for: '10m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} failed to reload its configuration',
      description:
        'The last configuration reload of Prometheus {{ $labels.instance }} failed (value {{ $value }}); it still runs the previous configuration.',
    }),
    {
      meaning:
        'A new prometheus.yml or rule file was rejected: Prometheus keeps the old configuration, so recent changes (new jobs, new alerts) are not active.',
      check:
        '`kubectl -n <namespace> logs statefulset/prometheus | grep -i "error loading config"`; run `promtool check config` on the ConfigMap content.',
      fix: 'Fix the configuration (the synth runs promtool in CI, so this usually means a hand edit of the ConfigMap), apply, and reload (`curl -X POST :9090/-/reload`) or let the checksum roll the pod.',
    },
  );
}

/** The TSDB: compactions, block reloads, WAL corruptions and head truncations. */
function tsdbAlerts(add: Add): void {
  add(
    alert({
      name: 'PrometheusTSDBCompactionsFailing',
      expr: 'increase(prometheus_tsdb_compactions_failed_total{job="prometheus"}[3h]) > 0',
      for: '15m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} fails to compact blocks',
      description: 'Prometheus {{ $labels.instance }} had {{ $value | humanize }} failed TSDB compactions in 3 hours.',
    }),
    {
      meaning:
        'Compaction merges head data into persistent blocks. Failures usually mean a full or failing volume, or a corrupted block; the head and WAL keep growing.',
      check: '`kubectl exec prometheus-0 -- df -h /prometheus`; logs for "compaction failed"; `prometheus_tsdb_head_series` growth.',
      fix: 'Free space (lower spec.prometheus.retention or retentionSize, or grow the PVC); move a corrupted block (named in the logs) out of /prometheus and restart.',
    },
  );

  add(
    alert({
      name: 'PrometheusTSDBReloadsFailing',
      expr: 'increase(prometheus_tsdb_reloads_failures_total{job="prometheus"}[3h]) > 0',
      for: '15m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} fails to reload TSDB blocks',
      description: 'Prometheus {{ $labels.instance }} failed {{ $value | humanize }} block reloads from disk in 3 hours.',
    }),
    {
      meaning: 'Prometheus cannot load blocks from disk, usually a corrupted or partially written block.',
      check: 'Logs for "reloadBlocks" errors naming the block directory; `promtool tsdb analyze /prometheus` from a debug container.',
      fix: 'Move the broken block directory out of the data volume and restart the pod; its data range is lost.',
    },
  );

  add(
    alert({
      name: 'PrometheusTSDBWALCorruptions',
      expr: 'increase(prometheus_tsdb_wal_corruptions_total{job="prometheus"}[3h]) > 0',
      for: '0s',
      severity: 'critical',
      summary: 'Prometheus {{ $labels.instance }} found a corrupted write-ahead log',
      description:
        'Prometheus {{ $labels.instance }} detected {{ $value | humanize }} WAL corruptions in 3 hours; recent samples may be lost.',
    }),
    {
      meaning: 'The write-ahead log was damaged (node crash, full disk, storage fault). Prometheus repairs what it can and drops the rest.',
      check: 'Logs for "WAL corruption" and "repair"; node and volume health (`kubectl describe node`, storage class events).',
      fix: 'Make sure the volume is healthy and not full; if Prometheus crash-loops on replay, delete the damaged WAL segment named in the logs (losing the last hours of data).',
    },
  );

  add(
    alert({
      name: 'PrometheusHeadTruncationsFailing',
      expr: 'increase(prometheus_tsdb_head_truncations_failed_total{job="prometheus"}[3h]) > 0',
      for: '15m',
      severity: 'critical',
      summary: 'Prometheus {{ $labels.instance }} cannot truncate its head block',
      description:
        'Prometheus {{ $labels.instance }} failed {{ $value | humanize }} head truncations in 3 hours; memory use will keep growing.',
    }),
    {
      meaning: 'Old data cannot be removed from the in-memory head: memory grows until the pod is OOM killed.',
      check:
        'Logs for "head truncation failed"; `process_resident_memory_bytes{job="prometheus"}` and `prometheus_tsdb_head_series` trends.',
      fix: 'Usually follows compaction failures: fix the volume (space, errors) and restart Prometheus.',
    },
  );
}

/** Alert delivery: Prometheus to Alertmanager, Alertmanager to its receivers (with Alertmanager deployed). */
function deliveryAlerts(add: Add): void {
  add(
    alert({
      name: 'PrometheusNotConnectedToAlertmanagers',
      expr: 'max_over_time(prometheus_notifications_alertmanagers_discovered{job="prometheus"}[5m]) < 1',
      for: '10m',
      severity: 'critical',
      summary: 'Prometheus {{ $labels.instance }} has no Alertmanager to send to',
      description: 'Prometheus {{ $labels.instance }} discovered {{ $value }} Alertmanagers: no alert can be delivered.',
    }),
    {
      meaning: 'Prometheus evaluates alerts but has nowhere to send them: nobody will be notified.',
      check:
        'Prometheus > Status > Runtime & Build Information lists the Alertmanagers; `kubectl -n <namespace> get pods -l app.kubernetes.io/name=alertmanager`.',
      fix: 'Bring Alertmanager back (its StatefulSet, its PVC); check that the alertmanager headless Service resolves.',
    },
  );

  add(
    alert({
      name: 'PrometheusErrorSendingAlerts',
      expr: '(rate(prometheus_notifications_errors_total{job="prometheus"}[5m]) / rate(prometheus_notifications_sent_total{job="prometheus"}[5m])) > 0.01',
      for: '15m',
      severity: 'critical',
      summary: 'Prometheus {{ $labels.instance }} fails to send alerts to {{ $labels.alertmanager }}',
      description:
        '{{ $value | humanizePercentage }} of the alerts Prometheus {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail.',
    }),
    {
      meaning: 'Prometheus cannot deliver alerts to an Alertmanager replica (connection refused, timeouts).',
      check: 'Prometheus logs for "Error sending alert"; Alertmanager pod status and readiness.',
      fix: 'Restore the Alertmanager replica; if it is overloaded, raise spec.alerting.alertmanager.resources.',
    },
  );

  add(
    alert({
      name: 'AlertmanagerConfigReloadFailed',
      expr: 'max_over_time(alertmanager_config_last_reload_successful{job="alertmanager"}[5m]) == 0',
      for: '10m',
      severity: 'critical',
      summary: 'Alertmanager {{ $labels.instance }} failed to reload its configuration',
      description:
        'The last configuration reload of Alertmanager {{ $labels.instance }} failed (value {{ $value }}); it runs the previous configuration.',
    }),
    {
      meaning: 'The new alertmanager.yml was rejected; routing and receivers are those of the previous configuration.',
      check:
        '`kubectl -n <namespace> logs statefulset/alertmanager | grep -i "loading configuration"`; `amtool check-config` on the Secret content.',
      fix: 'Fix the spec (spec.alerting), synthesize and apply; the checksum annotation rolls the pods. A receiver referencing a missing Secret key also fails here.',
    },
  );

  add(
    alert({
      name: 'AlertmanagerNotificationsFailing',
      expr: 'sum by (namespace, pod, instance, job, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager"}[5m])) > 0',
      for: '5m',
      severity: 'critical',
      summary: 'Alertmanager {{ $labels.instance }} fails to deliver {{ $labels.integration }} notifications',
      description:
        'Alertmanager {{ $labels.instance }} fails {{ $value | printf "%.2f" }} {{ $labels.integration }} notifications per second.',
    }),
    {
      meaning:
        'Alertmanager cannot reach a receiver (Teams bridge, e-mail server, webhook): alerts fire but nobody hears about them. This alert itself may not get through the failing integration; check the other receivers.',
      check:
        'Alertmanager logs for "Notify for alerts failed" with the integration name; for Teams, the prometheus-msteams logs (`kubectl logs deploy/prometheus-msteams`) and its webhook Secret.',
      fix: 'Fix the receiver: a revoked or rotated webhook URL (update the Secret, then restart the bridge), SMTP credentials, or a network policy blocking egress.',
    },
  );
}

/** The scrape limits: samples, body size, targets. */
function limitAlerts(add: Add): void {
  add(
    alert({
      name: 'PrometheusScrapeSampleLimitHit',
      expr: 'increase(prometheus_target_scrapes_exceeded_sample_limit_total{job="prometheus"}[5m]) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} rejects scrapes over their sample limit',
      description:
        'Prometheus {{ $labels.instance }} rejected {{ $value | humanize }} scrapes in 5 minutes because a target exposed more samples than its sample_limit.',
    }),
    {
      meaning: "A target exposes more series than its job's sample_limit: the whole scrape is discarded and the target looks down.",
      check: 'Status > Targets shows "sample limit exceeded"; `topk(10, scrape_samples_scraped)` finds the target.',
      fix: 'Find the new high-cardinality metric (a label with user IDs or URLs) and drop or fix it at the source, or raise the limit deliberately.',
    },
  );

  add(
    alert({
      name: 'PrometheusScrapeBodySizeLimitHit',
      expr: 'increase(prometheus_target_scrapes_exceeded_body_size_limit_total{job="prometheus"}[5m]) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'Prometheus {{ $labels.instance }} rejects scrapes over the body size limit',
      description:
        'Prometheus {{ $labels.instance }} rejected {{ $value | humanize }} scrapes in 5 minutes whose response exceeded body_size_limit.',
    }),
    {
      meaning: "A target's /metrics response is larger than the configured body size limit, so its scrapes fail.",
      check: '`curl -s http://<pod-ip>:<port>/metrics | wc -c` and look for the metric families that dominate.',
      fix: 'Drop the oversized metric families at the exporter or with metric_relabel_configs; raise the limit only after that.',
    },
  );

  add(
    alert({
      name: 'PrometheusTargetLimitHit',
      expr: 'increase(prometheus_target_scrape_pool_exceeded_target_limit_total{job="prometheus"}[5m]) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'A scrape pool of Prometheus {{ $labels.instance }} exceeds its target limit',
      description:
        "Prometheus {{ $labels.instance }} hit the target_limit of a scrape pool {{ $value | humanize }} times in 5 minutes: that job's targets are not scraped.",
    }),
    {
      meaning: "Service discovery returned more targets than the job's target_limit, so Prometheus stopped scraping the whole pool.",
      check: 'Status > Targets and Status > Service Discovery show which job grew; check for a runaway Deployment or a too broad selector.',
      fix: "Narrow the job's selector (spec.services[].selector), scale the workload back, or raise the limit if the growth is expected.",
    },
  );
}
