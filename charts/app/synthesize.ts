/**
 * `synthesize(spec)`: the whole of what `npm run synth` computes, as one
 * library call with no file, environment or cluster access — the manifests in
 * the order the CLI writes them (file names, sync waves, the Kustomization),
 * the warnings the CLI prints on stderr, the prerequisites it prints after
 * writing, and, given the previous manifests, the changes Kubernetes cannot
 * apply in place (charts/lib/upgrade-check.ts). The CLI's live commands
 * (preflight, apply, status, diff) and the operator all start here, so a
 * library user sees exactly what they see.
 *
 * ```ts
 * import { synthesize } from 'cdk8s-ai-monitoring';
 * const r = synthesize(fs.readFileSync('monitoring.yaml', 'utf8'), { source: 'monitoring.yaml' });
 * for (const w of r.warnings) console.warn(w);
 * for (const m of r.manifests) console.log(m.file, m.syncWave, m.object.kind, m.object.metadata.name);
 * ```
 *
 * Errors: an invalid spec throws `SpecError` (one line per problem naming the
 * field and the fix); nothing else is thrown for a valid spec.
 */
import { App } from 'cdk8s';
import { renderGitops, renderManifests, KUSTOMIZATION_FILE, SYNC_WAVE_ANNOTATION } from './output';
import { prerequisites, type Prerequisites } from '../lib/prerequisites';
import { parseManifestTexts, unsafeChanges, type UnsafeChange } from '../lib/upgrade-check';
import { warningsOf } from '../lib/warnings';
import { parseSpecYaml, validateSpec } from '../spec-load';
import type { MonitoringStackInput, MonitoringStackSpec } from '../spec-schema';
import { MonitoringStack } from '../stack';

/** A Kubernetes object as synthesized (plain JSON). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** One object of the output, with the file it is written to and its Argo CD sync wave. */
export interface SynthesizedManifest {
  /** dist/ file name, e.g. `10-prometheus.yaml`. */
  readonly file: string;
  /** `argocd.argoproj.io/sync-wave` of the object (namespaces and CRDs first, custom resources last). */
  readonly syncWave: number;
  readonly object: ManifestObject;
}

export interface SynthesizeOptions {
  /** Name of the spec in error messages (a file name); default "spec". */
  readonly source?: string;
  /**
   * The manifests applied before (the previous dist/ as [file name, YAML text]
   * pairs, or the objects themselves): `upgradeFindings` lists what cannot
   * change in place. Without them `upgradeFindings` is empty.
   */
  readonly previous?: Iterable<[string, string]> | readonly object[];
}

export interface SynthesisResult {
  /** The validated spec with every default applied. */
  readonly spec: MonitoringStackSpec;
  /** Every object in apply order: by file (dist/ order), then as written in the file. */
  readonly manifests: SynthesizedManifest[];
  /** dist/ exactly as the CLI writes it: file name -> YAML text, the Kustomization last. */
  readonly files: ReadonlyMap<string, string>;
  /** Files written beside dist/ (gitops/argocd-application.yaml when spec.gitops.argocd is set). */
  readonly gitops: ReadonlyMap<string, string>;
  /** What the CLI prints as `warning: ...` (spec-level and construct warnings), each once. */
  readonly warnings: string[];
  /** What the cluster needs before the manifests apply (Secrets, CRDs, controllers). */
  readonly prerequisites: Prerequisites;
  /** Changes from `options.previous` that Kubernetes cannot apply in place (empty without `previous`). */
  readonly upgradeFindings: UnsafeChange[];
}

export { KUSTOMIZATION_FILE };

/**
 * Synthesize the stack of `input`: YAML text of a MonitoringStack, or the
 * spec as an object (as written by a user, or as a custom resource's JSON).
 */
export function synthesize(
  input: string | MonitoringStackInput | MonitoringStackSpec | object,
  options: SynthesizeOptions = {},
): SynthesisResult {
  const source = options.source ?? 'spec';
  const spec = typeof input === 'string' ? parseSpecYaml(input, source) : validateSpec(input, source);
  const app = new App({ outdir: 'unused-by-synthesize' });
  const stack = new MonitoringStack(app, 'stack', { spec });
  const files = renderManifests(stack);
  const gitops = renderGitops(stack);
  const manifests: SynthesizedManifest[] = [];
  for (const [file, text] of files) {
    if (file === KUSTOMIZATION_FILE) continue;
    for (const object of parseManifestTexts([[file, text]]) as ManifestObject[]) {
      manifests.push({ file, syncWave: Number(object.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0), object });
    }
  }
  const objects = manifests.map((m) => m.object);
  let upgradeFindings: UnsafeChange[] = [];
  if (options.previous) {
    const prev = [...options.previous] as unknown[];
    const previousObjects = prev.length > 0 && Array.isArray(prev[0]) ? parseManifestTexts(prev as [string, string][]) : (prev as object[]);
    upgradeFindings = unsafeChanges(previousObjects, objects);
  }
  const warnings = [...new Set([...stack.warnings, ...warningsOf(stack)])];
  return { spec, manifests, files, gitops, warnings, prerequisites: prerequisites(objects), upgradeFindings };
}
