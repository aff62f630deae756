// Where the feed takes over from the full load: the TSO the snapshot reads at. Inside the snapshot
// transaction TiDB's SHOW MASTER STATUS reports the current TSO as Position (how TiDB documents
// choosing Drainer's initial commit ts); changes with a larger commit ts are the incremental part.
import type { Connection, FieldPacket, RowDataPacket } from 'mysql2/promise';
import { MigError } from '../../../util/errors.js';

interface CastField {
  string(): string | null;
}

/** The snapshot's commit ts. Call inside the open snapshot transaction. */
export async function snapshotCommitTs(conn: Connection): Promise<bigint> {
  // Read as text: a TSO is beyond 2^53 and would lose digits as a JS number.
  const [rows] = (await conn.query({ sql: 'SHOW MASTER STATUS', typeCast: ((f: CastField) => f.string()) as never })) as [RowDataPacket[], FieldPacket[]];
  const pos = rows[0]?.Position as string | null | undefined;
  if (pos === undefined || pos === null || !/^\d+$/.test(pos)) {
    throw new MigError('tidb-snapshot-ts', 'SHOW MASTER STATUS on the TiDB source returned no position (its current TSO)',
      'check that spec.source points at a TiDB server and that the user may run SHOW MASTER STATUS (the REPLICATION CLIENT or SUPER privilege)');
  }
  return BigInt(pos);
}
