/**
 * Scrape jobs for spec.services[], grouped so the number of jobs grows by
 * (namespace, kind, port, path, scheme, interval), not by service, and
 * written to their own files (Prometheus `scrape_config_files`) so no object
 * grows without bound with the services.
 *
 * Why grouping:
 * - size: a per-service job costs ~1 KB of YAML (its own discovery, the pod
 *   relabelling); in a group a service costs one relabel rule (~150-300
 *   bytes) or, selected by `<label>: <its name>`, its name in one regex;
 * - the API server: every distinct `kubernetes_sd_configs` entry is its own
 *   watch. Per-service label selectors make 1,000 watches; a group's
 *   discovery is only `role: pod` + its namespace, identical for every group
 *   of that namespace, and Prometheus' discovery manager shares providers
 *   whose configs are equal (discovery/manager.go registerProviders,
 *   reflect.DeepEqual) — one watch per namespace.
 *
 * Why files: a relabel rule per service still grows with the services (1,000
 * services selected by two labels each take ~250 KB), over what one
 * ConfigMap carries through `kubectl apply` (256 KiB). So each job is its own
 * file (`serviceScrapeFiles`), and the Prometheus construct spreads the files
 * over bounded ConfigMaps mounted into one folder that prometheus.yml names in
 * `scrape_config_files` (charts/components/prometheus/construct.ts). A group
 * whose job would exceed SCRAPE_FILE_MAX_BYTES is split into 2, 4, 8, ...
 * parts by a hash of the service name: a new service changes only its part's
 * file, unless its group just crossed a power of two.
 *
 * Each service still gets `job` = its name: a rule matches the pod labels of
 * its selector (matchLabels: every key equal, anchored regex over the sorted
 * keys) and writes the name to `__tmp_service` (services selected by
 * `<label>: <their name>` share one alternation per label); targets no
 * service claimed are dropped, and `job` is set from `__tmp_service`. Every
 * series also carries `service_kind`, which dashboards (variable queries)
 * and alerts (one rule per kind) select on instead of a list of jobs.
 * When two services of one job select the same pod, the later one wins
 * (per-service jobs would have scraped the pod twice); two services in
 * different parts of a split group that select the same pod both scrape it,
 * as per-service jobs did.
 */
import type { RelabelConfig, ScrapeConfig } from '../../core/prometheus-config';
import { SERVICE_KIND_LABEL } from '../../core/service-kind';
import { fnv1a, podJob, timeoutFor } from '../../lib/scrape';
import { toYaml } from '../../core/yaml';
import type { ServiceSpec } from './spec';

export { SERVICE_KIND_LABEL };

/** Prometheus' name for a pod label in discovery metadata (invalid characters become `_`). */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a claim rule reads of a service: its name and the pod labels that select it. */
export interface ClaimedService {
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
}

/** The relabel rule that claims the pods of one service for it. */
export function claimRule(s: ClaimedService): RelabelConfig {
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
export function claimRules(services: readonly ClaimedService[]): RelabelConfig[] {
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

/** Largest file of service jobs (bytes of YAML): a bigger group is split into parts. */
export const SCRAPE_FILE_MAX_BYTES = 32 * 1024;

/** A scrape config file name for a job name: a ConfigMap key ([-._a-zA-Z0-9]) ending in .yml. */
export function scrapeFileName(jobName: string): string {
  return `${jobName.replace(/[^-.a-zA-Z0-9]+/g, '_')}.yml`;
}

function groupsOf(services: readonly ServiceSpec[], globalInterval: string, globalTimeout: string): Group[] {
  const groups = new Map<string, Group>();
  for (const s of services) {
    const interval = s.interval ?? globalInterval;
    const timeout = s.timeout ?? timeoutFor(interval, globalTimeout);
    const custom = s.interval !== undefined || s.timeout !== undefined;
    const key = [s.namespace, s.kind, String(s.port), s.path, s.scheme, custom ? interval : '', custom ? timeout : ''].join('|');
    const g = groups.get(key) ?? {
      key,
      first: s,
      interval: custom ? interval : undefined,
      timeout: custom ? timeout : undefined,
      services: [],
    };
    g.services.push(s);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function groupJob(g: Group, jobName: string, services: readonly ServiceSpec[]): ScrapeConfig {
  const s = g.first;
  return podJob({
    jobName,
    namespace: s.namespace,
    selector: {},
    port: s.port,
    path: s.path,
    scheme: s.scheme,
    interval: g.interval,
    timeout: g.timeout,
    relabel: [
      ...claimRules(services),
      { source_labels: ['__tmp_service'], regex: '', action: 'drop' },
      { source_labels: ['__tmp_service'], target_label: 'job' },
      { target_label: SERVICE_KIND_LABEL, replacement: s.kind },
    ],
  });
}

/**
 * One job over `services` as `build` makes it, or, when its YAML would exceed
 * `maxBytes`, 2, 4, 8, ... jobs `<jobName>/part-<i>-of-<n>`, the services
 * assigned by a hash of their name (a new service changes one part). Also
 * used by the blackbox exporter's probe jobs of the same services.
 */
export function splitJob<S extends { readonly name: string }>(
  jobName: string,
  services: readonly S[],
  build: (jobName: string, members: readonly S[]) => ScrapeConfig,
  maxBytes = SCRAPE_FILE_MAX_BYTES,
): ScrapeConfig[] {
  const size = (job: ScrapeConfig) => Buffer.byteLength(toYaml({ scrape_configs: [job] }));
  const whole = build(jobName, services);
  const bytes = size(whole);
  if (bytes <= maxBytes) return [whole];
  // Start at the fewest parts that could fit (a power of two); hashing is uneven, so double until each fits.
  for (let parts = 2 ** Math.ceil(Math.log2(bytes / maxBytes)); ; parts *= 2) {
    const buckets: S[][] = Array.from({ length: parts }, () => []);
    for (const svc of services) buckets[fnv1a(svc.name) % parts].push(svc);
    const jobs = buckets.flatMap((b, i) => (b.length ? [build(`${jobName}/part-${i + 1}-of-${parts}`, b)] : []));
    // A part of one service cannot be split further: its claim rule is bounded by the label syntax, far below the limit.
    if (jobs.every((j) => size(j) <= maxBytes) || buckets.every((b) => b.length <= 1)) return jobs;
  }
}

/** The scrape config files of jobs (one job a file, named after it). */
export function scrapeFilesOf(jobs: readonly ScrapeConfig[]): Map<string, ScrapeConfig[]> {
  const files = new Map<string, ScrapeConfig[]>();
  for (const job of jobs) {
    const file = scrapeFileName(job.job_name);
    if (files.has(file))
      throw new Error(`scrape jobs "${files.get(file)![0].job_name}" and "${job.job_name}" map to one file name ${file}`);
    files.set(file, [job]);
  }
  return files;
}

/**
 * The scrape config files of spec.services[]: file name -> its jobs. One job
 * per group of services sharing namespace, kind, port, path, scheme and
 * interval, each in its own file; a group over `maxFileBytes` is split into
 * parts (2, 4, 8, ...) by a hash of the service name, each part a job and a file.
 */
export function serviceScrapeFiles(
  services: readonly ServiceSpec[],
  globalInterval: string,
  globalTimeout: string,
  maxFileBytes = SCRAPE_FILE_MAX_BYTES,
): Map<string, ScrapeConfig[]> {
  return scrapeFilesOf(serviceJobs(services, globalInterval, globalTimeout, maxFileBytes));
}

/** Every scrape job of spec.services[]: one per group, or its parts (see splitJob). */
export function serviceJobs(
  services: readonly ServiceSpec[],
  globalInterval: string,
  globalTimeout: string,
  maxFileBytes = SCRAPE_FILE_MAX_BYTES,
): ScrapeConfig[] {
  const names = new Map<string, number>();
  return groupsOf(services, globalInterval, globalTimeout).flatMap((g) => {
    const s = g.first;
    // Not a DNS label (contains "/"), so it never collides with a service name or a built-in job.
    const base = `services/${s.namespace}/${s.kind}/${s.port}`;
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    return splitJob(n === 1 ? base : `${base}/${n}`, g.services, (name, members) => groupJob(g, name, members), maxFileBytes);
  });
}
