/**
 * Public API of the package, on purpose (api/public-api.txt lists it; `npm run api` regenerates it and a test fails
 * when it is stale): the stack and every component construct with its props, the interfaces they meet through,
 * the spec types and loader, and the app-layer functions that write the synthesized stack.
 */
export { MonitoringStack, type MonitoringStackProps, type StackChart } from './stack';
export * from './components';
export type { IEndpoint, ILogPush, IPrometheus, IScrapeJobs, IScrapeTarget, LogPushAuth } from './core/component';
export type { Endpoint, StackContext } from './core/context';
export type {
  AlertmanagerConfig,
  BasicAuthConfig,
  KubernetesSdConfig,
  RelabelConfig,
  ScrapeConfig,
  TlsConfig,
} from './core/prometheus-config';
export { IMAGES } from './core/images';
export {
  API_VERSION,
  KIND,
  monitoringStackSchema,
  type MonitoringStackInput,
  type MonitoringStackSpec,
  type ServiceSpec,
  type Spec,
} from './spec-schema';
export type { Resources } from './spec/common';
export { DEFAULT_SPEC, parseSpecYaml, readSpecFile, SpecError, validateSpec } from './spec-load';
// App layer (charts/app/output.ts): render the stack to files and write them atomically. main.ts reads the output
// checks from here too (checkOutputTarget ... SIDE_FILES); they leave the root when the app layer has its own entry.
export {
  checkOutputTarget,
  OutputError,
  prepareSideFiles,
  removeStaleSideTemporaries,
  renderGitops,
  renderManifests,
  SIDE_FILES,
  writeAtomically,
  type WriteOptions,
  type WriteResult,
} from './app/output';
// One call from a spec to manifests, warnings, prerequisites and upgrade findings (what the CLI prints).
export * from './app/synthesize';
// A cdk8s App whose synth() writes what the CLI writes (order, names, sync waves, Kustomization).
export { MonitoringApp } from './app/monitoring-app';
// A library user's scrape target with the NetworkPolicy flow that lets Prometheus reach it.
export * from './lib/scrape-target';
