/**
 * The floor of `npm run bench`'s cold-synth ratio: a process that only loads cdk8s and cdk8s-plus-28 and
 * synthesizes one ConfigMap into a temporary folder (which it removes). Plain JavaScript, run by
 * `npm run bench:floor` the way `npm run synth` runs, so both pay the same npm and Node start-up.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-28');

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
const app = new App({ outdir });
new kplus.ConfigMap(new Chart(app, 'floor'), 'config', { data: { key: 'value' } });
app.synth();
fs.rmSync(outdir, { recursive: true, force: true });
