// Same meaning, same digest: key order, omitted defaults and set order must not matter.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { normalize, normalizedText, specDigest, specSetDigest } from '../../../src/spec/normalize.js';
import type { MigrationInput } from '../../../src/spec/schema.js';
import { edit, VALID } from './spec-fixtures.js';

const input = (text: string) => parse(text) as MigrationInput;

/** VALID rewritten: keys shuffled, every default spelled out, sets in another order. */
const SHUFFLED = `
kind: Migration
spec:
  full: { chunkSize: 5000 }
  objects:
    - tables:
        - operations: [delete, insert, update]
          filter: "status <> 'draft'"
          partitions: 3
          topic: shop.orders
          name: orders
        - name: customers
      database: shop
  types: [incremental, schema, full]
  destination:
    replicationFactor: 1
    partitions: 1
    format: canal-json
    topic: shop
    brokers: ["127.0.0.1:19092"]
    type: kafka
  source:
    connectTimeoutMs: 10000
    password: \${env:SHOP_DB_PASSWORD}
    user: root
    port: 3307
    host: 127.0.0.1
    type: mysql
metadata:
  name: shop-to-kafka
apiVersion: mig/v1
`;

describe('normalisation', () => {
  it('gives the same text and digest for the same meaning', () => {
    expect(normalizedText(input(SHUFFLED))).toBe(normalizedText(input(VALID)));
    expect(specDigest(input(SHUFFLED))).toBe(specDigest(input(VALID)));
  });

  it('omitting `types` equals listing the default types', () => {
    const without = edit(VALID, '  types: [schema, full, incremental]', null);
    expect(specDigest(input(without))).toBe(specDigest(input(VALID)));
  });

  it('is idempotent', () => {
    const once = normalize(input(VALID));
    expect(normalize(once)).toEqual(once);
    expect(specDigest(once)).toBe(specDigest(input(VALID)));
  });

  it('writes keys in the schema order, defaults filled in, secrets as references', () => {
    const text = normalizedText(input(SHUFFLED));
    expect(text.split('\n').slice(0, 12)).toEqual([
      'apiVersion: mig/v1',
      'kind: Migration',
      'metadata:',
      '  name: shop-to-kafka',
      'spec:',
      '  source:',
      '    type: mysql',
      '    host: 127.0.0.1',
      '    port: 3307',
      '    user: root',
      '    password: ${env:SHOP_DB_PASSWORD}',
      '    connectTimeoutMs: 10000',
    ]);
    expect(text).toContain('  full:\n    chunkSize: 5000\n');
    expect(text).toContain('operations:\n            - insert\n            - update\n            - delete\n');
  });

  it('changes the digest when the meaning changes', () => {
    const base = specDigest(input(VALID));
    const changed = [
      edit(VALID, `          filter: "status <> 'draft'"`, `          filter: "status = 'paid'"`),
      edit(VALID, '    port: 3307', '    port: 3306'),
      edit(VALID, '          operations: [insert, update, delete]', '          operations: [insert, update]'),
      edit(VALID, '  types: [schema, full, incremental]', '  types: [full, incremental]'),
      edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', '    password: ${env:OTHER}'),
    ];
    for (const text of changed) expect(specDigest(input(text))).not.toBe(base);
  });

  it("keeps the user's order of tables", () => {
    const swapped = edit(
      edit(VALID, '        - name: customers', null),
      '        - name: orders',
      '        - name: customers\n        - name: orders',
    );
    expect(normalize(input(swapped)).spec.objects[0].tables?.map((t) => t.name)).toEqual(['customers', 'orders']);
    expect(specDigest(input(swapped))).not.toBe(specDigest(input(VALID)));
  });

  it('has a stable digest value (a change here changes every recorded state digest)', () => {
    expect(specDigest(input(VALID))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(specDigest(input(VALID))).toBe(GOLDEN);
  });

  it('digests a set of specs independently of their order', () => {
    const a = input(VALID);
    const b = input(edit(VALID, '  name: shop-to-kafka', '  name: other'));
    expect(specSetDigest([a, b])).toBe(specSetDigest([b, a]));
    expect(specSetDigest([a, b])).not.toBe(specSetDigest([a]));
    const b2 = input(edit(edit(VALID, '  name: shop-to-kafka', '  name: other'), '    port: 3307', '    port: 1'));
    expect(specSetDigest([a, b2])).not.toBe(specSetDigest([a, b]));
  });

  it('refuses an invalid spec', () => {
    expect(() => normalize(input(edit(VALID, '    type: mysql', '    type: x')))).toThrow(/spec\.source\.type/);
  });
});

const GOLDEN = 'sha256:3be301f20f2107c33fca2dc71e73ae15ecf25770cc4c1099ce2d29a23f7c99ab';
