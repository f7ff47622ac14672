/**
 * RQ (WhisperX) queue alerts, from mdawar/rq-exporter. rq_jobs is a gauge
 * (jobs per registry), so its growth is measured with deriv(); rate() on a
 * gauge would read each registry cleanup as a counter reset.
 */
import { alert } from '../../core/rule-builder';
import type { KindAlerts } from '../types';

export const rqAlerts: KindAlerts = {
  file: 'applications',
  build: ({ spec }) => {
    const t = spec.alerting.thresholds;
    return [
      {
        rule: alert({
          name: 'RqJobsFailing',
          expr: `deriv(rq_jobs{status="failed"}[5m]) > ${t.rqFailedJobs.perSecond}`,
          for: t.rqFailedJobs.for,
          severity: 'warning',
          summary: 'RQ jobs of queue {{ $labels.queue }} are failing',
          description: `The failed registry of queue {{ $labels.queue }} ({{ $labels.job }}, {{ $labels.instance }}) grows by {{ $value | printf "%.2f" }} jobs per second (threshold ${t.rqFailedJobs.perSecond}/s).`,
        }),
        runbook: {
          meaning: 'Jobs of an RQ queue (WhisperX transcriptions) are failing at a sustained rate: users get no transcript.',
          check:
            'Worker logs: Loki `{container="whisperx-worker"} |= "ERROR"` or `kubectl logs deploy/<worker>`; `rq info -u redis://<redis>` and the failed registry (`rq` dashboard) for the exception.',
          fix: 'Fix the cause (corrupt input files, model or CUDA errors, out-of-memory on long audio); then requeue the failed jobs (`rq requeue --all -q <queue>`).',
        },
      },
      {
        rule: alert({
          name: 'RqQueueBacklogGrowing',
          expr: `rq_jobs{status="queued"} >= ${t.rqBacklog.minJobs} and deriv(rq_jobs{status="queued"}[15m]) > 0`,
          for: t.rqBacklog.for,
          severity: 'warning',
          summary: 'RQ queue {{ $labels.queue }} keeps growing',
          description: `Queue {{ $labels.queue }} ({{ $labels.job }}, {{ $labels.instance }}) has {{ $value }} queued jobs and has kept growing for ${t.rqBacklog.for}.`,
        }),
        runbook: {
          meaning: 'More jobs arrive than the workers finish: waiting times grow without bound.',
          check: '`rq_workers` and started jobs on the RQ dashboard: are workers alive and busy? Worker logs for stuck jobs.',
          fix: 'Scale the workers (replicas, GPUs); restart stuck workers; throttle the producer if the load is abnormal.',
        },
      },
    ];
  },
};
