import { Flags } from '@oclif/core';
import { access, appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigCommand, dirFlag, jsonFlag } from '../cli/base.js';
import { MigError } from '../util/errors.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

export default class Init extends MigCommand {
  static override summary = 'Start a migration spec from a template.';
  static override description = 'Writes migrations.d/<name>.yaml from a template, adds the local state directory to .gitignore, and prints the next steps.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --template mysql-to-kafka --name shop-to-kafka --database shop --topic shop',
  ];
  static override flags = {
    dir: dirFlag,
    template: Flags.string({ description: 'template name (see templates/)', default: 'mysql-to-kafka' }),
    name: Flags.string({ description: "migration name: letters, digits and '-'", default: 'my-migration' }),
    database: Flags.string({ description: 'source database', default: 'shop' }),
    topic: Flags.string({ description: 'default Kafka topic', default: 'shop' }),
    host: Flags.string({ description: 'source host', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'source port', default: 3306 }),
    user: Flags.string({ description: 'source user', default: 'root' }),
    brokers: Flags.string({ description: 'Kafka bootstrap broker host:port', default: '127.0.0.1:9092' }),
    instance: Flags.string({ description: 'Tablestore instance name (mysql-to-tablestore)', default: 'myinstance' }),
    // The camelCase spellings are what mig first shipped; kept so existing scripts still work, not shown in help.
    'dest-host': Flags.string({ description: 'destination MySQL host (tidb-to-mysql, mysql-to-mysql)', default: '127.0.0.1', aliases: ['destHost'] }),
    'dest-user': Flags.string({ description: 'destination MySQL user (tidb-to-mysql, mysql-to-mysql)', default: 'root', aliases: ['destUser'] }),
    force: Flags.boolean({ description: 'overwrite an existing spec file' }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    if (!/^[A-Za-z0-9-]{1,63}$/.test(flags.name)) {
      throw new MigError('bad-name', `--name ${flags.name} is not a valid migration name`, "use 1 to 63 letters, digits or '-'");
    }
    const available = (await readdir(TEMPLATES)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
    if (!available.includes(flags.template)) {
      throw new MigError('unknown-template', `no template named ${flags.template}`, `choose one of: ${available.join(', ')}`);
    }
    const text = (await readFile(path.join(TEMPLATES, `${flags.template}.yaml`), 'utf8')).replace(/\{\{([\w-]+)\}\}/g, (_, k: string) =>
      String((flags as Record<string, unknown>)[k] ?? ''),
    );
    const target = path.join(flags.dir, `${flags.name}.yaml`);
    if (!flags.force && (await exists(target))) {
      throw new MigError('spec-exists', `${target} already exists`, 'choose another --name, or pass --force to overwrite it');
    }
    await mkdir(flags.dir, { recursive: true });
    await writeFile(target, text);
    const ignored = await ensureIgnored('.gitignore', '.mig/');
    // Templates point editors at ../schemas/migration.schema.json; give the project its own copy.
    const schemaCopied = await copySchema();
    const next = [
      `Edit ${target}: source, destination, objects.`,
      'export the variables its ${env:…} references name (passwords, keys; never written to files)',
      'mig validate',
      'mig plan            # review what will happen',
      'mig apply           # schema + full load; then: mig apply --follow',
    ];
    if (flags.json) {
      this.outJson({ spec: target, template: flags.template, name: flags.name, gitignoreUpdated: ignored, schema: schemaCopied ? SCHEMA_COPY : null, next });
      return;
    }
    this.out(`Wrote ${target} from template ${flags.template}.${ignored ? ' Added .mig/ (local state) to .gitignore.' : ''}${schemaCopied ? ` Wrote ${SCHEMA_COPY} for editor completion.` : ''}`);
    this.out('\nNext steps:');
    next.forEach((step, i) => this.out(`  ${i + 1}. ${step}`));
  }
}

const SCHEMA_COPY = path.join('schemas', 'migration.schema.json');

async function copySchema(): Promise<boolean> {
  const target = SCHEMA_COPY;
  if (await exists(target)) return false;
  await mkdir('schemas', { recursive: true });
  await writeFile(target, await readFile(fileURLToPath(new URL('../../schemas/migration.schema.json', import.meta.url))));
  return true;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

async function ensureIgnored(file: string, entry: string): Promise<boolean> {
  const text = (await exists(file)) ? await readFile(file, 'utf8') : '';
  if (text.split(/\r?\n/).some((l) => l.trim() === entry || l.trim() === entry.replace(/\/$/, ''))) return false;
  await appendFile(file, `${text.length > 0 && !text.endsWith('\n') ? '\n' : ''}${entry}\n`);
  return true;
}
