// A binlog position as a row of the MySQL destination's mig_checkpoint, whose feeds are ordered by
// one integer offset (Kafka offsets for TiDB). The applier skips a transaction whose offset is not
// above the feed's, so the encoding must grow with the log:
//
//   feed   = "binlog:" + the file's base name       (mariadb-bin.000042 → "binlog:mariadb-bin")
//   offset = file sequence number × 2^32 + position  (000042, 1234 → 42 × 4294967296 + 1234)
//
// Positions in a binlog file are 32-bit, and the sequence number only grows within a server's log,
// so the offset is monotonic along the log. The base name stays in the feed name so the position can
// be decoded back to a file name; the offset fits kafka_offset (signed 64-bit) up to 2^31 files.
import type { BinlogPosition } from '../../../state/model.js';
import { MigError } from '../../../util/errors.js';

export const BINLOG_FEED_PREFIX = 'binlog:';
const POS_SPAN = 2n ** 32n;

/** The feed name and offset of a binlog position; throws on a file name without a sequence number. */
export function encodeBinlogPosition(p: { file: string; pos: number }): { feed: string; offset: bigint } {
  const m = /^(.+)\.(\d+)$/.exec(p.file);
  if (!m || !Number.isInteger(p.pos) || p.pos < 0 || BigInt(p.pos) >= POS_SPAN) {
    throw new MigError('binlog-position', `binlog position ${p.file}:${p.pos} cannot be checkpointed: the file name must end in .<number> and the position be below 2^32`, 'this is a bug or an unusual server; report it with the SHOW BINARY LOGS output');
  }
  return { feed: `${BINLOG_FEED_PREFIX}${m[1]!}`, offset: BigInt(m[2]!) * POS_SPAN + BigInt(p.pos) };
}

/**
 * The position a binlog feed's checkpoint stands for. Sequence numbers are printed with at least six
 * digits, as MySQL and MariaDB name their files (a server past 999999 uses more, and so does this).
 */
export function decodeBinlogPosition(feed: string, offset: string | bigint): { file: string; pos: number } {
  if (!feed.startsWith(BINLOG_FEED_PREFIX)) throw new Error(`not a binlog feed: ${feed}`);
  const o = BigInt(offset);
  const seq = o / POS_SPAN;
  return { file: `${feed.slice(BINLOG_FEED_PREFIX.length)}.${seq.toString().padStart(6, '0')}`, pos: Number(o % POS_SPAN) };
}

/** Whether a checkpoint row's feed is a binlog one (as opposed to a TiDB feed's topic:partition). */
export function isBinlogFeed(feed: string): boolean {
  return feed.startsWith(BINLOG_FEED_PREFIX);
}

/** The position to mirror into the state: the decoded one, with what the state knew of the same point. */
export function mirrorPosition(decoded: { file: string; pos: number }, known: BinlogPosition | undefined, serverId: number | undefined): BinlogPosition {
  if (known && known.file === decoded.file && known.pos === decoded.pos) return known;
  return { ...decoded, serverId };
}
