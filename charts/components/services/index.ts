/**
 * Registry entry: the declared AI services (spec.services): scrape jobs
 * grouped by namespace, kind and port, `job` = the service's name
 * (./scrape.ts). Their alerts and dashboards are by kind, in rules/ and
 * dashboards/.
 */
import { ext, type ComponentDef } from '../../core/component';
import { JOBS } from '../../core/names';
import { durationMs } from '../../spec/formats';
import type { Spec } from '../../spec-schema';
import { serviceScrapeFiles } from './scrape';
import { sloCrossChecks } from './slos';
import { kindOf } from '../../kinds';
import { LLM_THRESHOLDS, type LlmThresholdKey } from '../../kinds/llm';

export * from './spec';
export * from './scrape';
export { sloCrossChecks, sloName, sloSchema, type SloSpec } from './slos';

/** Job labels of the built-in jobs (a service may not take one). */
const BUILT_IN_JOBS = new Set<string>([...Object.values(JOBS), 'kubernetes-pods', 'kubernetes-service-endpoints']);

export const component: ComponentDef<Spec> = {
  name: 'services',
  flows: [
    {
      from: 'prometheus',
      to: ext('user-services'),
      ports: [],
      why: "spec.services: each service's pods on its port (past 10 services in a namespace, the namespace's pods on their ports)",
    },
  ],
  specChecks: (spec, ctx) => {
    const seen = new Map<string, number>();
    spec.services.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `duplicate service name "${s.name}" (also services[${seen.get(s.name)}]): each name becomes a Prometheus job and must be unique`,
        });
      } else seen.set(s.name, i);
    });
    spec.services.forEach((s, i) => {
      if (BUILT_IN_JOBS.has(s.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `"${s.name}" is the job of a built-in component; rename the service`,
        });
      }
    });
    // Two services on the same pods, port and path: every series ingested twice, or (same scrape group) one service without targets.
    const scraped = new Map<string, number>();
    spec.services.forEach((s, i) => {
      const key = JSON.stringify([s.namespace, Object.entries(s.selector).sort(([a], [b]) => a.localeCompare(b)), String(s.port), s.path]);
      const j = scraped.get(key);
      if (j !== undefined && spec.services[j].name !== s.name) {
        // a copy under the same name is reported as a duplicate name
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'selector'],
          message: `selects the same pods (namespace ${s.namespace}, the same labels), port ${s.port} and path ${s.path} as services[${j}] ("${spec.services[j].name}"): their series would be scraped twice (or one service would get no targets); remove one, or make the selectors differ`,
        });
      } else scraped.set(key, i);
    });
    spec.services.forEach((s, i) => {
      if (s.timeout && s.interval && (durationMs(s.timeout) ?? 0) > (durationMs(s.interval) ?? 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'timeout'],
          message: `must not exceed the service's interval (${s.interval}), found "${s.timeout}"`,
        });
      }
    });
    spec.services.forEach((s, i) => {
      const signals = kindOf(s.kind).llm;
      for (const key of Object.keys(s.llm ?? {}) as LlmThresholdKey[]) {
        if (!signals) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'llm'],
            message: `kind ${s.kind} has no LLM serving alerts; remove llm (it applies to the LLM engines' kinds)`,
          });
          break;
        }
        if (!signals[LLM_THRESHOLDS[key].needs]) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'llm', key],
            message: `kind ${s.kind} does not expose the signal ${key} is a threshold of (see charts/kinds/${s.kind}/README.md); remove it`,
          });
        }
      }
    });
    sloCrossChecks(spec, ctx);
  },
  // Their jobs go to scrape config files, spread over bounded ConfigMaps (charts/components/prometheus/construct.ts).
  build: ({ spec, prometheus }) =>
    prometheus.addScrapeConfigFiles(serviceScrapeFiles(spec.services, spec.prometheus.scrapeInterval, spec.prometheus.scrapeTimeout)),
};
