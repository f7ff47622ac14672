/** Registry entry: the stack's two namespaces (Pod Security "restricted" and "privileged"). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import { Namespaces } from './construct';

export * from './construct';
export const specSections = {};

/** Namespaces the stack must not take over: it labels its namespaces for Pod Security and denies all traffic by default in them. */
const SHARED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export const component: ComponentDef<Spec> = {
  name: 'namespaces',
  specChecks: (spec, ctx) => {
    for (const [field, ns] of [
      ['namespace', spec.namespace],
      ['agentNamespace', spec.agentNamespace],
    ] as const) {
      if (ns !== undefined && (SHARED_NAMESPACES.has(ns) || ns.startsWith('kube-'))) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `"${ns}" is shared with ${ns === 'default' ? 'your other workloads' : 'Kubernetes itself'}: the stack labels its namespaces for Pod Security ("${field === 'namespace' ? 'restricted' : 'privileged'}"), denies all traffic in them by default and owns them (deleting the stack deletes them); use a dedicated namespace such as "${field === 'namespace' ? 'monitoring' : 'monitoring-agents'}"`,
        });
      }
    }
  },
  files: ['00-namespaces'],
  build: ({ chart, context }) =>
    new Namespaces(chart('00-namespaces', 'namespaces'), 'namespaces', {
      namespace: context.namespace,
      agentNamespace: context.agentNamespace,
      instance: context.instance,
    }),
};
