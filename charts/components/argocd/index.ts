/** Registry entry: the Argo CD Application (spec.gitops.argocd), written to gitops/ outside dist/. */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { ArgoCdApplication } from './construct';

export * from './construct';
export { specSections } from './spec';

export const component: ComponentDef<Spec> = {
  name: 'argocd',
  enabled: (spec) => spec.gitops.argocd !== undefined,
  build: ({ gitopsChart, context, spec }) => new ArgoCdApplication(gitopsChart(), 'argocd', { context, spec: spec.gitops.argocd! }),
};
