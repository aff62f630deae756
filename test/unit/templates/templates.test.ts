// Every template, filled in as `mig init` does, passes validation, and points editors at the schema.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSpecs } from '../../../src/spec/index.js';

const dir = path.resolve(__dirname, '../../../templates');
const values: Record<string, string> = { name: 'tpl-test', host: '127.0.0.1', port: '3306', user: 'mig', brokers: '127.0.0.1:9092', topic: 'shop', database: 'shop', instance: 'myinstance', 'dest-host': '127.0.0.1', 'dest-user': 'root' };

describe('templates', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('%s validates', async (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/migration.schema.json');
    const work = mkdtempSync(path.join(tmpdir(), 'mig-tpl-'));
    mkdirSync(path.join(work, 'migrations.d'));
    writeFileSync(path.join(work, 'migrations.d', 'x.yaml'), text.replace(/\{\{([\w-]+)\}\}/g, (_, k: string) => values[k]!));
    const { migrations, diagnostics } = await loadSpecs(path.join(work, 'migrations.d'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(migrations).toHaveLength(1);
  });
});
