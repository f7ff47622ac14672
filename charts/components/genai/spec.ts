/**
 * `spec.prometheus.otlp`: Prometheus 3's OTLP receiver (`--web.enable-otlp-receiver`, POST
 * /api/v1/otlp/v1/metrics), for services instrumented with OpenTelemetry (the GenAI semantic conventions:
 * charts/components/genai). Fields and values as prometheus v3.5.0 reads them (config/config.go OTLPConfig,
 * TSDBConfig; cmd/prometheus/main.go): `otlp.translation_strategy`, `otlp.promote_resource_attributes`,
 * `otlp.keep_identifying_resource_attributes`, `storage.tsdb.out_of_order_time_window`. Prometheus maps the
 * resource's `service.namespace`/`service.name` to `job` and `service.instance.id` to `instance`
 * (storage/remote/otlptranslator/prometheusremotewrite/helper.go).
 */
import { z } from 'zod';
import { dnsLabel, duration } from '../../spec/formats';

/** The strategies prometheus v3.5.0 accepts (config.go translationStrategyOption). */
export const OTLP_TRANSLATION_STRATEGIES = ['UnderscoreEscapingWithSuffixes', 'NoUTF8EscapingWithSuffixes', 'NoTranslation'] as const;

export const otlpSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('turn on the OTLP receiver (--web.enable-otlp-receiver) and the GenAI dashboard and alerts'),
    fromNamespaces: z
      .array(dnsLabel())
      .default([])
      .describe('namespaces whose pods may push OTLP to Prometheus (the NetworkPolicy opens its port to them)'),
    translationStrategy: z
      .enum(OTLP_TRANSLATION_STRATEGIES, {
        error: (i) => `expected one of ${OTLP_TRANSLATION_STRATEGIES.join(', ')}, found ${JSON.stringify(i.input)}`,
      })
      .default('UnderscoreEscapingWithSuffixes')
      .describe(
        'how OTLP names become Prometheus names; the GenAI dashboard and alerts read the UnderscoreEscapingWithSuffixes names (gen_ai_server_time_to_first_token_seconds)',
      ),
    promoteResourceAttributes: z
      .array(z.string().min(1))
      .default(['k8s.namespace.name', 'k8s.pod.name', 'k8s.container.name'])
      .describe('resource attributes copied onto every series as labels (dots become underscores)'),
    keepIdentifyingResourceAttributes: z
      .boolean()
      .default(false)
      .describe('also keep service.name, service.namespace, service.instance.id on target_info'),
    outOfOrderTimeWindow: duration().default('30m').describe('storage.tsdb.out_of_order_time_window: how late a pushed sample may arrive'),
  })
  .prefault({});
export type OtlpSpec = z.output<typeof otlpSchema>;
