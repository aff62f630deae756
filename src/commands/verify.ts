import { Args, Flags } from '@oclif/core';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { verify, exitCodeOf } from '../verify/index.js';
import { renderVerifyHuman } from '../cli/views/verify-human.js';
import { renderVerifyMarkdown } from '../cli/views/verify-markdown.js';
import { durationMs } from '../cli/views/progress-reporter.js';

export default class VerifyCommand extends MigCommand {
  static override summary = 'Compare each destination with its source: equal, or the keys that differ.';
  static override description = [
    'Reads what the destination holds and compares it with what the source says it should hold, through the spec\'s filter, column selection, renames, name case and type mapping (the sink\'s own mapping). MySQL destinations: checksums of key-range chunks computed on both servers, rows read only where a chunk differs. Kafka: the last state of each key rebuilt from the topic with mig\'s decoders. Tablestore: the table read back with range reads.',
    'While a migration streams, rows that differ are checked again once its checkpoint has passed the source\'s position (up to three times), so changes still on their way are not reported.',
    'Exit 0 when everything is equal, 3 when differences were found, 1 on an error (a table that could not be verified included).',
  ].join('\n\n');
  static override examples = [
    '<%= config.bin %> verify',
    '<%= config.bin %> verify shop-to-mysql --target shop.orders',
    '<%= config.bin %> verify --json | jq \'.migrations[].tables[] | select(.status != "equal")\'',
    '<%= config.bin %> verify --format markdown > verify.md   # a pull-request comment',
  ];
  static override args = {
    migration: Args.string({ description: 'the migration to verify (default: every applied one)', required: false, ignoreStdin: true }),
  };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: Flags.boolean({ description: 'print the report as one JSON document (the same as --format json)', exclusive: ['format'] }),
    format: Flags.option({ options: ['human', 'markdown', 'json'] as const, description: 'human (default), markdown (a pull-request comment) or json' })(),
    target: Flags.string({ description: 'verify one table only: DB.TABLE at the source or at the destination' }),
    'chunk-rows': Flags.integer({ description: 'rows per checksum chunk (MySQL destinations) and per source read', default: 10000, min: 10 }),
    sample: Flags.integer({ description: 'differences listed per table', default: 10, min: 0 }),
    'catch-up-timeout': Flags.string({ description: 'how long to wait for a streaming migration to catch up before re-checking differences (e.g. 30s, 5m)', default: '2m' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VerifyCommand);
    const format = flags.json ? 'json' : (flags.format ?? 'human');
    if (format === 'json') this.errorOutput = 'json';
    const catchUpTimeoutMs = durationMs(flags['catch-up-timeout'], 'catch-up-timeout');
    const store = await openStateStore(flags);
    const report = await verify({
      specDir: flags.dir, store, migration: args.migration, target: flags.target, chunkRows: flags['chunk-rows'], leafRows: 200, sampleSize: flags.sample, catchUpTimeoutMs,
      onTable: format === 'human' && process.stderr.isTTY ? (m, t) => process.stderr.write(`verifying ${m} ${t} …\n`) : undefined,
    }).finally(() => store.close?.());
    this.out(format === 'json' ? JSON.stringify(report, null, 2) : format === 'markdown' ? renderVerifyMarkdown(report) : renderVerifyHuman(report));
    process.exitCode = exitCodeOf(report);
  }
}
