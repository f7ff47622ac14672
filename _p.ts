import * as fs from 'fs';
import { parseSpecYaml } from './charts';
import { buildDashboards } from './dashboards';
const spec = parseSpecYaml(fs.readFileSync('monitoring.yaml','utf8')).spec;
for (const d of buildDashboards(spec)) console.log(d.uid, d.folder, d.json.length, d.def.rows.flatMap(r=>r.panels).length, d.omitted.join('|'));
