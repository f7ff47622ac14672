/**
 * Issue 16's "done when": a spec with two SLOs per AI service kind, Alloy with
 * Kubernetes events, and each backup method synthesizes strictly valid
 * (custom resources against their CRDs), through the security gates, with
 * every synthesized rule file accepted by promtool.
 */
import * as fs from 'fs';
import * as path from 'path';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { allGateProblems } from '../lib/gates';
import { run, tempFiles } from '../lib/promtool';
import { synth } from '../lib/synth';

const AI_SLOS: Record<string, unknown[]> = {
  vllm: [
    { type: 'availability', objective: 99.9 },
    { name: 'ttft', type: 'latency', histogram: 'ttft', thresholdSeconds: 0.5, objective: 99 },
  ],
  stt: [
    { type: 'availability', objective: 99.9 },
    { type: 'latency', histogram: 'transcribe', thresholdSeconds: 1, objective: 95 },
  ],
  tts: [
    { type: 'availability', objective: 99.5 },
    { type: 'latency', thresholdSeconds: 0.5, objective: 99 },
  ],
  'whisper-api': [
    { type: 'availability', objective: 99.5 },
    { type: 'latency', thresholdSeconds: 10, objective: 95, window: '30d' },
  ],
  qdrant: [
    { type: 'availability', objective: 99.95, window: '30d' },
    { type: 'latency', thresholdSeconds: 0.1, objective: 99 },
  ],
  mcp: [
    { type: 'availability', objective: 99.9 },
    { type: 'latency', thresholdSeconds: 1, objective: 99 },
  ],
  http: [
    { type: 'availability', objective: 99 },
    { type: 'latency', thresholdSeconds: 0.5, objective: 95 },
  ],
};

const spec = (backup: Record<string, unknown>) => ({
  prometheus: { retention: '30d' },
  logs: { collector: 'alloy' },
  loki: { ruler: { enabled: true } },
  backup: { enabled: true, ...backup },
  services: Object.entries(AI_SLOS).map(([kind, slos]) => ({
    name: `my-${kind}`,
    kind,
    namespace: 'ai',
    selector: { 'app.kubernetes.io/name': kind },
    port: 'http',
    slos,
  })),
});

describe.each([['volumesnapshot'], ['velero']])('two SLOs per AI kind, Alloy with events, backup method %s', (method) => {
  const r = synth(spec({ method }));

  test('every object strictly valid (custom resources against their CRDs) and through the gates', () => {
    expect(allProblems(r.objects)).toEqual([]);
    expect(allGateProblems(r.objects)).toEqual([]);
    expect(r.objects.some((o) => o.kind === (method === 'velero' ? 'Schedule' : 'CronJob'))).toBe(true);
    expect(r.objects.some((o) => o.kind === 'Deployment' && o.metadata?.name === 'alloy-events')).toBe(true);
  });

  test('promtool accepts every rule file, the SLO and backup ones included', () => {
    const files = configMapData(r.objects, 'prometheus-rules');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['slo.yaml', 'backup.yaml']));
    const dir = tempFiles(files);
    try {
      for (const f of Object.keys(files)) {
        const res = run('promtool', ['check', 'rules', path.join(dir, f)]);
        if (res.status !== 0) throw new Error(`${f}: ${res.stdout}${res.stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // 14 SLOs over 7 kinds share two alerts.
    expect((files['slo.yaml'].match(/- alert: /g) ?? []).length).toBe(2);
  });
});
