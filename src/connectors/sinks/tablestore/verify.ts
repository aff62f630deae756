// mig verify for a Tablestore destination: each table read back with GetRange pages over its whole
// key range and compared with the source rows mapped by the sink's own mapping (tableMapping and
// loadOp: key, column names, types and NULLs as the writer sends them). Rows of a merged target are
// told apart by the merge column, so another source table's rows are not counted as extra.
import type { TablestoreDestination } from '../../../spec/schema.js';
import type { DestinationVerifier, ScanVerifier, VerifyOpenRequest, VerifyRow } from '../../contract.js';
import { TablestoreClient } from './client.js';
import { mergedTargets, tableMapping, type TableMapping } from './mapping.js';
import { loadOp } from './row-ops.js';
import { resolveTablestoreSecrets } from './secrets.js';
import { isSdkLong, tablestoreSdk, type SdkClient } from './sdk.js';

/** The parts of the SDK's GetRange mig's own SDK typing leaves out. */
interface RangeSdk {
  getRange(p: Record<string, unknown>): Promise<{ rows: RangeRow[]; nextStartPrimaryKey: { name: string; value: unknown }[] | null }>;
}
interface RangeRow {
  primaryKey?: { name: string; value: unknown }[];
  attributes?: { columnName: string; columnValue: unknown }[];
}
interface RangeBounds { INF_MIN: object; INF_MAX: object; Direction: { FORWARD: string } }
const sdk = (): RangeBounds => tablestoreSdk() as unknown as RangeBounds;

/** Rows per GetRange page (the service's most). */
const PAGE = 5000;

/**
 * A cell as text, the same for the value mig sends and the one read back: integers in decimal
 * (Long when written, Int64 when read), doubles and booleans as JavaScript prints them, strings
 * quoted, bytes as hex.
 */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v === 'number' ? 'd' : 'b'}${String(v)}`;
  if (isSdkLong(v)) return `i${v.toString()}`;
  // The SDK decodes INTEGER cells as int64-buffer's Int64LE, whose toString is decimal.
  return `i${(v as { toString(radix?: number): string }).toString(10)}`;
}

const keyOf = (cells: { name: string; value: unknown }[]) => cells.map((c) => `${c.name}=${cellText(c.value)}`).join(', ');

export async function openTablestoreVerifier(d: TablestoreDestination, r: VerifyOpenRequest): Promise<DestinationVerifier> {
  const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, r.specDir));
  const merged = mergedTargets(r.tables.flatMap((t) => {
    const info = r.shapes.get(t.id);
    return info ? [{ info, spec: t.settings }] : [];
  }));
  return {
    table: async (t, shape) => tableVerifier(client, tableMapping({ info: shape, spec: t.settings, destination: d, merged: merged.has(t.target) })),
    close: async () => client.close(),
  };
}

function tableVerifier(client: TablestoreClient, m: TableMapping): ScanVerifier {
  const attributes = m.attributes.map((a) => a.name);
  return {
    mode: 'scan',
    expected: (row): VerifyRow | undefined => {
      const op = loadOp(m, row);
      // A row the writer refuses (dirty data) is never written; the state lists it.
      if (op.invalid || op.type === 'delete') return undefined;
      const values: VerifyRow['values'] = Object.fromEntries(attributes.map((a) => [a, null]));
      for (const c of op.type === 'put' ? op.columns : op.put) for (const [k, v] of Object.entries(c)) values[k] = cellText(v);
      return { key: keyOf(op.primaryKey.map((c) => ({ name: Object.keys(c)[0]!, value: Object.values(c)[0] }))), values };
    },
    scan: async (into) => {
      const range = (bound: object) => m.primaryKey.map((k) => ({ [k.name]: bound }));
      let start: Record<string, unknown>[] | null = range(sdk().INF_MIN);
      while (start) {
        const from: Record<string, unknown>[] = start;
        const page = await client.call('GetRange', (s: SdkClient) => (s as unknown as RangeSdk).getRange({
          tableName: m.table, direction: sdk().Direction.FORWARD, inclusiveStartPrimaryKey: from, exclusiveEndPrimaryKey: range(sdk().INF_MAX), limit: PAGE, maxVersions: 1,
        }), m.table);
        for (const row of page.rows) {
          const pk = row.primaryKey ?? [];
          if (m.merge && pk.find((c) => c.name === m.merge!.column)?.value !== m.merge.value) continue;
          const values: VerifyRow['values'] = Object.fromEntries(attributes.map((a) => [a, null]));
          for (const a of row.attributes ?? []) values[a.columnName] = cellText(a.columnValue);
          into.put({ key: keyOf(pk), values });
        }
        start = page.nextStartPrimaryKey ? page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : null;
      }
    },
  };
}
