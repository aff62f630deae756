// Shared flags and error handling for every command: errors a user can act on print as
// "Error: … / Fix: …" with exit 1; anything else is reported as a bug, still without a stack trace.
import { Command, Flags } from '@oclif/core';
import { MigError, SpecError } from '../util/errors.js';
import { redactSecrets } from '../spec/index.js';
import { renderDiagnostics } from './views/diagnostics.js';

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
export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON' });

export abstract class MigCommand extends Command {
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  protected err(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    // oclif's own exits (this.exit) and flag-parsing errors keep their behaviour.
    if (error.oclif?.exit !== undefined) throw error;
    // The command has failed and saved what it had: a client still reconnecting in the background
    // (a cancelled attempt against a broker that is down) must not hold the exit for its own retries.
    setTimeout(() => process.exit(), 1000).unref();
    if (error instanceof SpecError) {
      this.err(renderDiagnostics(error.diagnostics));
      process.exitCode = 1;
      return;
    }
    if (error instanceof MigError) {
      this.err(`Error: ${redactSecrets(error.message)}`);
      if (error.hint) this.err(`Fix: ${redactSecrets(error.hint)}`);
      process.exitCode = 1;
      return;
    }
    if (/^(Unexpected argument|Nonexistent flag|Expected --|Missing required flag|Flag --)/.test(error.message)) throw error;
    this.err(`Error: ${redactSecrets(error.message)}`);
    this.err('This looks like a bug in mig; please report it with the command you ran (MIG_DEBUG=1 shows where it happened).');
    if (process.env.MIG_DEBUG) this.err(redactSecrets(error.stack ?? ''));
    process.exitCode = 1;
  }
}
