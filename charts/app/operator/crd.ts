/**
 * The MonitoringStack CustomResourceDefinition
 * (`monitoringstacks.monitoring.cdk8s-ai.dev`, v1alpha1), generated from the
 * same zod schema as monitoring-stack.schema.json (`npm run schema` writes
 * both). The JSON Schema is turned into a structural OpenAPI v3 schema:
 *
 * - `$ref`s inlined; `const` -> one-value `enum`; draft-7 numeric
 *   `exclusiveMinimum`/`Maximum` -> `minimum` + boolean; `[T, null]` and
 *   `anyOf [T, null]` -> `nullable`;
 * - a union of objects (alerting receivers) -> one object with every
 *   variant's properties (the operator's own validation then picks the
 *   variant and names the field);
 * - what a structural schema cannot express (string-or-number quantities,
 *   boolean-or-object switches) gets `x-kubernetes-preserve-unknown-fields`
 *   without a type — only there;
 * - what the API server does not support is left to the operator, which runs
 *   the full loader and reports by condition: `propertyNames`, regular
 *   expressions RE2 cannot compile (lookaround), `default` (the spec stays as
 *   the user wrote it; the loader applies defaults), unknown formats.
 */
import { specJsonSchema } from '../../spec-json-schema';
import { API_VERSION, KIND } from '../../spec-schema';

export const CRD_GROUP = API_VERSION.split('/')[0];
export const CRD_VERSION = API_VERSION.split('/')[1];
export const CRD_PLURAL = 'monitoringstacks';
export const CRD_NAME = `${CRD_PLURAL}.${CRD_GROUP}`;
/** Where the generated CRD is committed (`kubectl apply -f` it before running the operator). */
export const CRD_FILE = `crds/${CRD_GROUP}_${CRD_PLURAL}.yaml`;

type Json = Record<string, any>;

const FORMATS = new Set([
  'uri',
  'email',
  'date',
  'date-time',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'uuid',
  'byte',
  'int32',
  'int64',
  'double',
  'float',
  'password',
  'duration',
]);
/** RE2 (the API server's regular expressions) has no lookaround and no backreferences. */
const re2 = (p: string) => !/\(\?[=!<]|\\[1-9]|\\k</.test(p);

const ANY = (description?: string): Json => ({ ...(description ? { description } : {}), 'x-kubernetes-preserve-unknown-fields': true });

function resolve(node: Json, root: Json): Json {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 50; i++) {
    const path = n.$ref.replace(/^#\//, '').split('/');
    let t: any = root;
    for (const p of path) t = t?.[p];
    n = { ...t, ...Object.fromEntries(Object.entries(n).filter(([k]) => k !== '$ref')) };
  }
  return n;
}

function convert(input: Json, root: Json, depth = 0): Json {
  if (depth > 40) return ANY();
  const n = resolve(input, root);
  const description: string | undefined = n.description;

  const union: Json[] | undefined = n.anyOf ?? n.oneOf;
  if (union) return convertUnion(union, description, root, depth);

  let type = n.type;
  let nullable = false;
  if (Array.isArray(type)) {
    const t = type.filter((x: string) => x !== 'null');
    nullable = t.length < type.length;
    if (t.length !== 1) return { ...ANY(description), ...(nullable ? { nullable: true } : {}) };
    type = t[0];
  }
  if (type === undefined) {
    if (n.const !== undefined) type = typeof n.const === 'number' ? 'number' : typeof n.const;
    else if (Array.isArray(n.enum) && n.enum.every((e: unknown) => typeof e === 'string')) type = 'string';
    else return ANY(description);
  }
  const out: Json = { ...(description ? { description } : {}), type };
  if (nullable) out.nullable = true;
  copyValidations(n, out, type);
  convertChildren(n, out, type, root, depth);
  return out;
}

/** `anyOf`/`oneOf`: `[T, null]` -> nullable T; objects -> one object of every variant's properties; else untyped. */
function convertUnion(union: Json[], description: string | undefined, root: Json, depth: number): Json {
  const nonNull = union.filter((u) => resolve(u, root).type !== 'null');
  const nullable = nonNull.length < union.length;
  if (nonNull.length === 1)
    return {
      ...convert({ ...resolve(nonNull[0], root), description: description ?? nonNull[0].description }, root, depth + 1),
      ...(nullable ? { nullable: true } : {}),
    };
  const variants = nonNull.map((u) => resolve(u, root));
  if (variants.every((v) => v.type === 'object' && v.properties))
    return { ...mergeObjectVariants(variants, description, root, depth), ...(nullable ? { nullable: true } : {}) };
  return { ...ANY(description), ...(nullable ? { nullable: true } : {}) };
}

/** A union of objects as one object: every variant's properties (untyped where their types differ), required by all. */
function mergeObjectVariants(variants: Json[], description: string | undefined, root: Json, depth: number): Json {
  const props: Json = {};
  for (const v of variants) {
    for (const [k, s] of Object.entries<Json>(v.properties)) {
      const c = convert(s, root, depth + 1);
      const prev = props[k];
      if (!prev) props[k] = c;
      else if (prev.enum && c.enum) props[k] = { ...prev, enum: [...new Set([...prev.enum, ...c.enum])] };
      else if (JSON.stringify(prev) !== JSON.stringify(c) && prev.type !== c.type) props[k] = ANY(prev.description);
    }
  }
  const required = variants.map((v) => new Set<string>(v.required ?? [])).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  return {
    ...(description ? { description } : {}),
    type: 'object',
    properties: props,
    ...(required.size ? { required: [...required].sort() } : {}),
  };
}

/** The validations the API server keeps: enum, lengths, bounds (draft-7 exclusive ones as booleans), RE2 patterns, known formats. */
function copyValidations(n: Json, out: Json, type: string): void {
  if (n.const !== undefined) out.enum = [n.const];
  if (Array.isArray(n.enum)) out.enum = n.enum.filter((e: unknown) => e !== null);
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'uniqueItems', 'minProperties', 'maxProperties'])
    if (n[k] !== undefined) out[k] = n[k];
  if (typeof n.exclusiveMinimum === 'number') {
    out.minimum = n.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof n.exclusiveMaximum === 'number') {
    out.maximum = n.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if (typeof n.pattern === 'string' && re2(n.pattern)) out.pattern = n.pattern;
  if (typeof n.format === 'string' && FORMATS.has(n.format)) out.format = n.format;
  if (type === 'integer' && (out.maximum ?? 0) > Number.MAX_SAFE_INTEGER) delete out.maximum;
}

/** Array items, object properties or map values, converted; an object with neither keeps unknown fields. */
function convertChildren(n: Json, out: Json, type: string, root: Json, depth: number): void {
  if (type === 'array') out.items = n.items && !Array.isArray(n.items) ? convert(n.items, root, depth + 1) : ANY();
  if (type !== 'object') return;
  if (n.properties) {
    out.properties = Object.fromEntries(Object.entries<Json>(n.properties).map(([k, s]) => [k, convert(s, root, depth + 1)]));
    if (Array.isArray(n.required) && n.required.length) out.required = [...n.required];
  } else if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    out.additionalProperties = convert(n.additionalProperties, root, depth + 1);
  } else if (n.additionalProperties !== false) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
}

const condition = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', description: 'Ready, Progressing or Degraded' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string', description: 'what happened and, when something is wrong, the field and the fix' },
    observedGeneration: { type: 'integer', format: 'int64' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
  },
};

/** The CRD object. */
export function monitoringStackCrd(): Json {
  const schema = specJsonSchema() as Json;
  const spec = convert(schema.properties.spec, schema);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'ai-monitoring-operator', 'app.kubernetes.io/part-of': 'cdk8s-ai-monitoring' },
      annotations: {
        'monitoring.cdk8s-ai.dev/generated-by': 'npm run schema (charts/app/operator/crd.ts) from the zod schema of the spec',
      },
    },
    spec: {
      group: CRD_GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: CRD_PLURAL,
        singular: KIND.toLowerCase(),
        shortNames: ['mstack'],
        categories: ['monitoring'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
            { name: 'Objects', type: 'integer', jsonPath: '.status.objects' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description: schema.description,
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: {
                  type: 'object',
                  description: 'written by the operator (ai-monitoring operator)',
                  properties: {
                    observedGeneration: {
                      type: 'integer',
                      format: 'int64',
                      description: 'the generation of the spec the conditions describe',
                    },
                    objects: { type: 'integer', description: 'objects applied for this stack' },
                    lastAppliedGeneration: {
                      type: 'integer',
                      format: 'int64',
                      description:
                        'the last generation applied successfully (an invalid spec leaves it, and the cluster, at the last good one)',
                    },
                    conditions: {
                      type: 'array',
                      items: condition,
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['type'],
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
