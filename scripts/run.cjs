/**
 * `npm run synth`: runs main.ts compiled, so a synth does not pay for compiling
 * ~200 TypeScript files on the fly (tsx) in every process.
 *
 *   node scripts/run.cjs main.ts [args...]
 *
 * The entry and everything it imports are bundled by esbuild (no type check, as
 * tsx does none) into node_modules/.cache/cdk8s-ai-monitoring/<entry>.js; the
 * peer libraries (cdk8s, cdk8s-plus-28, constructs) and @kubernetes/client-node
 * stay outside and load from node_modules as usual. Beside the bundle a stamp
 * lists every project source it was built from with its size and mtime, plus
 * package-lock.json, esbuild's and Node's versions: when any of them differs
 * (a .ts file edited, added to an import, npm ci run again), the next run
 * rebuilds first (about a second). Specs are read at run time, never bundled.
 * When the bundle cannot be built, the entry runs through tsx as before.
 *
 * Plain JavaScript: it is what runs before anything is compiled.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-ai-monitoring');
/** Loaded from node_modules at run time: the floor every cdk8s app pays, and the live-cluster client (ESM, loaded on demand). */
const EXTERNAL = ['cdk8s', 'cdk8s-plus-28', 'constructs', '@kubernetes/client-node'];

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run.cjs <entry.ts> [args...]');
  process.exit(2);
}
const entryAbs = path.resolve(ROOT, entry);
const base = path.relative(ROOT, entryAbs).replace(/\.ts$/, '').replace(/[\\/]/g, '__');
const bundle = path.join(CACHE, `${base}.js`);
const stampFile = path.join(CACHE, `${base}.stamp.json`);

function fingerprint(file) {
  try {
    const st = fs.statSync(path.join(ROOT, file));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function toolVersions() {
  let esbuild = 'none';
  try {
    esbuild = require(path.join(ROOT, 'node_modules', 'esbuild', 'package.json')).version;
  } catch {
    /* tsx fallback */
  }
  return `esbuild ${esbuild}, node ${process.version}`;
}

/** The stamp still describes the sources: every input file has the size and mtime it had when the bundle was built. */
function fresh() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  if (stamp.tools !== toolVersions() || !fs.existsSync(bundle)) return false;
  for (const [file, fp] of Object.entries(stamp.inputs)) if (fingerprint(file) !== fp) return false;
  return true;
}

/**
 * charts/kinds/index.ts loads each kind's folder by name (require(`./${name}`)); a bundler cannot follow that,
 * so the bundle gets a table of literal requires of the names listed there, in the same order.
 */
const kindsTable = {
  name: 'kinds-table',
  setup(build) {
    build.onLoad({ filter: /[\\/]charts[\\/]kinds[\\/]index\.ts$/ }, (args) => {
      const src = fs.readFileSync(args.path, 'utf8');
      const list = /const NAMES = \[([^\]]*)\]/.exec(src);
      const call = 'require(`./${name}`)';
      if (!list || !src.includes(call)) throw new Error(`${args.path}: no NAMES list or ${call} to bundle`);
      const names = [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
      const table = `({ ${names.map((n) => `${JSON.stringify(n)}: () => require(${JSON.stringify(`./${n}`)})`).join(', ')} } as Record<string, () => unknown>)[name]()`;
      return { contents: src.replace(call, table), loader: 'ts' };
    });
  },
};

/** Bundle the entry (esbuild's asynchronous API: the synchronous one takes no plugins), then write the stamp. */
async function buildAsync() {
  const esbuild = require(path.join(ROOT, 'node_modules', 'esbuild'));
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entryAbs],
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    outfile: tmp,
    external: EXTERNAL,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
    plugins: [kindsTable],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) if (!file.startsWith('node_modules/')) inputs[file] = fingerprint(file);
  inputs['package-lock.json'] = fingerprint('package-lock.json');
  fs.renameSync(tmp, bundle);
  const stampTmp = `${stampFile}.${process.pid}.tmp`;
  fs.writeFileSync(stampTmp, JSON.stringify({ tools: toolVersions(), inputs }));
  fs.renameSync(stampTmp, stampFile);
}

/** Run a file as the main module (require.main === module in it), with the arguments after the entry. */
function runMain(file) {
  process.argv.splice(1, 2, file);
  Module.runMain(file);
}

function viaTsx(why) {
  if (process.env.AI_MONITORING_DEBUG_RUN) console.error(`scripts/run.cjs: ${why}; running ${entry} through tsx`);
  const { spawnSync } = require('child_process');
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [entryAbs, ...process.argv.slice(3)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

if (fresh()) runMain(bundle);
else {
  buildAsync().then(
    () => runMain(bundle),
    (e) => viaTsx(`bundle not built (${e.message.split('\n')[0]})`),
  );
}
