// The README's CLI reference is what `mig --help` says: every command has a row in the Commands
// table, and every flag a command takes (hidden aliases aside) is in its row or among the flags the
// section describes once for all commands.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const COMMANDS = path.join(ROOT, 'src/commands');

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? commandFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function commandsSection(): { common: string; rows: string[] } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Commands\n'), readme.indexOf('\n## ', readme.indexOf('\n## Commands\n') + 5));
  const rows = section.split('\n').filter((l) => l.startsWith('| `mig '));
  const common = section.slice(0, section.indexOf('| command |'));
  return { common, rows };
}

interface FlagDef {
  hidden?: boolean;
  allowNo?: boolean;
}

describe('README Commands table', () => {
  const { common, rows } = commandsSection();
  const files = commandFiles(COMMANDS);

  it('finds the commands', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(rows.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    const id = path.relative(COMMANDS, file).replace(/\.ts$/, '').split(path.sep).join(' ');
    it(`mig ${id}: a row, and each of its flags`, async () => {
      const command = (await import(file)).default as { flags?: Record<string, FlagDef> };
      const row = rows.find((r) => r.startsWith(`| \`mig ${id} `) || r.startsWith(`| \`mig ${id}\``));
      expect(row, `no row for mig ${id}`).toBeDefined();
      const missing = Object.entries(command.flags ?? {})
        .filter(([, f]) => !f.hidden)
        .map(([name, f]) => (f.allowNo ? `--no-${name}` : `--${name}`))
        .filter((flag) => !row!.includes(flag) && !new RegExp(`\`${flag}[\\s\`]`).test(common));
      expect(missing, `mig ${id}: flags not in its README row nor among the common ones`).toEqual([]);
    });
  }
});
