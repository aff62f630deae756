// Stands in for TiDB and its Drainer in end-to-end tests. TiDB cannot run here, so MariaDB serves
// its SQL endpoint (schema and full load read it), and each change the test makes is both run on
// that database and written to Kafka as the Drainer message TiDB-Binlog would produce for it: the
// images are read back from the database (as Drainer gets them from TiDB) and encoded from the
// .proto by test/support/drainer.ts. So "destination equals source" is a direct comparison.
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS, MYSQL_PORT } from '../../integration/helpers/env.js';
import { bytes, dbl, ddl, dml, i64, str, u64, type Cell, type ColSpec, type Mutation, type TableSpec } from '../../support/drainer.js';

type Value = string | number | Buffer | null;
type Values = Record<string, Value>;

interface Column {
  name: string;
  dataType: string;
  columnType: string;
  key: boolean;
  precision: number | null;
  scale: number | null;
  fsp: number | null;
  charLength: number | null;
}

/** `'a','b c'` of an ENUM/SET type → its labels. */
function labels(columnType: string): string[] {
  const body = columnType.slice(columnType.indexOf('(') + 1, columnType.lastIndexOf(')'));
  return [...body.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
}

/** Where Drainer puts a value of this column type (TiDB-Binlog's datum → Column mapping). */
function cellOf(c: Column, v: Value): Cell {
  if (v === null) return null;
  const unsigned = /unsigned/.test(c.columnType);
  switch (c.dataType) {
    case 'tinyint': case 'smallint': case 'mediumint': case 'int': case 'bigint':
      return unsigned ? u64(BigInt(String(v))) : i64(BigInt(String(v)));
    case 'float': return dbl(Math.fround(Number(v)));
    case 'double': return dbl(Number(v));
    case 'year': return i64(Number(v));
    case 'bit': return bytes(v as Buffer);
    case 'enum': return u64(labels(c.columnType).indexOf(String(v)) + 1);
    case 'set': {
      const all = labels(c.columnType);
      const on = String(v) === '' ? [] : String(v).split(',');
      return u64(on.reduce((m, l) => m | (1n << BigInt(all.indexOf(l))), 0n));
    }
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob':
      return bytes(v as Buffer);
    // Text columns come both ways: TiDB's datums give bytes for TEXT kinds, strings elsewhere.
    case 'tinytext': case 'text': case 'mediumtext': case 'longtext':
      return bytes(Buffer.from(String(v), 'utf8'));
    default:
      return str(Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  }
}

/**
 * A session reading every value as the server prints it: numbers and temporals as text, JSON as
 * its text (mysql2 would parse it, losing big numbers), in UTC, zero dates allowed.
 */
export async function textConnection(): Promise<Connection> {
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port: MYSQL_PORT, user: 'root', multipleStatements: true, dateStrings: true,
    supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z',
    typeCast: (field, next) => (field.type === 'JSON' || field.extendedFormat === 'json' ? field.string() : next()),
  });
  await conn.query(`SET SESSION sql_mode = 'ALLOW_INVALID_DATES', time_zone = '+00:00'`);
  return conn;
}

export class FakeTidb {
  #columns = new Map<string, Column[]>();
  #txn: { table: string; columns: Column[]; mutations: Mutation[] }[] = [];

  /** `conn`: a textConnection(). */
  constructor(readonly conn: Connection, readonly database: string, readonly jsonColumns: Set<string> = new Set(['j'])) {}

  async #cols(table: string): Promise<Column[]> {
    const known = this.#columns.get(table);
    if (known) return known;
    const [rows] = await this.conn.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME n, DATA_TYPE dt, COLUMN_TYPE ct, COLUMN_KEY k, NUMERIC_PRECISION np, NUMERIC_SCALE ns, DATETIME_PRECISION fsp, CHARACTER_MAXIMUM_LENGTH cl
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [this.database, table]);
    const cols = rows.map((r): Column => ({
      name: String(r.n), dataType: String(r.dt), columnType: String(r.ct), key: r.k === 'PRI',
      precision: r.np === null ? null : Number(r.np), scale: r.ns === null ? null : Number(r.ns), fsp: r.fsp === null ? null : Number(r.fsp), charLength: r.cl === null ? null : Number(r.cl),
    }));
    this.#columns.set(table, cols);
    return cols;
  }

  /** Rows matching `where` (keyed: its key; keyless: every column). */
  async #read(table: string, where: Values): Promise<Values | undefined> {
    const cols = Object.keys(where);
    const [rows] = await this.conn.query<RowDataPacket[]>(
      `SELECT * FROM \`${this.database}\`.\`${table}\` WHERE ${cols.map((c) => `\`${c}\` <=> ?`).join(' AND ')} LIMIT 1`, cols.map((c) => where[c]));
    return rows[0] as Values | undefined;
  }

  async #keyOf(table: string, row: Values): Promise<Values> {
    const cols = await this.#cols(table);
    const keyed = cols.filter((c) => c.key);
    return Object.fromEntries((keyed.length > 0 ? keyed : cols).map((c) => [c.name, row[c.name] ?? null]));
  }

  async #record(table: string, m: { type: Mutation['type']; row: Values; before?: Values }): Promise<void> {
    const columns = await this.#cols(table);
    const cells = (r: Values) => columns.map((c) => cellOf(c, r[c.name] ?? null));
    let t = this.#txn.find((x) => x.table === table);
    if (!t) this.#txn.push((t = { table, columns, mutations: [] }));
    t.mutations.push({ type: m.type, row: cells(m.row), ...(m.before ? { before: cells(m.before) } : {}) });
  }

  async insert(table: string, values: Values): Promise<void> {
    const cols = Object.keys(values);
    await this.conn.query(`INSERT INTO \`${this.database}\`.\`${table}\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES (?)`, [cols.map((c) => values[c])]);
    const after = await this.#read(table, await this.#keyOf(table, values));
    if (!after) throw new Error(`inserted row of ${table} not found`);
    await this.#record(table, { type: 'insert', row: after });
  }

  async update(table: string, key: Values, set: Values): Promise<void> {
    const before = await this.#read(table, key);
    if (!before) throw new Error(`no row ${JSON.stringify(key)} in ${table}`);
    const cols = Object.keys(set);
    await this.conn.query(`UPDATE \`${this.database}\`.\`${table}\` SET ${cols.map((c) => `\`${c}\` = ?`).join(', ')} WHERE ${Object.keys(key).map((c) => `\`${c}\` <=> ?`).join(' AND ')} LIMIT 1`,
      [...cols.map((c) => set[c]), ...Object.values(key)]);
    const after = await this.#read(table, await this.#keyOf(table, { ...before, ...set }));
    await this.#record(table, { type: 'update', row: after!, before });
  }

  async delete(table: string, key: Values): Promise<void> {
    const before = await this.#read(table, key);
    if (!before) throw new Error(`no row ${JSON.stringify(key)} in ${table}`);
    await this.conn.query(`DELETE FROM \`${this.database}\`.\`${table}\` WHERE ${Object.keys(key).map((c) => `\`${c}\` <=> ?`).join(' AND ')} LIMIT 1`, Object.values(key));
    await this.#record(table, { type: 'delete', row: before });
  }

  /** The changes since the last commit as one Drainer DML message. */
  commit(commitTs: bigint): Buffer {
    const tables: TableSpec[] = this.#txn.map((t) => ({
      schema: this.database, table: t.table, mutations: t.mutations,
      columns: t.columns.map((c): ColSpec => this.colSpec(c)),
    }));
    this.#txn = [];
    return dml(commitTs, tables, { timeZone: 'UTC' });
  }

  /** Drops the changes made since the last commit from the message (they stay in the database). */
  discard(): void {
    this.#txn = [];
  }

  colSpec(c: Column): ColSpec {
    const type = this.jsonColumns.has(c.name) ? 'json' : c.dataType;
    const spec: ColSpec = { name: c.name, type, pk: c.key };
    if (c.dataType === 'decimal') Object.assign(spec, { flen: c.precision ?? undefined, decimal: c.scale ?? undefined });
    else if (c.dataType === 'bit') spec.flen = c.precision ?? undefined;
    else if (['datetime', 'timestamp', 'time'].includes(c.dataType)) spec.decimal = c.fsp ?? 0;
    else if (c.charLength !== null && ['char', 'varchar', 'binary', 'varbinary'].includes(c.dataType)) spec.flen = c.charLength;
    return spec;
  }

  /** Runs a DDL statement on the source and gives its Drainer message. */
  async ddl(commitTs: bigint, table: string, sql: string): Promise<Buffer> {
    await this.conn.query(`USE \`${this.database}\``);
    await this.conn.query(sql);
    this.#columns.delete(table);
    return ddl(commitTs, this.database, table, sql);
  }
}

/** A spec's `source:` block (indented under `spec:`) for the stand-in TiDB and a Drainer feed in `topic`. */
export function tidbSourceYaml(topic: string): string {
  return `  source:
    type: tidb
    host: 127.0.0.1
    port: ${MYSQL_PORT}
    user: root
    binlogKafka: { brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, format: drainer }`;
}

const kafka = new Kafka({ clientId: 'mig-e2e-tidb', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

/** A one-partition feed topic; `maxMessageBytes` raises the broker's limit for large transactions. */
export async function createFeedTopic(topic: string, maxMessageBytes = 8 << 20, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] }] });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** Appends messages to partition 0 in order (as Drainer does), waiting for every replica. */
export async function produce(topic: string, messages: Buffer[], partition = 0): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 200) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 200).map((value) => ({ value, partition })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A table's rows as comparable text (bytes as hex), sorted. */
export async function dump(conn: Connection, db: string, table: string, select = '*', where = ''): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${select} FROM \`${db}\`.\`${table}\`${where ? ` WHERE ${where}` : ''}`);
  return rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : v === null ? null : String(v)]))).sort();
}

/** Base tables of a database. */
export async function tablesOf(conn: Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`, [db]);
  return rows.map((r) => String(r.t));
}
