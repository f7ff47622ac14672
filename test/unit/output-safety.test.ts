/**
 * Output safety (charts/lib/swap.ts): synth writes only a folder it owns, the
 * swap never leaves dist/ missing, a failure at any step leaves the previous
 * dist/ exactly as it was, a crash at any step is rolled back by the next
 * synth, and no temporary folder or file is left behind.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkOutputTarget,
  OUTPUT_MARKER,
  OutputError,
  recoverInterruptedSwap,
  removeStaleTemporaries,
  SWAP_JOURNAL,
  writeAtomically,
} from '../../charts/lib/swap';
import { synthFile } from '../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

const OLD = new Map([
  ['00-a.yaml', 'old: a\n'],
  ['10-b.yaml', 'old: b\n'],
  ['20-gone.yaml', 'old: gone\n'],
  ['Kustomization', 'old: k\n'],
]);
const NEW = new Map([
  ['00-a.yaml', 'new: a\n'],
  ['10-b.yaml', 'new: b\n'],
  ['30-added.yaml', 'new: added\n'],
  ['Kustomization', 'new: k\n'],
]);

/** name -> content of every entry of `dir` (files only; a folder shows as "<dir>"). */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    out[e.name] = e.isDirectory() ? '<dir>' : fs.readFileSync(path.join(dir, e.name), 'utf8');
  return out;
}
const expected = (files: Map<string, string>) => ({ ...Object.fromEntries(files), [OUTPUT_MARKER]: expect.any(String) });

/** A dead process id (a child that has exited), for stale temporaries. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

let tmp: string;
let cwd: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'output-safety-'));
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function oldDist(): string {
  const out = path.join(tmp, 'dist');
  writeAtomically(out, OLD);
  return out;
}

describe('synth writes only into a folder it owns', () => {
  test('the current folder (--out .) is refused and nothing in it changes', () => {
    fs.mkdirSync(path.join(tmp, '.git'));
    fs.writeFileSync(path.join(tmp, 'notes.md'), 'mine\n');
    process.chdir(tmp);
    expect(() => writeAtomically('.', NEW)).toThrow(
      /refusing to write the output into \. \(the current folder\): it is the current folder/,
    );
    expect(() => writeAtomically('..', NEW)).toThrow(/the current folder or contains it/);
    expect(contents(tmp)).toEqual({ '.git': '<dir>', 'notes.md': 'mine\n' });
  });

  test('a repository root, a project, a non-empty foreign folder, a file and a symlink are refused untouched', () => {
    const repo = path.join(tmp, 'repo');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    expect(() => writeAtomically(repo, NEW)).toThrow(/holds a Git repository and no \.cdk8s-ai-monitoring marker/);
    expect(fs.readdirSync(repo)).toEqual(['.git']);
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{}');
    expect(() => writeAtomically(project, NEW)).toThrow(/holds a project \(package\.json\)/);
    const foreign = path.join(tmp, 'photos');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'cat.jpg'), 'x');
    expect(() => writeAtomically(foreign, NEW)).toThrow(OutputError);
    expect(contents(foreign)).toEqual({ 'cat.jpg': 'x' });
    const file = path.join(tmp, 'notes.md');
    fs.writeFileSync(file, 'mine\n');
    expect(() => writeAtomically(file, NEW)).toThrow(/it is a file, not a folder/);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
    fs.symlinkSync(foreign, path.join(tmp, 'link'));
    expect(() => writeAtomically(path.join(tmp, 'link'), NEW)).toThrow(/symbolic link/);
    expect(() => checkOutputTarget(path.parse(tmp).root)).toThrow(/filesystem root/);
    expect(fs.readdirSync(tmp).filter((e) => e.includes('.tmp-') || e.includes('.old-'))).toEqual([]);
  });

  test('a new, an empty, an owned (marker) and a pre-marker dist/ (NN-name.yaml + Kustomization) are written', () => {
    expect(checkOutputTarget(path.join(tmp, 'new'))).toBe('absent');
    writeAtomically(path.join(tmp, 'new'), NEW);
    expect(contents(path.join(tmp, 'new'))).toEqual(expected(NEW));
    expect(fs.statSync(path.join(tmp, 'new')).mode & 0o777).toBe(0o755);
    fs.mkdirSync(path.join(tmp, 'empty'));
    writeAtomically(path.join(tmp, 'empty'), NEW);
    expect(contents(path.join(tmp, 'empty'))).toEqual(expected(NEW));
    writeAtomically(path.join(tmp, 'new'), OLD);
    expect(contents(path.join(tmp, 'new'))).toEqual(expected(OLD));
    const legacy = path.join(tmp, 'legacy');
    fs.mkdirSync(legacy);
    fs.writeFileSync(path.join(legacy, '00-namespaces.yaml'), 'x');
    fs.writeFileSync(path.join(legacy, 'Kustomization'), 'x');
    expect(checkOutputTarget(legacy)).toBe('owned');
    writeAtomically(legacy, NEW);
    expect(contents(legacy)).toEqual(expected(NEW));
  });
});

describe('the swap', () => {
  /** Every step the hook sees for a swap of OLD by NEW. */
  function steps(): string[] {
    const seen: string[] = [];
    writeAtomically(oldDist(), NEW, {
      hook: (s) => {
        seen.push(s);
      },
    });
    fs.rmSync(path.join(tmp, 'dist'), { recursive: true });
    return seen;
  }
  const STEPS = (() => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'output-steps-'));
    const seen: string[] = [];
    writeAtomically(path.join(d, 'dist'), OLD);
    writeAtomically(path.join(d, 'dist'), NEW, {
      hook: (s) => {
        seen.push(s);
      },
    });
    fs.rmSync(d, { recursive: true, force: true });
    return seen;
  })();

  test('has the documented steps (stage, backup, journal, replace, remove, commit, cleanup)', () => {
    expect(steps()).toEqual(STEPS);
    for (const s of [
      'stage',
      'stage:00-a.yaml',
      'backup:20-gone.yaml',
      'journal',
      'replace:10-b.yaml',
      `replace:${OUTPUT_MARKER}`,
      'remove:20-gone.yaml',
      'commit',
      'cleanup',
    ]) {
      expect(STEPS).toContain(s);
    }
  });

  test.each(STEPS.filter((s) => s !== 'cleanup'))(
    'a failure at "%s" leaves the previous dist/ exactly as it was, and no temporaries',
    (step) => {
      const out = oldDist();
      expect(() =>
        writeAtomically(out, NEW, {
          hook: (s) => {
            if (s === step) throw new Error(`injected failure at ${s}`);
          },
        }),
      ).toThrow(`injected failure at ${step}`);
      expect(contents(out)).toEqual(expected(OLD));
      expect(fs.readdirSync(tmp)).toEqual(['dist']);
    },
  );

  test('a failure while removing the temporaries after the commit does not fail the run; the next synth removes them', () => {
    const out = oldDist();
    expect(
      writeAtomically(out, NEW, {
        hook: (s) => {
          if (s === 'cleanup') throw new Error('injected');
        },
      }),
    ).toEqual({ recovered: false });
    expect(contents(out)).toEqual(expected(NEW));
    expect(fs.readdirSync(tmp).length).toBe(3); // dist/ and this process' staging and backup folders
    const script = `require(${JSON.stringify(path.join(ROOT, 'charts', 'lib', 'swap.ts'))}).writeAtomically(${JSON.stringify(out)}, new Map(${JSON.stringify([...NEW])}))`;
    expect(spawnSync(TSX, ['-e', script], { encoding: 'utf8', timeout: 60000 }).status).toBe(0);
    expect(fs.readdirSync(tmp).length).toBe(3); // still this (live) process' folders: never removed under a running writer
    for (const e of fs.readdirSync(tmp))
      if (e !== 'dist') fs.renameSync(path.join(tmp, e), path.join(tmp, e.replace(String(process.pid), String(deadPid()))));
    writeAtomically(out, NEW);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('a crash at any step never leaves dist/ missing, and the next synth restores the previous or the new output exactly', () => {
    // What a crash at a step leaves is what is on disk when the step starts: copy it at every hook call.
    const out = oldDist();
    const snapshots: { step: string; dir: string }[] = [];
    writeAtomically(out, NEW, {
      hook: (step) => {
        const dir = path.join(os.tmpdir(), `${path.basename(tmp)}-crash-${snapshots.length}`);
        fs.cpSync(tmp, dir, { recursive: true, verbatimSymlinks: true });
        snapshots.push({ step, dir });
      },
    });
    expect(snapshots.map((s) => s.step)).toEqual(STEPS);
    try {
      for (const { step, dir } of snapshots) {
        const d = path.join(dir, 'dist');
        expect({ step, exists: fs.existsSync(d) && fs.statSync(d).isDirectory() }).toEqual({ step, exists: true });
        const interrupted = fs.existsSync(path.join(d, SWAP_JOURNAL));
        expect(recoverInterruptedSwap(d)).toBe(interrupted);
        const afterCommit = STEPS.indexOf(step) > STEPS.indexOf('commit');
        expect({ step, files: contents(d) }).toEqual({ step, files: afterCommit ? expected(NEW) : expected(OLD) });
        // The next synth then writes the new output completely.
        writeAtomically(d, NEW);
        expect(contents(d)).toEqual(expected(NEW));
      }
    } finally {
      for (const s of snapshots) fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('a real SIGKILL in the middle of the swap: dist/ exists, and the next synth rolls it back and writes the new output', () => {
    const out = oldDist();
    const script = [
      `const { writeAtomically } = require(${JSON.stringify(path.join(ROOT, 'charts', 'lib', 'swap.ts'))});`,
      `writeAtomically(${JSON.stringify(out)}, new Map(${JSON.stringify([...NEW])}), { hook: (s) => { if (s === 'replace:10-b.yaml') process.kill(process.pid, 'SIGKILL'); } });`,
    ].join('\n');
    const r = spawnSync(TSX, ['-e', script], { encoding: 'utf8', timeout: 60000 });
    expect(r.signal === 'SIGKILL' || r.status === 128 + os.constants.signals.SIGKILL).toBe(true); // tsx relays the signal as 137
    expect(fs.existsSync(path.join(out, SWAP_JOURNAL))).toBe(true);
    expect(fs.readFileSync(path.join(out, '00-a.yaml'), 'utf8')).toBe('new: a\n'); // a mix, flagged by the journal
    expect(writeAtomically(out, NEW)).toEqual({ recovered: true });
    expect(contents(out)).toEqual(expected(NEW));
    expect(fs.readdirSync(tmp)).toEqual(['dist']); // the dead writer's staging and backup folders are gone
  });

  test('npm run validate refuses a dist/ whose swap was interrupted (the journal is there)', () => {
    const out = path.join(tmp, 'dist');
    writeAtomically(out, synthFile().files); // dist/ of monitoring.yaml, as npm run synth writes it
    const validate = () => spawnSync(TSX, [path.join(ROOT, 'scripts', 'validate.ts'), out], { encoding: 'utf8', timeout: 60000 });
    expect(validate().status).toBe(0);
    fs.writeFileSync(path.join(out, SWAP_JOURNAL), '{}\n');
    const r = validate();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('a synth was interrupted while swapping files');
  });

  test("stale temporaries of dead writers and of earlier versions are removed; a live writer's are kept", () => {
    const out = oldDist();
    const dead = deadPid();
    for (const name of [
      `.dist.tmp-${dead}-AbC123`,
      `.dist.old-${dead}-XyZ789`,
      '.dist.tmp-Q1w2E3',
      '.dist.tmp-Q1w2E3.old',
      `.dist.tmp-${process.pid}-LiVe12`,
    ]) {
      fs.mkdirSync(path.join(tmp, name));
    }
    expect(removeStaleTemporaries(out).sort()).toEqual(
      [`.dist.old-${dead}-XyZ789`, `.dist.tmp-${dead}-AbC123`, '.dist.tmp-Q1w2E3', '.dist.tmp-Q1w2E3.old'].sort(),
    );
    expect(fs.readdirSync(tmp).sort()).toEqual([`.dist.tmp-${process.pid}-LiVe12`, 'dist']);
  });
});
