/**
 * References to credentials the stack never holds: a key of an existing
 * Kubernetes Secret (or, for public CA certificates, a ConfigMap) in the
 * namespace of the workload that reads it. Shared by remote write
 * (spec.prometheus.remoteWrite), Loki object storage and external Loki
 * (spec.loki), and Grafana's datasource overrides (spec.grafana.datasources).
 *
 * Credentials reach programs as files mounted from the Secret (Prometheus'
 * `*_file` fields, Promtail/Alloy `password_file`) or as environment variables
 * from `secretKeyRef` (AWS/Azure SDK chains, Loki's `-config.expand-env`),
 * never as values in a config file or in dist/.
 */
import { z } from 'zod';
import { dnsLabel } from './formats';

/** Secret and ConfigMap names are DNS subdomains (RFC 1123). */
export const objectName = () =>
  z.string().regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: (i) =>
      `expected a Kubernetes object name such as "mimir-credentials" (lowercase letters, digits, "-", "."), found ${JSON.stringify(i.input)}`,
  });

/** Keys of a Secret or ConfigMap: [-._a-zA-Z0-9]+. */
export const dataKey = (example: string) =>
  z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
    error: (i) => `expected a key such as "${example}" (letters, digits, "-", "_", "."), found ${JSON.stringify(i.input)}`,
  });

/** `{ name, key }`: one key of an existing Secret. */
export const secretKeyRef = (exampleKey: string) =>
  z.strictObject({
    name: objectName().describe('existing Secret in the namespace of the workload that reads it (never written by the stack)'),
    key: dataKey(exampleKey).default(exampleKey).describe('key inside the Secret'),
  });
export type SecretKeyRef = z.output<ReturnType<typeof secretKeyRef>>;

/** A CA bundle (PEM) from a ConfigMap or a Secret. */
export const caRef = () =>
  z
    .strictObject({
      configMap: z
        .strictObject({ name: objectName(), key: dataKey('ca.crt').default('ca.crt') })
        .optional()
        .describe('ConfigMap holding the CA bundle'),
      secret: z
        .strictObject({ name: objectName(), key: dataKey('ca.crt').default('ca.crt') })
        .optional()
        .describe('Secret holding the CA bundle'),
    })
    .refine((c) => (c.configMap ? 1 : 0) + (c.secret ? 1 : 0) === 1, { error: 'set exactly one of configMap or secret' });
export type CaRef = z.output<ReturnType<typeof caRef>>;

/** A mounted file: where a referenced key appears inside a container. */
export interface MountedKey {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly key: string;
}

/**
 * The volumes and mounts that expose referenced keys as files under `root`
 * (`<root>/<kind>/<name>/<key>`), one volume per distinct object, only the
 * keys referenced (items), read-only.
 */
export class MountedRefs {
  private readonly refs = new Map<string, { kind: 'Secret' | 'ConfigMap'; name: string; keys: Set<string> }>();

  constructor(private readonly root: string) {}

  /** The path of `key` of the Secret/ConfigMap `name` inside the container. */
  public file(kind: 'Secret' | 'ConfigMap', name: string, key: string): string {
    const id = `${kind}/${name}`;
    const r = this.refs.get(id) ?? { kind, name, keys: new Set<string>() };
    r.keys.add(key);
    this.refs.set(id, r);
    return `${this.root}/${kind === 'Secret' ? 'secrets' : 'configmaps'}/${name}/${key}`;
  }

  public ca(ca: CaRef): string {
    return ca.secret ? this.file('Secret', ca.secret.name, ca.secret.key) : this.file('ConfigMap', ca.configMap!.name, ca.configMap!.key);
  }

  public get empty(): boolean {
    return this.refs.size === 0;
  }

  /** Pod volumes (names `ref-<kind>-<n>`). */
  public volumes(): {
    name: string;
    secret?: { secretName: string; items: { key: string; path: string }[] };
    configMap?: { name: string; items: { key: string; path: string }[] };
  }[] {
    return this.sorted().map(([, r], i) => {
      const items = [...r.keys].sort().map((key) => ({ key, path: key }));
      const name = `ref-${r.kind === 'Secret' ? 'secret' : 'cm'}-${i}`;
      return r.kind === 'Secret' ? { name, secret: { secretName: r.name, items } } : { name, configMap: { name: r.name, items } };
    });
  }

  public mounts(): { name: string; mountPath: string; readOnly: true }[] {
    return this.sorted().map(([, r], i) => ({
      name: `ref-${r.kind === 'Secret' ? 'secret' : 'cm'}-${i}`,
      mountPath: `${this.root}/${r.kind === 'Secret' ? 'secrets' : 'configmaps'}/${r.name}`,
      readOnly: true as const,
    }));
  }

  private sorted() {
    return [...this.refs.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}

/** A cluster name: the `cluster` label value on every series, alert and log stream. */
export const clusterName = () => dnsLabel();
