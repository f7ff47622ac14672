/**
 * `spec.grafana.datasources` (issue 12): point Grafana's Prometheus, Loki and
 * Alertmanager datasources at central stores (Mimir/Thanos/VictoriaMetrics
 * query URL, a shared Loki, Mimir's Alertmanager) instead of the in-cluster
 * Services, with credentials by Secret reference. Grafana reads them from
 * files mounted from the Secrets through provisioning's `$__file{<path>}`
 * expansion, so no credential is in the provisioning ConfigMap.
 */
import { z } from 'zod';
import { caRef, MountedRefs, secretKeyRef } from '../../spec/secret-ref';

const datasourceOverride = (extra: z.ZodRawShape = {}) =>
  z.strictObject({
    url: z
      .url({
        protocol: /^https?$/,
        error: (i) => `expected an http(s) URL such as "https://mimir.example.com/prometheus", found ${JSON.stringify(i.input)}`,
      })
      .describe('query URL (Mimir: <gateway>/prometheus; Thanos Query; VictoriaMetrics vmselect .../select/<tenant>/prometheus)'),
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9!._*'()|-]{1,150}$/)
      .optional()
      .describe('X-Scope-OrgID (several tenants: "a|b")'),
    auth: z
      .strictObject({
        basic: z.strictObject({ username: z.string().min(1), password: secretKeyRef('password') }).optional(),
        bearer: z.strictObject({ token: secretKeyRef('token') }).optional(),
      })
      .refine((a) => !(a.basic && a.bearer), { error: 'set one of basic or bearer' })
      .optional()
      .describe('credentials from a Secret in spec.namespace'),
    tls: z.strictObject({ ca: caRef() }).optional(),
    ...extra,
  });

export const grafanaDatasourcesSchema = z
  .strictObject({
    prometheus: datasourceOverride({
      type: z.enum(['Prometheus', 'Mimir', 'Thanos', 'Cortex']).default('Prometheus').describe('jsonData.prometheusType'),
    }).optional(),
    loki: datasourceOverride().optional(),
    alertmanager: datasourceOverride({
      implementation: z.enum(['prometheus', 'mimir', 'cortex']).default('prometheus').describe('jsonData.implementation'),
    }).optional(),
  })
  .prefault({})
  .describe("override the datasources' URLs (central stores); default: the in-cluster Services");

export type GrafanaDatasourcesSpec = z.output<typeof grafanaDatasourcesSchema>;
type Override = NonNullable<GrafanaDatasourcesSpec['prometheus' | 'loki' | 'alertmanager']>;

/** Where the referenced keys are mounted in the Grafana container. */
export const GRAFANA_REFS_DIR = '/etc/grafana-refs';

export interface DatasourceAuthFields {
  url: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  jsonData: Record<string, string | number | boolean>;
  secureJsonData?: Record<string, string>;
}

/** Apply one override: URL, headers, credentials as `$__file{}` references to the mounted keys. */
export function applyOverride<T extends DatasourceAuthFields>(ds: T, o: Override | undefined, refs: MountedRefs): T {
  if (!o) return ds;
  const file = (kind: 'Secret', name: string, key: string) => `$__file{${refs.file(kind, name, key)}}`;
  const jsonData: Record<string, string | number | boolean> = { ...ds.jsonData };
  const secure: Record<string, string> = {};
  let header = 0;
  const addHeader = (name: string, value: string) => {
    header += 1;
    jsonData[`httpHeaderName${header}`] = name;
    secure[`httpHeaderValue${header}`] = value;
  };
  if (o.tenant) addHeader('X-Scope-OrgID', o.tenant);
  if (o.auth?.bearer) addHeader('Authorization', `Bearer ${file('Secret', o.auth.bearer.token.name, o.auth.bearer.token.key)}`);
  if (o.tls?.ca) {
    jsonData.tlsAuthWithCACert = true;
    secure.tlsCACert = `$__file{${refs.ca(o.tls.ca)}}`;
  }
  if ('type' in o && o.type) jsonData.prometheusType = o.type as string;
  if ('implementation' in o && o.implementation) jsonData.implementation = o.implementation as string;
  const basic = o.auth?.basic;
  if (basic) secure.basicAuthPassword = file('Secret', basic.password.name, basic.password.key);
  return {
    ...ds,
    url: o.url,
    ...(basic ? { basicAuth: true, basicAuthUser: basic.username } : {}),
    jsonData,
    ...(Object.keys(secure).length ? { secureJsonData: secure } : {}),
  };
}

/** The Secret keys the datasource overrides read as files, mounted read-only under GRAFANA_REFS_DIR. */
export function grafanaRefs(): MountedRefs {
  return new MountedRefs(GRAFANA_REFS_DIR);
}
