/**
 * docs/alerts.md and docs/runbooks.md are generated from the rule areas
 * (`npm run docs`): they must match the committed files (these tests read the
 * committed docs on purpose), and every alert of monitoring.yaml (dist/) must
 * have the runbook section its runbook_url points to.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { renderDocs } from '../../scripts/lib/rules-doc';
import { LOG_RULE_RUNBOOKS } from '../../charts/components/loki/ruler';
import { COMPONENT_RULE_AREAS } from '../../charts/registry';
import { configMapData } from '../lib/dist';
import { synthFile } from '../lib/synth';
import { renderSpecReference } from '../../scripts/spec-reference';

const ROOT = path.join(__dirname, '..', '..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8');

describe('generated docs', () => {
  const docs = renderDocs({ componentAreas: COMPONENT_RULE_AREAS, logRuleRunbooks: LOG_RULE_RUNBOOKS });

  test.each([
    ['alerts.md', docs.alerts],
    ['runbooks.md', docs.runbooks],
  ])('docs/%s is up to date (run `npm run docs`)', (file, expected) => {
    expect(read(file)).toBe(expected);
  });

  test('docs/spec-reference.md is up to date with the zod schema (run `npm run docs`), and names every section and field', () => {
    const ref = renderSpecReference();
    expect(read('spec-reference.md')).toBe(ref);
    for (const f of [
      'spec.blackboxExporter',
      'spec.webAuth.secretName',
      'spec.services[].interval',
      'spec.sizing.nodes',
      'spec.ingress.tls.createClusterIssuer',
    ])
      expect(ref).toContain(`\`${f}`);
  });

  test('every alert of monitoring.yaml (dist/) has its runbook section and catalog row', () => {
    const rules = configMapData(synthFile().objects, 'prometheus-rules');
    const alerts = Object.values(rules).flatMap((t) => (parse(t).groups ?? []).flatMap((g: any) => g.rules.filter((r: any) => r.alert)));
    const headings = new Set([...docs.runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1].toLowerCase()));
    const missing = alerts.filter(
      (a: any) => !headings.has(a.annotations.runbook_url.split('#')[1]) || !docs.alerts.includes(`| ${a.alert} |`),
    );
    expect(missing.map((a: any) => a.alert)).toEqual([]);
    expect(new Set(alerts.map((a: any) => a.alert)).size).toBeGreaterThanOrEqual(30);
  });
});
