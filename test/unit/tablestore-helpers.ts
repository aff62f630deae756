// Column and table fixtures for the Tablestore unit tests: a ColumnInfo from a MySQL column type.
import type { ColumnInfo, TableInfo } from '../../src/model/source-data.js';

const BINARY = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob|bit|vector)/i;

export function col(name: string, columnType: string, nullable = true): ColumnInfo {
  const dataType = /^[a-z][a-z0-9]*/i.exec(columnType)![0].toLowerCase();
  return {
    name,
    dataType,
    columnType,
    unsigned: /unsigned/i.test(columnType),
    nullable,
    binary: BINARY.test(columnType),
  };
}

export function table(name: string, columns: ColumnInfo[], primaryKey: string[], database = 'shop'): TableInfo {
  return {
    database,
    table: name,
    columns,
    primaryKey,
    chunkKey: primaryKey,
    keyKind: primaryKey.length > 0 ? 'primary' : 'none',
    estimatedRows: 0,
  };
}
