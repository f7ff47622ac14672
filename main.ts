/**
 * Entry point: `npm run synth [-- path/to/spec.yaml] [--out dir]`.
 * Loads the spec (the argument, else ./monitoring.yaml, else the built-in
 * default), synthesizes the stack and swaps the result into dist/ only when
 * every step succeeded.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { DEFAULT_SPEC, MonitoringStack, parseSpecYaml, renderGitops, renderManifests, SpecError, validateSpec, writeAtomically, writeGitops } from './charts';

function main(argv: string[]): number {
  let out = 'dist';
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i];
    else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('usage: npm run synth [-- [spec.yaml] [--out dir]]');
      return 0;
    } else positional.push(argv[i]);
  }
  if (positional.length > 1 || !out) {
    console.error('usage: npm run synth [-- [spec.yaml] [--out dir]]');
    return 2;
  }
  const specPath = positional[0] ?? (fs.existsSync('monitoring.yaml') ? 'monitoring.yaml' : undefined);
  try {
    let spec;
    if (specPath) {
      if (!fs.existsSync(specPath)) throw new SpecError(specPath, ['file not found']);
      spec = parseSpecYaml(fs.readFileSync(specPath, 'utf8'), specPath);
    } else {
      spec = validateSpec(DEFAULT_SPEC, 'built-in default spec');
    }
    const app = new App({ outdir: out });
    const stack = new MonitoringStack(app, 'stack', { spec });
    const files = renderManifests(stack);
    for (const w of stack.warnings) console.error(`warning: ${w}`);
    const gitops = renderGitops(stack);
    writeAtomically(out, files);
    const extra = writeGitops(out, gitops).map((f) => ` and ${path.relative(process.cwd(), f)}`).join('');
    console.log(`synthesized ${files.size} files from ${specPath ?? 'the built-in default spec'} into ${out}/${extra}`);
    return 0;
  } catch (e) {
    console.error(e instanceof SpecError ? e.message : `synth failed: ${(e as Error).message}`);
    console.error(`${out}/ was left unchanged.`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
