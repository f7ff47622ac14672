/**
 * Rendering and writing dist/: one YAML file per chart, in the stack's order,
 * written into a temporary folder and swapped in only when everything
 * succeeded, so a failed synth leaves the previous dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { toYaml } from './yaml';
import type { MonitoringStack } from '../stack';

export const MAX_OBJECT_BYTES = 256 * 1024;

/** file name -> YAML text (multi-document). */
export function renderManifests(stack: MonitoringStack): Map<string, string> {
  const files = new Map<string, string>();
  for (const { file, chart } of stack.charts) {
    const objects = chart.toJson();
    if (objects.length === 0) continue;
    for (const o of objects) {
      const size = Buffer.byteLength(JSON.stringify(o));
      if (size > MAX_OBJECT_BYTES) {
        throw new Error(`${o.kind} ${o.metadata?.name} is ${size} bytes serialized; client-side kubectl apply stores objects in an annotation limited to 256 KiB`);
      }
    }
    files.set(`${file}.yaml`, objects.map((o) => toYaml(o)).join('---\n'));
  }
  return files;
}

/** Write files into `outDir` atomically: build a sibling temp folder, then swap. */
export function writeAtomically(outDir: string, files: Map<string, string>): void {
  const abs = path.resolve(outDir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(abs)}.tmp-`));
  try {
    for (const [name, text] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
      fs.writeFileSync(path.join(tmp, name), text);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${tmp}.old`;
  if (fs.existsSync(abs)) fs.renameSync(abs, old);
  fs.renameSync(tmp, abs);
  fs.rmSync(old, { recursive: true, force: true });
}
