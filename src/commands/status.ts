import { MigCommand, dirFlag, jsonFlag, stateFlag } from '../cli/base.js';
import { Flags } from '@oclif/core';
import { FileStateStore } from '../state/index.js';
import { renderStatus, statusOf } from '../cli/views/status.js';
import { sourceLag } from '../apply/lag.js';
import { loadSpecs } from '../spec/index.js';

export default class Status extends MigCommand {
  static override summary = 'Show each migration: table phases, rows copied, checkpoint and lag.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --offline'];
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    json: jsonFlag,
    offline: Flags.boolean({ description: 'do not connect to the sources to measure lag' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const state = await new FileStateStore(flags.state).read();
    const lags = new Map<string, number | null>();
    if (!flags.offline) {
      const { migrations } = await loadSpecs(flags.dir);
      for (const l of migrations) {
        const ms = state.migrations[l.migration.metadata.name];
        if (ms) lags.set(ms.name, await sourceLag(l.migration, ms, flags.dir));
      }
    }
    const s = statusOf(state, lags);
    this.out(flags.json ? JSON.stringify({ serial: state.serial, migrations: s }, null, 2) : renderStatus(s));
  }
}
