import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { MigError } from '../util/errors.js';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { confirm } from '../cli/confirm.js';
import { cutover, EXIT_ERROR, exitCodeOf } from '../verify/index.js';
import { cutoverStepText, renderCutoverHuman } from '../cli/views/verify-cutover.js';
import { durationMs } from '../cli/views/progress-reporter.js';

export default class CutoverCommand extends MigCommand {
  static override summary = 'End a migration safely: wait for it to catch up, verify it, record the cutover.';
  static override description = [
    'Waits until the migration\'s lag is at most --max-lag, optionally makes the source read-only (--lock-source: the statements are shown and approved first), waits until the stream has reached the source\'s position, runs mig verify on every table, and only when all are equal records the cutover in the state; mig status shows it.',
    'Exit 0 when the cutover is recorded, 3 when the destination differs (nothing is recorded), 1 on an error or a timeout.',
  ].join('\n\n');
  static override examples = ['<%= config.bin %> cutover shop-to-mysql', '<%= config.bin %> cutover shop-to-mysql --lock-source --max-lag 2s', '<%= config.bin %> cutover shop-to-mysql --json'];
  static override args = { migration: Args.string({ description: 'the migration to cut over', required: true, ignoreStdin: true }) };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: Flags.boolean({ description: 'print the outcome and the verify report as one JSON document' }),
    'max-lag': Flags.string({ description: 'lag at or under which the final catch-up starts (e.g. 5s)', default: '5s' }),
    timeout: Flags.string({ description: 'how long the lag and the final catch-up may each take', default: '10m' }),
    'lock-source': Flags.boolean({ description: `make the source read-only first (${'SET GLOBAL read_only = ON'}), after approval` }),
    'auto-approve': Flags.boolean({ char: 'y', description: 'make the source read-only without asking (with --lock-source)' }),
    'chunk-rows': Flags.integer({ description: 'rows per checksum chunk while verifying', default: 10000, min: 10 }),
    'reverse-spec': Flags.string({ description: 'MySQL destinations: once cut over, write the reverse migration (destination → source, changes from now on) to FILE, e.g. migrations.d/NAME-reverse.yaml, for a rollback; mig plan then shows it' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CutoverCommand);
    if (flags.json) this.errorOutput = 'json';
    const maxLag = durationMs(flags['max-lag'], 'max-lag') / 1000;
    const timeoutMs = durationMs(flags.timeout, 'timeout');
    const say = (text: string) => (flags.json ? this.err(text) : this.out(text));
    if (flags['reverse-spec'] && existsSync(flags['reverse-spec'])) throw new MigError('reverse-spec-write', `${flags['reverse-spec']} exists`, 'name a new file with --reverse-spec');
    const store = await openStateStore(flags);
    let lastLag: string | undefined;
    const result = await cutover({
      specDir: flags.dir, store, migration: args.migration, maxLagSeconds: maxLag, timeoutMs, lockSource: flags['lock-source'], reverse: flags['reverse-spec'] !== undefined,
      chunkRows: flags['chunk-rows'], leafRows: 200, sampleSize: 10, catchUpTimeoutMs: timeoutMs,
      approve: async (statements) => {
        say(`mig cutover will run on the source:\n${statements.map((s) => `  ${s};`).join('\n')}\nWrites by users without SUPER (or READ_ONLY ADMIN) are refused from then on.`);
        return flags['auto-approve'] || (await confirm('Make the source read-only?', 'apply'));
      },
      onStep: (s) => {
        const text = cutoverStepText(s, maxLag);
        // A lag reading is shown when it changes, not every second.
        if (!text || (s.step === 'lag' && text === lastLag)) return;
        if (s.step === 'lag') lastLag = text;
        say(text);
      },
    }).finally(() => store.close?.());
    if (result.recorded && result.reverseSpec !== undefined && flags['reverse-spec']) {
      await writeFile(flags['reverse-spec'], result.reverseSpec, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        throw new MigError('reverse-spec-write', `cannot write ${flags['reverse-spec']}: ${e.code === 'EEXIST' ? 'it exists' : e.message}`, 'name a new file with --reverse-spec');
      });
      say(`reverse migration written to ${flags['reverse-spec']}`);
    }
    this.out(flags.json ? JSON.stringify(result, null, 2) : renderCutoverHuman(args.migration, result));
    process.exitCode = result.recorded ? 0 : result.report ? exitCodeOf(result.report) : EXIT_ERROR;
  }
}
