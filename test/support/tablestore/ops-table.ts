// CreateTable, DescribeTable, ListTable, DeleteTable, UpdateTable.
import type { Handler } from './context.js';
import { Errors } from './errors.js';
import { checkTableName, DEFAULT_SETTINGS, pkSchemaFrom, settingsFrom } from './instance.js';
import { decodeRequest, type CreateTableRequest, type TableNameRequest, type UpdateTableRequest } from './protocol.js';
import type { MemTable } from './table.js';

const PK_TYPE_NUMBER = { INTEGER: 1, STRING: 2, BINARY: 3 } as const;

function throughput(cu: { read?: number; write?: number } | undefined): { read: number; write: number } {
  const read = cu?.read ?? 0;
  const write = cu?.write ?? 0;
  if (read < 0 || write < 0) throw Errors.invalid('Reserved throughput must not be negative.');
  return { read, write };
}

function tableOptions(t: MemTable): object {
  return {
    timeToLive: t.settings.timeToLive,
    maxVersions: t.settings.maxVersions,
    deviationCellVersionInSec: Number(t.settings.deviationSeconds),
    allowUpdate: true,
  };
}

function throughputDetails(t: MemTable): object {
  return {
    capacityUnit: { read: t.settings.reservedRead, write: t.settings.reservedWrite },
    lastIncreaseTime: t.createdAtSeconds,
  };
}

export const createTable: Handler = (ctx, body) => {
  const req = decodeRequest<CreateTableRequest>('CreateTable', body);
  checkTableName(req.tableMeta.tableName);
  const schema = pkSchemaFrom(req.tableMeta.primaryKey ?? []);
  const cu = throughput(req.reservedThroughput.capacityUnit);
  const settings = settingsFrom(req.tableOptions, { ...DEFAULT_SETTINGS, reservedRead: cu.read, reservedWrite: cu.write });
  ctx.instance.create(req.tableMeta.tableName, schema, settings);
  return { type: 'CreateTableResponse', message: {} };
};

export const describeTable: Handler = (ctx, body) => {
  const req = decodeRequest<TableNameRequest>('DescribeTable', body);
  const t = ctx.instance.get(req.tableName);
  return {
    type: 'DescribeTableResponse',
    message: {
      tableMeta: {
        tableName: t.name,
        primaryKey: t.schema.map((c) => ({ name: c.name, type: PK_TYPE_NUMBER[c.type], ...(c.autoIncrement ? { option: 1 } : {}) })),
      },
      reservedThroughputDetails: throughputDetails(t),
      tableOptions: tableOptions(t),
      tableStatus: 1, // ACTIVE: tables here are usable as soon as they exist
    },
  };
};

export const listTable: Handler = (ctx, body) => {
  decodeRequest<object>('ListTable', body);
  return { type: 'ListTableResponse', message: { tableNames: ctx.instance.names() } };
};

export const deleteTable: Handler = (ctx, body) => {
  const req = decodeRequest<TableNameRequest>('DeleteTable', body);
  ctx.instance.drop(req.tableName);
  return { type: 'DeleteTableResponse', message: {} };
};

export const updateTable: Handler = (ctx, body) => {
  const req = decodeRequest<UpdateTableRequest>('UpdateTable', body);
  const t = ctx.instance.get(req.tableName);
  const next = settingsFrom(req.tableOptions, t.settings);
  if (req.reservedThroughput) {
    const cu = req.reservedThroughput.capacityUnit;
    next.reservedRead = cu.read ?? next.reservedRead;
    next.reservedWrite = cu.write ?? next.reservedWrite;
    throughput({ read: next.reservedRead, write: next.reservedWrite });
  }
  t.settings = next;
  return {
    type: 'UpdateTableResponse',
    message: { reservedThroughputDetails: throughputDetails(t), tableOptions: tableOptions(t) },
  };
};
