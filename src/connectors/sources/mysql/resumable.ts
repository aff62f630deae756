// Whether a binlog source still holds the file incremental resumes from. One SHOW BINARY LOGS per
// migration: the reader resumes by file and offset (GTIDs are tracked, not used to resume), so the
// file being listed is what decides. A source that cannot be read gives no answer here; the
// precheck reports why.
import type { RowDataPacket } from 'mysql2/promise';
import type { Migration, MysqlSource } from '../../../spec/schema.js';
import type { MigrationState } from '../../../state/model.js';
import type { SourceKind } from '../../contract.js';
import { connectSource } from './connect.js';
import { endpointFor } from './endpoint.js';
import { fileIndex } from './position.js';

type Resumable = Awaited<ReturnType<NonNullable<SourceKind['resumable']>>>;

export async function binlogResumable(m: Migration, _s: MysqlSource, ms: MigrationState, specDir: string): Promise<Resumable> {
  if (!m.spec.types.includes('incremental')) return undefined;
  const at = ms.checkpoint ?? ms.snapshot?.position;
  if (!at) return undefined;
  let files: string[];
  try {
    const conn = await connectSource(await endpointFor(m, specDir));
    try {
      const [rows] = await conn.query<RowDataPacket[]>('SHOW BINARY LOGS');
      files = rows.map((r) => String(r.Log_name));
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
  return fileVerdict(at.file, files, ms.checkpoint ? 'checkpoint' : 'snapshot position');
}

/** The verdict on `file` given the files the server lists (oldest first); exported for tests. */
export function fileVerdict(file: string, files: string[], what: string): Resumable {
  // An empty list means binary logging is off: the precheck's binlog checks say so.
  if (files.length === 0) return undefined;
  if (files.includes(file)) return { ok: true };
  const last = files[files.length - 1]!;
  if (fileIndex(file) > fileIndex(last)) {
    return { ok: false, reason: `binlog file ${file} is not on the source, whose newest is ${last}: the binary log was reset or the server replaced; the ${what} cannot resume` };
  }
  return { ok: false, reason: `binlog file ${file} was purged from the source, whose oldest is now ${files[0]!}; the ${what} cannot resume` };
}
