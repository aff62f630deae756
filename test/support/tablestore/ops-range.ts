// GetRange: rows in primary-key order between an inclusive start and an exclusive end, forward
// or backward. A response stops at `limit`, at the page size (5000 rows by default, like the
// service) or at 4 MB, and then names the next row in next_start_primary_key.
import { consumed, type Handler } from './context.js';
import { Errors } from './errors.js';
import { decodeRow } from './plain-buffer-reader.js';
import { encodeRow, plainBufferHeader } from './plain-buffer-writer.js';
import type { PkBound } from './plain-buffer-types.js';
import { checkRangeKey, compareKeys } from './primary-key.js';
import { decodeRequest, type GetRangeRequest } from './protocol.js';
import { readSpecOf } from './read-spec.js';
import { encodeReadRow, readUnits } from './ops-row.js';
import type { StoredRow } from './table.js';

export const MAX_RANGE_BYTES = 4 * 1024 * 1024;

/** First index whose key is >= bound (forward) or last index whose key is <= bound (backward). */
function startIndex(rows: readonly StoredRow[], bound: PkBound[], forward: boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(rows[mid].pk, bound);
    if (forward ? c < 0 : c <= 0) lo = mid + 1;
    else hi = mid;
  }
  return forward ? lo : lo - 1;
}

export const getRange: Handler = (ctx, body) => {
  const req = decodeRequest<GetRangeRequest>('GetRange', body);
  const table = ctx.instance.get(req.tableName);
  const start = checkRangeKey(table.schema, decodeRow(req.inclusiveStartPrimaryKey).primaryKey);
  const end = checkRangeKey(table.schema, decodeRow(req.exclusiveEndPrimaryKey).primaryKey);
  const forward = req.direction !== 1;
  const order = compareKeys(start, end);
  if (forward && order >= 0) throw Errors.invalid('Begin key must less than end key in FORWARD');
  if (!forward && order <= 0) throw Errors.invalid('Begin key must more than end key in BACKWARD');
  if (req.limit !== undefined && req.limit <= 0) throw Errors.invalid(`Invalid limit: ${req.limit}, it must be greater than 0.`);
  const spec = readSpecOf(req);
  const maxRows = Math.min(req.limit ?? Number.MAX_SAFE_INTEGER, ctx.rangePageRows);

  const rows = table.ordered();
  const step = forward ? 1 : -1;
  const inRange = (r: StoredRow): boolean => (forward ? compareKeys(r.pk, end) < 0 : compareKeys(r.pk, end) > 0);
  const out: Buffer[] = [];
  let bytes = 0;
  let next: StoredRow | undefined;
  for (let i = startIndex(rows, start, forward); i >= 0 && i < rows.length && inRange(rows[i]); i += step) {
    const r = rows[i];
    if (!table.visible(r, ctx.now)) continue;
    if (out.length >= maxRows || bytes >= MAX_RANGE_BYTES) {
      next = r;
      break;
    }
    const encoded = encodeReadRow(table, r, spec, ctx.now);
    if (!encoded) continue;
    out.push(encoded.subarray(4)); // rows share the one header written below
    bytes += encoded.length - 4;
  }
  const rowsBytes = out.length > 0 ? Buffer.concat([plainBufferHeader(), ...out]) : Buffer.alloc(0);
  const nextStart = next
    ? encodeRow({ primaryKey: next.pk.map((v, i) => ({ name: table.schema[i].name, value: v })), cells: [], deleteMarker: false })
    : undefined;
  return {
    type: 'GetRangeResponse',
    message: { consumed: consumed(readUnits(rowsBytes.length), 0), rows: rowsBytes, ...(nextStart ? { nextStartPrimaryKey: nextStart } : {}) },
  };
};
