/**
 * Checking an emitted config against a configuration reference contract
 * (contracts/config/*.json): each key must exist in its block; nested blocks
 * are followed by name (a type naming another block refers to it).
 */
import * as fs from 'fs';
import * as path from 'path';

interface Entry { type?: string; children?: Record<string, Entry> }
export interface ConfigReference { source: { repository: string; tag: string; files: string[] }; blocks: Record<string, Record<string, Entry>> }

export function loadReference(name: string): ConfigReference {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'contracts', 'config', `${name}.json`), 'utf8'));
}

/** Keys of `value` the reference does not define, as dotted paths. */
export function unknownKeys(ref: ConfigReference, value: unknown, block = 'root', at = ''): string[] {
  const fields = ref.blocks[block];
  if (!fields) throw new Error(`no block ${block} in the reference`);
  return walk(ref, value, fields, at);
}

function walk(ref: ConfigReference, value: unknown, fields: Record<string, Entry>, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => walk(ref, v, fields, `${at}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = at ? `${at}.${k}` : k;
    const e = fields[k];
    if (!e) { out.push(p); continue; }
    if (e.children) out.push(...walk(ref, v, e.children, p));
    else if (e.type) {
      const block = resolve(ref, e.type.replace(/^list of /, ''));
      if (block && v && typeof v === 'object') out.push(...walk(ref, v, block, p));
    }
  }
  return out;
}

/** The block a type names: by its name, or by the heading it is documented under (server_config -> server, client_config -> clients). */
function resolve(ref: ConfigReference, type: string): Record<string, Entry> | undefined {
  const base = type.replace(/_config$/, '');
  for (const n of [type, `${type}s`, type.replace(/s$/, ''), base, `${base}s`]) if (ref.blocks[n]) return ref.blocks[n];
  return undefined;
}
