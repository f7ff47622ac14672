/** The prometheus.yml blocks of spec.prometheus.otlp (names as prometheus v3.5.0 config/config.go reads them). */
import type { PrometheusConfig } from '../../core/prometheus-config';
import type { OtlpSpec } from './spec';

export function otlpConfig(o: OtlpSpec): Pick<PrometheusConfig, 'otlp' | 'storage'> {
  if (!o.enabled) return {};
  return {
    otlp: {
      translation_strategy: o.translationStrategy,
      ...(o.promoteResourceAttributes.length ? { promote_resource_attributes: [...o.promoteResourceAttributes] } : {}),
      ...(o.keepIdentifyingResourceAttributes ? { keep_identifying_resource_attributes: true } : {}),
    },
    storage: { tsdb: { out_of_order_time_window: o.outOfOrderTimeWindow } },
  };
}
