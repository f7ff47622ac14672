/** The dashboards the stack ships for a spec: the built-in modules and the enabled components' (as MonitoringStack builds them). */
import { buildDashboards, type BuiltDashboard } from '../../dashboards';
import { dashboardContributions } from '../../charts/registry';
import type { Spec } from '../../charts/spec-schema';

export function stackDashboards(spec: Spec): BuiltDashboard[] {
  return buildDashboards(spec, dashboardContributions(spec));
}
