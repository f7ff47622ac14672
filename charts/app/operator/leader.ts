/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the holder renews
 * `spec.renewTime` every `retryMs`; a candidate takes the Lease once it has seen the same record unchanged for
 * `leaseDurationMs` (its own clock: no trust in the holder's timestamps) or when the holder released it (empty
 * holderIdentity). Every write is an update carrying the resourceVersion read, so two candidates never both
 * win. A holder that cannot renew within `renewDeadlineMs` stops leading (the caller exits); on shutdown the
 * holder releases the Lease, so a standby takes over within one retry instead of a lease duration.
 */
import { KubeError, type Kube } from '../live/kube';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a standby waits on an unchanged record before taking the Lease. @default 15 000 */
  readonly leaseDurationMs?: number;
  /** How long the holder keeps trying to renew before it stops leading. @default 10 000 */
  readonly renewDeadlineMs?: number;
  /** Between two attempts (acquire or renew). @default 2 000 */
  readonly retryMs?: number;
  readonly log?: (line: string) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** MicroTime as the API server writes it (RFC 3339 with microseconds). */
const microTime = (d = new Date()) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  /** The last time this process talked to the API server successfully (health: /healthz, /readyz). */
  public lastContact = 0;
  public leading = false;
  private observed?: { key: string; at: number };
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly kube: Kube,
    private readonly o: LeaderElectionOptions,
  ) {
    this.leaseMs = o.leaseDurationMs ?? 15_000;
    this.renewMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryMs ?? 2_000;
    if (!(this.renewMs < this.leaseMs && this.retryMs < this.renewMs))
      throw new Error('leader election: expected retry < renew deadline < lease duration');
    this.log = o.log ?? (() => undefined);
  }

  private path(name?: string): Promise<string> {
    return this.kube.path('coordination.k8s.io/v1', 'Lease', this.o.namespace, name);
  }

  private record(holder: string, old?: Lease): Lease {
    const now = microTime();
    const prev = old?.spec ?? {};
    const same = prev.holderIdentity === holder;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.name,
        namespace: this.o.namespace,
        ...(old?.metadata.resourceVersion ? { resourceVersion: old.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: same && prev.acquireTime ? prev.acquireTime : now,
        renewTime: now,
        leaseTransitions: (prev.leaseTransitions ?? 0) + (same || !prev.holderIdentity ? 0 : 1),
      },
    };
  }

  /** One attempt to acquire or renew: true when this process holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const live = await this.kube.request<Lease | undefined>('GET', await this.path(this.o.name), { allow404: true });
    this.lastContact = Date.now();
    if (!live) {
      try {
        await this.kube.request('POST', await this.path(), { body: this.record(this.o.identity) });
        return true;
      } catch (e) {
        if (e instanceof KubeError && e.status === 409) return false; // another candidate created it first
        throw e;
      }
    }
    const holder = live.spec?.holderIdentity ?? '';
    const key = `${holder} ${live.spec?.renewTime ?? ''} ${live.metadata.resourceVersion ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, at: Date.now() };
    const expired = Date.now() - this.observed.at > (live.spec?.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    if (holder && holder !== this.o.identity && !expired) return false;
    try {
      await this.kube.request('PUT', await this.path(this.o.name), { body: this.record(this.o.identity, live) });
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.status === 409) return false; // the record changed since it was read
      throw e;
    }
  }

  /** Resolves once this process holds the Lease (or `signal` aborted: false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    let waiting = false;
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          this.log(`leader election: ${this.o.identity} holds Lease ${this.o.namespace}/${this.o.name}`);
          return true;
        }
        if (!waiting) {
          waiting = true;
          this.log(`leader election: Lease ${this.o.namespace}/${this.o.name} held by another replica; waiting`);
        }
      } catch (e) {
        this.log(`leader election: ${(e as Error).message}`);
      }
      await sleep(this.retryMs, signal);
    }
    return false;
  }

  /** Renews every retry period until `signal` aborts (resolves true) or a renewal misses the deadline (false). */
  async keepLeading(signal: AbortSignal): Promise<boolean> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.retryMs, signal);
      if (signal.aborted) break;
      try {
        if (await this.tryAcquireOrRenew()) {
          lastRenew = Date.now();
          continue;
        }
        this.log(`leader election: Lease ${this.o.namespace}/${this.o.name} taken by another replica`);
        this.leading = false;
        return false;
      } catch (e) {
        this.log(`leader election: renewal failed: ${(e as Error).message}`);
      }
      if (Date.now() - lastRenew > this.renewMs) {
        this.log(`leader election: no renewal for ${this.renewMs} ms; stopping`);
        this.leading = false;
        return false;
      }
    }
    return true;
  }

  /** Give the Lease up (on shutdown) so a standby takes it at its next attempt. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const live = await this.kube.request<Lease | undefined>('GET', await this.path(this.o.name), { allow404: true });
      if (!live || live.spec?.holderIdentity !== this.o.identity) return;
      const body = { ...live, spec: { ...live.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() } };
      await this.kube.request('PUT', await this.path(this.o.name), { body });
      this.log(`leader election: released Lease ${this.o.namespace}/${this.o.name}`);
    } catch (e) {
      this.log(`leader election: release failed (a standby takes over when the Lease expires): ${(e as Error).message}`);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    if (signal.aborted) return r();
    const onAbort = () => {
      clearTimeout(t);
      r();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      r();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
