// What apply and run print while migrations run, in one of three shapes:
//   live  — stdout is a terminal: log lines scroll above a live area of bars and stream lines;
//   lines — a pipe, a file, CI, or --log-format json: log lines, and every interval a progress line
//           per table being copied and per stream, with the same figures;
//   json  — --json: every event as a JSON line on stdout (the machine's channel), the log on stderr.
// Rates and ETAs come from the progress readings (progress-tracker.ts); nothing here is in the core.
import { Flags } from '@oclif/core';
import type { ApplyEvent } from '../../model/events.js';
import type { MigrationProgress } from '../../model/progress.js';
import { Logger, streamWriter, useColor, type LogFormat, type LogLevel } from '../log.js';
import { eventRecord } from './apply-human.js';
import { progressRecords, summaryLine } from './progress-format.js';
import { LiveArea, renderLive } from './progress-live.js';
import { ProgressTracker } from './progress-tracker.js';
import { MigError } from '../../util/errors.js';

export const progressIntervalFlag = Flags.string({ description: 'without a terminal (CI, a file, a pipe): print a progress line per table being copied and per stream this often (e.g. 5s, 30s, 1m; 0 for none)', default: '5s' });

/** A duration flag (`5s`, `500ms`, `2m`, `1h`, or seconds alone) in ms. */
export function durationMs(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new MigError('bad-duration', `--${flag} ${text}: not a duration`, `write it as 5s, 30s, 2m or 1h (seconds when no unit is given)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

export function progressIntervalMs(text: string): number {
  return durationMs(text, 'progress-interval');
}

export type OutputMode = 'live' | 'lines' | 'json';

export interface OutputOptions {
  /** --json: the event stream on stdout. */
  json: boolean;
  level: LogLevel;
  format: LogFormat;
  /** --color / --no-color. */
  color: boolean;
  /** How often the lines shape prints progress lines; 0 prints none. */
  progressIntervalMs: number;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** The live view only for a person at a terminal reading text; anything else gets plain lines. */
export function outputMode(o: { json: boolean; format: LogFormat; isTTY: boolean }): OutputMode {
  if (o.json) return 'json';
  return o.isTTY && o.format === 'text' ? 'live' : 'lines';
}

/** An object as one JSON line; bigints (TiDB commit ts) as strings. */
export function jsonLine(value: object): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** An event as the JSON line --json writes: its time first, then the event as the engine reported it. */
export function eventJson(e: ApplyEvent, at: Date): string {
  return jsonLine({ time: at.toISOString(), ...e });
}

/** Redraws come with events; a burst of chunk events redraws at most this often. */
const REDRAW_MS = 100;

export class RunOutput {
  readonly log: Logger;
  readonly mode: OutputMode;
  private readonly tracker = new ProgressTracker();
  private readonly live?: LiveArea;
  private readonly printedAt = new Map<string, number>();
  private readonly stdout: NodeJS.WriteStream;
  private readonly now: () => number;
  private drawnAt = 0;
  /** Whether the log lines are coloured: what the command prints through the log (a plan) follows it. */
  readonly color: boolean;

  constructor(private readonly opts: OutputOptions) {
    this.stdout = opts.stdout ?? process.stdout;
    const stderr = opts.stderr ?? process.stderr;
    const env = opts.env ?? process.env;
    this.now = opts.now ?? Date.now;
    this.mode = outputMode({ json: opts.json, format: opts.format, isTTY: this.stdout.isTTY === true });
    const logStream = this.mode === 'json' ? stderr : this.stdout;
    this.color = opts.format === 'text' && useColor(logStream, env, opts.color);
    if (this.mode === 'live') this.live = new LiveArea(this.stdout);
    const live = this.live;
    const write = live ? (line: string) => live.print(line) : streamWriter(logStream);
    this.log = new Logger({ level: opts.level, format: opts.format, color: this.color, write, now: () => new Date(this.now()) });
  }

  /** The hook the engine reports to. */
  readonly hook = (e: ApplyEvent): void => {
    this.tracker.observe(e);
    if (this.mode === 'json') this.stdout.write(eventJson(e, new Date(this.now())) + '\n');
    const r = eventRecord(e);
    if (r) this.log.log(r.level, r.msg, r.fields);
    if (e.type === 'progress') this.onProgress(e.migration, e.final);
    else if (this.live && (e.type !== 'chunk' && e.type !== 'backfill-chunk' || this.now() - this.drawnAt >= REDRAW_MS)) this.draw();
  };

  /** A JSON line on stdout (--json only: the result at the end). */
  emit(value: object): void {
    if (this.mode === 'json') this.stdout.write(jsonLine({ time: new Date(this.now()).toISOString(), ...value }) + '\n');
  }

  /** The latest reading of each migration that reported one. */
  latest(): Map<string, MigrationProgress> {
    return this.tracker.latest();
  }

  /** Removes the live area; the last lines stay. */
  close(): void {
    this.live?.stop();
  }

  private onProgress(migration: string, final: boolean): void {
    const f = this.tracker.figures(migration);
    if (!f) return;
    if (final) {
      const line = summaryLine(f);
      if (line) this.log.info(line, { migration, event: 'progress', final: true, rows: f.progress?.rows, events: f.progress?.events, lag: f.progress?.lag, checkpoint: f.progress?.checkpoint });
      this.printedAt.delete(migration);
    } else if (this.mode !== 'live' && this.opts.progressIntervalMs > 0) {
      // The first reading starts the clock: the line that started the table has just been printed.
      const last = this.printedAt.get(migration);
      const now = this.now();
      if (last === undefined) this.printedAt.set(migration, now);
      else if (now - last >= this.opts.progressIntervalMs) {
        this.printedAt.set(migration, now);
        for (const r of progressRecords(f)) this.log.info(r.msg, r.fields);
      }
    }
    if (this.live) this.draw();
  }

  private draw(): void {
    this.drawnAt = this.now();
    this.live?.render(renderLive(this.tracker.all(), this.color));
  }
}
