/**
 * Recording rules shared by alerts and dashboards: the heavy expressions,
 * evaluated once per interval instead of per panel refresh. Names follow
 * level:metric:operations. The groups belong to their components
 * (ComponentDef.recording); this module writes them into one file.
 */
import type { RuleArea, RuleGroup } from './rule-types';
import type { Spec } from '../spec-schema';

/** The container recording rules (cadvisor's group), read by the container dashboards and alerts. */
export const RECORDING = {
  containerCpu: 'namespace_pod_container:container_cpu_usage_seconds:rate5m',
  containerMemory: 'namespace_pod_container:container_memory_working_set_bytes',
  /**
   * Busy ratio (0-1) of the GPUs each pod holds, per namespace and pod: the one GPU series a service kind
   * joins on (namespace, pod), e.g. llm-d's "GPU utilisation below 30% for 30 minutes". Recorded by the
   * component that exports GPU metrics, when it is enabled.
   */
  podGpuUtilisation: 'namespace_pod:gpu_utilisation:ratio',
} as const;

/** cadvisor's group of recording.yaml. */
export const containerRecording: RuleGroup = {
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
};

/** recording.yaml: the groups of the enabled components (in registry order); no file when none has one. */
export function recordingArea(groupsFor: (spec: Spec) => readonly RuleGroup[]): RuleArea {
  return (ctx) => {
    const groups = groupsFor(ctx.spec);
    if (groups.length === 0) return undefined;
    return { fileName: 'recording.yaml', title: 'Recording rules shared by alerts and dashboards', runbooks: {}, groups: [...groups] };
  };
}
