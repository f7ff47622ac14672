/** Registry entry: Loki (single binary), the log store; the collector (promtail or alloy) pushes to it. */
import { tcp, type ComponentDef } from '../../core/component';
import { JOBS, PORTS } from '../../core/names';
import type { Spec } from '../../spec/schema';
import { eventsShipped } from '../../core/events';
import { Loki } from './construct';
import { logsRules } from './rules';

export * from './construct';
export * from './spec';
export * from './loki-config';
export * from './ruler';

export const component: ComponentDef<Spec> = {
  name: 'loki',
  workload: true,
  image: 'loki',
  files: ['30-loki'],
  ports: { http: PORTS.lokiHttp, grpc: PORTS.lokiGrpc, memberlist: PORTS.lokiMemberlist },
  jobs: [JOBS.loki],
  ruleAreas: [logsRules],
  flows: [
    { from: 'prometheus', to: 'loki', ports: tcp(PORTS.lokiHttp), why: 'scrape' },
    { from: 'loki', to: 'alertmanager', ports: tcp(PORTS.alertmanager), why: 'ruler alerts' },
    { from: 'loki', to: 'loki', ports: tcp(PORTS.lokiHttp, PORTS.lokiGrpc, PORTS.lokiMemberlist), why: 'single binary calling itself (HTTP, gRPC, memberlist)' },
  ],
  enabled: (spec) => spec.loki.enabled,
  build: ({ chart, context, spec, prometheus }) => new Loki(chart('30-loki', 'loki'), 'loki', { context, spec: spec.loki, prometheus, eventAlerts: eventsShipped(spec) }),
};
