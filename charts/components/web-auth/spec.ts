/**
 * `spec.webAuth`: the Secret with the basic-auth users of Prometheus and
 * Alertmanager. There is no `enabled`: both always enforce authentication
 * themselves (charts/lib/web-auth.ts), whatever exposes them.
 *
 * Create the Secret before applying dist/ (the pods wait for it):
 *   PASSWORD="$(openssl rand -hex 24)"
 *   printf 'basic_auth_users:\n  monitoring: %s\n' "$(htpasswd -nbB monitoring "$PASSWORD" | cut -d: -f2)" > web-config.yml
 *   kubectl -n monitoring create secret generic monitoring-web-auth \
 *     --from-literal=password="$PASSWORD" --from-file=web-config.yml
 */
import { z } from 'zod';
import { DEFAULT_WEB_AUTH } from '../../core/web-auth';

const secretKey = (d: string) =>
  z
    .string()
    .regex(/^[-._a-zA-Z0-9]{1,253}$/, {
      error: (i) => `expected a Secret key such as "${d}" (letters, digits, "-", "_", "."), found ${JSON.stringify(i.input)}`,
    })
    .default(d);

export const webAuthSchema = z
  .strictObject({
    secretName: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        error: (i) => `expected the name of a Secret in the stack namespace (lowercase DNS name), found ${JSON.stringify(i.input)}`,
      })
      .default(DEFAULT_WEB_AUTH.secretName)
      .describe(
        "Secret in spec.namespace (created by you, never by the stack) holding the web config of Prometheus and Alertmanager and the password of the stack's own user",
      ),
    username: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, {
        error: (i) => `expected a user name of letters, digits, ".", "_" or "-" (no ":"), found ${JSON.stringify(i.input)}`,
      })
      .default(DEFAULT_WEB_AUTH.username)
      .describe('user that Grafana, the Loki ruler and Prometheus itself log in as; web-config.yml must list it under basic_auth_users'),
    passwordKey: secretKey(DEFAULT_WEB_AUTH.passwordKey).describe("key of that user's plain password in the Secret"),
    webConfigKey: secretKey(DEFAULT_WEB_AUTH.webConfigKey).describe(
      'key of the web config (basic_auth_users: {user: bcrypt hash}; npm run secrets writes it) in the Secret',
    ),
  })
  .prefault({})
  .describe('basic authentication that Prometheus and Alertmanager enforce themselves (--web.config.file); always on');

export type WebAuthSpec = z.output<typeof webAuthSchema>;

/** The spec sections this component owns (composed into the schema by charts/registry.ts). */
export const specSections = { webAuth: webAuthSchema };
