import { describe, expect, it } from 'vitest';
import { Logger, formatJson, formatText, useColor } from '../../../src/cli/log.js';

const time = new Date('2026-12-05T08:40:01.123Z');
const ESC = '\u001b[';

function collect(opts: Partial<ConstructorParameters<typeof Logger>[0]> = {}) {
  const lines: string[] = [];
  const log = new Logger({ level: 'info', format: 'text', color: false, write: (l) => lines.push(l), now: () => time, ...opts });
  return { log, lines };
}

describe('the logger', () => {
  it('writes ISO time and level before each message', () => {
    const { log, lines } = collect();
    log.info('shop: inventory.stock_movements 212,000/497,586 rows (43%)');
    log.warn('shop: t: warning: no primary key');
    expect(lines).toEqual([
      '2026-12-05T08:40:01.123Z info shop: inventory.stock_movements 212,000/497,586 rows (43%)',
      '2026-12-05T08:40:01.123Z warn shop: t: warning: no primary key',
    ]);
  });

  it('drops lines below --log-level', () => {
    const { log, lines } = collect({ level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['warn', 'error']);
    const debug = collect({ level: 'debug' });
    debug.log.debug('chunk');
    expect(debug.lines).toHaveLength(1);
  });

  it('json: one object per line, time, level, migration, event and msg first, then the fields', () => {
    const { log, lines } = collect({ format: 'json' });
    log.info('shop: t: 10 rows in 1.0 s', { migration: 'shop', event: 'table-done', table: 't', rows: 10, level: 'shadowed', ts: 5n });
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['time', 'level', 'migration', 'event', 'msg', 'table', 'rows', 'ts']);
    expect(o).toMatchObject({ time: time.toISOString(), level: 'info', migration: 'shop', event: 'table-done', table: 't', rows: 10, ts: '5' });
    expect(formatJson({ time, level: 'warn', msg: 'plain' })).toBe('{"time":"2026-12-05T08:40:01.123Z","level":"warn","msg":"plain"}');
  });

  it('colours the level only when asked, and never writes escape codes otherwise', () => {
    expect(formatText({ time, level: 'error', msg: 'x' }, false)).not.toContain(ESC);
    expect(formatText({ time, level: 'error', msg: 'x' }, true)).toContain(ESC);
    const { log, lines } = collect({ color: false, format: 'text' });
    log.error('boom');
    expect(lines.join('')).not.toContain(ESC);
  });
});

describe('useColor', () => {
  const tty = { isTTY: true };
  it('colour needs a terminal', () => {
    expect(useColor(tty, {}, true)).toBe(true);
    expect(useColor({ isTTY: false }, {}, true)).toBe(false);
    expect(useColor({}, {}, true)).toBe(false);
  });

  it('honours NO_COLOR (any non-empty value), --no-color and TERM=dumb', () => {
    expect(useColor(tty, { NO_COLOR: '1' }, true)).toBe(false);
    expect(useColor(tty, { NO_COLOR: 'yes' }, true)).toBe(false);
    expect(useColor(tty, { NO_COLOR: '' }, true)).toBe(true);
    expect(useColor(tty, {}, false)).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' }, true)).toBe(false);
  });
});
