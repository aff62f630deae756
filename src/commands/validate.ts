import { MigCommand, dirFlag, jsonFlag } from '../cli/base.js';
import { loadSpecs } from '../spec/index.js';
import { renderDiagnostics } from '../cli/views/diagnostics.js';

export default class Validate extends MigCommand {
  static override summary = 'Check every migration spec and report all problems at once.';
  static override description = 'Reads migrations.d/*.yaml, validates each document against the mig/v1 schema and the cross-document checks, and prints every problem as file:line:col with the fix. Exit 1 when there is an error. Does not connect anywhere.';
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --dir deploy/migrations --json'];
  static override flags = { dir: dirFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const { migrations, diagnostics } = await loadSpecs(flags.dir);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (flags.json) {
      this.out(JSON.stringify({ valid: errors === 0, migrations: migrations.map((m) => ({ name: m.migration.metadata.name, file: m.file, line: m.line })), diagnostics }, null, 2));
    } else if (diagnostics.length > 0) {
      this.err(renderDiagnostics(diagnostics));
    }
    if (errors > 0) {
      process.exitCode = 1;
      return;
    }
    if (!flags.json) this.out(`${migrations.length} migration(s) valid: ${migrations.map((m) => m.migration.metadata.name).join(', ') || '(none)'}`);
  }
}
