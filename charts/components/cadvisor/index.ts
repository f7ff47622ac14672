/** Registry entry: cadvisor. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import { containerRecording } from '../../core/recording';
import type { Spec } from '../../spec-schema';
import { Cadvisor, type CadvisorProps } from './construct';
import type { StackContext } from '../../core/context';
import { containerRules } from './rules';

export * from './construct';
export * from './spec';

/** The typed step from the parsed spec to the construct's props (everything defaulted by the schema is set). */
export function cadvisorProps(spec: Spec, context: StackContext): Omit<CadvisorProps, 'prometheus'> {
  const s = spec.cadvisor;
  return {
    namespace: context.agentNamespace,
    instance: context.instance,
    mode: s.mode,
    image: s.image,
    containerdSocket: s.containerd.socket,
    containerdRoot: s.containerd.root,
    housekeepingInterval: s.housekeepingInterval,
    resources: s.resources,
    kubeletTlsInsecureSkipVerify: spec.kubelet.tlsInsecureSkipVerify,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'cadvisor',
  workload: true,
  image: 'cadvisor',
  files: ['21-cadvisor'],
  ports: { metrics: PORTS.cadvisor },
  jobs: [JOBS.cadvisor],
  ruleAreas: [containerRules],
  flows: [{ from: 'prometheus', to: 'cadvisor', ports: tcp(PORTS.cadvisor), why: 'scrape' }],
  recording: [containerRecording],
  enabled: (spec) => spec.cadvisor.enabled,
  build: ({ chart, context, spec, prometheus }) =>
    new Cadvisor(chart('21-cadvisor', 'cadvisor'), 'cadvisor', { ...cadvisorProps(spec, context), prometheus }),
};
