/**
 * node-exporter's names and numbers, shared by its construct, rules, recording rules and dashboard (this folder
 * only: nothing outside it names node-exporter but the registry and the image table). Leaf module: imports nothing.
 */

/** app.kubernetes.io/name of its objects, its Prometheus job and its metric-catalog source id. */
export const NODE_EXPORTER_NAME = 'node-exporter';
/** The `job` label of its series (rules and panels select on it). */
export const NODE_EXPORTER_JOB = NODE_EXPORTER_NAME;
/** Its metrics port, on the host network. */
export const NODE_EXPORTER_PORT = 9100;
/** The dist/ file it writes. */
export const NODE_EXPORTER_FILE = '20-node-exporter';

/** Requests and limits: filtered collectors, ~18 MiB RSS measured on the real node-exporter. */
export const NODE_EXPORTER_RESOURCES = {
  requests: { cpu: '30m', memory: '48Mi' },
  limits: { cpu: '250m', memory: '128Mi' },
} as const;

/** Recording rules of the node group (recording.yaml): read by the host alerts and the Node overview dashboard. */
export const NODE_RECORDING = {
  nodeCpuUtilisation: 'instance:node_cpu_utilisation:ratio_rate5m',
  nodeMemoryUtilisation: 'instance:node_memory_utilisation:ratio',
  nodeFilesystemUsage: 'instance_mountpoint:node_filesystem_usage:ratio',
  nodeNetworkReceive: 'instance:node_network_receive_bytes:rate5m',
  nodeNetworkTransmit: 'instance:node_network_transmit_bytes:rate5m',
} as const;
