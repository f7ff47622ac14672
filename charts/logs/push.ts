/**
 * What a log collector adds to its pushes (issue 12): the `cluster` label on
 * every stream it ships, and, for an external Loki, the tenant header and the
 * credentials, read from files mounted from Secrets in the collector's
 * namespace (never written into the collector's config).
 */
import type { ILogPush } from '../core/component';
import { MountedRefs } from '../spec/secret-ref';

export interface LogPushClient {
  readonly url: string;
  /** Labels on every stream: `{ cluster }` when spec.cluster is set. */
  readonly externalLabels: Record<string, string>;
  readonly tenant?: string;
  readonly basic?: { readonly username: string; readonly passwordFile: string };
  readonly bearerTokenFile?: string;
  readonly caFile?: string;
  /** The Secret/ConfigMap keys the files above come from (volumes and mounts of the DaemonSet). */
  readonly refs: MountedRefs;
}

export function logPushClient(loki: ILogPush, cluster: string | undefined, refsRoot: string): LogPushClient {
  const refs = new MountedRefs(refsRoot);
  const a = loki.auth;
  return {
    url: loki.pushUrl,
    externalLabels: cluster ? { cluster } : {},
    ...(loki.tenant ? { tenant: loki.tenant } : {}),
    ...(a?.basic
      ? { basic: { username: a.basic.username, passwordFile: refs.file('Secret', a.basic.password.name, a.basic.password.key) } }
      : {}),
    ...(a?.bearer ? { bearerTokenFile: refs.file('Secret', a.bearer.token.name, a.bearer.token.key) } : {}),
    ...(a?.ca ? { caFile: refs.ca(a.ca) } : {}),
    refs,
  };
}
