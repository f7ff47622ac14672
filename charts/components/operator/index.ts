/** Registry entry: the operator (`spec.operator`). */
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { ext, tcp, type ComponentDef } from '../../core/component';
import { durationMs } from '../../spec/formats';
import type { Spec } from '../../spec-schema';
import { Operator, OPERATOR_NAME } from './construct';
import type { EmittedObject } from './rbac';

export * from './construct';
export * from './rbac';
export * from './spec';

/** Every object of dist/ under `root` (the chart written outside dist/, which Argo CD applies, left out). */
export function emittedObjects(root: IConstruct): EmittedObject[] {
  const outside = (root as { readonly gitopsChart?: IConstruct }).gitopsChart;
  return root.node
    .findAll()
    .filter((n): n is ApiObject => n instanceof ApiObject && !(outside && n.node.path.startsWith(`${outside.node.path}/`)))
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name }));
}

export const component: ComponentDef<Spec> = {
  name: OPERATOR_NAME,
  workload: true,
  image: 'operator',
  files: ['70-operator'],
  flows: [
    {
      from: OPERATOR_NAME,
      to: ext('api-server'),
      ports: tcp(443, 6443),
      why: 'watches MonitoringStack resources, applies and prunes the stack',
    },
  ],
  specChecks: (spec, ctx) => {
    if ((durationMs(spec.operator.resync) ?? 0) < 1000)
      ctx.addIssue({ code: 'custom', path: ['operator', 'resync'], message: `expected at least 1s, found "${spec.operator.resync}"` });
  },
  enabled: (spec) => spec.operator.enabled,
  build: ({ chart, context, spec, root }) => {
    return new Operator(chart('70-operator', 'operator'), 'operator', {
      namespace: context.namespace,
      instance: context.instance,
      emitted: () => emittedObjects(root),
      image: spec.operator.image,
      replicas: spec.operator.replicas,
      resyncSeconds: Math.round((durationMs(spec.operator.resync) ?? 60_000) / 1000),
      resources: spec.operator.resources,
    });
  },
};
