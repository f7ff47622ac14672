/** Registry entry: the Argo CD Application (spec.gitops.argocd), written to gitops/ outside dist/. */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import type { StackContext } from '../../core/context';
import { ArgoCdApplication, type ArgoCdApplicationProps } from './construct';

export * from './construct';
export { specSections } from './spec';

/** The typed step from the parsed spec (spec.gitops.argocd) to the construct's props. */
export function argoCdApplicationProps(spec: Spec, context: StackContext): ArgoCdApplicationProps {
  const a = spec.gitops.argocd;
  if (!a) throw new Error('ArgoCdApplication needs spec.gitops.argocd');
  return {
    instance: context.instance,
    repoURL: a.repoURL,
    targetRevision: a.targetRevision,
    path: a.path,
    project: a.project,
    namespace: a.namespace,
    destinationServer: a.destination.server,
    destinationNamespace: a.destination.namespace ?? context.namespace,
  };
}

export const component: ComponentDef<Spec> = {
  name: 'argocd',
  enabled: (spec) => spec.gitops.argocd !== undefined,
  build: ({ gitopsChart, context, spec }) => new ArgoCdApplication(gitopsChart(), 'argocd', argoCdApplicationProps(spec, context)),
};
