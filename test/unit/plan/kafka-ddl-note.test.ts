// The plan's warning about DDL messages on a Kafka data topic (no ddlTopic): Flink's canal-json
// format fails a job on an ALTER message, so the plan says so and how to avoid it.
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration } from '../../../src/spec/schema.js';
import { kafkaSink } from '../../../src/connectors/sinks/kafka/kind.js';

function spec(over: (m: Record<string, any>) => void = () => {}): Migration {
  const doc: Record<string, any> = {
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop-to-kafka' },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', port: 3307, user: 'root' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop', format: 'canal-json' },
      types: ['schema', 'full', 'incremental'],
      objects: [{ database: 'shop', tables: [{ name: 'orders' }, { name: 'customers', operations: ['insert'] }] }],
    },
  };
  over(doc);
  return MigrationDoc.parse(doc);
}

describe('Kafka plan note: DDL on a data topic', () => {
  it('warns when DDL is replicated (the default operations) and there is no ddlTopic, naming Flink and the fix', () => {
    const notes = kafkaSink.planNotes(spec());
    expect(notes).toHaveLength(1);
    expect(notes[0]!.severity).toBe('warning');
    expect(notes[0]!.message).toMatch(/Flink's canal-json format fails the job on a type other than INSERT, UPDATE, DELETE or CREATE/);
    expect(notes[0]!.hint).toMatch(/spec\.destination\.ddlTopic/);
    expect(notes[0]!.hint).toMatch(/set spec.ddl: ignore/);
  });

  it('warns for a database taken whole, and without the Flink remark for other formats', () => {
    const notes = kafkaSink.planNotes(spec((d) => { d.spec.objects = [{ database: 'shop' }]; d.spec.destination.format = 'dts-avro'; }));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).not.toMatch(/Flink/);
  });

  it('stays quiet with a ddlTopic, without ddl in any operations, or without incremental', () => {
    expect(kafkaSink.planNotes(spec((d) => { d.spec.destination.ddlTopic = 'shop.ddl'; }))).toEqual([]);
    expect(kafkaSink.planNotes(spec((d) => { d.spec.objects[0].tables[0].operations = ['insert', 'update', 'delete']; }))).toEqual([]);
    expect(kafkaSink.planNotes(spec((d) => { d.spec.types = ['schema', 'full']; }))).toEqual([]);
  });
});
