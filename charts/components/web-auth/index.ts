/**
 * Registry entry: the basic-auth Secret of Prometheus and Alertmanager
 * (spec.webAuth). No objects of its own: the Secret is the user's; the
 * servers and their clients read the reference from the StackContext.
 */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';

export * from './spec';
export { DEFAULT_WEB_AUTH, type WebAuthRef } from '../../core/web-auth';

export const component: ComponentDef<Spec> = {
  name: 'web-auth',
};
