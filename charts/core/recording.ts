/**
 * Recording rules shared by alerts and dashboards: the heavy node and
 * container expressions, evaluated once per interval instead of per panel
 * refresh. Names follow level:metric:operations.
 */
import type { RuleArea } from './rule-types';

export const RECORDING = {
  nodeCpuUtilisation: 'instance:node_cpu_utilisation:ratio_rate5m',
  nodeMemoryUtilisation: 'instance:node_memory_utilisation:ratio',
  nodeFilesystemUsage: 'instance_mountpoint:node_filesystem_usage:ratio',
  nodeNetworkReceive: 'instance:node_network_receive_bytes:rate5m',
  nodeNetworkTransmit: 'instance:node_network_transmit_bytes:rate5m',
  containerCpu: 'namespace_pod_container:container_cpu_usage_seconds:rate5m',
  containerMemory: 'namespace_pod_container:container_memory_working_set_bytes',
  /**
   * Busy ratio (0-1) of the GPUs each pod holds, per namespace and pod: the one GPU series a service kind
   * joins on (namespace, pod), e.g. llm-d's "GPU utilisation below 30% for 30 minutes". Recorded by the
   * component that exports GPU metrics, when it is enabled.
   */
  podGpuUtilisation: 'namespace_pod:gpu_utilisation:ratio',
} as const;

export const recordingRules: RuleArea = (ctx) => {
  const node = ctx.spec.nodeExporter.enabled;
  const containers = ctx.spec.cadvisor.enabled;
  if (!node && !containers) return undefined;
  return {
    fileName: 'recording.yaml',
    title: 'Recording rules shared by alerts and dashboards',
    runbooks: {},
    groups: [
      ...(node ? [{
        name: 'node.recording',
        rules: [
          { record: RECORDING.nodeCpuUtilisation, expr: '1 - avg without (cpu, mode) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m]))' },
          { record: RECORDING.nodeMemoryUtilisation, expr: '1 - node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"}' },
          {
            record: RECORDING.nodeFilesystemUsage,
            expr: '1 - node_filesystem_avail_bytes{job="node-exporter",fstype!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!=""}',
          },
          { record: RECORDING.nodeNetworkReceive, expr: 'sum without (device) (rate(node_network_receive_bytes_total{job="node-exporter",device!="lo"}[5m]))' },
          { record: RECORDING.nodeNetworkTransmit, expr: 'sum without (device) (rate(node_network_transmit_bytes_total{job="node-exporter",device!="lo"}[5m]))' },
        ],
      }] : []),
      ...(containers ? [{
        name: 'container.recording',
        rules: [
          {
            record: RECORDING.containerCpu,
            expr: 'sum by (namespace, pod, container, node) (rate(container_cpu_usage_seconds_total{job="cadvisor",container!="",container!="POD"}[5m]))',
          },
          {
            record: RECORDING.containerMemory,
            expr: 'max by (namespace, pod, container, node) (container_memory_working_set_bytes{job="cadvisor",container!="",container!="POD"})',
          },
        ],
      }] : []),
    ],
  };
};
