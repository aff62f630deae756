// ENUM and SET values travel as numbers in some feeds (Drainer always, TiCDC for canal-json) while
// mig's canonical value is the label text; the labels come from the column type or a schema lookup.
import { MigError } from '../../../util/errors.js';

/** Element labels of `enum('a','b''c')` / `set(...)`, in definition order; undefined for other types. */
export function typeElements(columnType: string): string[] | undefined {
  const m = /^\s*(enum|set)\s*\((.*)\)\s*$/is.exec(columnType);
  if (!m) return undefined;
  const body = m[2]!;
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && (body[i] === ',' || body[i] === ' ')) i++;
    if (i >= body.length) break;
    const q = body[i];
    if (q !== "'" && q !== '"') return undefined;
    let s = '';
    i++;
    for (; i < body.length; i++) {
      const ch = body[i]!;
      if (ch === '\\' && i + 1 < body.length) {
        s += body[++i];
      } else if (ch === q) {
        // A doubled quote is a quote inside the label (information_schema's escaping).
        if (body[i + 1] === q) {
          s += q;
          i++;
        } else break;
      } else s += ch;
    }
    i++;
    out.push(s);
  }
  return out;
}

export interface LabelContext {
  database: string;
  table: string;
  column: string;
  /** Where the value came from, for the error message (e.g. `offset 42`). */
  where: string;
}

function missing(kind: string, c: LabelContext): MigError {
  return new MigError('feed-enum-labels', `the ${kind} column ${c.database}.${c.table}.${c.column} arrives as a number at ${c.where}, and its labels are unknown`,
    'the feed carries no labels: mig reads them from the table schema; check that the table exists in the source or destination with this column');
}

/** ENUM index (1-based; 0 is the server's "invalid value" '') → label. */
export function enumLabel(index: bigint, labels: readonly string[] | undefined, c: LabelContext): string {
  if (index === 0n) return '';
  if (!labels) throw missing('ENUM', c);
  const l = labels[Number(index) - 1];
  if (l === undefined) {
    throw new MigError('feed-enum-labels', `ENUM index ${index} of ${c.database}.${c.table}.${c.column} at ${c.where} is beyond its ${labels.length} labels`,
      'the schema mig read differs from the one the change was made with; check the column definition in source and destination');
  }
  return l;
}

/** SET bitmask → comma-joined labels in definition order, as the server prints the value. */
export function setLabels(mask: bigint, labels: readonly string[] | undefined, c: LabelContext): string {
  if (mask === 0n) return '';
  if (!labels) throw missing('SET', c);
  if (mask >> BigInt(labels.length) !== 0n) {
    throw new MigError('feed-enum-labels', `SET bitmask ${mask} of ${c.database}.${c.table}.${c.column} at ${c.where} has bits beyond its ${labels.length} labels`,
      'the schema mig read differs from the one the change was made with; check the column definition in source and destination');
  }
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++) if ((mask >> BigInt(i)) & 1n) out.push(labels[i]!);
  return out.join(',');
}
