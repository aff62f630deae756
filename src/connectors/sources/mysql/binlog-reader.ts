// Incremental: streams the binary log from a checkpoint and hands on whole transactions (or DDLs).
// Positions handed on are always at Xid or DDL boundaries, so a resume never splits a transaction.
import type ZongJi from '@vlasky/zongji';
import type { AnyBinlogEvent, ColumnSchema, TableMapEntry } from '@vlasky/zongji';
import type { BinlogPosition } from '../../../state/model.js';
import type { ChangeEvent, ColumnInfo, Row, TableInfo, TxBatch } from '../../../model/source-data.js';
import { connectionOptions, type SourceEndpoint } from './connect.js';
import { DEFAULT_VALUE_OPTIONS, fromBinlog, isBinaryType, type ValueOptions } from './type-map.js';
import { changeId, MariadbGtidTracker, type GtidTracker } from './position.js';
import { ddlTarget } from './ddl.js';
import { OnlineSchemaChanges } from './online-schema-change.js';
import { binlogError } from './binlog-error.js';

export interface BinlogReaderOptions {
  endpoint: SourceEndpoint;
  serverId: number;
  flavor: 'mariadb' | 'mysql';
  /** `db.table` → current shape; the reader refreshes entries after DDL through `describe`. */
  tables: Map<string, TableInfo>;
  /** Tables read besides the migration's (the backfill's watermark table); never refreshed by DDL. */
  watch?: Map<string, TableInfo>;
  /** Databases whose DDL is of interest (DDL may name tables not yet in `tables`). */
  databases: Set<string>;
  describe: (database: string, table: string) => Promise<TableInfo | undefined>;
  onBatch: (batch: TxBatch) => void;
  /** Every event moves the observed position, including ones of no interest (for caught-up checks). */
  onPosition?: (p: { file: string; pos: number; inTransaction: boolean }) => void;
  onError: (e: Error) => void;
  /** FLOAT/DOUBLE rounding (DTS's ROUND rule); default keeps every stored digit. */
  values?: ValueOptions;
}

/** Changes of one transaction buffered before they are handed on as a part (no checkpoint). */
const PART_SIZE = 5000;

type RowsEvt = Extract<AnyBinlogEvent, { getTypeName(): 'WriteRows' | 'UpdateRows' | 'DeleteRows' }>;

export class BinlogReader {
  private zongji?: ZongJi;
  private pending: ChangeEvent[] = [];
  private txStart = 0;
  private txFile = '';
  private ordinal = 0;
  private gtids?: GtidTracker;
  private paused = false;
  private inTx = false;
  private readonly layouts = new WeakMap<TableInfo, Map<string, ColumnInfo[]>>();
  private lastTs = 0;
  private ddlChain: Promise<void> = Promise.resolve();
  private readonly osc: OnlineSchemaChanges;

  constructor(private readonly o: BinlogReaderOptions) {
    this.osc = new OnlineSchemaChanges((db, t) => o.tables.has(`${db}.${t}`), (db, t) => o.tables.has(`${db}.${t}`) && !o.watch?.has(`${db}.${t}`));
  }

  async start(from: BinlogPosition): Promise<void> {
    // The binlog client (and the mysql driver it brings, ~22 MB of memory) is loaded only by a run
    // that streams: a full load alone never reads the binary log.
    const { default: ZongJi, GtidSet } = await import('@vlasky/zongji');
    const z = new ZongJi({ ...connectionOptions(this.o.endpoint), jsonStrings: true } as never);
    this.zongji = z;
    if (from.gtidSet) {
      try {
        this.gtids = this.o.flavor === 'mariadb' ? new MariadbGtidTracker(from.gtidSet) : GtidSet.parse(from.gtidSet);
      } catch {
        this.gtids = undefined;
      }
    }
    return new Promise((resolve, reject) => {
      let ready = false;
      z.on('ready', () => {
        ready = true;
        resolve();
      });
      z.on('error', (e: Error) => {
        const err = binlogError(e);
        if (!ready) reject(err);
        else this.o.onError(err);
      });
      z.on('binlog', (evt: AnyBinlogEvent) => {
        try {
          this.handle(evt);
        } catch (e) {
          this.o.onError(e as Error);
        }
      });
      z.start({
        serverId: this.o.serverId,
        filename: from.file,
        position: from.pos,
        // No event filter: zongji only advances its resume position on events it emits, and the
        // caught-up check needs the position after every event, including the ones we ignore.
      });
    });
  }

  /** Back-pressure: stop reading from the server socket until resume(). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.zongji?.connection?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.zongji?.connection?.resume();
  }

  stop(): Promise<void> {
    const z = this.zongji;
    if (!z) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 2000);
      z.once('stopped', () => {
        clearTimeout(t);
        resolve();
      });
      z.stop();
    });
  }

  private where(): { file: string; pos: number } {
    const z = this.zongji!;
    return { file: String(z.options.filename), pos: Number(z.options.position) };
  }

  private handle(evt: AnyBinlogEvent): void {
    const name = evt.getTypeName();
    if (evt.timestamp) this.lastTs = evt.timestamp;
    switch (name) {
      case 'MariadbGtid':
      case 'Gtid': {
        const here = this.where();
        this.txFile = here.file;
        this.txStart = here.pos;
        this.ordinal = 0;
        this.pending = [];
        this.inTx = true;
        break;
      }
      case 'WriteRows':
      case 'UpdateRows':
      case 'DeleteRows':
        this.rows(evt as RowsEvt);
        break;
      case 'Xid':
        this.finish(evt.gtid);
        break;
      case 'Query':
        this.query(evt as Extract<AnyBinlogEvent, { getTypeName(): 'Query' }>);
        break;
      default:
        break;
    }
    this.o.onPosition?.({ ...this.where(), inTransaction: this.inTx });
  }

  private rows(evt: RowsEvt): void {
    // A huge transaction is handed on in parts rather than held whole in memory.
    if (this.pending.length >= PART_SIZE) {
      const part = this.pending;
      this.pending = [];
      this.o.onBatch({ events: part });
    }
    const map = evt.tableMap[evt.tableId] as TableMapEntry | undefined;
    if (!map) return;
    const key = `${map.parentSchema}.${map.tableName}`;
    const info = this.o.tables.get(key) ?? this.o.watch?.get(key);
    if (!info) return;
    const cols = this.columnsOf(info, map);
    const op = name2op(evt.getTypeName());
    const ts = evt.timestamp;
    for (const r of evt.rows) {
      const id = changeId(this.txFile, this.txStart, this.ordinal++);
      if (op === 'update') {
        const u = r as { before: Record<string, unknown>; after: Record<string, unknown> };
        this.pending.push({ kind: 'row', op, database: info.database, table: info.table, before: this.toRow(cols, u.before), after: this.toRow(cols, u.after), columns: cols, timestamp: ts, id });
      } else if (op === 'insert') {
        this.pending.push({ kind: 'row', op, database: info.database, table: info.table, after: this.toRow(cols, r as Record<string, unknown>), columns: cols, timestamp: ts, id });
      } else {
        this.pending.push({ kind: 'row', op, database: info.database, table: info.table, before: this.toRow(cols, r as Record<string, unknown>), columns: cols, timestamp: ts, id });
      }
    }
  }

  private toRow(cols: ColumnInfo[], values: Record<string, unknown>): Row {
    const o = this.o.values ?? DEFAULT_VALUE_OPTIONS;
    const out: Row = {};
    for (const c of cols) out[c.name] = fromBinlog(c, values[c.name] as never, o);
    return out;
  }

  /** One stable column list per table shape and log layout, so encoders can cache per list. */
  private columnsOf(info: TableInfo, map: TableMapEntry): ColumnInfo[] {
    const sig = map.columnSchemas.map((c) => `${c.COLUMN_NAME}:${c.COLUMN_TYPE}`).join(',');
    let byShape = this.layouts.get(info);
    if (!byShape) {
      byShape = new Map();
      this.layouts.set(info, byShape);
    }
    let cols = byShape.get(sig);
    if (!cols) {
      cols = columnsFor(info, map);
      byShape.set(sig, cols);
    }
    return cols;
  }

  private finish(gtid: string | undefined): void {
    if (gtid && this.gtids) this.gtids.add(gtid);
    const events = this.pending;
    this.pending = [];
    this.inTx = false;
    this.o.onBatch({ events, end: this.position() });
  }

  private position(): BinlogPosition {
    const here = this.where();
    return { ...here, gtidSet: this.gtids?.toString() || undefined, timestamp: this.lastTs || undefined };
  }

  private query(evt: Extract<AnyBinlogEvent, { getTypeName(): 'Query' }>): void {
    const sql = evt.query.trim();
    const upper = sql.slice(0, 16).toUpperCase();
    if (upper === 'BEGIN' || upper === 'COMMIT' || upper.startsWith('XA ') || upper.startsWith('SAVEPOINT')) {
      if (upper === 'COMMIT') this.finish(evt.gtid);
      return;
    }
    const osc = this.osc.classify(sql, evt.schema);
    // A helper of gh-ost or pt-osc is no data: its statements go nowhere (their position still counts).
    const target = osc.kind === 'plain' ? ddlTarget(sql, evt.schema) : undefined;
    const here = this.where();
    const events: ChangeEvent[] = [];
    if (osc.kind === 'swap' && this.o.databases.has(osc.database)) {
      // The swap is the original table's ALTER; its new shape is read as after one.
      events.push({
        kind: 'ddl', database: osc.database, table: osc.table, sql: osc.sql ?? sql, timestamp: evt.timestamp, id: changeId(here.file, this.txStart || here.pos, 0),
        onlineSchemaChange: { tool: osc.tool, alterSeen: osc.sql !== undefined },
      });
      this.refresh(osc.database, osc.table);
    } else if (target && this.o.databases.has(target.database)) {
      events.push({
        kind: 'ddl',
        database: target.database,
        table: target.table,
        sql,
        timestamp: evt.timestamp,
        id: changeId(here.file, this.txStart || here.pos, 0),
      });
      // Refresh the table's shape so rows after the ALTER carry the right column types.
      if (target.table) this.refresh(target.database, target.table, target.renamedTo);
    }
    if (evt.gtid && this.gtids) this.gtids.add(evt.gtid);
    this.pending = [];
    this.inTx = false;
    if (evt.timestamp) this.lastTs = evt.timestamp;
    this.o.onBatch({ events, end: this.position() });
  }

  private refresh(database: string, table: string, renamedTo?: string): void {
    // Reading the shape pauses the stream so no row of the new shape is decoded with the old one.
    this.zongji?.connection?.pause();
    const names = [table, ...(renamedTo ? [renamedTo] : [])];
    this.ddlChain = this.ddlChain
      .then(async () => {
        for (const t of names) {
          const key = `${database}.${t}`;
          const info = await this.o.describe(database, t);
          if (info && (this.o.tables.has(key) || this.o.tables.has(`${database}.${table}`))) this.o.tables.set(key, info);
          if (!info) this.o.tables.delete(key);
        }
      })
      .catch((e: Error) => this.o.onError(e))
      .finally(() => {
        if (!this.paused) this.zongji?.connection?.resume();
      });
  }
}

function name2op(n: string): 'insert' | 'update' | 'delete' {
  return n === 'WriteRows' ? 'insert' : n === 'UpdateRows' ? 'update' : 'delete';
}

/**
 * Columns of the row image. The binlog's own metadata (binlog_row_metadata=FULL) is the truth for the
 * event; information_schema adds exact declared types when the column still exists with that name.
 */
function columnsFor(info: TableInfo, map: TableMapEntry): ColumnInfo[] {
  return map.columnSchemas.map((s: ColumnSchema) => {
    const known = info.columns.find((c) => c.name === s.COLUMN_NAME);
    if (known) return known;
    const columnType = String(s.COLUMN_TYPE).toLowerCase();
    const dataType = columnType.split(/[ (]/)[0]!;
    return {
      name: s.COLUMN_NAME,
      dataType,
      columnType,
      unsigned: s.UNSIGNED ?? /unsigned/.test(columnType),
      nullable: true,
      charset: s.CHARACTER_SET_NAME ?? undefined,
      binary: isBinaryType(dataType),
    };
  });
}
