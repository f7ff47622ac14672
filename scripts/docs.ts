/** `npm run docs`: write docs/alerts.md and docs/runbooks.md from the rule areas (see rules/docs.ts). */
import * as fs from 'fs';
import { renderDocs } from '../rules/docs';

const { alerts, runbooks } = renderDocs();
fs.mkdirSync('docs', { recursive: true });
fs.writeFileSync('docs/alerts.md', alerts);
fs.writeFileSync('docs/runbooks.md', runbooks);
console.log('wrote docs/alerts.md and docs/runbooks.md');
