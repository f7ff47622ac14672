/** Public API: the stack, its components and the spec loader, for use in your own cdk8s app. */
export * from './stack';
export * from './namespace';
export * from './prometheus';
export * from './prometheus/config-types';
export * from './prometheus/scrape';
export * from './node-exporter';
export * from './cadvisor';
export * from './grafana';
export * from './lib/context';
export * from './lib/images';
export * from './lib/labels';
export * from './lib/output';
export * from './spec/schema';
export * from './spec/load';
export * from './spec/formats';
