/** Synthesize a spec in memory or into a temporary folder, for tests. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { MonitoringStack } from '../../charts/stack';
import { renderGitops, renderManifests, writeAtomically } from '../../charts/app/output';
import { readSpecFile, validateSpec } from '../../charts/spec-load';
import { API_VERSION, KIND } from '../../charts/spec-schema';
import { type DistObject, readManifests } from './dist';
import { testTempDir } from './tmp';
import type { K8sObject } from './k8s-validate';

export interface Synthesized {
  readonly stack: MonitoringStack;
  readonly dir: string;
  readonly objects: K8sObject[];
}

/** A full MonitoringStack document around `spec` (the `spec:` section only). */
export function stackDoc(spec: Record<string, unknown> = {}, name = 'test-stack'): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec };
}

/** Validate, build and write `spec` into a fresh temporary folder. */
export function synth(spec: Record<string, unknown> = {}): Synthesized {
  const app = new App();
  const stack = new MonitoringStack(app, 'stack', { spec: validateSpec(stackDoc(spec), 'test spec') });
  const dir = testTempDir('cdk8s-ai-monitoring-');
  writeAtomically(path.join(dir, 'dist'), renderManifests(stack));
  return { stack, dir: path.join(dir, 'dist'), objects: readManifests(path.join(dir, 'dist')).map((d) => d.object) };
}

export function find(objects: K8sObject[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
}

/**
 * What `npm run synth -- SPEC` writes for a spec file of the repository
 * (monitoring.yaml, examples/*.yaml), synthesized here and now: the tests that
 * check the shipped stack check what the code makes, not the committed dist/
 * (CI compares the committed dist/ with a fresh synth separately, .ci/run).
 */
export interface SpecOutput {
  /** The spec file, relative to the repository root. */
  readonly spec: string;
  /** dist/ as `npm run synth` writes it (its marker file aside): file name -> YAML text, the Kustomization last. */
  readonly files: Map<string, string>;
  /** The files written beside dist/ (gitops/argocd-application.yaml when spec.gitops.argocd is set). */
  readonly gitops: Map<string, string>;
  /** The objects of dist/'s *.yaml files in file-name order, as `readManifests(dist)` returns them. */
  readonly manifests: DistObject[];
  readonly objects: K8sObject[];
  /** The objects of the files beside dist/. */
  readonly gitopsObjects: K8sObject[];
}

interface SpecTexts {
  readonly fingerprint: string;
  readonly files: [string, string][];
  readonly gitops: [string, string][];
  /** JSON of `manifests` and `gitopsObjects`: JSON.parse is ~50 times faster than parsing the YAML again. */
  readonly json: string;
}

const REPO = path.join(__dirname, '..', '..');
/** The sources a synth reads (besides the spec file). */
const SOURCE_DIRS = ['charts', 'dashboards', 'rules'];

/**
 * The texts of a synthesized spec, kept once per process: jest gives every test
 * file its own module registry and globals, but Node's built-in modules are
 * shared, so the cache hangs off `os` (under a registered symbol). It lives as
 * long as the jest worker and is never written to disk.
 */
function processCache(): Map<string, SpecTexts> {
  const holder = require('os') as Record<symbol, Map<string, SpecTexts> | undefined>;
  const key = Symbol.for('cdk8s-ai-monitoring.test.synthFile');
  return (holder[key] ??= new Map());
}

/** The spec's text and the newest change of the sources: a different fingerprint (jest --watch) synthesizes again. */
function fingerprint(specFile: string): string {
  let newest = 0;
  let count = 0;
  for (const dir of SOURCE_DIRS) {
    for (const f of fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[]) {
      newest = Math.max(newest, fs.statSync(path.join(REPO, dir, f)).mtimeMs);
      count++;
    }
  }
  return `${count} ${newest} ${fs.readFileSync(specFile, 'utf8')}`;
}

/** Synthesize `spec` as main.ts does (readSpecFile, MonitoringStack, renderManifests, renderGitops). */
function synthTexts(specFile: string, print: string): SpecTexts {
  const app = new App();
  const stack = new MonitoringStack(app, 'stack', { spec: readSpecFile(specFile) });
  const files = [...renderManifests(stack)];
  const gitops = [...renderGitops(stack)];
  const parse = (file: string, text: string): DistObject[] => parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const object = doc.toJS() as K8sObject | null;
    return object ? [{ file, object }] : [];
  });
  const manifests = files.filter(([f]) => f.endsWith('.yaml')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flatMap(([f, t]) => parse(f, t));
  const gitopsObjects = gitops.flatMap(([f, t]) => parse(f, t)).map((d) => d.object);
  return { fingerprint: print, files, gitops, json: JSON.stringify({ manifests, gitopsObjects }) };
}

const parsedSpecs = new Map<string, { readonly fingerprint: string; readonly output: SpecOutput }>();

/**
 * `spec` (a spec file relative to the repository root) synthesized once per
 * jest worker process and cached in memory; each test file gets its own copy of
 * the objects (changing them affects that file only).
 */
export function synthFile(spec = 'monitoring.yaml'): SpecOutput {
  const specFile = path.join(REPO, spec);
  const print = fingerprint(specFile);
  const mine = parsedSpecs.get(spec);
  if (mine?.fingerprint === print) return mine.output;
  const cache = processCache();
  let texts = cache.get(specFile);
  if (texts?.fingerprint !== print) {
    texts = synthTexts(specFile, print);
    cache.set(specFile, texts);
  }
  const { manifests, gitopsObjects } = JSON.parse(texts.json) as { manifests: DistObject[]; gitopsObjects: K8sObject[] };
  const output: SpecOutput = { spec, files: new Map(texts.files), gitops: new Map(texts.gitops), manifests, objects: manifests.map((d) => d.object), gitopsObjects };
  parsedSpecs.set(spec, { fingerprint: print, output });
  return output;
}

/** dist/ of `spec` written into a temporary folder (removed when the test file ends), for checks that read a folder. */
export function synthFileDir(spec = 'monitoring.yaml'): string {
  const dir = path.join(testTempDir('synth-spec-'), 'dist');
  fs.mkdirSync(dir);
  for (const [f, t] of synthFile(spec).files) fs.writeFileSync(path.join(dir, f), t);
  return dir;
}
