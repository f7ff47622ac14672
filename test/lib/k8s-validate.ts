/**
 * Strict Kubernetes validation of synthesized objects, from npm packages only:
 *
 * - @kubernetes/client-node's model type maps know every field of every
 *   built-in kind: an unknown field or a value of the wrong type is an error
 *   (the API server would prune or reject it);
 * - kubernetes-models' generated validators add required fields and enums.
 *
 * Custom resources register a validator with `registerCustomValidator`.
 */
import { execFileSync } from 'child_process';
import { CRD_VALIDATORS } from './crd-validators';

type AttributeType = { name: string; baseName: string; type: string };

let typeMaps: Record<string, AttributeType[]> | undefined;

/**
 * client-node 1.x is an ES module, which jest's CommonJS runtime cannot
 * require on Node 20: read its type maps once through a child Node process.
 */
function loadTypeMaps(): Record<string, AttributeType[]> {
  const script = `import * as m from '@kubernetes/client-node';
    const out = {};
    for (const [k, v] of Object.entries(m)) if (v && Array.isArray(v.attributeTypeMap)) out[k] = v.attributeTypeMap.map(a => ({ name: a.name, baseName: a.baseName, type: a.type }));
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname, maxBuffer: 64 << 20 }).toString());
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type CustomValidator = (obj: K8sObject) => string[];
const customValidators = new Map<string, CustomValidator>();

/** Validate custom resources of `apiVersion`/`kind` with `fn` (returns problems). */
export function registerCustomValidator(apiVersion: string, kind: string, fn: CustomValidator): void {
  customValidators.set(`${apiVersion}/${kind}`, fn);
}

/** The client-node model name for an apiVersion/kind: `apps/v1` + `StatefulSet` -> `V1StatefulSet`. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() as string;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

function attributes(typeName: string): AttributeType[] | undefined {
  typeMaps ??= loadTypeMaps();
  return typeMaps[typeName];
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Walk `value` against the client-node type `type`; push problems with JSON paths. */
function walk(value: unknown, type: string, path: string, problems: string[]): void {
  if (value === undefined) return;
  if (type === 'any' || type === 'object') return;
  if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string') problems.push(`${path}: expected string, found ${typeOf(value)}`);
    return;
  }
  if (type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${path}: expected number, found ${typeOf(value)}`);
    return;
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean') problems.push(`${path}: expected boolean, found ${typeOf(value)}`);
    return;
  }
  if (type === 'IntOrString') {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      problems.push(`${path}: expected integer or string, found ${typeOf(value)}`);
    }
    return;
  }
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) { problems.push(`${path}: expected array, found ${typeOf(value)}`); return; }
    value.forEach((v, i) => walk(v, arr[1], `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeOf(value) !== 'object') { problems.push(`${path}: expected map, found ${typeOf(value)}`); return; }
    for (const [k, v] of Object.entries(value as object)) walk(v, map[1], `${path}.${k}`, problems);
    return;
  }
  const attrs = attributes(type);
  if (!attrs) { problems.push(`${path}: validator does not know type ${type}`); return; }
  if (typeOf(value) !== 'object') { problems.push(`${path}: expected object (${type}), found ${typeOf(value)}`); return; }
  const byName = new Map(attrs.map((a) => [a.baseName, a]));
  for (const [k, v] of Object.entries(value as object)) {
    const a = byName.get(k);
    if (!a) {
      problems.push(`${path}.${k}: unknown field in ${type}`);
      continue;
    }
    walk(v, a.type, `${path}.${k}`, problems);
  }
}

let kubernetesModels: Record<string, Record<string, new (o: unknown) => { validate(): void }>> | undefined;

function requiredFieldProblems(obj: K8sObject): string[] {
  // kubernetes-models: one module per API group/version, each class validates required fields and enums.
  kubernetesModels ??= {};
  const group = obj.apiVersion.includes('/') ? obj.apiVersion : obj.apiVersion; // "apps/v1" or "v1"
  if (!(group in kubernetesModels)) {
    try {
       
      kubernetesModels[group] = require(`kubernetes-models/${group}`);
    } catch {
      kubernetesModels[group] = {};
    }
  }
  const Cls = kubernetesModels[group][obj.kind];
  if (!Cls) return [`no kubernetes-models schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Cls(obj).validate();
    return [];
  } catch (e) {
    const errs = (e as { errors?: { instancePath: string; message?: string; params?: unknown }[] }).errors;
    if (errs) return errs.map((x) => `${x.instancePath || '/'}: ${x.message} ${JSON.stringify(x.params)}`);
    return [(e as Error).message];
  }
}

/** Every problem with `obj`, each prefixed by its kind and name. */
export function validateObject(obj: K8sObject): string[] {
  const id = `${obj.kind ?? '?'} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? '?'}`;
  if (!obj.apiVersion || !obj.kind) return [`${id}: apiVersion and kind are required`];
  const custom = customValidators.get(`${obj.apiVersion}/${obj.kind}`);
  if (custom) {
    // Custom resources: the registered validator, plus metadata checked like any built-in object's.
    const problems: string[] = [];
    walk(obj.metadata, 'V1ObjectMeta', '.metadata', problems);
    return [...problems, ...custom(obj)].map((p) => `${id}: ${p}`);
  }
  const type = modelName(obj.apiVersion, obj.kind);
  if (!attributes(type)) return [`${id}: unknown built-in kind ${obj.apiVersion} ${obj.kind} (no model ${type})`];
  const problems: string[] = [];
  walk(obj, type, '', problems);
  problems.push(...requiredFieldProblems(obj));
  return problems.map((p) => `${id}: ${p}`);
}

for (const v of CRD_VALIDATORS) registerCustomValidator(v.apiVersion, v.kind, v.validate);
