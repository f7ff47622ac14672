/**
 * Registry entry: the platform profile (`spec.platform`). Its values reach the
 * other components through the spec (derive.ts fills them in the loader); its
 * own objects are those a platform needs first (GKE's critical-pods quota).
 */
import type { ComponentDef } from '../../core/component';
import type { Spec } from '../../spec-schema';
import { CriticalPodsQuota } from './construct';
import { PROFILES } from './profiles';
import { withPlatformDefaults } from './derive';

export * from './construct';
export * from './derive';
export * from './profiles';
export { platformSchema, specSections } from './spec';

/** What the platform cannot do for this spec, printed by the synth. */
export function platformWarnings(spec: Spec): string[] {
  const p = PROFILES[spec.platform];
  const out: string[] = [];
  if (p.storageClassName && !p.volumeExpansion) {
    const fixed = [
      ['spec.prometheus.storage', spec.prometheus.storage.storageClassName, spec.prometheus.storage.size],
      ['spec.loki.storage', spec.loki.enabled ? spec.loki.storage.storageClassName : undefined, spec.loki.storage.size],
    ].filter(([, sc]) => sc === p.storageClassName);
    if (fixed.length) {
      out.push(
        `spec.platform ${spec.platform}: storage class ${p.storageClassName} cannot expand volumes, so size them for the retention now: ` +
          `${fixed.map(([f, , size]) => `${f}.size ${size}`).join(', ')} (Prometheus stops at retentionSize, 85% of its volume by default)`,
      );
    }
  }
  return out;
}

export const component: ComponentDef<Spec> = {
  prefill: withPlatformDefaults,
  name: 'platform',
  warnings: platformWarnings,
  files: ['01-platform'],
  enabled: (spec) => PROFILES[spec.platform].criticalPodsNeedQuota,
  build: ({ chart, context }) =>
    new CriticalPodsQuota(chart('01-platform', 'platform'), 'platform', {
      namespace: context.agentNamespace,
      instance: context.instance,
    }),
};
