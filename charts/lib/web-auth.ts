/**
 * Basic authentication enforced by Prometheus and Alertmanager themselves
 * (`--web.config.file`), so that no ingress controller, Gateway, port-forward
 * or pod in the cluster reaches them without credentials.
 *
 * Why the servers and not a proxy: both programs embed the Prometheus
 * exporter-toolkit (v0.14.0 in Prometheus 3.5.0, v0.13.2 in Alertmanager
 * 0.28.1), whose handler wraps every path of the listener with bcrypt basic
 * auth. It is one file in a Secret and one flag: no extra container, image or
 * OIDC provider, and no second door (a sidecar proxy leaves the original port
 * open to anything in the pod network that skips the proxy). oauth2-proxy for
 * SSO can still be put in front later; it would be an addition, not the lock.
 *
 * Two facts from exporter-toolkit's web/handler.go shape what follows:
 * - the web config is re-read on every request: a rotated Secret applies
 *   without a restart;
 * - a web config with no `basic_auth_users` serves everything WITHOUT auth.
 *   The stack cannot read the Secret, so the readiness probe checks it at
 *   run time: a pod that answers an anonymous request is never Ready, so no
 *   Service, Ingress or HTTPRoute sends traffic to it.
 *
 * Probes: kubelet HTTP probes cannot send credentials without writing them
 * into the pod spec (httpHeaders), and the toolkit protects /-/ready and
 * /-/healthy like every other path. So readiness is an exec probe (the images
 * are built on quay.io/prometheus/busybox, the busybox:uclibc image: sh, wget,
 * base64, tr), reading the password from the mounted Secret; liveness is a TCP
 * check of the port, so a wrong password (an operator error that readiness
 * reports) never restarts Prometheus into a WAL replay loop.
 */
import { k8s } from 'cdk8s-plus-28';
import { WEB_AUTH_DIR, webAuthPasswordFile, webConfigFile, type WebAuthRef } from '../core/web-auth';
import type { ProbeOptions } from './workload';

export const WEB_AUTH_VOLUME = 'web-auth';

/** The `--web.config.file` flag of Prometheus and Alertmanager. */
export function webConfigArg(a: WebAuthRef): string {
  return `--web.config.file=${webConfigFile(a)}`;
}

/**
 * The Secret volume: only the keys this pod reads (`keys`), never optional, so
 * a pod waits (ContainerCreating) until the user has created the Secret.
 */
export function webAuthVolume(a: WebAuthRef, keys: readonly ('password' | 'webConfig')[]): k8s.Volume {
  const names = keys.map((k) => (k === 'password' ? a.passwordKey : a.webConfigKey));
  return {
    name: WEB_AUTH_VOLUME,
    secret: { secretName: a.secretName, optional: false, items: [...new Set(names)].sort().map((key) => ({ key, path: key })) },
  };
}

export const webAuthMount: k8s.VolumeMount = { name: WEB_AUTH_VOLUME, mountPath: WEB_AUTH_DIR, readOnly: true };

/**
 * The readiness check script: fails when the server answers without
 * credentials (a web config without users), then asks `path` with them.
 */
export function authCheckScript(a: WebAuthRef, port: number, path: string): string {
  const url = `http://127.0.0.1:${port}${path}`;
  return [
    `if wget -q -O /dev/null ${url}; then echo "${url} answers an anonymous request, so the web config (Secret ${a.secretName}, key ${a.webConfigKey}) lists no basic_auth_users" >&2; exit 1; fi`,
    `exec wget -q -O /dev/null --header "Authorization: Basic $(printf '%s:%s' '${a.username}' "$(cat ${webAuthPasswordFile(a)})" | base64 | tr -d '\\n')" ${url}`,
  ].join('\n');
}

/** Exec readiness (or startup) probe of an authenticated server; see the file comment. */
export function authProbe(a: WebAuthRef, port: number, path: string, o: ProbeOptions = {}): k8s.Probe {
  return {
    exec: { command: ['sh', '-c', authCheckScript(a, port, path)] },
    ...(o.initialDelaySeconds ? { initialDelaySeconds: o.initialDelaySeconds } : {}), // 0, the default, is dropped by the server
    periodSeconds: o.periodSeconds ?? 10,
    timeoutSeconds: o.timeoutSeconds ?? 8,
    failureThreshold: o.failureThreshold ?? 3,
  };
}

/** Liveness of an authenticated server: its port accepts connections. */
export function tcpProbe(port: string | number, o: ProbeOptions = {}): k8s.Probe {
  return {
    tcpSocket: { port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port) },
    ...(o.initialDelaySeconds ? { initialDelaySeconds: o.initialDelaySeconds } : {}), // 0, the default, is dropped by the server
    periodSeconds: o.periodSeconds ?? 10,
    timeoutSeconds: o.timeoutSeconds ?? 3,
    failureThreshold: o.failureThreshold ?? 3,
  };
}
