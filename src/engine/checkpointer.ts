// Owns the in-memory state during apply and persists it: at once for phase changes and chunk cursors,
// at most every `intervalMs` for stream checkpoints (a crash then re-sends at most that window:
// 250 ms keeps it small for a few fsyncs a second).
import type { State } from '../state/model.js';
import type { StateStore } from '../state/store.js';

export class Checkpointer {
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    public state: State,
    private readonly intervalMs = 250,
  ) {}

  /** Persists now. Writes are serialised so the serial check in the store never races with itself. */
  save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      // Keep our object (runners hold references into it); only the serial moves.
      const written = await this.store.write(this.state);
      this.state.serial = written.serial;
      this.state.lineage = written.lineage;
      this.lastWrite = Date.now();
    });
    return this.writing;
  }

  /** Persists unless the last write was less than the interval ago. */
  async saveThrottled(): Promise<void> {
    if (Date.now() - this.lastWrite >= this.intervalMs) await this.save();
  }
}
