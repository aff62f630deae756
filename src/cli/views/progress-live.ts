// The live area at the bottom of a terminal: a bar per table being copied, a line per streaming
// migration, redrawn in place. log-update does the cursor work (and only ever runs on a TTY); lines
// printed meanwhile go above the area and stay in the scrollback.
import { createLogUpdate } from 'log-update';
import { paint } from '../log.js';
import { formatCount, formatDuration, formatLag, retryText } from './progress-format.js';
import type { MigrationFigures, StreamFigures, TableFigures } from './progress-tracker.js';

const BAR_WIDTH = 24;

/** `████████░░░░░░░░` for a fraction 0..1; all shade while the estimate is unknown. */
export function bar(fraction: number | null, width = BAR_WIDTH): string {
  const filled = fraction === null ? 0 : Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

function tableRow(t: TableFigures, color: boolean, nameWidth: number): string {
  const name = `${t.table}${t.kind === 'backfill' ? ' (backfill)' : ''}`.padEnd(nameWidth);
  const pct = t.percent === null ? '  ?%' : `${String(t.percent).padStart(3)}%`;
  const rows = t.estimate === null ? `${formatCount(t.rows)} rows` : `${formatCount(t.rows)}/${formatCount(t.estimate)} rows`;
  const rate = t.rowsPerSecond === null ? 'measuring…' : `${formatCount(t.rowsPerSecond)} rows/s`;
  const eta = t.etaSeconds === null ? '' : `  ETA ${formatDuration(t.etaSeconds)}`;
  return `  ${name}  ${paint(color, 'cyan', bar(t.percent === null ? null : t.percent / 100))} ${pct}  ${rows}  ${rate}${eta}`;
}

function streamRow(s: StreamFigures, color: boolean): string {
  const retry = retryText(s);
  if (retry) return `  ${paint(color, 'yellow', retry)}`;
  const rate = s.writtenPerSecond === null ? 'measuring…' : `${formatCount(s.writtenPerSecond)} changes/s`;
  const lag = s.lag.seconds !== null && s.lag.seconds >= 60 ? paint(color, 'yellow', formatLag(s.lag)) : formatLag(s.lag);
  return `  ${paint(color, 'green', 'streaming')}  ${rate}  ${formatCount(s.written)} written  lag ${lag}${s.checkpoint ? `  checkpoint ${s.checkpoint}` : ''}`;
}

/** The area's text: per migration a heading, its tables' bars and its stream line; empty when nothing runs. */
export function renderLive(figures: MigrationFigures[], color: boolean): string {
  const out: string[] = [];
  for (const f of figures) {
    if (f.ended || (f.tables.length === 0 && !f.stream)) continue;
    out.push(paint(color, 'bold', f.migration));
    const nameWidth = Math.max(0, ...f.tables.map((t) => t.table.length + (t.kind === 'backfill' ? 11 : 0)));
    for (const t of f.tables) out.push(tableRow(t, color, nameWidth));
    if (f.stream) out.push(streamRow(f.stream, color));
  }
  return out.join('\n');
}

/**
 * The stream as log-update sees it: a terminal that reports no size (0×0, as a pseudo-terminal
 * under script(1) or some CI runners does) counts as 80×24; at 0 rows log-update would draw nothing.
 */
function sized(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return Object.create(stream, {
    columns: { get: () => stream.columns || 80 },
    rows: { get: () => stream.rows || 24 },
  }) as NodeJS.WriteStream;
}

/** The area on a terminal stream. */
export class LiveArea {
  private readonly update: ReturnType<typeof createLogUpdate>;
  private block = '';

  constructor(private readonly stream: NodeJS.WriteStream) {
    // The cursor stays visible: hiding it makes log-update register signal-exit's handlers, which
    // re-raise SIGINT once a command's own process.once handler has run, killing it before it
    // checkpoints; and a crash would leave the terminal without a cursor.
    this.update = createLogUpdate(sized(stream), { showCursor: true });
  }

  /** Prints a finished line above the area, which is drawn again below it. */
  print(line: string): void {
    // log-update's own persist clips to the terminal's height; a long plan must scroll whole.
    if (this.block) this.update.clear();
    this.stream.write(line.endsWith('\n') ? line : line + '\n');
    if (this.block) this.update(this.block);
  }

  /** Draws the area anew (or removes it, given nothing). */
  render(block: string): void {
    if (block === this.block) return;
    if (block) this.update(block);
    else if (this.block) this.update.clear();
    this.block = block;
  }

  /** Leaves the area as last drawn (status --watch's last reading) and gives the cursor back. */
  keep(): void {
    this.block = '';
    this.update.done();
  }

  /** Removes the area and gives the cursor back. */
  stop(): void {
    if (this.block) this.update.clear();
    this.block = '';
    this.update.done();
  }
}
