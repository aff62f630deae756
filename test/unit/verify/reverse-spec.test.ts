import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSpecText } from '../../../src/spec/index.js';
import { reverseSpecText } from '../../../src/verify/reverse-spec.js';
import type { Migration } from '../../../src/spec/schema.js';

const spec = `apiVersion: mig/v1
kind: Migration
metadata: { name: shop }
spec:
  source: { type: mysql, host: old-db, port: 3306, user: mig, password: "\${env:SRC_PW}" }
  destination: { type: mysql, host: new-db, port: 3307, user: mig, password: "\${env:DST_PW}", checkpointDatabase: migcp }
  objects:
    - database: shop
      target: shop2
      tables:
        - name: orders
          target: orders_v2
          rename: { name: full_name }
          columns: { exclude: [secret] }
        - name: items
    - database: audit
`;

function migration(): Migration {
  const r = parseSpecText(spec, 'shop.yaml');
  const m = r.migrations[0]?.migration;
  if (!m) throw new Error(JSON.stringify(r.diagnostics));
  return m;
}

describe('the reverse migration written at cutover', () => {
  it('streams the destination back to the source under the names mapped back, secrets as references', () => {
    const text = reverseSpecText(migration(), 'mariadb');
    expect(text).toContain('rows inserted there reach the source without them');
    const doc = parse(text) as { metadata: { name: string }; spec: Record<string, unknown> };
    expect(doc.metadata.name).toBe('shop-reverse');
    expect(doc.spec).toMatchObject({
      source: { type: 'mariadb', host: 'new-db', port: 3307, user: 'mig', password: '${env:DST_PW}' },
      destination: { type: 'mysql', host: 'old-db', port: 3306, user: 'mig', password: '${env:SRC_PW}', checkpointDatabase: 'migcp' },
      types: ['incremental'],
      objects: [
        { database: 'shop2', target: 'shop', tables: [{ name: 'orders_v2', target: 'orders', rename: { full_name: 'name' } }, { name: 'items' }] },
        { database: 'audit' },
      ],
    });
    // What it writes is a valid spec.
    const again = parseSpecText(text, 'shop-reverse.yaml');
    expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('is refused for a destination other than MySQL', () => {
    const m = migration();
    expect(() => reverseSpecText({ ...m, spec: { ...m.spec, destination: { type: 'kafka' } as never } }, 'mysql')).toThrow(/MySQL destination only/);
  });
});
