/** The JSON Schema of the MonitoringStack spec, generated from the zod schema (the single source). */
import { z } from 'zod';
import { monitoringStackSchema } from './spec-schema';

export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(monitoringStackSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: 'https://cdk8s-ai.dev/schemas/monitoring-stack.v1alpha1.json',
    title: 'MonitoringStack',
    description: 'cdk8s-ai-monitoring: one spec for the whole observability stack (apiVersion monitoring.cdk8s-ai.dev/v1alpha1)',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
