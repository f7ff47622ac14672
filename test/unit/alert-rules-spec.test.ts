/** Thresholds and durations in spec.alerting reach the synthesized rules; areas follow the enabled components. */
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { synth } from '../lib/synth';

function rules(spec: Record<string, unknown>) {
  const files = configMapData(synth(spec).objects, 'prometheus-rules');
  const every = Object.values(files).flatMap((t) => parse(t).groups.flatMap((g: any) => g.rules));
  const all = every.filter((r: any) => r.alert);
  return {
    files,
    byName: (name: string) => all.filter((r: any) => r.alert === name),
    records: (name: string) => every.filter((r: any) => r.record === name),
  };
}

describe('alert rules from the spec', () => {
  test('defaults are the seed values', () => {
    const { byName } = rules({});
    expect(byName('HostHighCpuUsage').map((r: any) => [r.labels.severity, r.expr, r.for])).toEqual([
      ['warning', 'instance:node_cpu_utilisation:ratio_rate5m > 0.8', '10m'],
      ['critical', 'instance:node_cpu_utilisation:ratio_rate5m > 0.9', '10m'],
    ]);
    expect(byName('TargetDown')[0]).toMatchObject({ expr: 'up == 0', for: '2m' });
    expect(byName('RqJobsFailing')[0].expr).toBe('deriv(rq_jobs{status="failed"}[5m]) > 0.1');
    expect(byName('MySQLSlowQueries')[0].expr).toBe('rate(mysql_global_status_slow_queries[5m]) > 5');
  });

  test('tuned thresholds and durations replace them', () => {
    const { byName, records } = rules({
      alerting: {
        thresholds: {
          hostCpu: { warning: 70, critical: 85, for: '15m' },
          targetDownFor: '5m',
          httpErrorRatio: { percent: 5, for: '10m' },
          containerNoLimitMemory: { bytes: '8Gi' },
        },
      },
      services: [{ name: 'asr', kind: 'whisper-api', namespace: 'ai', selector: { app: 'asr' }, port: 8000, latencyThresholdSeconds: 12 }],
    });
    expect(byName('HostHighCpuUsage').map((r: any) => [r.expr, r.for])).toEqual([
      ['instance:node_cpu_utilisation:ratio_rate5m > 0.7', '15m'],
      ['instance:node_cpu_utilisation:ratio_rate5m > 0.85', '15m'],
    ]);
    expect(byName('TargetDown')[0]).toMatchObject({ expr: 'up{service_kind=""} == 0', for: '5m' });
    expect(byName('ServiceDown')).toEqual([
      expect.objectContaining({ expr: 'up{service_kind="whisper-api"} == 0', labels: { severity: 'critical', kind: 'whisper-api' } }),
    ]);
    expect(byName('ServiceHighErrorRate')[0]).toMatchObject({ for: '10m' });
    expect(byName('ServiceHighErrorRate')[0].expr).toMatch(
      /whisper_transcription_errors_total\{service_kind="whisper-api"\}.*whisper_transcription_requests_total\{service_kind="whisper-api"\}.* > 0\.05$/,
    );
    // The service's own threshold is a record labelled with its job; the alert joins it on job.
    expect(byName('ServiceHighLatency')[0].expr).toMatch(
      /whisper_transcription_duration_seconds_bucket\{service_kind="whisper-api"\}.*> on \(job\) group_left \(\) service:latency_threshold_seconds\) or .* > 30\)$/,
    );
    expect(records('service:latency_threshold_seconds')).toEqual([
      { record: 'service:latency_threshold_seconds', expr: 'vector(12)', labels: { job: 'asr' } },
    ]);
    expect(byName('ContainerNoMemoryLimitHighUsage')[0].expr).toContain(`> ${8 * 2 ** 30} unless`);
  });

  test('areas follow the components: no node-exporter, no host rules; no Alertmanager, no delivery alerts', () => {
    const { files, byName } = rules({
      nodeExporter: { enabled: false },
      cadvisor: { enabled: false },
      alerting: { enabled: false },
      gpu: { enabled: false },
      kubeStateMetrics: { enabled: false },
      kubelet: { volumeStats: { enabled: false } },
      loki: { enabled: false },
      blackboxExporter: { enabled: false },
    });
    expect(Object.keys(files).sort()).toEqual(['applications.yaml', 'availability.yaml', 'datastores.yaml']);
    expect(byName('AlertmanagerNotificationsFailing')).toEqual([]);
    expect(byName('TargetDown')).toHaveLength(1);
  });
});
