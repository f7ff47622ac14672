/** `npm run validate [dir...]`: strict validation of every object in dist/ and gitops/ (or the dirs given). Exit 1 on any problem. */
import * as fs from 'fs';
import * as path from 'path';
import { SWAP_JOURNAL } from '../charts/lib/swap';
import { allProblems } from '../test/lib/checks';
import { readManifests } from '../test/lib/dist';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['dist', 'gitops'];
for (const dir of dirs) {
  if (!fs.existsSync(dir)) {
    if (dir === 'dist') {
      console.error('dist/ does not exist: run npm run synth');
      process.exitCode = 1;
    }
    continue;
  }
  if (fs.existsSync(path.join(dir, SWAP_JOURNAL))) {
    console.error(
      `${dir}/ holds ${SWAP_JOURNAL}: a synth was interrupted while swapping files, so it may mix old and new output; run npm run synth (it rolls back first)`,
    );
    process.exitCode = 1;
    continue;
  }
  const objects = readManifests(dir).map((d) => d.object);
  const problems = allProblems(objects);
  if (problems.length) {
    console.error(`${problems.length} problem(s) in ${dir}/:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `${objects.length} objects in ${dir}/ are strictly valid, under 256 KiB, and every container has resources, probes and a security context`,
    );
  }
}
