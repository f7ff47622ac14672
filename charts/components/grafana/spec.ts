/**
 * `spec.grafana`: the Grafana Deployment, its provisioning and dashboards.
 *
 * The admin account comes from an existing Kubernetes Secret named here (the
 * spec and dist/ never hold a password); create it before applying dist/:
 *   kubectl -n <namespace> create secret generic grafana-admin \
 *     --from-literal=admin-user=admin --from-literal=admin-password="$(openssl rand -base64 24)"
 */
import { z } from 'zod';
import { imageSchema as commonImageSchema, resourcesSchema as commonResourcesSchema } from '../../spec/common';
import { dnsLabel, hostHint, quantity } from '../../spec/formats';
import { grafanaDatasourcesSchema } from './datasources';
import type { imageSchema as ImageSchema, resourcesSchema as ResourcesSchema } from '../../spec-schema';

/** RFC 1123 host name, e.g. grafana.example.com. */
const hostname = () =>
  z.string().regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: (i) =>
      `expected a host name such as "grafana.example.com" (lowercase, no scheme, no path), found ${JSON.stringify(i.input)}${hostHint(i.input)}`,
  });

/** Secret key names: [-._a-zA-Z0-9]+ (Kubernetes). */
const secretKey = () =>
  z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
    error: (i) => `expected a Secret key such as "admin-password" (letters, digits, "-", "_", "."), found ${JSON.stringify(i.input)}`,
  });

export const grafanaPersistenceSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe(
      'keep users, preferences and UI-made dashboards on a PersistentVolumeClaim; false uses an emptyDir (provisioned dashboards and datasources come back on restart, UI changes do not)',
    ),
  size: quantity('10Gi').default('10Gi').describe('volume size'),
  storageClassName: z.string().min(1).optional().describe('storage class; the cluster default when unset'),
});

/**
 * A function that receives schema.ts' imageSchema/resourcesSchema instead of
 * importing them: schema.ts imports this file, so a runtime import back would
 * be circular (whichever module loads first would see the other half-built).
 */
export const grafanaSchema = ({
  imageSchema,
  resourcesSchema,
}: {
  imageSchema: typeof ImageSchema;
  resourcesSchema: typeof ResourcesSchema;
}) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      image: imageSchema().optional().describe('override the pinned image'),
      domain: hostname().optional().describe('public host name of Grafana (e.g. grafana.example.com); sets server.domain and the root URL'),
      rootUrl: z
        .url({
          protocol: /^https?$/,
          error: (i) => `expected an absolute http(s) URL such as "https://grafana.example.com/", found ${JSON.stringify(i.input)}`,
        })
        .optional()
        .describe('server.root_url; defaults to https://<domain>/ when domain is set, else http://localhost:3000/ (kubectl port-forward)'),
      adminSecret: z
        .strictObject({
          name: dnsLabel()
            .default('grafana-admin')
            .describe('existing Secret in spec.namespace holding the admin user name and password (never written by the stack)'),
          userKey: secretKey().default('admin-user').describe('key of the admin user name in the Secret'),
          passwordKey: secretKey().default('admin-password').describe('key of the admin password in the Secret'),
        })
        .prefault({})
        .describe('the admin account comes from this Secret; the pod does not start until it exists (no default password is ever used)'),
      secretKeyRef: z
        .strictObject({
          name: dnsLabel().optional().describe('existing Secret in spec.namespace; defaults to adminSecret.name (one Secret to create)'),
          key: secretKey().default('secret-key').describe('key holding the random secret_key'),
        })
        .prefault({})
        .describe(
          '[security] secret_key, which encrypts the data source secrets Grafana stores, read from this Secret key (GF_SECURITY_SECRET_KEY); without it Grafana falls back to its public built-in default',
        ),
      persistence: z
        .union([z.boolean(), grafanaPersistenceSchema], {
          error: 'expected true, false or { enabled, size, storageClassName }',
        })
        .default(true)
        .describe('true/false, or { enabled, size, storageClassName }'),
      theme: z.enum(['dark', 'light', 'system']).default('dark').describe('default UI theme (users.default_theme)'),
      resources: resourcesSchema({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
      datasources: grafanaDatasourcesSchema,
    })
    .prefault({});

export type GrafanaSpec = z.output<ReturnType<typeof grafanaSchema>>;

/** persistence normalized to an object. */
export function grafanaPersistence(p: GrafanaSpec['persistence']): z.output<typeof grafanaPersistenceSchema> {
  if (typeof p === 'boolean') return grafanaPersistenceSchema.parse({ enabled: p });
  return p;
}

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { grafana: grafanaSchema({ imageSchema: commonImageSchema, resourcesSchema: commonResourcesSchema }) };
