/** WhisperX jobs: the RQ queue behind WhisperX (mdawar/rq-exporter) and the worker's logs (Loki). */
import { type DashboardModule, jobVariable, namespaceVariable, type Row, neutral, warnCrit } from '../../../dashboards/lib';
import { RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

const RQ = 'job=~"$job", queue=~"$queue"';
const WORKER_LOGS = '{namespace=~"$namespace", container=~"$worker_container"}';

/** The queue: targets up, queued jobs, busy workers, failure ratio, jobs by status and queue length. */
function queueRow(): Row {
  return {
    title: 'Queue',
    panels: [
      upStat('job=~"$job"'),
      {
        type: 'stat',
        title: 'Queued jobs',
        unit: 'short',
        thresholds: warnCrit(50, 200),
        description: 'Jobs waiting in the selected queues (rq_jobs{status="queued"}).',
        queries: [{ expr: `sum(rq_jobs{${RQ}, status="queued"})`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Busy workers',
        unit: 'short',
        thresholds: neutral(),
        description: 'Workers currently running a job.',
        queries: [{ expr: 'sum(rq_workers{job=~"$job", state="busy"}) or vector(0)', instant: true }],
      },
      {
        type: 'stat',
        title: 'Failure ratio',
        unit: 'percentunit',
        thresholds: warnCrit(0.05, 0.1),
        description: "failed / (finished + failed) jobs in the registries (seed: taux d'échec).",
        queries: [
          {
            expr: `sum(rq_jobs{${RQ}, status="failed"}) / (sum(rq_jobs{${RQ}, status="finished"}) + sum(rq_jobs{${RQ}, status="failed"}))`,
            instant: true,
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Jobs by status',
        unit: 'short',
        min: 0,
        thresholds: neutral(),
        description: 'Jobs per status (queued, started, finished, failed, deferred, scheduled) (seed panel 1).',
        queries: [{ expr: `sum by (status) (rq_jobs{${RQ}})`, legend: '{{status}}' }],
      },
      {
        type: 'timeseries',
        title: 'Queue length',
        unit: 'short',
        min: 0,
        thresholds: warnCrit(50, 200),
        description: 'Queued jobs per queue; a steady climb means the workers cannot keep up.',
        queries: [{ expr: `sum by (queue) (rq_jobs{${RQ}, status="queued"})`, legend: '{{queue}}' }],
      },
    ],
  };
}

/** The workers: by state, jobs completed and failed, busy time. */
function workersRow(): Row {
  return {
    title: 'Workers',
    panels: [
      {
        type: 'timeseries',
        title: 'Workers by state',
        unit: 'short',
        min: 0,
        stack: true,
        thresholds: neutral(),
        description: 'RQ workers by state (idle, busy, suspended).',
        queries: [{ expr: 'sum by (state) (rq_workers{job=~"$job"})', legend: '{{state}}' }],
      },
      {
        type: 'timeseries',
        title: 'Jobs completed and failed per minute',
        unit: 'opm',
        min: 0,
        thresholds: neutral(),
        description: "Successful and failed jobs per minute, from the workers' counters.",
        queries: [
          { expr: `sum(rate(rq_workers_success_total{job=~"$job"}[${RATE}])) * 60`, legend: 'succeeded' },
          { expr: `sum(rate(rq_workers_failed_total{job=~"$job"}[${RATE}])) * 60`, legend: 'failed' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Worker busy time',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: warnCrit(0.8, 0.95),
        description: 'Share of time each worker spends running jobs (rate of rq_workers_working_time_total).',
        queries: [{ expr: `sum by (name) (rate(rq_workers_working_time_total{job=~"$job"}[${RATE}]))`, legend: '{{name}}' }],
      },
    ],
  };
}

/** The worker's logs (Loki): error lines per minute, job lines, errors. */
function workerLogsRow(): Row {
  return {
    title: 'Worker logs',
    panels: [
      {
        type: 'timeseries',
        datasource: 'loki',
        title: 'Worker error lines per minute',
        unit: 'short',
        min: 0,
        thresholds: warnCrit(1, 10),
        description: "Lines containing ERROR in the worker's logs per minute.",
        queries: [{ expr: `sum(count_over_time(${WORKER_LOGS} |= "ERROR" [1m]))`, legend: 'errors' }],
      },
      {
        type: 'logs',
        title: 'Worker job logs',
        height: 12,
        description: 'Job, transcription and model-loading lines of the worker (seed panel 2); set the container in "worker container".',
        queries: [{ expr: `${WORKER_LOGS} |~ "Job|Transcription|Loading"` }],
      },
      {
        type: 'logs',
        title: 'Worker errors',
        height: 10,
        description: 'Lines containing ERROR (seed: {container="whisperx-worker"} |= "ERROR").',
        queries: [{ expr: `${WORKER_LOGS} |= "ERROR"` }],
      },
    ],
  };
}

export const whisperxJobs: DashboardModule = {
  uid: 'whisperx-jobs',
  include: (ctx) => ctx.jobsOf('rq-exporter').length > 0,
  build: (ctx) => ({
    uid: 'whisperx-jobs',
    title: 'WhisperX jobs (RQ)',
    description: "RQ workers, jobs by status, queue length and failure rate of the WhisperX job queue, with the worker's logs.",
    folder: 'ai-services',
    tags: ['ai-services', 'whisperx', 'rq'],
    refresh: '10s',
    from: 'now-1h',
    variables: [
      jobVariable(ctx, 'rq-exporter'),
      namespaceVariable(),
      { kind: 'query', name: 'queue', label: 'queue', query: 'label_values(rq_jobs{job=~"$job"}, queue)' },
      { kind: 'textbox', name: 'worker_container', label: 'worker container (logs)', default: 'whisperx-worker' },
    ],
    rows: [workloadStatusRow(ctx.spec, 'rq-exporter'), queueRow(), workersRow(), workerLogsRow()],
  }),
};
