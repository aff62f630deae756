import { MigCommand, dirFlag, jsonFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { loadValid } from '../plan/make.js';
import { runPrechecks } from '../precheck/index.js';
import { renderPrecheckHuman } from '../cli/views/precheck-human.js';

export default class PrecheckCommand extends MigCommand {
  static override summary = 'Check the source and the destination are ready for each migration, as DTS does before it starts.';
  static override description = [
    'Connects to every migration\'s source and destination (Kafka brokers, Tablestore instance or MySQL server) and checks, each under a stable id: the connection and server version; binary logging (log_bin or PolarDB\'s loose_polar_log_bin, binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL, log_slave_updates on a source that is itself a replica, retention of 3 days on PolarDB and 7 on self-managed servers) when incremental is in spec.types; the user\'s SELECT and REPLICATION SLAVE/CLIENT privileges; tables without a key, invisible columns, views; the replication server id; topic names and \'.\'/\'_\' collisions; topics holding messages mig did not write, or destination tables it did not create (spec.conflictMode: error); Tablestore\'s limits (64 tables, names, key columns and types); a TiDB source\'s change-feed topic; more than 1,000 listed tables.',
    'Prints ✓ pass, ✗ error, ! warning, ~ ignored, - skipped, with the observed value and the exact fix under each failure. Exit 1 when an error fails; warnings do not fail. Accept an ignorable warning in the spec with spec.precheck.ignore: [id]. mig plan runs the precheck first (unless --offline), and mig apply refuses to run when an error fails.',
  ].join('\n\n');
  static override examples = [
    '<%= config.bin %> precheck',
    '<%= config.bin %> precheck --json | jq \'.migrations[].findings[] | select(.status == "fail")\'',
    '<%= config.bin %> precheck --dir deploy/migrations --state deploy/.mig/state.json',
  ];
  static override flags = { dir: dirFlag, state: stateFlag, 'state-url': stateUrlFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(PrecheckCommand);
    const loaded = await loadValid(flags.dir);
    const store = await openStateStore(flags);
    const state = await store.read().finally(() => store.close?.());
    const report = await runPrechecks(loaded, state, { specDir: flags.dir });
    this.out(flags.json ? JSON.stringify(report, null, 2) : renderPrecheckHuman(report));
    if (!report.ok) process.exitCode = 1;
  }
}
