/**
 * Test helpers that stand in for the collectors' own code paths:
 *
 * - `relabel`: Prometheus relabelling semantics (what Promtail and Alloy's
 *   discovery.relabel both implement): anchored regexes, `;` separator,
 *   `$1` / `${1}` replacements, empty results delete the label.
 * - `envsubst`: the expansion Promtail applies with `-config.expand-env=true`
 *   (drone/envsubst): `${VAR}` substituted, `$$` -> `$`, `\\` -> `\`,
 *   `\/` -> `/`, everything else literal.
 */

export interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

export type Labels = Record<string, string>;

function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    const idx = Number(name);
    if (Number.isInteger(idx)) return m[idx] ?? '';
    return m.groups?.[name] ?? '';
  });
}

/** Apply rules in order; returns the resulting labels, or null when a keep/drop rule removed the target. */
export function relabel(rules: RelabelRule[], input: Labels): Labels | null {
  let labels: Labels = { ...input };
  for (const r of rules) {
    const action = r.action ?? 'replace';
    const re = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const value = (r.source_labels ?? []).map((l) => labels[l] ?? '').join(r.separator ?? ';');
    switch (action) {
      case 'replace': {
        const m = re.exec(value);
        if (!m) break;
        const target = expand(r.target_label ?? '', m);
        const res = expand(r.replacement ?? '$1', m);
        if (res === '') delete labels[target]; else labels[target] = res;
        break;
      }
      case 'keep': if (!re.test(value)) return null; break;
      case 'drop': if (re.test(value)) return null; break;
      case 'labeldrop': labels = Object.fromEntries(Object.entries(labels).filter(([k]) => !re.test(k))); break;
      case 'labelkeep': labels = Object.fromEntries(Object.entries(labels).filter(([k]) => re.test(k))); break;
      default: throw new Error(`relabel action ${action} not simulated`);
    }
  }
  return labels;
}

/** Labels left on a stream: internal `__` labels are removed after relabelling. */
export function publicLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__')));
}

export function envsubst(text: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const n = text[i + 1];
    if (c === '$' && n === '$') { out += '$'; i++; continue; }
    if (c === '\\' && (n === '\\' || n === '/')) { out += n; i++; continue; }
    if (c === '$' && n === '{') {
      const end = text.indexOf('}', i);
      const name = text.slice(i + 2, end);
      if (end < 0 || !/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`bad substitution at ${i}: ${text.slice(i, i + 20)}`);
      out += env[name] ?? '';
      i = end;
      continue;
    }
    out += c;
  }
  return out;
}
