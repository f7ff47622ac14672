/**
 * Entry point: `npm run synth [-- [spec.yaml] [--out dir] [--stdout] [--strict] [--allow-recreate] [--gitops-out dir]]`,
 * and the app of `cdk8s synth` (cdk8s.yaml), which passes its output folder
 * in CDK8S_OUTDIR (`-o/--output`, or a temporary folder it prints for
 * `--stdout`): then only that folder is written, never ./dist or gitops/.
 *
 * Loads the spec (the argument, else ./monitoring.yaml, else the built-in
 * default), synthesizes the stack, refuses changes Kubernetes cannot apply
 * in place (unless --allow-recreate), and swaps the result into the output
 * folder only when every step succeeded (charts/lib/swap.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { DEFAULT_SPEC, MonitoringStack, readSpecFile, SpecError, validateSpec } from './charts';
import {
  checkOutputTarget,
  OutputError,
  OUTPUT_MARKER,
  prepareSideFiles,
  removeStaleSideTemporaries,
  renderedObjects,
  renderGitops,
  renderManifests,
  SIDE_FILES,
  writeAtomically,
} from './charts/app/output';
import { formatUnsafeChanges, parseManifestTexts, unsafeChanges } from './charts/lib/upgrade-check';
import { formatPrerequisites, prerequisites } from './charts/lib/prerequisites';
import { describeIdentity, formatIdentity, parseIdentity, sameStack, stackIdentity } from './charts/lib/stack-metadata';
import { adviceOf, warningsOf } from './charts/lib/warnings';
import { placeholders } from './charts/lib/placeholders';

const USAGE = 'usage: npm run synth [-- [spec.yaml] [--out dir] [--stdout] [--strict] [--allow-recreate] [--gitops-out dir]]';

interface Args {
  spec?: string;
  out?: string;
  gitopsOut?: string;
  stdout: boolean;
  allowRecreate: boolean;
  strict: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { stdout: false, allowRecreate: false, strict: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' || arg === '-o' || arg === '--output') {
      if (i + 1 >= argv.length || argv[i + 1] === '') return `${arg} needs a folder`;
      a.out = argv[++i];
    } else if (arg.startsWith('--out=') || arg.startsWith('--output=')) a.out = arg.slice(arg.indexOf('=') + 1);
    else if (arg === '--stdout' || arg === '-p') a.stdout = true;
    else if (arg === '--allow-recreate') a.allowRecreate = true;
    else if (arg === '--strict') a.strict = true;
    else if (arg === '--gitops-out') {
      if (i + 1 >= argv.length || argv[i + 1] === '') return `${arg} needs a folder`;
      a.gitopsOut = argv[++i];
    } else if (arg.startsWith('--gitops-out=')) a.gitopsOut = arg.slice(arg.indexOf('=') + 1);
    else if (arg.startsWith('-') && arg !== '-') return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (positional.length > 1) return `expected at most one spec file, found ${positional.length}`;
  if (a.stdout && a.out) return '--out and --stdout are mutually exclusive';
  if (a.stdout && a.gitopsOut) return '--gitops-out and --stdout are mutually exclusive';
  a.spec = positional[0];
  return a;
}

/**
 * The folder cdk8s-cli (2.x, lib/cli/cmds/synth.js) makes for `--stdout`: it
 * removes the output folder before running the app for `-o`/the default, but
 * for `--stdout` creates an empty `mkdtemp(<tmpdir>/cdk8s-)` and prints the
 * *.yaml files found in it afterwards.
 */
function isCliStdoutFolder(dir: string): boolean {
  const abs = path.resolve(dir);
  return (
    path.dirname(abs) === path.resolve(os.tmpdir()) &&
    /^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(abs)) &&
    fs.existsSync(abs) &&
    fs.statSync(abs).isDirectory() &&
    fs.readdirSync(abs).length === 0
  );
}

/**
 * The previous output of the same stack, when there is one, against the new files: false (and the unsafe changes
 * on stderr) when Kubernetes cannot apply them in place. Only the previous output of the same stack is a
 * deployment to protect (charts/lib/stack-metadata.ts).
 */
function upgradeIsSafe(out: string, shownOut: string, identity: ReturnType<typeof stackIdentity>, files: Map<string, string>): boolean {
  const markerPath = path.join(out, OUTPUT_MARKER);
  const previousId = fs.existsSync(markerPath) ? parseIdentity(fs.readFileSync(markerPath, 'utf8')) : undefined;
  if (previousId && !sameStack(previousId, identity)) {
    console.log(
      `note: ${shownOut}/ held ${describeIdentity(previousId)}, not this one: no previous output of this stack, so no upgrade check`,
    );
    return true;
  }
  const previous = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')] as [string, string])
    .filter(([f, text]) => files.get(f) !== text); // unchanged files hold no change
  const unsafe =
    previous.length === 0 ? [] : unsafeChanges(parseManifestTexts(previous), [...(renderedObjects(files) ?? parseManifestTexts(files))]);
  if (unsafe.length === 0) return true;
  console.error(formatUnsafeChanges(unsafe, shownOut, previousId ? describeIdentity(previousId) : undefined));
  return false;
}

/**
 * The Argo CD Application: where --gitops-out says (prepared beside, swapped in after dist/); by default gitops/
 * beside dist/; with --out DIR inside DIR (added to `files`, named argocd-application, without .yaml, so kubectl
 * apply -f DIR skips it as it skips the Kustomization); never under cdk8s synth, whose contract is one output folder.
 */
function placeGitops(
  args: Args,
  out: string,
  underCli: boolean,
  gitops: Map<string, string>,
  files: Map<string, string>,
): ReturnType<typeof prepareSideFiles> | undefined {
  if (underCli) return undefined;
  if (args.gitopsOut !== undefined) {
    const base = path.resolve(args.gitopsOut);
    const known = SIDE_FILES.map((f) => path.basename(f));
    removeStaleSideTemporaries(base, known);
    return prepareSideFiles(base, known, new Map([...gitops].map(([f, t]) => [path.basename(f), t])));
  }
  if (args.out === undefined) {
    const sideBase = path.dirname(path.resolve(out));
    removeStaleSideTemporaries(sideBase, SIDE_FILES);
    return prepareSideFiles(sideBase, SIDE_FILES, gitops);
  }
  for (const [f, t] of gitops) files.set(path.basename(f, '.yaml'), t);
  return undefined;
}

interface Written {
  readonly stack: MonitoringStack;
  readonly files: Map<string, string>;
  readonly gitops: Map<string, string>;
  readonly side: string[];
}

/** What was written where, then the prerequisites to create before applying and the optional advice. */
function printSummary(w: Written, specPath: string | undefined, shownOut: string, underCli: boolean): void {
  const extra = w.side.map((f) => ` and ${path.relative(process.cwd(), f)}`).join('');
  console.log(`synthesized ${w.files.size} files from ${specPath ?? 'the built-in default spec'} into ${shownOut}/${extra}`);
  if (underCli && w.gitops.size > 0)
    console.error(`note: cdk8s synth writes only ${shownOut}/; run npm run synth to write ${[...w.gitops.keys()].join(', ')}`);
  console.log('');
  console.log(
    formatPrerequisites(
      prerequisites([...(renderedObjects(w.files) ?? parseManifestTexts(w.files))]),
      `npm run secrets${specPath ? ` -- ${specPath}` : ''}`,
    ),
  );
  const advice = adviceOf(w.stack);
  if (advice.length > 0) console.log(['To tighten (optional):', ...advice.map((a) => `  - ${a}`)].join('\n'));
}

export function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  // cdk8s synth: CDK8S_OUTDIR is the only folder to write (it already removed it, or made it empty for --stdout).
  const cliOutdir = process.env.CDK8S_OUTDIR || undefined;
  const out = args.out ?? cliOutdir ?? 'dist';
  const underCli = args.out === undefined && cliOutdir !== undefined;
  const shownOut = out.replace(/\/+$/, '') || out;
  const specPath = args.spec ?? (fs.existsSync('monitoring.yaml') ? 'monitoring.yaml' : undefined);
  let changed = false;
  try {
    const spec = specPath ? readSpecFile(specPath) : validateSpec(DEFAULT_SPEC, 'built-in default spec');
    const app = new App({ outdir: out });
    const stack = new MonitoringStack(app, 'stack', { spec });
    const files = renderManifests(stack);
    // Spec-level warnings (ComponentDef.warnings), those constructs recorded (charts/lib/warnings.ts) and
    // values left from the example (charts/lib/placeholders.ts): once each, on stderr.
    const left = placeholders(spec);
    for (const w of new Set([...stack.warnings, ...warningsOf(stack), ...left.map((p) => p.message)])) console.error(`warning: ${w}`);
    if (args.strict && left.length > 0) {
      console.error(
        `synth refused (--strict): ${left.length} value${left.length === 1 ? '' : 's'} left from the example spec (${left.map((p) => p.field).join(', ')}); set them, or run without --strict`,
      );
      return 1;
    }
    const gitops = renderGitops(stack);
    if (underCli && isCliStdoutFolder(out)) {
      // cdk8s synth --stdout prints every *.yaml of this folder by piping them to stdout all at
      // once, so the chunks of files over 64 KiB interleave; one file comes out whole.
      fs.writeFileSync(
        path.join(out, 'manifests.yaml'),
        [...files]
          .filter(([n]) => n.endsWith('.yaml'))
          .map(([, t]) => t)
          .join(''),
      );
      return 0;
    }
    if (args.stdout) {
      // Every file in apply order (each document starts with "---"); nothing is written.
      for (const [name, text] of files) if (name.endsWith('.yaml')) process.stdout.write(text);
      return 0;
    }
    const state = checkOutputTarget(out);
    const identity = stackIdentity(spec.metadata.name, spec.spec.namespace, specPath, out);
    if (state === 'owned' && !args.allowRecreate && !upgradeIsSafe(out, shownOut, identity, files)) return 1;
    const side = placeGitops(args, out, underCli, gitops, files);
    let recovered: boolean;
    try {
      ({ recovered } = writeAtomically(out, files, { marker: formatIdentity(identity) }));
    } catch (e) {
      side?.abort();
      throw e;
    }
    changed = true;
    const written = side ? side.commit() : [];
    if (recovered) console.log(`note: ${shownOut}/ held an interrupted earlier synth; it was rolled back before writing`);
    printSummary({ stack, files, gitops, side: written }, specPath, shownOut, underCli);
    return 0;
  } catch (e) {
    if (e instanceof SpecError || e instanceof OutputError) console.error(e.message);
    else console.error(`synth failed: ${(e as Error).message}`);
    if (e instanceof OutputError && e.outputChanged) return 1;
    console.error(
      changed
        ? `${shownOut}/ was updated, but the files beside it (${SIDE_FILES.join(', ')}) were not; fix the problem and run synth again`
        : `${shownOut}/ was left unchanged.`,
    );
    return 1;
  }
}

// Run only as the entry point (npm run synth, cdk8s synth); `ai-monitoring synth` (charts/app/cli.ts) calls main itself.
if (require.main === module) process.exitCode = main(process.argv.slice(2));
