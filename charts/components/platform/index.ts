/**
 * Registry entry: the platform profile (`spec.platform`). Its values reach the
 * other components through the spec (derive.ts fills them in the loader); its
 * own objects are those a platform needs first (GKE's critical-pods quota).
 */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec/schema';
import { CriticalPodsQuota } from './construct';
import { PROFILES } from './profiles';

export * from './construct';
export * from './derive';
export * from './profiles';
export { platformSchema, specSections } from './spec';

export const component: ComponentDef<Spec> = {
  name: 'platform',
  files: ['01-platform'],
  enabled: (spec) => PROFILES[spec.platform].criticalPodsNeedQuota,
  build: ({ chart, context }) => new CriticalPodsQuota(chart('01-platform', 'platform'), 'platform', { context }),
};
