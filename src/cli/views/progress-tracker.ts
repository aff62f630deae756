// What the progress views show, folded from the apply events: the tables being copied now (from
// table-start/backfill-start to their done event), whether the migration streams, and the latest
// reading with rates measured between readings. Pure: time comes with each event's reading.
import type { ApplyEvent } from '../../model/events.js';
import type { LagReading, MigrationProgress } from '../../model/progress.js';
import type { RetryStatus } from '../../state/model.js';
import { RateMeter, etaSeconds, percentOf } from './progress-rate.js';

export interface TableFigures {
  migration: string;
  table: string;
  /** The initial full load, or a backfill while the stream runs. */
  kind: 'full' | 'backfill';
  rows: number;
  /** The source's estimate; null when it had none. */
  estimate: number | null;
  percent: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export interface StreamFigures {
  migration: string;
  runner: MigrationProgress['runner'];
  written: number;
  read: number;
  filtered: number;
  skipped: number;
  /** Changes written per second over the rate window; null until measured. */
  writtenPerSecond: number | null;
  lag: LagReading;
  checkpoint?: string;
  retry?: RetryStatus;
}

export interface MigrationFigures {
  migration: string;
  /** Tables being copied now. */
  tables: TableFigures[];
  /** Present while the migration streams or retries. */
  stream?: StreamFigures;
  /** The latest reading. */
  progress?: MigrationProgress;
  /** The run has ended (its final reading came). */
  ended: boolean;
}

interface ActiveTable {
  kind: 'full' | 'backfill';
  rows: number;
  estimate: number | null;
  meter: RateMeter;
}

interface Tracked {
  tables: Map<string, ActiveTable>;
  streaming: boolean;
  written: RateMeter;
  progress?: MigrationProgress;
  ended: boolean;
}

export class ProgressTracker {
  private readonly migrations = new Map<string, Tracked>();

  /** Folds one event in; returns the migration it concerned. */
  observe(e: ApplyEvent): string {
    const m = this.tracked(e.migration);
    switch (e.type) {
      case 'table-start':
      case 'backfill-start':
        m.tables.set(e.table, { kind: e.type === 'table-start' ? 'full' : 'backfill', rows: e.resumeFrom, estimate: e.estimatedRows, meter: new RateMeter() });
        m.ended = false;
        break;
      case 'chunk':
      case 'backfill-chunk': {
        // Chunks move the count between readings; the rate comes from the readings alone.
        const t = m.tables.get(e.table);
        if (t) t.rows = e.total;
        break;
      }
      case 'table-done':
      case 'backfill-done':
        m.tables.delete(e.table);
        break;
      case 'stream-start':
      case 'feed-start':
        m.streaming = true;
        m.ended = false;
        // The stream's pace from its own start, not averaged with the quiet of the full load.
        m.written = new RateMeter();
        break;
      case 'stream-stop':
      case 'feed-stop':
        m.streaming = false;
        break;
      case 'progress':
        this.reading(m, e.progress, e.final);
        break;
      default:
        break;
    }
    return e.migration;
  }

  figures(migration: string): MigrationFigures | undefined {
    const m = this.migrations.get(migration);
    if (!m) return undefined;
    const tables = [...m.tables].map(([table, t]): TableFigures => {
      const rate = t.meter.perSecond();
      return { migration, table, kind: t.kind, rows: t.rows, estimate: t.estimate, percent: percentOf(t.rows, t.estimate), rowsPerSecond: rate, etaSeconds: etaSeconds(t.rows, t.estimate, rate) };
    });
    const p = m.progress;
    const retrying = p?.runner === 'retrying' || p?.retry !== undefined;
    const stream: StreamFigures | undefined = p && !m.ended && (m.streaming || retrying) ? {
      migration,
      runner: p.runner,
      ...p.events,
      writtenPerSecond: m.written.perSecond(),
      lag: p.lag,
      ...(p.checkpoint ? { checkpoint: p.checkpoint } : {}),
      ...(p.retry ? { retry: p.retry } : {}),
    } : undefined;
    return { migration, tables, ...(stream ? { stream } : {}), ...(p ? { progress: p } : {}), ended: m.ended };
  }

  /** Every migration seen, in the order first seen. */
  all(): MigrationFigures[] {
    return [...this.migrations.keys()].map((n) => this.figures(n)!);
  }

  /** The latest reading of each migration. */
  latest(): Map<string, MigrationProgress> {
    return new Map([...this.migrations].flatMap(([n, m]) => (m.progress ? [[n, m.progress] as const] : [])));
  }

  private reading(m: Tracked, p: MigrationProgress, final: boolean): void {
    const at = Date.parse(p.at);
    m.progress = p;
    for (const tp of p.tables) {
      const t = m.tables.get(tp.table);
      if (!t) continue;
      t.rows = tp.rowsCopied;
      t.estimate = tp.estimatedRows ?? t.estimate;
      t.meter.add(at, tp.rowsCopied);
    }
    m.written.add(at, p.events.written);
    if (final) {
      m.ended = true;
      m.streaming = false;
      m.tables.clear();
    }
  }

  private tracked(migration: string): Tracked {
    let m = this.migrations.get(migration);
    if (!m) {
      m = { tables: new Map(), streaming: false, written: new RateMeter(), ended: false };
      this.migrations.set(migration, m);
    }
    return m;
  }
}
