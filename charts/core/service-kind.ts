/**
 * Leaf constants of the per-kind design (issue 11): the label every series of
 * a spec.services[] job carries, and the record holding per-service
 * thresholds. Scrape config, rules and dashboards import them from here.
 */

/** Label every series of a spec.services[] job carries: the service's kind (set by relabelling). */
export const SERVICE_KIND_LABEL = 'service_kind';

/** One series per service that sets latencyThresholdSeconds: the threshold, labelled with its job. */
export const LATENCY_THRESHOLD_RECORD = 'service:latency_threshold_seconds';
