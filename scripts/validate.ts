/** `npm run validate [dir]`: strict validation of every object in dist/ (or dir). Exit 1 on any problem. */
import { allProblems } from '../test/lib/checks';
import { readManifests } from '../test/lib/dist';

const dir = process.argv[2] ?? 'dist';
const objects = readManifests(dir).map((d) => d.object);
const problems = allProblems(objects);
if (problems.length) {
  console.error(`${problems.length} problem(s) in ${dir}/:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log(`${objects.length} objects in ${dir}/ are strictly valid, under 256 KiB, and every container has resources, probes and a security context`);
}
