/** The node group of recording.yaml: the heavy host expressions, evaluated once per interval instead of per panel refresh. */
import type { RuleGroup } from '../../core/rule-types';
import { NODE_EXPORTER_JOB, NODE_RECORDING } from './names';

const JOB = `job="${NODE_EXPORTER_JOB}"`;

export const nodeRecording: RuleGroup = {
  name: 'node.recording',
  rules: [
    {
      record: NODE_RECORDING.nodeCpuUtilisation,
      expr: `1 - avg without (cpu, mode) (rate(node_cpu_seconds_total{${JOB},mode="idle"}[5m]))`,
    },
    {
      record: NODE_RECORDING.nodeMemoryUtilisation,
      expr: `1 - node_memory_MemAvailable_bytes{${JOB}} / node_memory_MemTotal_bytes{${JOB}}`,
    },
    {
      record: NODE_RECORDING.nodeFilesystemUsage,
      expr: `1 - node_filesystem_avail_bytes{${JOB},fstype!=""} / node_filesystem_size_bytes{${JOB},fstype!=""}`,
    },
    {
      record: NODE_RECORDING.nodeNetworkReceive,
      expr: `sum without (device) (rate(node_network_receive_bytes_total{${JOB},device!="lo"}[5m]))`,
    },
    {
      record: NODE_RECORDING.nodeNetworkTransmit,
      expr: `sum without (device) (rate(node_network_transmit_bytes_total{${JOB},device!="lo"}[5m]))`,
    },
  ],
};
