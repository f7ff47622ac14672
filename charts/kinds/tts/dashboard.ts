/** Text-to-speech: connections, steps/s, p95 step time, sessions, GPU, resources. */
import {
  type DashboardModule,
  jobVariable,
  namespaceVariable,
  neutral,
  podVariable,
  SERVICE_SEL as SEL,
  warnCrit,
} from '../../../dashboards/lib';
import { containerResourcesRow, quantiles, RATE, upStat } from '../../../dashboards/panels';
import { workloadStatusRow } from '../../../dashboards/panels/kube-state';

export const tts: DashboardModule = {
  uid: 'tts',
  include: (ctx) => ctx.jobsOf('tts').length > 0,
  build: (ctx) => ({
    uid: 'tts',
    title: 'Text-to-speech',
    description: 'Text-to-speech services: connections, sessions, generation steps per second and step time, GPU and container resources.',
    folder: 'ai-services',
    tags: ['ai-services', 'tts'],
    variables: [jobVariable(ctx, 'tts'), namespaceVariable(), podVariable()],
    rows: [
      workloadStatusRow(ctx.spec, 'tts'),
      {
        title: 'Load',
        panels: [
          upStat(SEL),
          {
            type: 'stat',
            title: 'Connections',
            unit: 'short',
            thresholds: neutral(),
            description: 'Open client connections (channels).',
            queries: [{ expr: `sum(tts_active_connections{${SEL}})`, instant: true }],
          },
          {
            type: 'stat',
            title: 'Sessions',
            unit: 'short',
            thresholds: neutral(),
            description: 'Active synthesis sessions.',
            queries: [{ expr: `sum(tts_active_sessions{${SEL}})`, instant: true }],
          },
          {
            type: 'stat',
            title: 'Steps per second',
            unit: 'suffix: steps/s',
            thresholds: neutral(),
            description: 'Generation steps per second, all instances.',
            queries: [{ expr: `sum(rate(tts_steps_total{${SEL}}[${RATE}]))`, instant: true }],
          },
          {
            type: 'timeseries',
            title: 'Connections and sessions',
            unit: 'short',
            min: 0,
            thresholds: neutral(),
            description: 'Connections and sessions per pod.',
            queries: [
              { expr: `sum by (pod) (tts_active_connections{${SEL}})`, legend: 'connections {{pod}}' },
              { expr: `sum by (pod) (tts_active_sessions{${SEL}})`, legend: 'sessions {{pod}}' },
            ],
          },
          {
            type: 'timeseries',
            title: 'Steps per second',
            unit: 'suffix: steps/s',
            min: 0,
            thresholds: neutral(),
            description: 'Generation steps per second per pod.',
            queries: [{ expr: `sum by (pod) (rate(tts_steps_total{${SEL}}[${RATE}]))`, legend: '{{pod}}' }],
          },
          {
            type: 'timeseries',
            title: 'Step time (p95)',
            unit: 's',
            min: 0,
            thresholds: warnCrit(0.08, 0.16),
            description:
              '95th percentile of one generation step per pod; when a step takes longer than the audio it produces, playback stutters.',
            queries: quantiles('tts_step_duration_seconds_bucket', SEL, ['pod'], [0.95]),
          },
        ],
      },
      ...ctx.podRows(),
      containerResourcesRow(),
    ],
  }),
};
