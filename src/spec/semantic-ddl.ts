// The DDL policy's checks: a table's `ddl` must agree with its `operations` list (which says the
// older way whether DDL is replicated), and a destination that cannot replicate DDL refuses an
// explicit `ddl: replicate` (its default stays: DDL is reported, not replicated).
import type { Diagnostic } from '../util/errors.js';
import type { DataPath } from './positions.js';
import type { Destination } from './schema.js';
import { TABLESTORE_DDL_NOT_REPLICATED } from '../connectors/sinks/tablestore/config.js';
import { at, type SemanticCheck } from './semantic-at.js';

/** Destinations that cannot replicate DDL, and why. */
const NO_DDL_REPLICATION: Partial<Record<Destination['type'], string>> = {
  tablestore: TABLESTORE_DDL_NOT_REPLICATED,
};

export const ddlAgreesWithOperations: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  m.migration.spec.objects.forEach((obj, i) =>
    (obj.tables ?? []).forEach((t, j) => {
      if (!t.ddl || !t.operations) return;
      const listed = t.operations.includes('ddl');
      // ddl in operations means "replicated"; ignore and stop both mean it is not.
      if (listed === (t.ddl === 'replicate')) return;
      const base: DataPath = ['spec', 'objects', i, 'tables', j];
      const ops = m.locate([...base, 'operations']);
      out.push(at(m, [...base, 'ddl'], {
        severity: 'error',
        code: 'ddl-contradicts-operations',
        message: listed
          ? `\`ddl: ${t.ddl}\` contradicts \`operations\` (line ${ops.line}), which lists ddl and so replicates DDL on \`${obj.database}.${t.name}\``
          : `\`ddl: replicate\` contradicts \`operations\` (line ${ops.line}), which leaves ddl out and so ignores DDL on \`${obj.database}.${t.name}\``,
        fix: listed
          ? `remove ddl from operations (the ddl setting then decides), or remove \`ddl: ${t.ddl}\``
          : 'add ddl to operations, or remove `ddl: replicate` (or set ddl: ignore or stop)',
      }));
    }),
  );
  return out;
};

export const ddlReplicableAtDestination: SemanticCheck = (m) => {
  const { destination, ddl, objects } = m.migration.spec;
  const why = NO_DDL_REPLICATION[destination.type];
  if (!why) return [];
  const refuse = (path: DataPath): Diagnostic => at(m, path, {
    severity: 'error',
    code: 'ddl-not-replicable',
    message: `\`ddl: replicate\` cannot be honoured: this destination is ${destination.type}, and ${why}`,
    fix: 'remove this line (DDL is then reported, as DTS does), or set ddl: ignore (not reported) or stop (the stream halts before it)',
  });
  const out: Diagnostic[] = [];
  if (ddl === 'replicate') out.push(refuse(['spec', 'ddl']));
  objects.forEach((obj, i) => (obj.tables ?? []).forEach((t, j) => {
    if (t.ddl === 'replicate') out.push(refuse(['spec', 'objects', i, 'tables', j, 'ddl']));
  }));
  return out;
};
