/**
 * The registry of service kinds: each kind is one folder, charts/kinds/<kind>/
 * (index.ts exporting `kind`, its dashboard, its rules and promtool tests, its
 * README.md), and one import plus one entry below. Everything that depends on
 * the kind of a declared service — the spec's `kind` enum and scrape path
 * default, the metric catalog, the generic and LLM alerts, the SLI catalog,
 * the dashboards, the docs — is read from KINDS; test/unit/kinds.test.ts fails
 * when a kind's name appears anywhere else.
 *
 * The order is the order of their dashboards and of their alerts in the shared rule files.
 */
import type { KindSlis, SloDecl } from '../core/slo-catalog';
import type { KindDef } from './types';
import { kind as whisperApi } from './whisper-api';
import { kind as rqExporter } from './rq-exporter';
import { kind as vllm } from './vllm';
import { kind as stt } from './stt';
import { kind as tts } from './tts';
import { kind as qdrant } from './qdrant';
import { kind as mcp } from './mcp';
import { kind as http } from './http';
import { kind as redisExporter } from './redis-exporter';
import { kind as mysqlExporter } from './mysql-exporter';

export type { KindDef } from './types';

export const KINDS: readonly KindDef[] = [
  whisperApi,
  rqExporter,
  vllm,
  stt,
  tts,
  qdrant,
  mcp,
  http,
  redisExporter,
  mysqlExporter,
];

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
