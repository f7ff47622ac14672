/**
 * Checking what the stack gives Grafana against contracts read from Grafana's
 * source (contracts/config/grafana-ini.json, grafana-provisioning.json):
 * grafana.ini sections and keys, GF_<SECTION>_<KEY> environment overrides,
 * and the fields of the datasource and dashboard-provider provisioning files,
 * down to each datasource plugin's jsonData keys.
 */
import * as fs from 'fs';
import * as path from 'path';

const DIR = path.join(__dirname, '..', '..', 'contracts', 'config');

export interface GrafanaIniContract {
  source: { repository: string; tag: string; commit: string; files: string[] };
  freeformSections: string[];
  freeformSectionPrefixes: string[];
  keyCount: number;
  sections: Record<string, Record<string, string | null>>;
}

export interface ProvisioningContract {
  source: { repository: string; tag: string; files: Record<string, string> };
  datasources: { file: string[]; datasource: string[]; deleteDatasource: string[] };
  dashboards: { file: string[]; provider: string[]; options: string[] };
  /** common, commonPatterns, <type> (its keys) and <type>Values (allowed values of some keys). */
  jsonData: Record<string, unknown> & { common: string[]; commonPatterns: string[] };
  secureJsonData: { common: string[]; commonPatterns: string[] };
}

export const loadIniContract = (): GrafanaIniContract => JSON.parse(fs.readFileSync(path.join(DIR, 'grafana-ini.json'), 'utf8'));
export const loadProvisioningContract = (): ProvisioningContract => JSON.parse(fs.readFileSync(path.join(DIR, 'grafana-provisioning.json'), 'utf8'));

/** grafana.ini text to section -> key -> value (the subset of INI the stack writes: `[section]`, `key = value`, `#`/`;` comments). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { '': {} };
  let section = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) { section = s[1]; out[section] ??= {}; return; }
    const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`grafana.ini line ${i + 1}: not "key = value": ${raw}`);
    out[section][kv[1]] = kv[2];
  });
  return out;
}

const freeform = (c: GrafanaIniContract, section: string) =>
  c.freeformSections.includes(section) || c.freeformSectionPrefixes.some((p) => section.startsWith(p));

/** Sections and keys Grafana's defaults.ini does not define, one line each. */
export function iniProblems(c: GrafanaIniContract, ini: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(ini).flatMap(([section, keys]) => {
    if (freeform(c, section)) return [];
    const known = c.sections[section];
    if (!known) return Object.keys(keys).length || section ? [`[${section}]: not a section of Grafana's defaults.ini`] : [];
    return Object.keys(keys).filter((k) => !(k in known)).map((k) => `[${section}] ${k}: not a key of this section in Grafana's defaults.ini`);
  });
}

/** GF_<SECTION>_<KEY> as Grafana derives it (pkg/setting/setting.go EnvKey). */
export function envKey(section: string, key: string): string {
  return `GF_${section.replace(/\./g, '_').replace(/-/g, '_').toUpperCase()}_${key.replace(/\./g, '_').toUpperCase()}`;
}

/** Every environment override the contract's keys allow. */
export function envNames(c: GrafanaIniContract): Set<string> {
  return new Set(Object.entries(c.sections).filter(([s]) => s !== '').flatMap(([s, keys]) => Object.keys(keys).map((k) => envKey(s, k))));
}

/** GF_* variables that name no key of defaults.ini (Grafana only applies overrides to keys the loaded files define). */
export function envProblems(c: GrafanaIniContract, names: string[]): string[] {
  const ok = envNames(c);
  return names.filter((n) => n.startsWith('GF_') && !ok.has(n)).map((n) => `${n}: no [section] key of Grafana's defaults.ini maps to this variable`);
}

const unknown = (obj: Record<string, unknown> | undefined, allowed: string[], at: string, patterns: string[] = []): string[] =>
  Object.keys(obj ?? {}).filter((k) => !allowed.includes(k) && !patterns.some((p) => new RegExp(p).test(k))).map((k) => `${at}.${k}: not a field Grafana reads`);

/** Fields of a datasources provisioning file (apiVersion 1) that Grafana or the datasource's plugin does not read. */
export function datasourcesProblems(c: ProvisioningContract, file: Record<string, any>): string[] {
  const out = unknown(file, c.datasources.file, 'file');
  (file.datasources ?? []).forEach((ds: Record<string, any>, i: number) => {
    const at = `datasources[${i}]`;
    out.push(...unknown(ds, c.datasources.datasource, at));
    const typeKeys = (c.jsonData[ds.type] as string[] | undefined);
    if (!typeKeys) out.push(`${at}.type: no jsonData contract for datasource type "${ds.type}"`);
    out.push(...unknown(ds.jsonData, [...c.jsonData.common, ...(typeKeys ?? [])], `${at}.jsonData`, c.jsonData.commonPatterns));
    out.push(...unknown(ds.secureJsonData, c.secureJsonData.common, `${at}.secureJsonData`, c.secureJsonData.commonPatterns));
    const values = (c.jsonData[`${ds.type}Values`] ?? {}) as unknown as Record<string, string[]>;
    for (const [k, allowed] of Object.entries(values)) {
      if (ds.jsonData?.[k] !== undefined && !allowed.includes(ds.jsonData[k])) out.push(`${at}.jsonData.${k}: "${ds.jsonData[k]}" is not one of ${allowed.join(', ')}`);
    }
    // Secrets Grafana reads only behind their switch (grafana-plugin-sdk-go parseHTTPSettings): otherwise silently unused.
    if (ds.secureJsonData?.basicAuthPassword !== undefined && ds.basicAuth !== true) out.push(`${at}.secureJsonData.basicAuthPassword: read only with basicAuth: true`);
    if (ds.secureJsonData?.tlsCACert !== undefined && ds.jsonData?.tlsAuthWithCACert !== true && ds.jsonData?.tlsAuth !== true) {
      out.push(`${at}.secureJsonData.tlsCACert: read only with jsonData.tlsAuthWithCACert (or tlsAuth): true`);
    }
    // Grafana reads httpHeaderName1, 2, ... up to the first missing number, each with secureJsonData.httpHeaderValue<N>.
    const names = Object.keys(ds.jsonData ?? {}).map((k) => /^httpHeaderName(\d+)$/.exec(k)?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b);
    names.forEach((n, j) => {
      if (n !== j + 1) out.push(`${at}.jsonData.httpHeaderName${n}: Grafana stops at the first missing number (httpHeaderName${j + 1})`);
      if (ds.secureJsonData?.[`httpHeaderValue${n}`] === undefined) out.push(`${at}.jsonData.httpHeaderName${n}: no secureJsonData.httpHeaderValue${n}`);
    });
  });
  (file.deleteDatasources ?? []).forEach((d: Record<string, unknown>, i: number) => out.push(...unknown(d, c.datasources.deleteDatasource, `deleteDatasources[${i}]`)));
  return out;
}

/** Fields of a dashboard providers file (apiVersion 1) that Grafana does not read. */
export function providersProblems(c: ProvisioningContract, file: Record<string, any>): string[] {
  const out = unknown(file, c.dashboards.file, 'file');
  (file.providers ?? []).forEach((p: Record<string, any>, i: number) => {
    out.push(...unknown(p, c.dashboards.provider, `providers[${i}]`));
    out.push(...unknown(p.options, c.dashboards.options, `providers[${i}].options`));
  });
  return out;
}
