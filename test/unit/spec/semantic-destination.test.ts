// Rules that depend on the source and destination kinds: settings that only one destination reads,
// pairings mig does not build, Tablestore's limits, and the TiDB feed.
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { TABLESTORE } from './spec-fixtures.js';

const FILE = 'migrations.d/x.yaml';


const TIDB = `apiVersion: mig/v1
kind: Migration
metadata:
  name: tidb-to-rds
spec:
  source:
    type: tidb
    host: 127.0.0.1
    user: root
    binlogKafka: {brokers: ["127.0.0.1:9092"], topic: obinlog}
  destination: {type: mysql, host: 127.0.0.1, user: root}
  objects:
    - database: shop
      target: shop_copy
      tables:
        - name: orders
          target: orders_v2
`;

function check(text: string): Diagnostic[] {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations);
}

const short = (d: Diagnostic) => `${d.line}:${d.col} ${d.code} ${d.path}`;

describe('destination-specific rules', () => {
  it('accepts a Tablestore spec and a TiDB → MySQL spec, with their defaults', () => {
    expect(check(TABLESTORE)).toEqual([]);
    expect(check(TIDB)).toEqual([]);
    const { migrations } = parseSpecText(TIDB, FILE);
    const s = migrations[0]!.migration.spec.source;
    expect(s.type === 'tidb' && s.port).toBe(4000);
    expect(s.type === 'tidb' && s.binlogKafka?.format).toBe('drainer');
    expect(s.type === 'tidb' && s.binlogKafka?.maxMessageBytes).toBe(1073741824);
  });

  it('refuses a table setting its destination does not read, at its line', () => {
    const text = TABLESTORE.replace('          target: orders_v2\n', '          target: orders_v2\n          topic: orders\n');
    const found = check(text);
    expect(found.map(short)).toEqual(['18:18 field-not-for-destination spec.objects[0].tables[0].topic']);
    expect(found[0]!.message).toContain('applies to kafka destinations; this destination is tablestore');
    const kafka = `apiVersion: mig/v1\nkind: Migration\nmetadata: {name: k}\nspec:\n  source: {type: mysql, host: h, user: u}\n  destination: {type: kafka, brokers: ["h:9092"], topic: t}\n  objects:\n    - database: shop\n      target: copy\n      tables:\n        - {name: orders, primaryKey: [{column: id}]}\n`;
    expect(check(kafka).map((d) => d.path)).toEqual(['spec.objects[0].target', 'spec.objects[0].tables[0].primaryKey']);
  });

  it('refuses pairings that are not built, naming the way forward; a MySQL-family source into MySQL is built', () => {
    const toKafka = TIDB.replace('  destination: {type: mysql, host: 127.0.0.1, user: root}', '  destination: {type: kafka, brokers: ["h:9092"], topic: t}').replace('      target: shop_copy\n', '').replace('          target: orders_v2\n', '');
    const d = check(toKafka);
    expect(d.map(short)).toEqual(['7:11 unsupported-pairing spec.source.type']);
    expect(d[0]!.fix).toBe('set destination.type: mysql');
    const mysqlToMysql = TIDB.replace(/  source:\n    type: tidb\n    host: 127.0.0.1\n    user: root\n    binlogKafka: .*\n/, '  source: {type: mysql, host: 127.0.0.1, user: root}\n');
    expect(check(mysqlToMysql)).toEqual([]);
  });

  it('asks for the feed when a TiDB migration is incremental', () => {
    const text = TIDB.replace(/    binlogKafka: .*\n/, '');
    expect(check(text).map(short)).toEqual(['7:5 missing-field spec.source']);
    expect(check(text.replace('  objects:', '  types: [schema, full]\n  objects:'))).toEqual([]);
  });

  it('Tablestore: buckets within concurrency, one database, valid table and column names', () => {
    let text = TABLESTORE.replace('    accessKeySecret: ${env:SK}\n', '    accessKeySecret: ${env:SK}\n    concurrency: 2\n    buckets: 4\n');
    text = text.replace('target: orders_v2', 'target: 2orders').replace('          primaryKey:', '          rename: {note: "my note"}\n          primaryKey:');
    text += '    - database: archive\n';
    expect(check(text).map((d) => `${d.code} ${d.path}`)).toEqual([
      'invalid-value spec.destination.buckets',
      'tablestore-one-database spec.objects[1].database',
      'tablestore-name spec.objects[0].tables[0].target',
      'tablestore-name spec.objects[0].tables[0].rename.note',
    ]);
  });

  it('a wrong destination type is one clear error, and the fields beside it are still checked', () => {
    const text = TABLESTORE.replace('    type: tablestore', '    type: tablestor').replace('    accessKeySecret: ${env:SK}', '    accessKeySecret: plain-secret');
    const { diagnostics } = parseSpecText(text, FILE);
    expect(diagnostics.map((d) => `${d.code} ${d.path}`)).toEqual(['invalid-value spec.destination.type', 'literal-secret spec.destination.accessKeySecret']);
    expect(diagnostics[0]!.fix).toContain('did you mean `tablestore`?');
    expect(JSON.stringify(diagnostics)).not.toContain('plain-secret');
  });
});

describe('Kafka delivery', () => {
  const kafka = (destination: string) => `apiVersion: mig/v1
kind: Migration
metadata: {name: shop-to-kafka}
spec:
  source: {type: mysql, host: 127.0.0.1, user: mig}
  destination: {type: kafka, brokers: ["127.0.0.1:9092"], topic: shop, ${destination}}
  objects: [{database: shop}]
`;

  it('exactly-once needs acks all: a lower setting is refused at its line', () => {
    const d = check(kafka('delivery: exactly-once, acks: leader'));
    expect(d).toEqual([expect.objectContaining({ severity: 'error', code: 'delivery-needs-acks-all', line: 6, fix: expect.stringContaining('remove acks') })]);
    expect(check(kafka('delivery: exactly-once'))).toEqual([]);
    expect(check(kafka('delivery: exactly-once, acks: all, checkpointTopic: ops.mig'))).toEqual([]);
  });

  it('a checkpoint topic without exactly-once would be ignored, so it is refused', () => {
    expect(check(kafka('checkpointTopic: ops.mig'))).toEqual([expect.objectContaining({ severity: 'error', code: 'field-not-for-destination' })]);
  });
});
