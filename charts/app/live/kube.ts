/**
 * A small Kubernetes REST client for the live commands and the operator.
 * @kubernetes/client-node reads the kubeconfig exactly as kubectl does
 * (`KUBECONFIG` with its list of files, `--kubeconfig`, `--context`, the
 * in-cluster service account) and signs each request; the requests
 * themselves are plain JSON over https, so objects travel unchanged (the
 * generated model classes would drop fields of kinds they do not know) and
 * server-side apply, dry runs and watches are each one request.
 */
import * as http from 'http';
import * as https from 'https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Field manager of everything the CLI and the operator apply. */
export const FIELD_MANAGER = 'ai-monitoring';

export interface KubeOptions {
  /** --kubeconfig: a kubeconfig file (else $KUBECONFIG, else ~/.kube/config, else in-cluster). */
  readonly kubeconfig?: string;
  /** --context: a context of the kubeconfig (else its current-context). */
  readonly context?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    managedFields?: { manager?: string; operation?: string }[];
    [k: string]: unknown;
  };
  [k: string]: any;
}

export class KubeError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly reason?: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** Load the kubeconfig like kubectl: --kubeconfig, else $KUBECONFIG / ~/.kube/config, else in-cluster. */
export function loadKubeConfig(opts: KubeOptions = {}): KubeConfig {
  // client-node 1.x is an ES module: required here (Node >= 20.19 loads it from CommonJS), so modules that only
  // need this file's types and helpers (and jest, which runs CommonJS) never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KubeConfig: Config } = require('@kubernetes/client-node') as typeof import('@kubernetes/client-node');
  const kc = new Config();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new Error(
        `--context ${opts.context}: no such context in the kubeconfig (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('no cluster in the kubeconfig: set KUBECONFIG or pass --kubeconfig (and --context)');
  return kc;
}

type Query = Record<string, string | number | boolean | undefined>;

export class Kube {
  private readonly server: URL;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();
  /** Requests made (a measure of the work done; the operator's tests read it). */
  public requests = 0;

  constructor(public readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    this.server = new URL(cluster.server);
  }

  static connect(opts: KubeOptions = {}): Kube {
    return new Kube(loadKubeConfig(opts));
  }

  private async options(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string>,
  ): Promise<https.RequestOptions> {
    const qs = Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const base = this.server.pathname.replace(/\/+$/, '');
    const o: https.RequestOptions = {
      method,
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
      port: this.server.port || undefined,
      path: `${base}${path}${qs ? `?${qs}` : ''}`,
      headers: { Accept: 'application/json', ...headers },
    };
    await this.config.applyToHTTPSOptions(o);
    return o;
  }

  /** One request; JSON in and out. 404 resolves to undefined when `allow404`. */
  async request<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; contentType?: string; query?: Query; allow404?: boolean } = {},
  ): Promise<T> {
    const payload =
      opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    const headers: Record<string, string> = {};
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const o = await this.options(method, path, opts.query, headers);
    this.requests++;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const lib = o.protocol === 'http:' ? http : https;
      const req = lib.request(o as http.RequestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer within 60s`)));
      if (payload) req.write(payload);
      req.end();
    });
    if (status === 404 && opts.allow404) return undefined as T;
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (status >= 400) {
      const msg = typeof parsed === 'object' && parsed?.message ? parsed.message : String(text).slice(0, 300);
      throw new KubeError(`${method} ${path}: ${status} ${msg}`, status, parsed?.reason, parsed?.details);
    }
    return parsed as T;
  }

  /**
   * A watch: calls `onEvent` per event until `signal` aborts or the server
   * closes the stream (then resolves). Errors reject.
   */
  async watch(path: string, query: Query, onEvent: (type: string, obj: any) => void, signal: AbortSignal): Promise<void> {
    const o = await this.options('GET', path, { ...query, watch: 1, allowWatchBookmarks: true }, {});
    this.requests++;
    await new Promise<void>((resolve, reject) => {
      const lib = o.protocol === 'http:' ? http : https;
      const req = lib.request(o as http.RequestOptions, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          let t = '';
          res.on('data', (c) => {
            t += c;
          });
          res.on('end', () => reject(new KubeError(`watch ${path}: ${res.statusCode} ${t.slice(0, 300)}`, res.statusCode ?? 0)));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (!line) continue;
            try {
              const e = JSON.parse(line);
              onEvent(e.type, e.object);
            } catch (err) {
              req.destroy(err as Error);
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      const onAbort = () => {
        req.destroy();
        resolve();
      };
      req.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      req.on('close', () => signal.removeEventListener('abort', onAbort));
      signal.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }

  /** The resources of a group/version (undefined when the server does not serve it). Cached; `forget` drops the cache. */
  resources(apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = this.request<any>('GET', path, { allow404: true }).then((list) => {
        if (!list) return undefined;
        const m = new Map<string, ResourceInfo>();
        for (const r of list.resources ?? [])
          if (!String(r.name).includes('/')) m.set(r.kind, { plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
        return m;
      });
      p.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, p);
    }
    return p;
  }

  forget(apiVersion?: string): void {
    if (apiVersion) this.discovery.delete(apiVersion);
    else this.discovery.clear();
  }

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    return (await this.resources(apiVersion))?.get(kind);
  }

  /** The REST path of a kind's collection (in `namespace`), or of one object. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    if (!r)
      throw new KubeError(
        `the cluster does not serve ${kind} in ${apiVersion} (is its CRD installed? run ai-monitoring preflight)`,
        404,
        'NoKind',
      );
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${root}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  async get<T = KObject>(ref: ObjectRef): Promise<T | undefined> {
    return this.request<T>('GET', await this.path(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name), { allow404: true });
  }

  async list<T = KObject>(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<T[]> {
    const r = await this.resource(apiVersion, kind);
    if (!r) return [];
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced && opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
    const out: T[] = [];
    let cont: string | undefined;
    do {
      const page = await this.request<any>('GET', `${root}${ns}/${r.plural}`, {
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: 500, continue: cont },
      });
      for (const i of page.items ?? []) out.push({ apiVersion, kind, ...i });
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  /** Server-side apply of `obj` as FIELD_MANAGER (force: we own every field we set). */
  async apply<T = KObject>(obj: KObject, opts: { dryRun?: boolean; force?: boolean; fieldManager?: string } = {}): Promise<T> {
    const body = { ...obj, metadata: { ...obj.metadata } };
    delete (body.metadata as any).resourceVersion;
    return this.request<T>('PATCH', await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name), {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: opts.force ?? true, dryRun: opts.dryRun ? 'All' : undefined },
    });
  }

  /** Apply only `status` (the status subresource). */
  async applyStatus<T = KObject>(obj: KObject, fieldManager = FIELD_MANAGER): Promise<T> {
    return this.request<T>('PATCH', `${await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name)}/status`, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: true },
    });
  }

  async mergePatch<T = KObject>(ref: ObjectRef, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', await this.path(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name), {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  async create<T = KObject>(obj: KObject): Promise<T> {
    return this.request<T>('POST', await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace), {
      body: obj,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** Delete; true when it existed. `Background` lets the garbage collector remove dependents (ReplicaSets, pods). */
  async delete(
    ref: ObjectRef,
    opts: { dryRun?: boolean; propagation?: 'Background' | 'Foreground' | 'Orphan'; uid?: string } = {},
  ): Promise<boolean> {
    const r = await this.request('DELETE', await this.path(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name), {
      allow404: true,
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: opts.propagation ?? 'Background',
        ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
      },
    });
    return r !== undefined;
  }
}

/** `Kind ns/name` (or `Kind name` when cluster-scoped): how objects are named in every message. */
export function refText(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}
