// mig verify for a Kafka destination: each table's last state rebuilt from its topic (inserts and
// updates set a key's row, deletes remove it; a keyless table's rows as a multiset), compared
// with the source rows encoded by the same router the sink writes through and decoded back, so the
// filter, column selection, renames, name case and value texts are the sink's own.
import type { KafkaDestination } from '../../../spec/schema.js';
import type { TableInfo } from '../../../model/source-data.js';
import type { DesiredTable } from '../../../model/targets.js';
import type { DestinationVerifier, ScanVerifier, VerifyOpenRequest, VerifyRow } from '../../contract.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../../kafka/secrets.js';
import { formatFor } from './formats/index.js';
import { decodeMessage, type Image } from './formats/decode.js';
import { buildProjection, caseName } from './projection.js';
import { Router } from './router.js';
import { readTopicOnce } from './verify-read.js';

export async function openKafkaVerifier(d: KafkaDestination, r: VerifyOpenRequest): Promise<DestinationVerifier> {
  const secrets = await resolveKafkaSecrets(d, r.specDir);
  const router = new Router({
    tables: new Map(r.tables.map((t) => [t.id, t])),
    destination: d,
    format: formatFor(d.format),
    source: { type: 'MySQL', version: r.sourceVersion },
    flavor: r.flavor,
    // Partitions and oversized rows do not change what a message says.
    partitionsOf: () => 1,
    refuse: () => undefined,
  });
  return {
    table: async (t, shape) => tableVerifier(d, secrets, router, t, shape),
    close: async () => undefined,
  };
}

function tableVerifier(d: KafkaDestination, secrets: KafkaSecrets, router: Router, t: DesiredTable, shape: TableInfo): ScanVerifier {
  const nameCase = d.nameCase ?? 'source';
  const database = caseName(shape.database, nameCase);
  const table = caseName(shape.table, nameCase);
  const projection = buildProjection({ columns: t.columns, rename: t.rename, nameCase }, shape.columns, t.id);
  // The key columns under their message names: a key-changing update names the old key through them.
  const keyNames = shape.chunkKey.map((k) => projection.columns[projection.sourceNames.indexOf(k)]?.name);
  const oldKey = (before: Image | undefined): string | null =>
    before && keyNames.every((n): n is string => n !== undefined && n in before) ? JSON.stringify(keyNames.map((n) => before[n!] ?? null)) : null;
  return {
    mode: 'scan',
    expected: (row): VerifyRow | undefined => {
      const msg = router.snapshotRow(shape, row, 0, 0);
      if (!msg) return undefined;
      const c = decodeMessage(d.format, msg.value);
      return c.kind === 'row' && c.after ? { key: msg.key, values: c.after } : undefined;
    },
    scan: async (into) => {
      await readTopicOnce(d, secrets, t.target, (m) => {
        const c = decodeMessage(d.format, m.value, d.schemaRegistry !== undefined);
        if (c.kind !== 'row' || c.database !== database || c.table !== table) return;
        // Partitions are read one after another: a key's messages in two of them (a key change, a
        // partition key of other columns) are put in order by their change ids.
        const order = m.partitions > 1 ? c.id : undefined;
        if (c.op === 'delete') {
          into.remove(m.key, c.before, order);
          return;
        }
        // JSON formats carry the old key's columns as texts; DTS Avro's are typed items, read back
        // as texts where the key's types allow (else a key change leaves the old key as extra).
        const was = c.op === 'update' && m.key !== null ? oldKey(c.beforeText ?? c.before) : null;
        if (was !== null && was !== m.key) into.remove(was, undefined, order);
        if (c.op === 'update' && m.key === null) into.remove(null, c.before);
        into.put({ key: m.key, values: c.after ?? {} }, order);
      });
    },
  };
}
