// A recorded binlog position as people read it (status, apply lines, handoff): `file:pos`, with the
// GTID set when known. Views need it without reaching into the source connector.
import type { BinlogPosition } from '../state/model.js';

export function formatPosition(p: BinlogPosition | undefined): string {
  if (!p) return '-';
  return `${p.file}:${p.pos}${p.gtidSet ? ` (gtid ${p.gtidSet})` : ''}`;
}
