// Shared by the spec tests: the reference spec, and temporary spec directories.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/specs');

/** The reference spec; line numbers in the tests refer to this text. */
export const VALID = readFileSync(path.join(FIXTURES, 'valid/shop-to-kafka.yaml'), 'utf8');

/** VALID with one exact line replaced (by zero or more lines); fails loudly if the line is absent. */
export function edit(text: string, line: string, replacement: string | null): string {
  const lines = text.split('\n');
  const i = lines.indexOf(line);
  if (i < 0) throw new Error(`fixture has no line ${JSON.stringify(line)}`);
  lines.splice(i, 1, ...(replacement === null ? [] : replacement.split('\n')));
  return lines.join('\n');
}

/** A migration to a Tablestore destination, one table with its own target and key. */
export const TABLESTORE = `apiVersion: mig/v1
kind: Migration
metadata:
  name: shop-to-ots
spec:
  source: {type: mysql, host: 127.0.0.1, user: mig}
  destination:
    type: tablestore
    endpoint: http://127.0.0.1:8080
    instance: shop
    accessKeyId: \${env:AK}
    accessKeySecret: \${env:SK}
  objects:
    - database: shop
      tables:
        - name: orders
          target: orders_v2
          primaryKey: [{column: id, type: INTEGER}]
`;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A temporary project: `<root>/migrations.d/<name>` for each file; removed after the test. */
export async function specDir(files: Record<string, string>): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mig-spec-'));
  dirs.push(root);
  const dir = path.join(root, 'migrations.d');
  await mkdir(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return { root, dir };
}
