/**
 * Generates the strict JSON schemas kubeconform validates against, offline,
 * from the committed Kubernetes OpenAPI v2 spec and CRDs (contracts/kubernetes/).
 *
 * One file per apiVersion/kind at <out>/<group>/<kind>-<version>.json (kubeconform's
 * `{{ .Group }}/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json`; core kinds use group `v1`),
 * holding the kind's schema and every definition it reaches. Strictness: every object
 * schema with properties gets `additionalProperties: false` unless it already says
 * otherwise or is marked x-kubernetes-preserve-unknown-fields. Kubernetes' own encodings:
 * int-or-string is a string or an integer, a Quantity a string or a number, and a CRD's
 * `nullable: true` also admits null.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { parseAllDocuments } from 'yaml';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'contracts', 'kubernetes');
type Schema = Record<string, any>;

const read = (f: string) => zlib.gunzipSync(fs.readFileSync(path.join(SRC, f))).toString('utf8');

/** Recursively make a schema strict and Kubernetes-aware. */
function strict(s: Schema, refPrefix = '#/definitions/'): Schema {
  if (Array.isArray(s)) return s.map((x) => strict(x, refPrefix));
  if (!s || typeof s !== 'object') return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || k === 'example') continue;
    if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, strict(ps as Schema, refPrefix)]));
    } else if (typeof v === 'object') out[k] = strict(v as Schema, refPrefix);
    else out[k] = v;
  }
  if (out.format === 'int-or-string' || out['x-kubernetes-int-or-string']) {
    delete out.type;
    delete out.format;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields'])
    out.additionalProperties = false;
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    delete out.nullable;
  }
  return out;
}

/** The definitions a schema reaches through $ref (transitively). */
function reachable(start: Schema, defs: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object') return;
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = v.replace('#/definitions/', '');
        if (!seen.has(name)) {
          seen.add(name);
          walk(defs[name]);
        }
      } else walk(v);
    }
  };
  walk(start);
  return seen;
}

export interface GeneratedSchemas {
  dir: string;
  kinds: string[];
}

export function generate(out: string): GeneratedSchemas {
  fs.rmSync(out, { recursive: true, force: true });
  const swagger = JSON.parse(read('kubernetes-1.36.swagger.json.gz'));
  const defs: Record<string, Schema> = swagger.definitions;
  defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const kinds: string[] = [];
  const write = (group: string, version: string, kind: string, schema: Schema) => {
    const dir = path.join(out, group || version);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${kind.toLowerCase()}-${version}.json`), JSON.stringify(schema));
    kinds.push(`${group ? `${group}/` : ''}${version}/${kind}`);
  };
  for (const [name, def] of Object.entries(defs)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      const used = reachable(def, defs);
      const schema = strict({ ...def, definitions: Object.fromEntries([...used].map((n) => [n, defs[n]])) });
      delete schema['x-kubernetes-group-version-kind'];
      // The group's first DNS label, as kubeconform's {{ .Group }} takes it (apps, networking.k8s.io -> networking.k8s.io).
      write(gvk.group, gvk.version, gvk.kind, schema);
      void name;
    }
  }
  // CRDs: each served version's openAPIV3Schema; metadata is the Kubernetes ObjectMeta.
  const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const metaDefs = Object.fromEntries([objectMeta, ...reachable(defs[objectMeta], defs)].map((n) => [n, defs[n]]));
  // The CRDs of contracts/kubernetes (gzip) and those the other tests use (test/crds: Gateway API, Traefik,
  // Velero, CSI snapshots; plain or gzip). A kind with two sources is the same CRD: the later file wins.
  const CRD_DIR = path.join(ROOT, 'test', 'crds');
  const readAny = (file: string) =>
    file.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(file)).toString('utf8') : fs.readFileSync(file, 'utf8');
  const crdTexts = [
    ...fs
      .readdirSync(SRC)
      .filter((x) => x.endsWith('.yaml.gz'))
      .map(read),
    ...(fs.existsSync(CRD_DIR)
      ? fs
          .readdirSync(CRD_DIR)
          .filter((x) => /\.yaml(\.gz)?$/.test(x))
          .map((x) => readAny(path.join(CRD_DIR, x)))
      : []),
  ];
  for (const text of crdTexts) {
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions.filter((x: any) => x.served)) {
        const s = structuredClone(v.schema.openAPIV3Schema);
        s.properties = { ...s.properties, metadata: { $ref: `#/definitions/${objectMeta}` } };
        write(crd.spec.group, v.name, crd.spec.names.kind, strict({ ...s, definitions: metaDefs }));
      }
    }
  }
  return { dir: out, kinds };
}

/** kubeconform's -schema-location for a generated folder. */
export const schemaLocation = (dir: string) => `${dir}/{{ .Group }}/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json`;

if (require.main === module) {
  const out = process.argv[2] ?? path.join(ROOT, '.cache', 'kubeconform-schemas');
  const { kinds } = generate(out);
  console.log(`${kinds.length} schemas in ${out}`);
}
