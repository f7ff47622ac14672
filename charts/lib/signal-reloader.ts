/**
 * A sidecar that reloads a program by signal when its mounted configuration
 * changes: no HTTP endpoint anywhere.
 *
 * Why (Prometheus): `--web.enable-lifecycle` turns on POST /-/reload and
 * POST /-/quit on Prometheus' only listener, the one its Ingress exposes, so
 * anyone past the basic auth could stop or reconfigure it. The two ways out:
 *
 * - drop the flag and roll the pods on a config checksum: simple, but every
 *   rule or scrape change restarts Prometheus, which replays its WAL (minutes
 *   on a full volume, with no scraping and no alerting meanwhile);
 * - drop the flag and reload in place: Prometheus re-reads its config and
 *   rules on SIGHUP, exactly what /-/reload does, without a restart.
 *
 * The stack does the second: this sidecar shares the pod's process namespace
 * (`shareProcessNamespace: true`), runs as the same non-root user as the
 * program (so it may signal it without any capability), polls a checksum of
 * the mounted files (ConfigMap volumes change by an atomic symlink swap), and
 * sends SIGHUP when it changes. A bad config is rejected by the program,
 * which keeps the previous one (Prometheus: prometheus_config_last_reload_successful
 * == 0, alerted on). It has no port and no network access.
 */
import type { k8s } from 'cdk8s-plus-28';
import { containerSecurity, resources } from './workload';

export interface SignalReloaderOptions {
  /** The process name to signal, as in /proc/<pid>/comm (e.g. "prometheus"). */
  readonly process: string;
  /** Shell globs of the watched files (e.g. /etc/prometheus/*.yml). */
  readonly watch: readonly string[];
  /** A busybox-like image with sh, cat, cksum, sleep and kill. */
  readonly image: string;
  /** Seconds between checks. @default 10 */
  readonly intervalSeconds?: number;
  /** The pod's volume mounts holding the watched files (read-only). */
  readonly volumeMounts: k8s.VolumeMount[];
}

/**
 * The POSIX sh script (busybox and dash): prints one line per reload. WATCH
 * and INTERVAL come from the environment.
 */
export function signalReloaderScript(processName: string): string {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(processName)) throw new Error(`process name "${processName}" must be a /proc comm name (at most 15 characters)`);
  return [
    'set -u',
    // Contents of every watched file, in glob order; unmatched globs are skipped.
    'sum() { for f in $WATCH; do [ -f "$f" ] && cat "$f"; done | cksum; }',
    `pid() { for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "${processName}" ] && { echo "\${p#/proc/}"; return 0; }; done; return 1; }`,
    'last="$(sum)"',
    'echo "watching $WATCH"',
    'while sleep "$INTERVAL"; do',
    '  now="$(sum)"',
    '  [ "$now" = "$last" ] && continue',
    `  if p="$(pid)" && kill -HUP "$p"; then echo "configuration changed: sent SIGHUP to ${processName} (pid $p)"; last="$now"; fi`,
    'done',
  ].join('\n');
}

/** The sidecar container. */
export function signalReloaderContainer(o: SignalReloaderOptions): k8s.Container {
  const probe: k8s.Probe = {
    // Alive while it can see the process it reloads (the shared process namespace works).
    exec: { command: ['sh', '-c', `for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "${o.process}" ] && exit 0; done; exit 1`] },
    periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 10,
  };
  return {
    name: 'config-reloader',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', signalReloaderScript(o.process)],
    env: [
      { name: 'WATCH', value: o.watch.join(' ') },
      { name: 'INTERVAL', value: String(o.intervalSeconds ?? 10) },
    ],
    resources: resources({ requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '50m', memory: '16Mi' } }),
    securityContext: containerSecurity(),
    readinessProbe: probe,
    livenessProbe: probe,
    volumeMounts: o.volumeMounts.map((m) => ({ ...m, readOnly: true })),
  };
}
