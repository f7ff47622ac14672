/** YAML serialization of typed config objects: no anchors/aliases (shared objects are written out in full), no line folding. */
import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
