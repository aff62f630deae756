import { MigCommand, dirFlag, jsonFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { Flags } from '@oclif/core';
import { openStateStore } from '../config/index.js';
import { renderStatus, statusOf } from '../cli/views/status.js';
import { sourceLag, targetColumn } from '../engine/lag.js';
import { loadSpecs } from '../spec/index.js';

export default class Status extends MigCommand {
  static override summary = 'Show each migration: table phases, rows copied, checkpoint and lag.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --offline'];
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: jsonFlag,
    offline: Flags.boolean({ description: 'do not connect to the sources to measure lag' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const store = await openStateStore(flags);
    const [state, leases] = await Promise.all([store.read(), store.leases()]).finally(() => store.close?.());
    const lags = new Map<string, number | null>();
    if (!flags.offline) {
      const { migrations } = await loadSpecs(flags.dir);
      for (const l of migrations) {
        const ms = state.migrations[l.migration.metadata.name];
        if (ms) lags.set(ms.name, await sourceLag(l.migration, ms, flags.dir));
      }
    }
    const s = statusOf(state, lags, targetColumn, leases);
    this.out(flags.json ? JSON.stringify({ serial: state.serial, migrations: s }, null, 2) : renderStatus(s));
  }
}
