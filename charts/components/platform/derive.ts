/**
 * Fills a raw (unvalidated) MonitoringStack document with the values of its
 * `spec.platform` profile (profiles.ts), field by field and only where the
 * spec sets nothing: every derived value stays overridable by the ordinary
 * spec field. Runs in the loader before validation (the schema's own defaults
 * are the `generic` values), so the JSON schema and the docs keep showing the
 * generic defaults.
 */
import { PLATFORMS, PROFILES, type Platform } from './profiles';
import { isObj, specFiller, type Raw } from '../../spec/fill';

/** The platform a raw spec names, or undefined when it names none or an invalid one (validation reports it). */
export function platformOf(spec: Raw): Platform | undefined {
  const p = spec.platform ?? 'generic';
  return (PLATFORMS as readonly unknown[]).includes(p) ? (p as Platform) : undefined;
}

export function withPlatformDefaults(doc: unknown): unknown {
  if (!isObj(doc) || (doc.spec !== undefined && !isObj(doc.spec))) return doc;
  const out = structuredClone(doc);
  const spec = (out.spec ?? (out.spec = {})) as Raw;
  const platform = platformOf(spec);
  if (!platform) return doc;
  const p = PROFILES[platform];

  const { at, fill, resources } = specFiller(spec);

  // cAdvisor: through the kubelet on k3s; otherwise the DaemonSet, pointed at the platform's containerd.
  if (p.cadvisorThroughKubelet) fill(['cadvisor'], { mode: 'kubelet' });
  fill(['cadvisor', 'containerd'], p.containerd);
  // Kubelet serving certificates: skip verification only where the platform's are self-signed.
  fill(['kubelet'], { tlsInsecureSkipVerify: p.kubeletSelfSigned });
  // Volumes: the platform's storage class.
  if (p.storageClassName) {
    fill(['prometheus', 'storage'], { storageClassName: p.storageClassName });
    fill(['loki', 'storage'], { storageClassName: p.storageClassName });
    fill(['alerting', 'alertmanager', 'storage'], { storageClassName: p.storageClassName });
  }
  // Grafana's persistence is `true | false | { ... }`: only `true` or unset become an object with the class (and size).
  const grafana = at(['grafana']);
  if (grafana && (grafana.persistence === undefined || grafana.persistence === true)) {
    grafana.persistence = {
      ...(p.storageClassName ? { storageClassName: p.storageClassName } : {}),
      ...(p.sizing ? { size: p.sizing.grafana.storageSize } : {}),
    };
  } else if (grafana && isObj(grafana.persistence)) {
    fill(['grafana', 'persistence'], { storageClassName: p.storageClassName, size: p.sizing?.grafana.storageSize });
  }
  // A small single server (k3s): the stack's sizes.
  if (p.sizing) {
    const s = p.sizing;
    // One server (spec.sizing, charts/core/sizing.ts): what the other derived sizes assume. The profile's own sizes
    // below are filled first, so on k3s they win over spec.sizing's; each field the spec sets wins over both.
    fill(['sizing'], { nodes: 1, cpusPerNode: 4 });
    resources(['prometheus'], s.prometheus.resources);
    fill(['prometheus', 'storage'], { size: s.prometheus.storageSize });
    resources(['loki'], s.loki.resources);
    fill(['loki', 'storage'], { size: s.loki.storageSize });
    resources(['grafana'], s.grafana.resources);
    resources(['kubeStateMetrics'], s.kubeStateMetrics.resources);
    fill(['alerting', 'alertmanager', 'storage'], { size: s.alertmanager.storageSize });
    resources(['logs', 'alloy'], s.alloy.resources);
    resources(['logs', 'events'], s.events.resources);
  }
  return out;
}
