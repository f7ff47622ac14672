import { configMapData } from '../lib/dist';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { synth } from '../lib/synth';

const SERVICES = [
  { name: 'whisper-api', kind: 'whisper-api', namespace: 'ai', selector: { 'app.kubernetes.io/name': 'whisper-api' }, port: 'http', interval: '5s' },
  { name: 'qdrant', kind: 'qdrant', namespace: 'ai', selector: { app: 'qdrant', tier: 'db' }, port: 6333, path: '/metrics' },
];

describe('prometheus.yml', () => {
  const { objects } = synth({ services: SERVICES });
  const yml = configMapData(objects, 'prometheus-config')['prometheus.yml'];

  test('promtool check config accepts the synthesized config', () => {
    const dir = tempFiles({ 'prometheus.yml': withPodFiles(yml) });
    const r = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(r.stderr + r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool rejects a broken relabel regex (the check is real)', () => {
    const broken = withPodFiles(yml).replace('regex: Pending|Succeeded|Failed|Unknown', 'regex: "Pending|(Succeeded"');
    const dir = tempFiles({ 'prometheus.yml': broken });
    expect(run('promtool', ['check', 'config', `${dir}/prometheus.yml`]).status).not.toBe(0);
  });
});
