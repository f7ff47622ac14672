/**
 * Who may call Prometheus and Alertmanager: the reference to the Secret that
 * holds their basic-auth users (a bcrypt web config) and the password the
 * stack's own clients send. A leaf module: facts shared by the servers
 * (Prometheus, Alertmanager) and their clients (Grafana, the Loki ruler,
 * Prometheus' own scrapes and alert delivery). No secret value ever appears
 * here or in dist/: only the Secret's name and keys.
 */

/** spec.webAuth, as the constructs read it. */
export interface WebAuthRef {
  /** Secret in the stack namespace, created by the user (never by the stack). */
  readonly secretName: string;
  /** The user the stack's own clients log in as; the web config must list it. */
  readonly username: string;
  /** Key of that user's plain password (read by the clients from a mounted file or an env var). */
  readonly passwordKey: string;
  /** Key of the exporter-toolkit web config (`basic_auth_users: {user: bcrypt hash}`) read by the servers. */
  readonly webConfigKey: string;
}

/** The defaults of spec.webAuth (also what a construct built outside the stack uses). */
export const DEFAULT_WEB_AUTH: WebAuthRef = {
  secretName: 'monitoring-web-auth',
  username: 'monitoring',
  passwordKey: 'password',
  webConfigKey: 'web-config.yml',
};

/** Where the web-auth Secret is mounted (read-only) in every pod that serves or calls Prometheus/Alertmanager. */
export const WEB_AUTH_DIR = '/etc/web-auth';

export const webAuthPasswordFile = (a: WebAuthRef): string => `${WEB_AUTH_DIR}/${a.passwordKey}`;
export const webConfigFile = (a: WebAuthRef): string => `${WEB_AUTH_DIR}/${a.webConfigKey}`;

/** The basic_auth block of a Prometheus client config (scrape job, alertmanagers entry): password from the mounted Secret. */
export function promBasicAuth(a: WebAuthRef): { username: string; password_file: string } {
  return { username: a.username, password_file: webAuthPasswordFile(a) };
}

/** The stack's web auth, or the defaults (a construct built outside MonitoringStack is authenticated too). */
export function webAuthOf(ctx: { readonly webAuth?: WebAuthRef }): WebAuthRef {
  return ctx.webAuth ?? DEFAULT_WEB_AUTH;
}
