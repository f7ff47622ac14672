/**
 * Scrape jobs for spec.services[], grouped so the configuration grows by
 * (namespace, kind, port, path, scheme, interval), not by service.
 *
 * Why grouping and not `scrape_config_files` split over several ConfigMaps:
 * - size: a per-service job costs ~1 KB of YAML (its own discovery, the pod
 *   relabelling); in a group a service costs one relabel rule (~150 bytes),
 *   so 1,000 services fit in one ConfigMap far below 256 KiB;
 * - the API server: every distinct `kubernetes_sd_configs` entry is its own
 *   watch. Per-service label selectors make 1,000 watches; a group's
 *   discovery is only `role: pod` + its namespace, identical for every group
 *   of that namespace, and Prometheus' discovery manager shares providers
 *   whose configs are equal (discovery/manager.go registerProviders,
 *   reflect.DeepEqual) — one watch per namespace;
 * - `scrape_config_files` needs Prometheus >= 2.43 (the Debian promtool the
 *   tests run is 2.42), and projecting N ConfigMaps into one directory adds
 *   objects that still grow per service.
 *
 * Each service still gets `job` = its name: a rule matches the pod labels of
 * its selector (matchLabels: every key equal, anchored regex over the sorted
 * keys) and writes the name to `__tmp_service` (services selected by
 * `<label>: <their name>` share one alternation per label); targets no
 * service claimed are dropped, and `job` is set from `__tmp_service`. Every
 * series also carries `service_kind`, which dashboards (variable queries)
 * and alerts (one rule per kind) select on instead of a list of jobs.
 * When two services of one group select the same pod, the later one wins
 * (per-service jobs would have scraped the pod twice).
 */
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { SERVICE_KIND_LABEL } from '../../core/service-kind';
import { podJob, timeoutFor } from '../../lib/scrape';
import type { ServiceSpec } from './spec';

export { SERVICE_KIND_LABEL };

/** Prometheus' name for a pod label in discovery metadata (invalid characters become `_`). */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The relabel rule that claims the pods of one service for it. */
export function claimRule(s: ServiceSpec): RelabelConfig {
  const keys = Object.keys(s.selector).sort();
  return {
    source_labels: keys.map(podLabelMeta),
    regex: keys.map((k) => escapeRegex(s.selector[k])).join(';'),
    target_label: '__tmp_service',
    replacement: s.name,
  };
}

/**
 * The claim rules of a group. Services selected by one label whose value is
 * their own name (the common `app.kubernetes.io/name: <name>` case) share
 * one rule per label, an alternation copying the value into `__tmp_service`:
 * a service then costs its name in one regex, not a rule.
 */
export function claimRules(services: readonly ServiceSpec[]): RelabelConfig[] {
  const byLabel = new Map<string, string[]>();
  const single: RelabelConfig[] = [];
  for (const s of services) {
    const keys = Object.keys(s.selector);
    if (keys.length === 1 && s.selector[keys[0]] === s.name) byLabel.set(keys[0], [...(byLabel.get(keys[0]) ?? []), s.name]);
    else single.push(claimRule(s));
  }
  const shared = [...byLabel.entries()].map(([label, names]): RelabelConfig => ({
    source_labels: [podLabelMeta(label)],
    regex: `(${names.map(escapeRegex).join('|')})`,
    target_label: '__tmp_service',
  }));
  // Individual rules last: as with two jobs, the later claim wins a pod both select.
  return [...shared, ...single];
}

interface Group {
  readonly key: string;
  readonly first: ServiceSpec;
  readonly interval?: string;
  readonly timeout?: string;
  readonly services: ServiceSpec[];
}

/** The scrape jobs of spec.services[]: one per group of services sharing namespace, kind, port, path, scheme and interval. */
export function serviceJobs(services: readonly ServiceSpec[], globalInterval: string, globalTimeout: string): ScrapeConfig[] {
  const groups = new Map<string, Group>();
  for (const s of services) {
    const interval = s.interval ?? globalInterval;
    const timeout = s.timeout ?? timeoutFor(interval, globalTimeout);
    const custom = s.interval !== undefined || s.timeout !== undefined;
    const key = [s.namespace, s.kind, String(s.port), s.path, s.scheme, custom ? interval : '', custom ? timeout : ''].join('|');
    const g = groups.get(key) ?? { key, first: s, interval: custom ? interval : undefined, timeout: custom ? timeout : undefined, services: [] };
    g.services.push(s);
    groups.set(key, g);
  }
  const names = new Map<string, number>();
  return [...groups.values()].map((g) => {
    const s = g.first;
    // Not a DNS label (contains "/"), so it never collides with a service name or a built-in job.
    const base = `services/${s.namespace}/${s.kind}/${s.port}`;
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    return podJob({
      jobName: n === 1 ? base : `${base}/${n}`,
      namespace: s.namespace,
      selector: {},
      port: s.port,
      path: s.path,
      scheme: s.scheme,
      interval: g.interval,
      timeout: g.timeout,
      relabel: [
        ...claimRules(g.services),
        { source_labels: ['__tmp_service'], regex: '', action: 'drop' },
        { source_labels: ['__tmp_service'], target_label: 'job' },
        { target_label: SERVICE_KIND_LABEL, replacement: s.kind },
      ],
    });
  });
}
