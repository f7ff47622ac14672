/** YAML serialization of typed config objects: no anchors/aliases (shared objects are written out in full), no line folding. */
import { stringify, type ToStringOptions } from 'yaml';

/** Every YAML file the stack writes goes through here (configs, rule files, manifests). */
export function toYaml(value: unknown, style: Pick<ToStringOptions, 'defaultStringType' | 'defaultKeyType'> = {}): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, ...style });
}
