// The rollback path after a cutover to a MySQL destination (DTS's reverse task): a migration spec
// that streams the destination's changes back to the source from the cutover on. Names are mapped
// back (target databases and tables, renamed columns); no copy is made, since the source holds the
// same rows at the cutover. Secrets stay the references the spec holds.
import { stringify } from 'yaml';
import type { Migration, ObjectSpec, TableSpec } from '../spec/schema.js';
import { MigError } from '../util/errors.js';

function reverseTable(t: TableSpec): Record<string, unknown> {
  const rename = t.rename ? Object.fromEntries(Object.entries(t.rename).map(([from, to]) => [to, from])) : undefined;
  return { name: t.target ?? t.name, ...(t.target ? { target: t.name } : {}), ...(rename ? { rename } : {}) };
}

function reverseObject(o: ObjectSpec): Record<string, unknown> {
  return { database: o.target ?? o.database, ...(o.target ? { target: o.database } : {}), ...(o.tables ? { tables: o.tables.map(reverseTable) } : {}) };
}

/**
 * The reverse migration of `m` as YAML. `destinationFlavor` is what the destination server reports,
 * which becomes the reverse migration's source type.
 */
export function reverseSpecText(m: Migration, destinationFlavor: 'mysql' | 'mariadb'): string {
  const s = m.spec.source;
  const d = m.spec.destination;
  if (d.type !== 'mysql' || s.type === 'tidb') {
    throw new MigError('reverse-unsupported', `${m.metadata.name}: a reverse migration is written for a MySQL-family source and a MySQL destination only`, 'leave out --reverse-spec');
  }
  const doc = {
    apiVersion: 'mig/v1',
    kind: 'Migration',
    metadata: { name: `${m.metadata.name}-reverse`, description: `rollback of ${m.metadata.name}: the destination's changes back to the source, from the cutover on` },
    spec: {
      source: { type: destinationFlavor, host: d.host, port: d.port, user: d.user, ...(d.password ? { password: d.password } : {}) },
      destination: { type: 'mysql', host: s.host, port: s.port, user: s.user, ...(s.password ? { password: s.password } : {}), checkpointDatabase: d.checkpointDatabase },
      // The source already holds every row at the cutover: only changes made since flow back.
      types: ['incremental'],
      conflictMode: 'ignore',
      objects: m.spec.objects.map(reverseObject),
    },
  };
  const columns = m.spec.objects.flatMap((o) => (o.tables ?? []).filter((t) => t.columns).map((t) => `${o.database}.${t.name}`));
  const note = columns.length > 0 ? `# Columns left out of ${columns.join(', ')} are not at the destination: rows inserted there reach the source without them.\n` : '';
  return `# Written by mig cutover ${m.metadata.name} --reverse-spec. Apply it to stream changes back to the source.\n${note}${stringify(doc)}`;
}
