/** GPU: per GPU and per pod (DCGM exporter with pod attribution). */
import { type DashboardModule, neutral, warnCrit } from './lib';

const GPU = 'job="dcgm-exporter", node=~"$node"';
const POD = `${GPU}, namespace=~"$namespace", pod!=""`;
const LEGEND = '{{node}} GPU {{gpu}}';

export const gpu: DashboardModule = {
  uid: 'gpu',
  include: (ctx) => ctx.sources.has('dcgm-exporter'),
  build: () => ({
    uid: 'gpu',
    title: 'GPU',
    description: 'NVIDIA GPUs (DCGM exporter): utilisation, memory, temperature, power and XID errors per GPU, and per pod holding a GPU.',
    folder: 'gpu',
    tags: ['gpu', 'dcgm'],
    variables: [
      { kind: 'query', name: 'node', label: 'node', query: 'label_values(DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter"}, node)' },
      { kind: 'query', name: 'namespace', label: 'namespace (pods)', query: 'label_values(DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter", node=~"$node"}, namespace)' },
    ],
    rows: [
      {
        title: 'Overview',
        panels: [
          {
            type: 'stat', title: 'GPUs', unit: 'short', thresholds: neutral(),
            description: 'GPUs reporting to DCGM on the selected nodes.',
            queries: [{ expr: `count(DCGM_FI_DEV_GPU_UTIL{${GPU}})`, instant: true }],
          },
          {
            type: 'stat', title: 'Average utilisation', unit: 'percent', min: 0, max: 100, thresholds: warnCrit(80, 95),
            description: 'Mean DCGM_FI_DEV_GPU_UTIL over the selected GPUs.',
            queries: [{ expr: `avg(DCGM_FI_DEV_GPU_UTIL{${GPU}})`, instant: true }],
          },
          {
            type: 'stat', title: 'GPUs with XID errors', unit: 'short', thresholds: [[null, 'green'], [1, 'red']],
            description: 'GPUs whose last XID error code is not 0 (driver-reported hardware or software faults).',
            queries: [{ expr: `count(DCGM_FI_DEV_XID_ERRORS{${GPU}} > 0) or vector(0)`, instant: true }],
          },
          {
            type: 'stat', title: 'Idle allocated GPUs', unit: 'short', thresholds: [[null, 'green'], [1, 'orange']],
            description: 'GPUs held by a pod but below 5% utilisation for the last 30 minutes: paid for, unused.',
            queries: [{ expr: `count(max_over_time(DCGM_FI_DEV_GPU_UTIL{${GPU}, pod!=""}[30m]) < 5) or vector(0)`, instant: true }],
          },
        ],
      },
      {
        title: 'Per GPU',
        panels: [
          {
            type: 'timeseries', title: 'Utilisation', unit: 'percent', min: 0, max: 100, thresholds: warnCrit(80, 95),
            description: 'DCGM_FI_DEV_GPU_UTIL per GPU. Alert: above 95% for 15 minutes.',
            queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_GPU_UTIL{${GPU}})`, legend: LEGEND }],
          },
          {
            type: 'timeseries', title: 'Memory used', unit: 'percentunit', min: 0, max: 1, thresholds: warnCrit(0.8, 0.9),
            description: 'Frame buffer used / (used + free) per GPU. Alert: above 90% for 15 minutes.',
            queries: [{
              expr: `max by (node, gpu) (DCGM_FI_DEV_FB_USED{${GPU}}) / (max by (node, gpu) (DCGM_FI_DEV_FB_USED{${GPU}}) + max by (node, gpu) (DCGM_FI_DEV_FB_FREE{${GPU}}))`,
              legend: LEGEND,
            }],
          },
          {
            type: 'timeseries', title: 'Temperature', unit: 'celsius', thresholds: warnCrit(75, 85),
            description: 'GPU die temperature. Alert: above 85 °C for 10 minutes.',
            queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_GPU_TEMP{${GPU}})`, legend: LEGEND }],
          },
          {
            type: 'timeseries', title: 'Power', unit: 'watt', min: 0, thresholds: neutral(),
            description: 'Power draw per GPU.',
            queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_POWER_USAGE{${GPU}})`, legend: LEGEND }],
          },
          {
            type: 'timeseries', title: 'XID errors', unit: 'short', thresholds: [[null, 'green'], [1, 'red']],
            description: 'Last XID error code per GPU (0 = none); see NVIDIA\'s XID catalog for the meaning of a code.',
            queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_XID_ERRORS{${GPU}})`, legend: LEGEND }],
          },
          {
            type: 'timeseries', title: 'Memory bandwidth utilisation', unit: 'percent', min: 0, max: 100, thresholds: warnCrit(80, 95),
            description: 'DCGM_FI_DEV_MEM_COPY_UTIL per GPU.',
            queries: [{ expr: `max by (node, gpu) (DCGM_FI_DEV_MEM_COPY_UTIL{${GPU}})`, legend: LEGEND }],
          },
        ],
      },
      {
        title: 'Per pod',
        panels: [
          {
            type: 'timeseries', title: 'Utilisation by pod', unit: 'percent', min: 0, max: 100, thresholds: warnCrit(80, 95),
            description: 'Utilisation of the GPUs each pod holds (DCGM pod attribution through the kubelet pod-resources API).',
            queries: [{ expr: `avg by (namespace, pod, container) (DCGM_FI_DEV_GPU_UTIL{${POD}})`, legend: '{{namespace}}/{{pod}}/{{container}}' }],
          },
          {
            type: 'timeseries', title: 'Memory used by pod', unit: 'bytes', min: 0, thresholds: neutral(),
            description: 'Frame buffer used by the GPUs each pod holds (DCGM reports MiB).',
            queries: [{ expr: `sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{${POD}}) * 1048576`, legend: '{{namespace}}/{{pod}}' }],
          },
          {
            type: 'timeseries', title: 'Idle allocated GPUs by pod', unit: 'short', min: 0, thresholds: [[null, 'green'], [1, 'orange']],
            description: 'GPUs each pod holds that stayed below 5% utilisation over the last 30 minutes.',
            queries: [{ expr: `count by (namespace, pod) (max_over_time(DCGM_FI_DEV_GPU_UTIL{${POD}}[30m]) < 5)`, legend: '{{namespace}}/{{pod}}' }],
          },
        ],
      },
    ],
  }),
};
