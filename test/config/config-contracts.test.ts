/**
 * Config contracts for programs no binary here runs: the command-line flags
 * and environment variables we pass must be ones the pinned version defines,
 * read from its source at the tag (contracts/flags/*.json).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { IMAGES, imageVersion } from '../../charts/core/images';
import { loadReference, unknownKeys } from '../lib/config-reference';
import { parseAlloy, type ParsedBlock } from '../lib/alloy-parse';
import { configMapData } from '../lib/dist';
import { find, synth } from '../lib/synth';

const DIR = path.join(__dirname, '..', '..', 'contracts', 'flags');
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(DIR, `${f}.json`), 'utf8'));
const container = (objects: any[], kind: string, name: string) =>
  find(objects, kind, name).spec.template.spec.containers.find((c: any) => c.name === name);

/** `--name=value` / `-name` → name and value. */
const parseArg = (a: string) => /^--?([A-Za-z0-9_.-]+)(?:=(.*))?$/.exec(a);

export function flagProblems(args: string[], flags: readonly string[], program: string): string[] {
  return args
    .filter((a) => {
      const m = parseArg(a);
      return !m || !flags.includes(m[1]);
    })
    .map((a) => `${program}: ${a} is not a flag of the pinned version`);
}

describe('flag contracts at the pinned tags', () => {
  const full = synth({
    gpu: { enabled: true, profilingMetrics: true, timeSlicing: true },
    cadvisor: { enabled: true, mode: 'daemonset' },
    kubeStateMetrics: { enabled: true },
  }).objects;

  test('cAdvisor: every flag and every --enable_metrics kind exists at the image tag', () => {
    const c = load('cadvisor');
    expect(c.source.tag).toBe(imageVersion(IMAGES.cadvisor));
    const args: string[] = container(full, 'DaemonSet', 'cadvisor').args;
    expect(flagProblems(args, c.flags, 'cadvisor')).toEqual([]);
    const kinds = args
      .find((a) => a.startsWith('--enable_metrics='))!
      .split('=')[1]
      .split(',');
    expect(kinds.filter((k) => !c.metricKinds.includes(k))).toEqual([]);
  });

  test('kube-state-metrics: every flag and every --resources entry exists at the image tag', () => {
    const c = load('kube-state-metrics');
    expect(c.source.tag).toBe(imageVersion(IMAGES.kubeStateMetrics));
    const args: string[] = container(full, 'Deployment', 'kube-state-metrics').args;
    expect(flagProblems(args, c.flags, 'kube-state-metrics')).toEqual([]);
    const resources = args
      .find((a) => a.startsWith('--resources='))!
      .split('=')[1]
      .split(',');
    expect(resources.filter((r) => !c.resources.includes(r))).toEqual([]);
  });

  test('DCGM exporter: every environment variable is read by the image at its tag', () => {
    const c = load('dcgm-exporter');
    expect(c.source.tag).toBe(imageVersion(IMAGES.dcgmExporter).replace(/-ubuntu.*$/, ''));
    const read = new Set<string>([...Object.values(c.flags as Record<string, { env: string }>).map((f) => f.env), ...c.otherEnv]);
    const ctr = container(full, 'DaemonSet', 'dcgm-exporter');
    expect((ctr.env ?? []).map((e: { name: string }) => e.name).filter((n: string) => !read.has(n))).toEqual([]);
    expect(ctr.env.map((e: { name: string }) => e.name)).toContain('KUBERNETES_VIRTUAL_GPUS'); // spec.gpu.timeSlicing
    expect(flagProblems(ctr.args ?? [], Object.keys(c.flags), 'dcgm-exporter')).toEqual([]);
  });

  test('the check names a flag the version lacks', () => {
    expect(flagProblems(['--port=8080', '--docker_onl=true'], load('cadvisor').flags, 'cadvisor')).toEqual([
      'cadvisor: --docker_onl=true is not a flag of the pinned version',
    ]);
  });
});

describe('Loki configuration reference at the pinned line', () => {
  const ref = loadReference('loki');
  const lokiYaml = (objects: any[]) => parse(configMapData(objects, 'loki-config')['loki.yaml']);

  test("the reference is Loki's, of the deployed minor line", () => {
    expect(ref.source.repository).toBe('github.com/grafana/loki');
    expect(ref.source.tag.replace(/^v/, '').split('.').slice(0, 2)).toEqual(imageVersion(IMAGES.loki).split('.').slice(0, 2));
  });

  test('every key of the emitted loki.yaml (defaults, and with the ruler) is in the reference', () => {
    expect(unknownKeys(ref, lokiYaml(synth({}).objects))).toEqual([]);
    expect(unknownKeys(ref, lokiYaml(synth({ loki: { ruler: { enabled: true } } }).objects))).toEqual([]);
  });

  test('an unknown key is caught at any depth, through named blocks and lists', () => {
    const cfg = lokiYaml(synth({}).objects);
    cfg.server.http_listen_prot = 1;
    cfg.schema_config.configs[0].index.perod = '24h';
    cfg.ingester.wal.enable = true;
    cfg.common.storage.filesystem.chunk_directory = '/x';
    cfg.limits_config.retention = '1d';
    expect(unknownKeys(ref, cfg).sort()).toEqual([
      'common.storage.filesystem.chunk_directory',
      'ingester.wal.enable',
      'limits_config.retention',
      'schema_config.configs[0].index.perod',
      'server.http_listen_prot',
    ]);
  });
});

describe('Promtail configuration reference at the image tag', () => {
  const ref = loadReference('promtail') as ReturnType<typeof loadReference> & {
    pipelineStages: { stages: string[] };
    extraKeys: Record<string, Record<string, { type: string; reason: string }>>;
  };
  // Keys the code defines but the reference page omits, each with its reason (recorded in the contract).
  for (const [block, keys] of Object.entries(ref.extraKeys))
    for (const [k, e] of Object.entries(keys)) ref.blocks[block][k] = { type: e.type };
  /** Stage names used in pipeline_stages (and nested match stages) that Promtail does not define. */
  const badStages = (stages: Record<string, any>[], at: string): string[] =>
    stages.flatMap((st, i) =>
      Object.entries(st).flatMap(([name, body]) => [
        ...(ref.pipelineStages.stages.includes(name) ? [] : [`${at}[${i}].${name}`]),
        ...(name === 'match' && Array.isArray(body?.stages) ? badStages(body.stages, `${at}[${i}].match.stages`) : []),
      ]),
    );
  const check = (cfg: any) => {
    const problems = cfg.scrape_configs.flatMap((s: any, i: number) =>
      badStages(s.pipeline_stages ?? [], `scrape_configs[${i}].pipeline_stages`),
    );
    const copy = structuredClone(cfg);
    for (const s of copy.scrape_configs) delete s.pipeline_stages;
    return [...problems, ...unknownKeys(ref, copy)];
  };
  const promtailYaml = (objects: any[]) => parse(configMapData(objects, 'promtail-config')['promtail.yaml']);

  test("the reference is Promtail's at the image tag", () => {
    expect(ref.source.tag).toBe(`v${imageVersion(IMAGES.promtail)}`);
  });

  test("every key and pipeline stage of the emitted promtail.yaml is Promtail's", () => {
    expect(check(promtailYaml(synth({ logs: { collector: 'promtail' } }).objects))).toEqual([]);
  });

  test('unknown keys and stages are caught', () => {
    const cfg = promtailYaml(synth({ logs: { collector: 'promtail' } }).objects);
    cfg.clients[0].batchwaitt = '1s';
    cfg.server.log_formatt = 'json';
    cfg.scrape_configs[0].pipeline_stages.push({ labeldorp: ['x'] });
    const last = cfg.scrape_configs[0].pipeline_stages.length - 1;
    expect(check(cfg).sort()).toEqual(
      ['clients[0].batchwaitt', `scrape_configs[0].pipeline_stages[${last}].labeldorp`, 'server.log_formatt'].sort(),
    );
  });
});

describe('Alloy component arguments', () => {
  const contract = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'contracts', 'config', 'alloy.json'), 'utf8')) as {
    source: { tag: string };
    components: Record<string, { arguments: string[]; blocks: string[]; blockAttributes: Record<string, string[]> }>;
  };

  /** Arguments and blocks of the rendered config that the components do not define. */
  const problems = (src: string): string[] =>
    parseAlloy(src).flatMap((b) => {
      const c = contract.components[b.name];
      if (!c) return [`${b.name}: no contract for this component`];
      const where = `${b.name} "${b.label}"`;
      const walk = (blk: ParsedBlock, trail: string[]): string[] =>
        blk.blocks.flatMap((child) => {
          // stage.match holds a nested pipeline: its stages are the same stage blocks as at the top level.
          const p = trail[trail.length - 1] === 'stage.match' && child.name.startsWith('stage.') ? [child.name] : [...trail, child.name];
          const known = c.blocks.includes(p.join(' > '));
          const attrs = c.blockAttributes[child.name];
          return [
            ...(known ? [] : [`${where}: block ${p.join(' > ')}`]),
            ...(known && attrs
              ? Object.keys(child.attrs)
                  .filter((a) => !attrs.includes(a))
                  .map((a) => `${where}: ${p.join(' > ')}.${a}`)
              : []),
            ...walk(child, p),
          ];
        });
      return [
        ...Object.keys(b.attrs)
          .filter((a) => !c.arguments.includes(a))
          .map((a) => `${where}: argument ${a}`),
        ...walk(b, []),
      ];
    });
  const alloyConfig = (spec: Record<string, unknown>) => configMapData(synth(spec).objects, 'alloy-config')['config.alloy'];

  test("every component, argument, block and block attribute of the emitted config.alloy is Alloy's", () => {
    expect(problems(alloyConfig({ logs: { collector: 'alloy' } }))).toEqual([]);
    expect(problems(alloyConfig({ logs: { collector: 'alloy', jsonApps: ['whisper-api', 'gateway'] } }))).toEqual([]);
  });

  test('misspelt arguments and blocks are caught', () => {
    const src = alloyConfig({ logs: { collector: 'alloy' } })
      .replace('sync_period', 'sync_periods')
      .replace('batch_wait', 'batch_waits')
      .replace('stage.cri {}', 'stage.crio {}');
    expect(problems(src).sort()).toEqual(
      [
        'local.file_match "pod_logs": argument sync_periods',
        'loki.process "pod_logs": block stage.crio',
        'loki.write "loki": endpoint.batch_waits',
      ].sort(),
    );
  });
});
