// Shared flags and error handling for every command: errors a user can act on print as
// "Error: … / Fix: …" with exit 1; anything else is reported as a bug, still without a stack trace.
// With --json anywhere before `--`, every error (a flag oclif cannot parse included) is instead one
// JSON object on stdout, with the same exit code.
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { MigError, SpecError } from '../util/errors.js';
import { redactSecrets } from '../spec/index.js';
import { renderDiagnostics } from './views/diagnostics.js';
import { errorJson, type ErrorJson } from './error-json.js';

export { errorJson, type ErrorJson } from './error-json.js';

export const dirFlag = Flags.string({ description: 'directory of migration specs', default: 'migrations.d' });
// No default on --state: the store may come from --state-url or mig.config.yaml, and only
// openStateStore knows when .mig/state.json applies.
export const stateFlag = Flags.string({
  description: 'state file (default: the store in mig.config.yaml, else .mig/state.json)',
  exclusive: ['state-url'],
});
export const stateUrlFlag = Flags.string({
  description: "state in MySQL/MariaDB: mysql://USER:PASSWORD@HOST:PORT/DATABASE, or '${env:NAME}' holding it",
  exclusive: ['state'],
});
export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON on stdout (errors too, as one {"type": "error"} object)' });

/**
 * How a command's error is reported: text ("Error: … / Fix: …" on stderr), one JSON log line on
 * stderr (--log-format json), or --json's own {type: 'error', code, message, fix} on stdout, where a
 * program reading the JSON stream looks for it.
 */
export type ErrorOutput = 'text' | 'log-json' | 'json';

/**
 * The error output the raw arguments ask for. Read before oclif parses them, so that an unknown
 * flag or a missing argument is reported the way the caller reads errors too.
 */
export function errorOutputOf(argv: readonly string[]): ErrorOutput {
  const end = argv.indexOf('--');
  const own = end === -1 ? argv : argv.slice(0, end);
  if (own.includes('--json')) return 'json';
  const at = own.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const format = at === -1 ? undefined : own[at]!.includes('=') ? own[at]!.slice('--log-format='.length) : own[at + 1];
  return format === 'json' ? 'log-json' : 'text';
}

/** oclif's messages for arguments it could not parse: they end with its own pointer to --help. */
const USAGE_ERROR = /^(Unexpected argument|Nonexistent flag|Expected --|Missing required flag|Missing \d+ required arg|Flag --|The following error occurred|Parsing --|--\S+=\S+ is not)/;

export abstract class MigCommand extends Command {
  /** Read from the raw arguments before parsing; a command may refine it once its flags are parsed. */
  protected errorOutput: ErrorOutput = 'text';

  protected override async init(): Promise<void> {
    this.errorOutput = errorOutputOf(this.argv);
    await super.init();
  }

  /**
   * Parses as oclif does, except that a positional argument is never read from a piped stdin: mig
   * runs in shell loops and CI steps whose stdin belongs to someone else (`… | while read; do mig
   * apply -y; done` took the loop's next line as its PLANFILE).
   */
  protected override parse<F extends Record<string, unknown>, B extends Record<string, unknown>, A extends Record<string, unknown>>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    if (!options?.args) return super.parse(options, argv);
    // A copy: oclif spreads the command class into its options the same way.
    const args = Object.fromEntries(Object.entries(options.args).map(([name, arg]) => [name, { ...arg, ignoreStdin: true }]));
    return super.parse({ ...options, args } as Interfaces.Input<F, B, A>, argv);
  }

  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  protected err(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** A line for a person: stdout, or stderr under --json, where stdout holds the JSON alone. */
  protected info(text: string): void {
    if (this.errorOutput === 'json') this.err(text);
    else this.out(text);
  }

  /** A --json document: one pretty-printed object on stdout. */
  protected outJson(value: object): void {
    this.out(JSON.stringify(value, null, 2));
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    // this.exit(n) is not an error.
    if (error instanceof Errors.ExitError) throw error;
    const usage = error.oclif?.exit !== undefined || USAGE_ERROR.test(error.message);
    if (usage && this.errorOutput === 'json') {
      this.printJson(this.usageJson(error));
      process.exitCode = error.oclif?.exit ?? 2;
      // It did parse, and failed: oclif's development warning about a command that never parses does not apply.
      this.parsed = true;
      return;
    }
    // oclif's own parse errors keep their text and exit code (2), with the command's usage.
    if (usage) throw error;
    // The command has failed and saved what it had: a client still reconnecting in the background
    // (a cancelled attempt against a broker that is down) must not hold the exit for its own retries.
    setTimeout(() => process.exit(), 1000).unref();
    process.exitCode = 1;
    if (this.errorOutput !== 'text') {
      this.printJson(errorJson(error));
      if (process.env.MIG_DEBUG && !(error instanceof MigError)) this.err(redactSecrets(error.stack ?? ''));
      return;
    }
    if (error instanceof SpecError) {
      this.err(renderDiagnostics(error.diagnostics));
      return;
    }
    if (error instanceof MigError) {
      this.err(`Error: ${redactSecrets(error.message)}`);
      if (error.hint) this.err(`Fix: ${redactSecrets(error.hint)}`);
      return;
    }
    this.err(`Error: ${redactSecrets(error.message)}`);
    this.err('This looks like a bug in mig; please report it with the command you ran (MIG_DEBUG=1 shows where it happened).');
    if (process.env.MIG_DEBUG) this.err(redactSecrets(error.stack ?? ''));
  }

  /** oclif's message without its trailing "See more help with --help", and the command's own help as the fix. */
  private usageJson(error: Error): ErrorJson {
    const message = error.message.split('\n').filter((l) => !/^See more help with/.test(l.trim())).join('\n').trim();
    const command = [this.config.bin, ...(this.id ?? '').split(':')].filter(Boolean).join(' ');
    return { type: 'error', code: 'invalid-arguments', message: redactSecrets(message), fix: `see ${command} --help for the flags and arguments it takes` };
  }

  /** --json: the error object on stdout; --log-format json: a log line on stderr. */
  private printJson(e: ErrorJson): void {
    const time = new Date().toISOString();
    // Straight to stdout: a command may route this.out to its log, which is stderr under --json.
    if (this.errorOutput === 'json') {
      const { type, ...rest } = e;
      process.stdout.write(JSON.stringify({ type, time, ...rest }) + '\n');
      return;
    }
    const { type: _type, message, ...rest } = e;
    this.err(JSON.stringify({ time, level: 'error', event: 'error', msg: message, ...rest }));
  }
}
