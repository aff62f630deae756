import { Flags } from '@oclif/core';
import { MigCommand, jsonFlag } from '../../cli/base.js';
import { lockTimeoutFlag, lockWaitOf } from '../../cli/lock-timeout.js';
import { openConfiguredStore, openStoreRef, parseStoreRef, STORE_REF_FORMS, type StoreRef } from '../../config/index.js';
import { lockTableDdl, stateTableDdl } from '../../state/mysql-schema.js';
import { DEFAULT_STATE_NAME, DEFAULT_STATE_TABLE } from '../../state/mysql-url.js';
import type { StateStore } from '../../state/store.js';
import { transferState } from '../../state/transfer.js';

export default class StateMigrate extends MigCommand {
  static override summary = 'Copy the state to another backend (a file, or a MySQL/MariaDB table).';
  static override description = [
    `Copies the recorded state from --from (default: the store mig.config.yaml names, else .mig/state.json) to --to, holding the locks of both. The copy keeps its lineage, and its serial moves one past both copies, so plans saved against either are refused as stale. The source is left as it was.`,
    `A store is written as ${STORE_REF_FORMS}. A mysql:// URL may end in ?table=TABLE&name=NAME (defaults ${DEFAULT_STATE_TABLE} and ${DEFAULT_STATE_NAME}); keep passwords out of the command line with mysql:\${env:NAME}, quoted so the shell leaves it alone.`,
    `The target is refused when it already holds a state of another lineage, or a newer copy of this one, unless --force.`,
    `MySQL tables are created on first use, which needs the CREATE privilege; otherwise an administrator creates them once:\n\n${stateTableDdl(DEFAULT_STATE_TABLE)};\n\n${lockTableDdl(DEFAULT_STATE_TABLE)};`,
  ].join('\n\n');
  static override examples = [
    "<%= config.bin %> state migrate --to 'mysql:${env:MIG_STATE_URL}'   # the local file into MySQL",
    "<%= config.bin %> state migrate --from file:.mig/state.json --to 'mysql://mig@db.internal:3306/ops?table=mig_state&name=shop'",
    "<%= config.bin %> state migrate --from 'mysql:${env:MIG_STATE_URL}' --to file:.mig/state.json   # and back",
    '<%= config.bin %> state migrate --to file:backup/state.json --force   # overwrite whatever the target holds',
  ];
  static override flags = {
    to: Flags.string({ description: 'the store to copy into: file:PATH, mysql://… or mysql:${env:NAME}', required: true }),
    from: Flags.string({ description: 'the store to copy from (default: the configured store)' }),
    force: Flags.boolean({ description: 'overwrite a target holding another lineage or a newer serial' }),
    json: jsonFlag,
    'lock-timeout': lockTimeoutFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateMigrate);
    const toRef = parseStoreRef(flags.to, '--to');
    const opened: StateStore[] = [];
    try {
      const from = flags.from === undefined ? await openConfiguredStore() : await openStoreRef(parseStoreRef(flags.from, '--from'), '--from');
      opened.push(from);
      const to = await openStoreRef(toRef, '--to');
      opened.push(to);
      const { source, written, replaced } = await transferState(from, to, { force: flags.force, lockWait: lockWaitOf(flags['lock-timeout'], (line) => this.info(line)) });
      if (flags.json) {
        const replacedJson = replaced ? { lineage: replaced.lineage, serial: replaced.serial } : null;
        this.outJson({ lineage: source.lineage, migrations: Object.keys(source.migrations), from: { location: from.location, serial: source.serial }, to: { location: to.location, serial: written.serial }, replaced: replacedJson, config: { state: configState(toRef) } });
        return;
      }
      this.out(`Copied the state (lineage ${source.lineage}, serial ${source.serial}, ${Object.keys(source.migrations).length} migration(s))`);
      this.out(`  from ${from.location}`);
      this.out(`  to   ${to.location}, where it is now serial ${written.serial}.`);
      if (replaced) {
        const what = replaced.lineage === source.lineage ? `its older copy (serial ${replaced.serial})` : `a state of another lineage (${replaced.lineage}, serial ${replaced.serial})`;
        this.out(`This replaced ${what}.`);
      }
      this.out(`\nThe source still holds its copy. To work on the new store from now on, put this in mig.config.yaml:\n${configSnippet(toRef)}`);
    } finally {
      for (const s of opened) await s.close?.();
    }
  }
}

/** The config section that selects `ref`; a literal URL is replaced by a variable, since the file is committed. */
function configSnippet(ref: StoreRef): string {
  const state = configState(ref);
  if (state.backend === 'file') return `  state:\n    backend: file\n    path: ${state.path}`;
  return `  state:\n    backend: mysql\n    url: ${state.url}${ref.backend === 'mysql' && !ref.secret ? '   # export MIG_STATE_URL=<the URL you gave --to>' : ''}`;
}

function configState(ref: StoreRef): { backend: 'file'; path: string } | { backend: 'mysql'; url: string } {
  if (ref.backend === 'file') return { backend: 'file', path: ref.path };
  return { backend: 'mysql', url: ref.secret ? ref.url : '${env:MIG_STATE_URL}' };
}
