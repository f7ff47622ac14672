/** Registry entry: the stack's two namespaces (Pod Security "restricted" and "privileged"). */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { Namespaces } from './construct';

export * from './construct';
export const specSections = {};

export const component: ComponentDef<Spec> = {
  name: 'namespaces',
  files: ['00-namespaces'],
  build: (b) => new Namespaces(b.chart('00-namespaces', 'namespaces'), 'namespaces', { context: b.context }),
};
