/**
 * Temporary folders for tests, removed when the test file finishes: every
 * helper and test that needs one calls `testTempDir`, so a run leaves nothing
 * in the system temp folder (scripts/test-all.sh checks it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const dirs: string[] = [];

// Registered when a test file imports this module (jest gives each file its own module registry);
// a hook cannot be added later, from inside a test.
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
}

export function testTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
