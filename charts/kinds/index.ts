/**
 * The registry of service kinds: each kind is one folder, charts/kinds/<kind>/
 * (index.ts exporting `kind`, its dashboard, its rules and promtool tests, its
 * README.md), and its name in NAMES below. Everything that depends on
 * the kind of a declared service — the spec's `kind` enum and scrape path
 * default, the metric catalog, the generic and LLM alerts, the SLI catalog,
 * the dashboards, the docs — is read from KINDS; test/unit/kinds.test.ts fails
 * when a kind's name appears anywhere else.
 *
 * The order is the order of their dashboards and of their alerts in the shared rule files.
 */
import type { KindSlis, SloDecl } from '../core/slo-catalog';
import type { KindDef } from './types';
export type { KindDef } from './types';

/**
 * The kinds, in order (of their dashboards, and of their alerts in the shared rule files). Add a kind:
 * its folder charts/kinds/<name>/ (index.ts exporting `kind`), and its name here.
 */
const NAMES = [
  'whisper-api',
  'rq-exporter',
  'vllm',
  'stt',
  'tts',
  'qdrant',
  'mcp',
  'http',
  'redis-exporter',
  'mysql-exporter',
  'sglang',
  'triton',
  'nim',
  'ray-serve',
] as const;

/** The folder's `kind`, checked to carry the folder's name. */
function load(name: string): KindDef {
  // A folder per name, so the list above is the whole registry: no import line to add beside it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${name}`) as { kind?: KindDef };
  if (mod.kind?.name !== name) throw new Error(`charts/kinds/${name}/index.ts must export \`kind\` with name "${name}"`);
  return mod.kind;
}

export const KINDS: readonly KindDef[] = NAMES.map(load);

/** spec.services[].kind values, in registry order. */
export const SERVICE_KINDS = KINDS.map((k) => k.name) as unknown as readonly [string, ...string[]];

const BY_NAME = new Map(KINDS.map((k) => [k.name, k]));
if (BY_NAME.size !== KINDS.length) throw new Error('charts/kinds/index.ts: two kinds share a name');

/** The kind of that name (the spec's enum has refused any other). */
export function kindOf(name: string): KindDef {
  const k = BY_NAME.get(name);
  if (!k) throw new Error(`unknown service kind "${name}": expected one of ${SERVICE_KINDS.join(', ')}`);
  return k;
}

/** Service level indicators by kind. */
export const SLI_CATALOG: Readonly<Record<string, KindSlis>> = Object.fromEntries(KINDS.map((k) => [k.name, k.slis]));

/** The SLO's name as it appears in the `slo` label: its name, else the type ("availability") or the histogram. */
export function sloName(slo: SloDecl, kind: string): string {
  if (slo.name) return slo.name;
  if (slo.type === 'availability') return 'availability';
  return slo.histogram ?? SLI_CATALOG[kind]?.latency[0]?.name ?? 'latency';
}
