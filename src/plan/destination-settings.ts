// How a destination is described in a plan, and which changes to its settings a reviewer must see,
// per destination kind. Secrets stay references here too, and are shown only as "(secret)".
import type { Destination, KafkaDestination, MysqlDestination, TablestoreDestination } from '../spec/schema.js';
import type { Change, Risk } from './change.js';

/** One line on where and how the data is written, for a new migration. */
export function destinationHow(d: Destination): string {
  switch (d.type) {
    case 'kafka':
      return `${d.format}, ${d.compression ?? 'lz4'}, partitioning ${d.partitioning?.policy ?? 'primary-key'}, acks ${d.acks ?? 'all'}${d.ddlTopic ? `, DDL to ${d.ddlTopic}` : ''}${d.nameCase && d.nameCase !== 'source' ? `, names ${d.nameCase} case` : ''}`;
    case 'tablestore':
      return `Tablestore ${d.instance}, write mode ${d.writeMode} (${d.writeMode === 'update' ? 'UpdateRow' : 'PutRow'}), ${d.batchMode}, dirty data ${d.dirtyData}, ${d.buckets} bucket(s), DDL not replicated`;
    case 'mysql':
      return `MySQL ${d.host}:${d.port}, each source transaction applied once with its checkpoint in ${d.checkpointDatabase}.mig_checkpoint`;
  }
}

type FieldChange = (field: string, was: unknown, now: unknown, reason: string, risks?: Risk[]) => void;

export function destinationSettingChanges(name: string, a: Destination, b: Destination): Change[] {
  const out: Change[] = [];
  const field: FieldChange = (f, was, now, reason, risks = []) => {
    if (JSON.stringify(was ?? null) !== JSON.stringify(now ?? null)) {
      out.push({ kind: 'setting', action: 'update', migration: name, field: `spec.destination.${f}`, reason: `${f} ${show(was)} → ${show(now)}: ${reason}`, risks });
    }
  };
  if (a.type !== b.type) {
    out.push({ kind: 'setting', action: 'update', migration: name, field: 'spec.destination.type', reason: `destination ${a.type} → ${b.type}: nothing written so far is moved; give the migration a new name to start over`, risks: ['destructive'] });
    return out;
  }
  if (a.type === 'kafka' && b.type === 'kafka') kafkaChanges(a, b, field);
  if (a.type === 'tablestore' && b.type === 'tablestore') tablestoreChanges(a, b, field);
  if (a.type === 'mysql' && b.type === 'mysql') mysqlChanges(a, b, field);
  return out;
}

function kafkaChanges(da: KafkaDestination, db: KafkaDestination, field: FieldChange): void {
  field('brokers', da.brokers, db.brokers, 'the same topics are expected on the new bootstrap list');
  field('format', da.format, db.format, 'messages from the checkpoint on use the new format; consumers must read both until the old messages expire', ['destructive']);
  field('partitioning', da.partitioning?.policy ?? 'primary-key', db.partitioning?.policy ?? 'primary-key', 'partition policy change breaks per-key ordering', ['breaks-key-order']);
  field('ddlTopic', da.ddlTopic, db.ddlTopic, 'DDL from the checkpoint on goes to the new topic');
  field('nameCase', da.nameCase ?? 'source', db.nameCase ?? 'source', 'names in messages from the checkpoint on change case');
  field('compression', da.compression ?? 'lz4', db.compression ?? 'lz4', 'new batches use it; consumers read either');
  const acks = db.acks ?? 'all';
  field('acks', da.acks ?? 'all', acks, acks === 'all' ? 'every checkpoint waits for all in-sync replicas' : 'a broker failure can lose changes mig already checkpointed', acks === 'all' ? [] : ['destructive']);
  field('oversizedRow', da.oversizedRow ?? 'fail', db.oversizedRow ?? 'fail', 'applies to rows from the checkpoint on');
  field('maxMessageBytes', da.maxMessageBytes ?? 10485760, db.maxMessageBytes ?? 10485760, 'applies to rows from the checkpoint on');
  field('schemaRegistry', da.schemaRegistry?.url, db.schemaRegistry?.url, 'value schemas are registered there from now on');
  field('sasl', da.sasl && { ...da.sasl, password: '(secret)' }, db.sasl && { ...db.sasl, password: '(secret)' }, 'authentication changed');
  field('tls', da.tls, db.tls, 'connection security changed');
}

function tablestoreChanges(a: TablestoreDestination, b: TablestoreDestination, field: FieldChange): void {
  field('endpoint', a.endpoint, b.endpoint, 'the same tables are expected at the new endpoint');
  field('instance', a.instance, b.instance, 'the same tables are expected in the new instance');
  if (a.accessKeyId !== b.accessKeyId || a.accessKeySecret !== b.accessKeySecret) field('accessKey', '(secret)', '(another secret)', 'credentials changed');
  field('dirtyData', a.dirtyData, b.dirtyData, b.dirtyData === 'skip' ? 'rows Tablestore refuses are recorded in the state and skipped' : 'a row Tablestore refuses stops the migration');
  field('batchMode', a.batchMode, b.batchMode, 'writes from the checkpoint on use the new request');
  for (const k of ['queueSize', 'threads', 'concurrency', 'buckets'] as const) field(k, a[k], b[k], 'throughput setting; takes effect at the next apply');
  field('maxVersions', a.maxVersions, b.maxVersions, 'applies to tables mig creates from now on');
  field('timeToLive', a.timeToLive, b.timeToLive, 'applies to tables mig creates from now on');
}

function mysqlChanges(a: MysqlDestination, b: MysqlDestination, field: FieldChange): void {
  field('host', `${a.host}:${a.port}`, `${b.host}:${b.port}`, 'the same tables and checkpoint are expected on the new server');
  if (a.user !== b.user || a.password !== b.password) field('user/password', '(secret)', '(another secret)', 'credentials changed');
  field('tls', a.tls, b.tls, 'connection security changed');
  field('checkpointDatabase', a.checkpointDatabase, b.checkpointDatabase, 'the feed position is read from the new table: without a row there, incremental starts again from the snapshot', ['destructive']);
  field('batchRows', a.batchRows, b.batchRows, 'full-load statement size');
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}
