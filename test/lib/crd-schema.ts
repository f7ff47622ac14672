/**
 * Strict validation of custom resources against a CRD's own openAPIV3Schema
 * (copies in test/crds/): the structural schema becomes a JSON Schema in
 * which every object with declared properties refuses unknown fields (the
 * API server would prune them silently), unless the CRD says
 * x-kubernetes-preserve-unknown-fields. ajv checks types, required fields,
 * enums and patterns.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import Ajv from 'ajv';
import { parse } from 'yaml';
import type { K8sObject } from './k8s-validate';

type Schema = Record<string, any>;

function strict(s: Schema): Schema {
  if (s === null || typeof s !== 'object') return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, strict(ps as Schema)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = typeof v === 'object' ? strict(v as Schema) : v;
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = (v as Schema[]).map(strict);
    else if (k === 'not') out[k] = strict(v as Schema);
    else if (k === 'format' || k === 'nullable') continue;
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) { delete out.type; out.anyOf = [{ type: 'integer' }, { type: 'string' }]; }
  if (s.nullable && out.type) out.type = [out.type, 'null'];
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const CRD_DIR = path.join(__dirname, '..', 'crds');
const ajv = new Ajv({ allErrors: true, strict: false });

/** A validator for `kind` at `version` from test/crds/<file>. */
const cache = new Map<string, (obj: K8sObject) => string[]>();

export function crdValidator(file: string, version: string): (obj: K8sObject) => string[] {
  const key = `${file}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const raw = fs.readFileSync(path.join(CRD_DIR, file));
  const crd = parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
  const v = crd.spec.versions.find((x: { name: string }) => x.name === version);
  if (!v) throw new Error(`${file} has no version ${version}`);
  const schema = strict(v.schema.openAPIV3Schema);
  // metadata is the API server's ObjectMeta: checked by the Kubernetes schema elsewhere, not here.
  schema.properties.metadata = { type: 'object' };
  const validate = ajv.compile(schema);
  const fn = (obj: K8sObject): string[] => (validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : ''}`));
  cache.set(key, fn);
  return fn;
}
