import { MigCommand, jsonFlag, stateFlag, stateUrlFlag } from '../../cli/base.js';
import { openStateStore } from '../../config/index.js';
import { encodeState } from '../../state/statefile.js';
import { formatPosition } from '../../model/position-text.js';

export default class StateShow extends MigCommand {
  static override summary = 'Print the recorded state: applied specs, table phases, checkpoints, the lock.';
  static override examples = ['<%= config.bin %> state show', '<%= config.bin %> state show --json'];
  static override flags = { state: stateFlag, 'state-url': stateUrlFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateShow);
    const store = await openStateStore(flags);
    const [state, lock] = await Promise.all([store.read(), store.currentLock()]).finally(() => store.close?.());
    // Serial 0: nothing was ever written. The store hands out a lineage for a first write to use;
    // shown here it would be a different one on every call, and belong to no state.
    const recorded = state.serial > 0;
    if (flags.json) {
      this.outJson({ location: store.location, lock: lock ?? null, state: recorded ? JSON.parse(encodeState(state)) : null });
      return;
    }
    if (!recorded) this.out(`No state recorded yet in ${store.location}: mig apply records the first one.`);
    else this.out(`state ${store.location}: version ${state.version}, serial ${state.serial}, lineage ${state.lineage}`);
    this.out(lock ? `locked by ${lock.operation} (id ${lock.id}, pid ${lock.pid} on ${lock.host}, since ${lock.time})` : 'not locked');
    for (const m of Object.values(state.migrations)) {
      this.out(`\nmigration ${m.name}  digest ${m.digest}  applied ${m.appliedAt}`);
      this.out(`  snapshot ${formatPosition(m.snapshot?.position)}  checkpoint ${formatPosition(m.checkpoint)}`);
      if (m.feed) {
        const at = Object.entries(m.feed.positions).map(([f, p]) => `${f} offset ${p.offset}${p.commitTs ? ` (commit ts ${p.commitTs})` : ''}`);
        this.out(`  feed: after commit ts ${m.feed.startTs} (snapshot ${m.feed.takenAt}), at ${at.length > 0 ? at.join(', ') : '-'}`);
      }
      for (const t of Object.values(m.tables)) {
        this.out(`  ${t.id}: ${t.phase}${t.fullDoneAt ? ' (full done)' : ''}, ${t.rowsCopied} rows, cursor ${t.cursor ? JSON.stringify(t.cursor) : '-'}, topic ${t.target}`);
      }
      for (const [topic, v] of Object.entries(m.topics)) this.out(`  topic ${topic}: ${v.partitions} partitions`);
    }
  }
}
