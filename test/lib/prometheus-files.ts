/**
 * Prometheus' configuration as the pod mounts it: prometheus.yml from the
 * ConfigMap prometheus-config and, under scrape/, the scrape config files of
 * every ConfigMap prometheus-scrape-<i> (projected into one folder; named in
 * prometheus.yml by `scrape_config_files: [scrape/*.yml]`, relative to it).
 */
import { parse } from 'yaml';
import { SCRAPE_CONFIGMAP_PREFIX, SCRAPE_FILES_SUBDIR } from '../../charts/components/prometheus/construct';
import { configMapData } from './dist';
import type { K8sObject } from './k8s-validate';

/** The scrape ConfigMaps' data merged: file name -> YAML. */
export function scrapeFiles(objects: K8sObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' || !o.metadata?.name?.startsWith(SCRAPE_CONFIGMAP_PREFIX)) continue;
    for (const [file, text] of Object.entries((o.data as Record<string, string>) ?? {})) {
      if (file in out) throw new Error(`scrape config file ${file} is in two ConfigMaps`);
      out[file] = text;
    }
  }
  return out;
}

/** The files as mounted, relative to the folder of prometheus.yml: prometheus.yml and scrape/<file>. */
export function prometheusFiles(objects: K8sObject[]): Record<string, string> {
  const files: Record<string, string> = { 'prometheus.yml': configMapData(objects, 'prometheus-config')['prometheus.yml'] };
  for (const [file, text] of Object.entries(scrapeFiles(objects))) files[`${SCRAPE_FILES_SUBDIR}/${file}`] = text;
  return files;
}

/** Every scrape job: prometheus.yml's scrape_configs, then those of the scrape config files (in file order). */
export function allScrapeConfigs(objects: K8sObject[]): any[] {
  const main = parse(configMapData(objects, 'prometheus-config')['prometheus.yml']);
  const files = scrapeFiles(objects);
  return [...(main.scrape_configs ?? []), ...Object.keys(files).sort().flatMap((f) => parse(files[f]).scrape_configs ?? [])];
}

/**
 * A parsed prometheus.yml with the jobs of the scrape config files appended to its scrape_configs and
 * scrape_config_files removed: for tests that rewrite jobs (static targets for discovery) and run one file.
 */
export function withScrapeFilesInlined<T extends { scrape_configs?: unknown[]; scrape_config_files?: string[] }>(config: T, objects: K8sObject[]): T {
  const files = scrapeFiles(objects);
  const jobs = Object.keys(files).sort().flatMap((f) => parse(files[f]).scrape_configs ?? []);
  const { scrape_config_files: _, ...rest } = config;
  return { ...rest, scrape_configs: [...(config.scrape_configs ?? []), ...jobs] } as T;
}
