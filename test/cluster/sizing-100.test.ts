/**
 * monitoring.yaml sized for 100 nodes of which 10 carry a GPU (spec.sizing), on 100 simulated nodes (90 + 10 GPU):
 * every pod Running, node agents on all 100 nodes, DCGM on the 10 GPU nodes only.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ROOT } from '../lib/tools';
import { describeStack, gpuPool } from './stack';

const doc = parse(fs.readFileSync(path.join(ROOT, 'monitoring.yaml'), 'utf8'));
doc.spec.sizing = { ...doc.spec.sizing, nodes: 100, gpuNodes: 10 };

describeStack('monitoring.yaml with spec.sizing 100 nodes (10 GPU)', doc, {
  shape: {
    name: 'generic: 90 nodes + 10 GPU nodes',
    pools: [{ count: 90, namePrefix: 'node', capacity: { cpu: '16', memory: '64Gi', pods: '110' } }, gpuPool('generic', 10)],
    gpuPrefix: 'gpu',
  },
  settleMs: 240_000,
});
