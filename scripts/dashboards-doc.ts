/**
 * `npm run docs:dashboards`: write docs/dashboards.md (every dashboard and
 * panel with the queries behind it, and the metric catalog) for the spec in
 * monitoring.yaml plus one service of every kind, so every dashboard appears.
 * `--check` exits 1 when the file is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { dashboardContributions } from '../charts/registry';
import { everyKindSpec, renderDashboardsDoc } from './lib/dashboards-doc';

const out = path.join(__dirname, '..', 'docs', 'dashboards.md');
const text = renderDashboardsDoc(dashboardContributions(everyKindSpec()));
if (process.argv.includes('--check')) {
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) {
    console.error('docs/dashboards.md is stale: run npm run docs:dashboards');
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  console.log('wrote docs/dashboards.md');
}
