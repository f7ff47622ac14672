/**
 * `npm run docs`: write docs/alerts.md and docs/runbooks.md from the rule
 * areas (see scripts/lib/rules-doc.ts) and docs/spec-reference.md from the spec's zod
 * schema (scripts/spec-reference.ts).
 */
import * as fs from 'fs';
import { renderDocs } from './lib/rules-doc';
import { LOG_RULE_RUNBOOKS } from '../charts/components/loki/ruler';
import { COMPONENT_RULE_AREAS } from '../charts/registry';
import { renderSpecReference } from './spec-reference';

const { alerts, runbooks } = renderDocs({ componentAreas: COMPONENT_RULE_AREAS, logRuleRunbooks: LOG_RULE_RUNBOOKS });
fs.mkdirSync('docs', { recursive: true });
fs.writeFileSync('docs/alerts.md', alerts);
fs.writeFileSync('docs/runbooks.md', runbooks);
fs.writeFileSync('docs/spec-reference.md', renderSpecReference());
console.log('wrote docs/alerts.md, docs/runbooks.md and docs/spec-reference.md');
