/**
 * Writing the output folder (dist/) safely.
 *
 * 1. **Only a folder synth owns.** The target must be absent, empty, or hold
 *    the marker file synth writes into every output (`.cdk8s-ai-monitoring`;
 *    a dist/ written before the marker existed is recognised by its
 *    `NN-name.yaml` + `Kustomization` shape). Anything else is refused before
 *    a byte is written: the filesystem root, the current folder or one that
 *    contains it (`--out .`, `--out ..`), a file (`--out notes.md`), a
 *    symbolic link, a non-empty folder without the marker (a repository root,
 *    a home folder).
 *
 * 2. **dist/ is never missing.** Node has no atomic exchange of two folders
 *    (renameat2 RENAME_EXCHANGE is not exposed), and "rename dist aside, rename
 *    the new folder in" leaves no dist/ at all if the process dies between the
 *    two renames. So an existing folder is kept and its files are swapped one
 *    by one, each with rename(2), which replaces a file atomically:
 *
 *    | step | on disk if the process dies here | next synth |
 *    |------|----------------------------------|------------|
 *    | stage: write every new file into `.dist.tmp-<pid>-*` | dist/ = old, intact | removes the stale staging folder |
 *    | backup: hard-link every old file into `.dist.old-<pid>-*` | dist/ = old, intact | removes the stale backup |
 *    | journal: write `dist/.synth-in-progress` naming the backup (tmp file + rename) | dist/ = old + journal | rolls back (below) |
 *    | replace: rename each new file over its old one | dist/ = a mix of complete old and new files + journal | rolls back |
 *    | remove: delete old files the new output lacks | dist/ = new + leftovers + journal | rolls back |
 *    | commit: delete the journal | dist/ = new, complete | removes the backup |
 *
 *    Roll back = copy every backup file over dist/ (each through a temporary
 *    name and a rename), delete the files the backup lacks, then delete the
 *    journal, then the backup: idempotent, so a crash during a rollback is
 *    rolled back again. The journal is the commit record: while it exists,
 *    dist/ is not a synth result, and both synth and `npm run validate`
 *    say so. A failure (an exception, not a crash) in any step rolls back
 *    at once, so the command never exits with a half-written dist/.
 *    A folder that does not exist yet is staged completely and renamed into
 *    place in one step.
 *
 * 3. **No stale temporaries.** Staging and backup folders carry the writer's
 *    process id; those of processes no longer running are removed at the next
 *    synth, as are the `.dist.tmp-XXXXXX[.old]` folders of earlier versions.
 */
import * as fs from 'fs';
import * as path from 'path';

export const OUTPUT_MARKER = '.cdk8s-ai-monitoring';
export const SWAP_JOURNAL = '.synth-in-progress';
export const MARKER_TEXT = 'This folder is written by cdk8s-ai-monitoring\'s synth and replaced on every run; do not edit.\n';

/** A refusal or failure to write the output, with a message meant for the user. */
export class OutputError extends Error {
  constructor(message: string, public readonly outputChanged = false) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Called before each step of a write (tests inject failures and crash snapshots through it). */
export type SwapHook = (step: string) => void;

export interface WriteOptions {
  readonly hook?: SwapHook;
  /** Lines appended to the marker file (the stack identity, charts/lib/stack-metadata.ts). */
  readonly marker?: string;
}

export interface WriteResult {
  /** An interrupted earlier write was rolled back first. */
  readonly recovered: boolean;
}

/** Why `dir` may be written: it is absent, empty, or synth's own output. Throws OutputError otherwise. */
export function checkOutputTarget(dir: string): 'absent' | 'empty' | 'owned' {
  const abs = path.resolve(dir);
  const shown = displayPath(abs);
  if (abs === path.parse(abs).root) throw new OutputError(`refusing to write the output into ${shown}: it is the filesystem root; choose a new folder such as dist/`);
  const cwd = path.resolve(process.cwd());
  if (cwd === abs || cwd.startsWith(abs + path.sep)) {
    throw new OutputError(`refusing to write the output into ${shown}: it is the current folder or contains it, and synth replaces the whole output folder; choose a new folder such as dist/`);
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  if (st.isSymbolicLink()) throw new OutputError(`refusing to write the output into ${shown}: it is a symbolic link; give the real folder`);
  if (!st.isDirectory()) throw new OutputError(`refusing to write the output into ${shown}: it is a file, not a folder; choose a new folder such as dist/`);
  const entries = fs.readdirSync(abs);
  if (entries.length === 0) return 'empty';
  if (entries.includes(OUTPUT_MARKER) || isLegacyOutput(abs, entries)) return 'owned';
  const why = entries.includes('.git') ? 'it holds a Git repository' : entries.includes('package.json') ? 'it holds a project (package.json)' : `it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} synth did not write`;
  throw new OutputError(`refusing to write the output into ${shown}: ${why} and no ${OUTPUT_MARKER} marker, so it is not a folder synth created; choose a new or empty folder (e.g. --out dist), or move its contents away yourself`);
}

/** A dist/ written before the marker existed: only `NN-name.yaml` files and the Kustomization. */
function isLegacyOutput(abs: string, entries: string[]): boolean {
  if (!entries.includes('Kustomization')) return false;
  return entries.every((e) => (/^\d\d-[a-z0-9-]+\.yaml$/.test(e) || e === 'Kustomization' || e === SWAP_JOURNAL) && fs.lstatSync(path.join(abs, e)).isFile());
}

function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '. (the current folder)' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove staging/backup folders of `dir` left by writers that are no longer running. */
export function removeStaleTemporaries(dir: string): string[] {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  const base = escapeRe(path.basename(abs));
  const ours = new RegExp(`^\\.${base}\\.(?:tmp|old)-(\\d+)-[A-Za-z0-9]{6}$`);
  const legacy = new RegExp(`^\\.${base}\\.tmp-[A-Za-z0-9]{6}(?:\\.old)?$`);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return removed;
  }
  for (const e of entries) {
    const m = ours.exec(e);
    if ((m && !pidAlive(Number(m[1]))) || legacy.test(e)) {
      fs.rmSync(path.join(parent, e), { recursive: true, force: true });
      removed.push(e);
    }
  }
  return removed;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Roll back an interrupted swap of `dir` (its journal names the backup). Returns whether there was one. */
export function recoverInterruptedSwap(dir: string): boolean {
  const abs = path.resolve(dir);
  const journal = path.join(abs, SWAP_JOURNAL);
  let text: string;
  try {
    text = fs.readFileSync(journal, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
  let backupName: unknown;
  try {
    backupName = (JSON.parse(text) as { backup?: unknown }).backup;
  } catch {
    backupName = undefined;
  }
  const backup = typeof backupName === 'string' && !backupName.includes('/') ? path.join(path.dirname(abs), backupName) : undefined;
  if (!backup || !fs.existsSync(backup)) {
    throw new OutputError(`${displayPath(abs)} holds ${SWAP_JOURNAL} from an interrupted synth but its backup ${backup ?? '(unreadable journal)'} is gone; restore the folder from Git (git checkout -- ${displayPath(abs)}) and delete ${SWAP_JOURNAL}`);
  }
  rollback(abs, backup);
  return true;
}

function rollback(abs: string, backup: string): void {
  const saved = fs.readdirSync(backup);
  for (const name of saved) {
    const tmp = path.join(abs, `.${name}.restore-${process.pid}`);
    copyOrLink(path.join(backup, name), tmp);
    fs.renameSync(tmp, path.join(abs, name));
  }
  const keep = new Set([...saved, SWAP_JOURNAL]);
  for (const name of fs.readdirSync(abs)) if (!keep.has(name)) fs.rmSync(path.join(abs, name), { recursive: true, force: true });
  fs.rmSync(path.join(abs, SWAP_JOURNAL), { force: true });
  fs.rmSync(backup, { recursive: true, force: true });
}

function copyOrLink(from: string, to: string): void {
  fs.rmSync(to, { force: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** The new output, complete with its marker, in the staging folder. */
function stageFiles(staging: string, files: Map<string, string>, marker: string | undefined, hook: SwapHook): void {
  hook('stage');
  for (const [name, text] of files) {
    fs.writeFileSync(path.join(staging, name), text);
    hook(`stage:${name}`);
  }
  fs.writeFileSync(path.join(staging, OUTPUT_MARKER), MARKER_TEXT + (marker ?? ''));
  fs.chmodSync(staging, 0o755); // mkdtemp creates 0700; dist/ is an ordinary folder
}

/** The files of the output folder (hard links where it can) into `backup`; their names. */
function backUpOutput(abs: string, backup: string, hook: SwapHook): string[] {
  const old = fs.readdirSync(abs);
  for (const name of old) {
    hook(`backup:${name}`);
    copyOrLink(path.join(abs, name), path.join(backup, name));
  }
  return old;
}

/** The journal naming the backup, written (atomically) into the output folder: from here a crash is rolled back. */
function writeJournal(abs: string, backup: string, hook: SwapHook): void {
  hook('journal');
  const journalTmp = path.join(abs, `${SWAP_JOURNAL}.tmp-${process.pid}`);
  fs.writeFileSync(journalTmp, `${JSON.stringify({ backup: path.basename(backup), pid: process.pid })}\n`);
  fs.renameSync(journalTmp, path.join(abs, SWAP_JOURNAL));
}

/** The staged files renamed over the old ones, and the old files the new output no longer has removed. */
function replaceOutput(abs: string, staging: string, old: string[], hook: SwapHook): void {
  const fresh = fs.readdirSync(staging);
  for (const name of fresh) {
    hook(`replace:${name}`);
    fs.renameSync(path.join(staging, name), path.join(abs, name));
  }
  const keep = new Set([...fresh, SWAP_JOURNAL]);
  for (const name of old) {
    if (keep.has(name)) continue;
    hook(`remove:${name}`);
    fs.rmSync(path.join(abs, name), { recursive: true, force: true });
  }
}

/**
 * After a failed write: the old output restored from the backup once the journal was written (else the backup
 * dropped), the staging folder removed, and `error` thrown again (an OutputError when the old output could not be restored).
 */
function undoWrite(error: unknown, abs: string, staging: string, backup: string | undefined, journaled: boolean): never {
  let restored = true;
  if (journaled && backup) {
    try {
      rollback(abs, backup);
    } catch {
      restored = false;
    }
  } else if (backup) {
    fs.rmSync(backup, { recursive: true, force: true });
  }
  fs.rmSync(staging, { recursive: true, force: true });
  if (!restored) {
    throw new OutputError(`${(error as Error).message}; ${displayPath(abs)} may hold a mix of old and new files and could not be restored: run synth again (it rolls back from ${backup}) or restore it from Git`, true);
  }
  throw error;
}

/**
 * Write `files` (flat names -> text) as the whole content of `outDir`, plus the
 * marker. See the module comment for the steps and what a crash in each leaves.
 */
export function writeAtomically(outDir: string, files: Map<string, string>, options: WriteOptions = {}): WriteResult {
  const hook = options.hook ?? (() => undefined);
  const abs = path.resolve(outDir);
  const parent = path.dirname(abs);
  for (const name of files.keys()) {
    if (name.includes('/') || name.includes(path.sep) || name.startsWith('.') || name === '') throw new Error(`output file name "${name}" must be a plain file name`);
  }
  checkOutputTarget(abs);
  const recovered = recoverInterruptedSwap(abs);
  removeStaleTemporaries(abs);
  const state = checkOutputTarget(abs);
  fs.mkdirSync(parent, { recursive: true });
  const prefix = `.${path.basename(abs)}`;
  const staging = fs.mkdtempSync(path.join(parent, `${prefix}.tmp-${process.pid}-`));
  let backup: string | undefined;
  let journaled = false;
  try {
    stageFiles(staging, files, options.marker, hook);
    if (state === 'absent') {
      hook('rename-into-place');
      fs.renameSync(staging, abs);
      return { recovered };
    }
    backup = fs.mkdtempSync(path.join(parent, `${prefix}.old-${process.pid}-`));
    const old = backUpOutput(abs, backup, hook);
    writeJournal(abs, backup, hook);
    journaled = true;
    replaceOutput(abs, staging, old, hook);
    hook('commit');
    fs.rmSync(path.join(abs, SWAP_JOURNAL));
    journaled = false;
  } catch (e) {
    undoWrite(e, abs, staging, backup, journaled);
  }
  // Committed: the new output is complete. A failure to remove the temporaries
  // does not fail the run; the next synth removes them as stale.
  try {
    hook('cleanup');
    fs.rmSync(backup, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  } catch {
    // left for removeStaleTemporaries
  }
  return { recovered };
}

/**
 * Files written beside the output folder (gitops/argocd-application.yaml),
 * prepared before dist/ is swapped so that a problem with them (a `gitops`
 * that is a file, a read-only folder) fails the run before anything changed.
 */
export interface PreparedFiles {
  /** Rename the prepared files into place (and delete the ones no longer wanted). Returns the paths written. */
  commit(): string[];
  /** Remove the temporary files. */
  abort(): void;
}

export function prepareSideFiles(baseDir: string, known: readonly string[], files: Map<string, string>): PreparedFiles {
  const temps: { tmp: string; target: string }[] = [];
  const removals: string[] = [];
  try {
    for (const name of known) {
      const target = path.join(baseDir, name);
      const text = files.get(name);
      for (let d = path.dirname(target); d !== baseDir && d.startsWith(baseDir); d = path.dirname(d)) {
        if (fs.existsSync(d) && !fs.statSync(d).isDirectory()) throw new OutputError(`cannot write ${displayPath(target)}: ${displayPath(d)} is a file, not a folder`);
      }
      if (fs.existsSync(target) && !fs.lstatSync(target).isFile()) throw new OutputError(`cannot write ${displayPath(target)}: it exists and is not a regular file`);
      if (text === undefined) {
        if (fs.existsSync(target)) removals.push(target);
        continue;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, text);
      temps.push({ tmp, target });
    }
  } catch (e) {
    for (const t of temps) fs.rmSync(t.tmp, { force: true });
    throw e;
  }
  return {
    commit() {
      for (const t of temps) fs.renameSync(t.tmp, t.target);
      for (const r of removals) fs.rmSync(r, { force: true });
      return temps.map((t) => t.target);
    },
    abort() {
      for (const t of temps) fs.rmSync(t.tmp, { force: true });
    },
  };
}

/** Remove `<file>.tmp-<pid>` leftovers of dead writers next to each known side file. */
export function removeStaleSideTemporaries(baseDir: string, known: readonly string[]): void {
  for (const name of known) {
    const dir = path.dirname(path.join(baseDir, name));
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    const re = new RegExp(`^${escapeRe(path.basename(name))}\\.tmp-(\\d+)$`);
    for (const e of entries) {
      const m = re.exec(e);
      if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(dir, e), { force: true });
    }
  }
}
