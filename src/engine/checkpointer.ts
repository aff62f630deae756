// Owns the in-memory state during a run and persists it: at once for phase changes, at most every
// `intervalMs` for chunk cursors and stream checkpoints (a crash then re-sends at most that window:
// 250 ms keeps it small for a few fsyncs a second).
//
// A runner shares the state with `mig apply` (which records approved generations) and with runners
// of other migrations, none of which hold a lock while they write. A write that finds the state
// moved folds in the other writers' parts (mergeRunnerState) and writes again. Writes made under a
// lease are fenced: once another runner took the lease over, nothing more is written.
import type { State } from '../state/model.js';
import type { StateStore, WriteOptions } from '../state/store.js';
import { mergeRunnerState } from '../state/generation.js';
import { MigError } from '../util/errors.js';

export interface CheckpointerOptions {
  intervalMs?: number;
  /** Migrations whose progress this process owns (the ones it runs). */
  runs?: ReadonlySet<string>;
  /** The leases every write must still hold. */
  fence?: () => NonNullable<WriteOptions['fence']>;
}

const MAX_CONFLICTS = 50;

export class Checkpointer {
  private lastWrite = 0;
  /** Throttled saves skipped, and how many of them the last write covered: the state in hand is ahead while they differ. */
  private skipped = 0;
  private covered = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(
    private readonly store: StateStore,
    public state: State,
    private readonly opts: CheckpointerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 250;
  }

  /** Persists now. Writes are serialised so the serial check in the store never races with itself. */
  save(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /**
   * Persists unless the last write was less than the interval ago. `maxSkipped`: persists anyway
   * once that many calls in a row were skipped, which bounds what a crash makes the caller redo by
   * a count, not only by time (the full load's chunks arrive faster than the interval).
   */
  async saveThrottled(maxSkipped = Infinity): Promise<void> {
    if (Date.now() - this.lastWrite >= this.intervalMs || this.skipped - this.covered >= maxSkipped) await this.save();
    else this.skipped++;
  }

  /**
   * Stores what a throttled save skipped. A stream that goes quiet calls it, so the stored
   * checkpoint (and the lag read from it) catches up with what the destination already has.
   */
  async saveIfDirty(): Promise<void> {
    if (this.skipped !== this.covered) await this.save();
  }

  /** Reads what the other writers stored and folds it in, without writing. */
  async refresh(): Promise<State> {
    const disk = await this.store.read();
    if (this.opts.runs) mergeRunnerState(this.state, disk, this.opts.runs);
    return disk;
  }

  private async write(): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        const covering = this.skipped;
        const fence = this.opts.fence?.();
        // Keep our object (runners hold references into it); only the serial moves.
        const written = await this.store.write(this.state, fence && fence.length > 0 ? { fence } : undefined);
        this.state.serial = written.serial;
        this.state.lineage = written.lineage;
        this.lastWrite = Date.now();
        this.covered = covering;
        return;
      } catch (e) {
        if (!this.opts.runs || !(e instanceof MigError && e.code === 'state-conflict') || conflicts >= MAX_CONFLICTS) throw e;
        await this.refresh();
      }
    }
  }
}
