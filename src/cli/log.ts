// The command line's logger. Every line carries an ISO time and a level, as text or as one JSON object
// per line (--log-format json) for log collectors. Only commands and their views log: the core reports
// through hooks (model/events.ts) and never prints.
import { styleText } from 'node:util';
import { Flags } from '@oclif/core';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The flags of every command that logs as it runs (apply, run, status --watch). */
export const logFlags = {
  'log-level': Flags.option({ options: LOG_LEVELS, default: 'info' as LogLevel, description: 'the least severe lines to print: error, warn, info or debug (debug adds every chunk and checkpoint)' })(),
  'log-format': Flags.option({ options: LOG_FORMATS, default: 'text' as LogFormat, description: 'text: "TIME LEVEL message" lines; json: one JSON object per line {time, level, migration, event, msg, …}' })(),
  color: Flags.boolean({ description: 'colour on a terminal; --no-color (or NO_COLOR set) turns it off', default: true, allowNo: true }),
};

/** What a line is about, beside its message; a JSON line carries these as its own fields. */
export interface LogFields {
  migration?: string;
  event?: string;
  [field: string]: unknown;
}

export interface LogRecord {
  time: Date;
  level: LogLevel;
  msg: string;
  fields?: LogFields;
}

/** Where finished lines go: a stream, or the live view that keeps its area below them. */
export type LineWriter = (line: string) => void;

/**
 * Colour only for a person at a terminal: never in a pipe or file, and not when NO_COLOR is set to
 * anything (no-color.org) or --no-color is given.
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag = true): boolean {
  return flag && stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

const LEVEL_STYLE: Record<LogLevel, Parameters<typeof styleText>[0]> = { error: ['red', 'bold'], warn: 'yellow', info: 'green', debug: 'gray' };

/** A styled piece of text when colour is on, the text itself otherwise. */
export function paint(color: boolean, style: Parameters<typeof styleText>[0], text: string): string {
  // We decided about the terminal ourselves (useColor); Node's own check would look at stdout.
  return color ? styleText(style, text, { validateStream: false }) : text;
}

/** `2026-12-05T08:40:01.123Z info shop: …`; lines after the first (a fix, a plan) follow as they are. */
export function formatText(r: LogRecord, color: boolean): string {
  return `${paint(color, 'dim', r.time.toISOString())} ${paint(color, LEVEL_STYLE[r.level], r.level)} ${r.msg}`;
}

/** One JSON object: time, level, migration, event and msg first, then the record's other fields. */
export function formatJson(r: LogRecord): string {
  const { migration, event, ...rest } = r.fields ?? {};
  const head = { time: r.time.toISOString(), level: r.level, ...(migration !== undefined ? { migration } : {}), ...(event !== undefined ? { event } : {}), msg: r.msg };
  // A field may not shadow the line's own keys.
  const extra = Object.fromEntries(Object.entries(rest).filter(([k, v]) => !(k in head) && v !== undefined));
  return JSON.stringify({ ...head, ...extra }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  color: boolean;
  write: LineWriter;
  now?: () => Date;
}

export class Logger {
  constructor(private readonly opts: LoggerOptions) {}

  get format(): LogFormat {
    return this.opts.format;
  }

  get level(): LogLevel {
    return this.opts.level;
  }

  /** Whether lines of this level are printed. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.opts.level);
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const r: LogRecord = { time: (this.opts.now ?? (() => new Date()))(), level, msg: msg.replace(/\n+$/, ''), ...(fields ? { fields } : {}) };
    this.opts.write(this.opts.format === 'json' ? formatJson(r) : formatText(r, this.opts.color));
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
}

/** Writes each line to a stream, ending it with a newline. */
export function streamWriter(stream: NodeJS.WritableStream): LineWriter {
  return (line) => {
    stream.write(line.endsWith('\n') ? line : line + '\n');
  };
}
