// Keeps one migration's runner lease for as long as its runner runs: takes it once, renews it on a
// timer, and says so when it is gone, so the runner stops before another runner's work is overwritten.
import { MigError } from '../util/errors.js';
import type { LeaseFence, LeaseOutcome, RunnerLease, StateStore } from './store.js';

export class LeaseKeeper {
  #lease?: RunnerLease;
  /** The id last held, kept after a loss so a fenced write names it and is refused by the store. */
  #lastId?: string;
  #timer?: NodeJS.Timeout;
  /** Local time the last renewal (or the take) was sent; the store counts the lease from about then. */
  #renewedAt = 0;
  #busy = false;

  constructor(
    private readonly store: StateStore,
    readonly migration: string,
    readonly leaseMs: number,
    private readonly onLost: (reason: string) => void = () => undefined,
    /** How often to renew; a third of the lease, so two renewals in a row may fail without losing it. */
    readonly renewMs: number = Math.max(50, Math.floor(leaseMs / 3)),
  ) {}

  get held(): boolean {
    return this.#lease !== undefined;
  }

  get lease(): RunnerLease | undefined {
    return this.#lease;
  }

  /** Tries once; on success renews until release() or a loss. */
  async acquire(): Promise<LeaseOutcome> {
    if (this.#lease) return { held: true, lease: this.#lease };
    const sentAt = Date.now();
    const outcome = await this.store.acquireLease(this.migration, this.leaseMs);
    if (!outcome.held) return outcome;
    this.#lease = outcome.lease;
    this.#lastId = outcome.lease.id;
    this.#renewedAt = sentAt;
    this.#startTimer();
    return outcome;
  }

  /** The entry for WriteOptions.fence. After a loss it still names the lost lease, so the store refuses the write. */
  fence(): LeaseFence {
    if (this.#lastId === undefined) {
      throw new MigError('lease-lost', `the runner lease of ${this.migration} was never taken`, 'acquire the lease before writing under it');
    }
    return { migration: this.migration, leaseId: this.#lastId, leaseMs: this.leaseMs };
  }

  async release(): Promise<void> {
    this.#stopTimer();
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease) await this.store.releaseLease(this.migration, lease.id);
  }

  #startTimer(): void {
    // unref: renewing must never keep the process alive; a runner that exits without releasing
    // simply stops renewing, and its stand-by takes over once the lease lapses.
    this.#timer = setInterval(() => void this.#renew(), this.renewMs);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #renew(): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    if (this.#busy) {
      // A renewal still waiting on a slow store would only race its successor; but one hung past
      // the lease means the lease may be another runner's by now.
      if (Date.now() - this.#renewedAt >= this.leaseMs) this.#lose(`renewing the runner lease ${lease.id} of ${this.migration} has hung for longer than the lease (${this.leaseMs} ms), so it may have lapsed`);
      return;
    }
    this.#busy = true;
    const sentAt = Date.now();
    try {
      const ours = await this.store.renewLease(this.migration, lease.id, this.leaseMs);
      if (this.#lease?.id !== lease.id) return;
      if (!ours) {
        this.#lose(`the runner lease ${lease.id} of ${this.migration} is no longer ours: it lapsed and another runner took it over, or it was released`);
        return;
      }
      this.#renewedAt = sentAt;
      this.#lease = { ...lease, expiresAt: new Date(sentAt + this.leaseMs).toISOString() };
    } catch (err) {
      // Transient failures are retried at the next tick; only once the lease must have lapsed
      // could another runner hold it, and from then on this one has to stop.
      if (this.#lease?.id === lease.id && Date.now() - this.#renewedAt >= this.leaseMs) {
        const why = err instanceof Error ? err.message : String(err);
        this.#lose(`could not renew the runner lease ${lease.id} of ${this.migration} for ${this.leaseMs} ms, so it may have lapsed: ${why}`);
      }
    } finally {
      this.#busy = false;
    }
  }

  #lose(reason: string): void {
    this.#stopTimer();
    this.#lease = undefined;
    this.onLost(reason);
  }
}
