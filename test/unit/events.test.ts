/**
 * Kubernetes events in Loki (spec.logs.events): with Alloy, one replica
 * watching events (RBAC get/list/watch on events only), its config checked
 * against the component arguments read from Alloy's source, the stream's
 * labels; the Logs dashboard panels and the Loki ruler alerts (LogQL parsed);
 * with Promtail, a synth warning and nothing shipped.
 */
import { eventsWarning, EVENTS_JOB } from '../../charts/core/events';
import { PROMTAIL_END_OF_LIFE } from '../../charts/components/promtail';
import { checkLogQL } from '../../charts/core/query-check';
import { allProblems } from '../lib/checks';
import { configMapData } from '../lib/dist';
import { allGateProblems } from '../lib/gates';
import { findBlock, parseAlloy, type ParsedBlock } from '../lib/alloy-parse';
import { find, synth } from '../lib/synth';

/**
 * Arguments (attributes) and blocks each component or stage accepts, from grafana/alloy's Go structs
 * (`alloy:"..."` tags) at commit 66ebea85: internal/component/loki/source/kubernetes_events/kubernetes_events.go,
 * internal/component/loki/process/stages/{logfmt,labels,label_drop}.go, internal/component/loki/process/process.go,
 * internal/component/loki/write/{write,types}.go.
 */
const CONTRACT: Record<string, { attrs: string[]; blocks: string[]; required: string[] }> = {
  'loki.source.kubernetes_events': {
    attrs: ['forward_to', 'job_name', 'namespaces', 'log_format'],
    blocks: ['client', 'clustering'],
    required: ['forward_to'],
  },
  'loki.process': {
    attrs: ['forward_to'],
    blocks: ['stage.logfmt', 'stage.labels', 'stage.label_drop', 'stage.cri', 'stage.match', 'stage.json', 'stage.structured_metadata'],
    required: ['forward_to'],
  },
  'stage.logfmt': { attrs: ['mapping', 'source', 'regex'], blocks: [], required: [] },
  'stage.labels': { attrs: ['values', 'source_type'], blocks: [], required: ['values'] },
  'stage.label_drop': { attrs: ['values'], blocks: [], required: ['values'] },
  'loki.write': { attrs: ['max_streams', 'external_labels'], blocks: ['endpoint', 'wal'], required: [] },
  endpoint: {
    attrs: [
      'url',
      'batch_wait',
      'batch_size',
      'remote_timeout',
      'min_backoff_period',
      'max_backoff_period',
      'max_backoff_retries',
      'headers',
      'tenant_id',
      'name',
    ],
    blocks: [],
    required: ['url'],
  },
};

function contractProblems(blocks: ParsedBlock[], path = ''): string[] {
  return blocks.flatMap((b) => {
    const c = CONTRACT[b.name];
    const at = `${path}${b.name}${b.label ? ` "${b.label}"` : ''}`;
    if (!c) return [`${at}: not in the contract`];
    return [
      ...Object.keys(b.attrs)
        .filter((a) => !c.attrs.includes(a))
        .map((a) => `${at}: unknown argument ${a}`),
      ...c.required.filter((a) => !(a in b.attrs)).map((a) => `${at}: missing ${a}`),
      ...b.blocks.filter((x) => !c.blocks.includes(x.name)).map((x) => `${at}: unknown block ${x.name}`),
      ...contractProblems(
        b.blocks.filter((x) => c.blocks.includes(x.name)),
        `${at} > `,
      ),
    ];
  });
}

describe('with Alloy', () => {
  const r = synth({ logs: { collector: 'alloy' }, loki: { ruler: { enabled: true } } });

  test('strictly valid, through the gates, no warning', () => {
    expect(allProblems(r.objects)).toEqual([]);
    expect(allGateProblems(r.objects)).toEqual([]);
    expect(r.stack.warnings).toEqual([]);
  });

  test('one replica in the stack namespace, non-root, allowed to read events only', () => {
    const d = find(r.objects, 'Deployment', 'alloy-events');
    expect(d.metadata.namespace).toBe('monitoring');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(find(r.objects, 'ClusterRole', 'test-stack-alloy-events').rules).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(find(r.objects, 'ClusterRoleBinding', 'test-stack-alloy-events').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'alloy-events', namespace: 'monitoring' },
    ]);
  });

  test('the events pipeline: documented job label, kind/reason/type as labels, pushed to Loki', () => {
    const blocks = parseAlloy(configMapData(r.objects, 'alloy-events-config')['config.alloy']);
    expect(contractProblems(blocks)).toEqual([]);
    const src = findBlock(blocks, 'loki.source.kubernetes_events', 'events');
    expect(src.attrs).toMatchObject({ job_name: EVENTS_JOB, log_format: 'logfmt' });
    expect(src.attrs.namespaces).toBeUndefined(); // every namespace
    const proc = findBlock(blocks, 'loki.process', 'events');
    expect(findBlock(proc.blocks, 'stage.labels').attrs.values).toEqual({ kind: '', reason: '', type: '' });
    expect(findBlock(findBlock(blocks, 'loki.write', 'loki').blocks, 'endpoint').attrs.url).toBe(
      'http://loki.monitoring.svc:3100/loki/api/v1/push',
    );
    // The node DaemonSet does not watch events (every event would be shipped once per node).
    expect(configMapData(r.objects, 'alloy-config')['config.alloy']).not.toContain('kubernetes_events');
  });

  test('Loki ruler alerts on the events, their LogQL parses', () => {
    const text = configMapData(r.objects, 'loki-rules')['log-alerts.yaml'];
    for (const a of ['KubeEventGpuPodUnschedulable', 'KubeEventBackOff', 'KubeEventFailedMount']) expect(text).toContain(`alert: ${a}`);
    expect(text).toContain('|= "nvidia.com/gpu"');
  });

  test('Logs dashboard: Warning events by reason, GPU pods not scheduled', () => {
    const d = JSON.parse(configMapData(r.objects, 'grafana-dashboard-logs')['logs.json']);
    const panels = d.panels.filter((p: { type: string }) => p.type !== 'row');
    const byTitle = (t: string) => panels.find((p: { title: string }) => p.title === t);
    expect(byTitle('Warning events by reason').targets[0].expr).toContain('type="Warning"');
    expect(byTitle('GPU pods not scheduled').targets[0].expr).toContain('reason="FailedScheduling"');
    for (const p of panels)
      for (const t of p.targets ?? [])
        expect(() =>
          checkLogQL(
            t.expr
              .replace(/\$__interval/g, '1m')
              .replace(/\$namespace/g, 'x')
              .replace(/\$container/g, 'x')
              .replace(/\$search/g, 'x'),
            p.title,
          ),
        ).not.toThrow();
  });
});

describe('with Promtail', () => {
  const r = synth({ logs: { collector: 'promtail' } });
  test('a warning pointing to Alloy, no events pipeline, no event panels or alerts', () => {
    expect(r.stack.warnings).toEqual([
      PROMTAIL_END_OF_LIFE,
      eventsWarning({ loki: { enabled: true }, logs: { collector: 'promtail', events: {} } }),
    ]);
    expect(r.stack.warnings[1]).toContain('set spec.logs.collector: alloy');
    expect(r.objects.some((o) => o.metadata?.name === 'alloy-events')).toBe(false);
    expect(configMapData(r.objects, 'grafana-dashboard-logs')['logs.json']).not.toContain('eventhandler');
  });
  test('events.enabled: false silences it', () => {
    expect(synth({ logs: { events: { enabled: false } } }).stack.warnings).toEqual([]);
  });
});
