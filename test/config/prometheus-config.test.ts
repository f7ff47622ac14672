/**
 * prometheus.yml and the scrape config files as the pod mounts them
 * (prometheus.yml from prometheus-config, scrape/*.yml from the
 * prometheus-scrape-<i> ConfigMaps), checked by the pinned promtool
 * (TOOL_PINS: Prometheus 3.5.0, the deployed image).
 */
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { allScrapeConfigs, prometheusFiles } from '../lib/prometheus-files';
import { withPodFiles, run, tempFiles } from '../lib/promtool';
import { find, synth } from '../lib/synth';

const SERVICES = [
  {
    name: 'whisper-api',
    kind: 'whisper-api',
    namespace: 'ai',
    selector: { 'app.kubernetes.io/name': 'whisper-api' },
    port: 'http',
    interval: '5s',
  },
  { name: 'qdrant', kind: 'qdrant', namespace: 'ai', selector: { app: 'qdrant', tier: 'db' }, port: 6333, path: '/metrics' },
];

describe('prometheus.yml', () => {
  const { objects } = synth({ services: SERVICES });
  const yml = configMapData(objects, 'prometheus-config')['prometheus.yml'];
  const mounted = (): Record<string, string> => ({ ...prometheusFiles(objects), 'prometheus.yml': withPodFiles(yml) });

  test('promtool check config accepts the synthesized config, with its scrape config files as mounted', () => {
    const files = mounted();
    expect(Object.keys(files).filter((f) => f.startsWith('scrape/')).length).toBeGreaterThanOrEqual(2);
    const dir = tempFiles(files);
    const r = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(r.stderr + r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('promtool rejects a broken relabel regex (the check is real)', () => {
    const broken = withPodFiles(yml).replace('regex: Pending|Succeeded|Failed|Unknown', 'regex: "Pending|(Succeeded"');
    const dir = tempFiles({ 'prometheus.yml': broken });
    expect(run('promtool', ['check', 'config', `${dir}/prometheus.yml`]).status).not.toBe(0);
  });

  test('promtool reads the scrape config files: a job name taken twice across files is refused', () => {
    const files = mounted();
    const [a, b] = Object.keys(files).filter((f) => f.startsWith('scrape/'));
    const first = parse(files[a]).scrape_configs[0].job_name;
    const second = parse(files[b]).scrape_configs[0].job_name;
    const dir = tempFiles({ ...files, [b]: files[b].replace(`job_name: ${second}`, `job_name: ${first}`) });
    const r = run('promtool', ['check', 'config', `${dir}/prometheus.yml`]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`found multiple scrape configs with job name "${first}"`);
  });

  test('the service jobs are in the scrape config files; prometheus.yml names them relative to itself', () => {
    const main = parse(yml);
    expect(main.scrape_config_files).toEqual(['scrape/*.yml']);
    expect(main.scrape_configs.map((j: { job_name: string }) => j.job_name)).not.toContain('services/ai/whisper-api/http');
    expect(allScrapeConfigs(objects).map((j) => j.job_name)).toEqual(
      expect.arrayContaining(['services/ai/whisper-api/http', 'services/ai/qdrant/6333']),
    );
  });

  test('the pod mounts the scrape ConfigMaps at /etc/prometheus/scrape (beside prometheus.yml) and the reloader watches them', () => {
    const pod = find(objects, 'StatefulSet', 'prometheus').spec.template.spec;
    expect(pod.volumes.find((v: { name: string }) => v.name === 'scrape')).toEqual({
      name: 'scrape',
      projected: { sources: [{ configMap: { name: 'prometheus-scrape-0' } }] },
    });
    for (const c of pod.containers)
      expect([c.name, c.volumeMounts.find((m: { name: string }) => m.name === 'scrape')?.mountPath]).toEqual([
        c.name,
        '/etc/prometheus/scrape',
      ]);
    const reloader = pod.containers.find((c: { name: string }) => c.name === 'config-reloader');
    expect(reloader.env.find((e: { name: string }) => e.name === 'WATCH').value.split(' ')).toEqual(
      expect.arrayContaining(['/etc/prometheus/*.yml', '/etc/prometheus/scrape/*.yml', '/etc/prometheus/rules/*.yaml']),
    );
  });

  test('without services the scrape ConfigMap still exists, empty: the first service changes no pod template', () => {
    const none = synth({}).objects;
    expect(find(none, 'ConfigMap', 'prometheus-scrape-0').data).toBeUndefined();
    const tpl = (objs: typeof none) => JSON.stringify(find(objs, 'StatefulSet', 'prometheus').spec.template);
    expect(tpl(none)).toBe(tpl(objects));
  });
});
