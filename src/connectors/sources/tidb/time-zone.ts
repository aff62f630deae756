// Drainer prints TIMESTAMP values in its own process's time zone and usually leaves Binlog.time_zone
// unset; the spec's binlogKafka.timeZone says which zone that is (default UTC), a zone named in the
// message wins. mig's canonical TIMESTAMP text is UTC, as its snapshot session reads it.
import { MigError } from '../../../util/errors.js';
import { FIXED_OFFSET } from './config.js';

const UTC_NAMES = new Set(['', 'utc', 'etc/utc', 'z', 'gmt', 'etc/gmt', '+00:00', '-00:00', 'universal', 'zulu']);

/** True when values printed in `zone` are already UTC wall time. */
export function isUtcZone(zone: string): boolean {
  return UTC_NAMES.has(zone.trim().toLowerCase());
}

const WALL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;

/** Offset of `zone` from UTC in minutes at the instant `utcMs`. */
function offsetMinutes(zone: string, utcMs: number): number {
  const fixed = FIXED_OFFSET.exec(zone.trim());
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  } catch {
    throw new MigError('feed-time-zone', `the change feed prints TIMESTAMP values in the time zone "${zone}", which mig does not know`,
      'set spec.source.binlogKafka.timeZone to the zone the feed is written in (an IANA name such as Asia/Shanghai, or ±HH:MM), or run Drainer with TZ set to an IANA zone name (e.g. TZ=UTC)');
  }
  const p = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/**
 * A `YYYY-MM-DD hh:mm:ss[.f]` wall time in `zone` as UTC wall time. The zero timestamp and texts
 * of another shape are returned unchanged (they name no instant).
 */
export function wallTimeToUtc(text: string, zone: string): string {
  if (isUtcZone(zone)) return text;
  const m = WALL.exec(text);
  if (!m || m[1] === '0000') return text;
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Two passes settle the offset that applies at the instant itself (around DST changes).
  let utc = local - offsetMinutes(zone, local) * 60000;
  utc = local - offsetMinutes(zone, utc) * 60000;
  const d = new Date(utc);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${m[7] ?? ''}`;
}
