// Checks that need more than one field, or more than one document, to see the problem.
// They run on documents that passed the schema; add a check by appending to SEMANTIC_CHECKS.
import type { Diagnostic } from '../util/errors.js';
import type { LoadedMigration } from './loaded-migration.js';
import { formatPath, type DataPath } from './positions.js';
import { MigrationDoc, type KafkaDestination, type Migration, type TableSpec } from './schema.js';
import { REFERENCE_IN_TEXT } from './schema-common.js';
import { secretPaths } from './schema-walk.js';
import { DESTINATION_CHECKS } from './semantic-destination.js';
import { at, type SemanticCheck } from './semantic-at.js';
import { filterSyntax } from './semantic-filters.js';
import { connectionShapes } from './semantic-hosts.js';
import { retryWindowOrder } from './semantic-retry.js';
import { heartbeatTable } from './semantic-heartbeat.js';
import { errorPolicyRules } from './semantic-errors.js';
import { ddlAgreesWithOperations, ddlReplicableAtDestination } from './semantic-ddl.js';
import { secretReferenceSyntax, unknownReferenceOutsideSecret } from './semantic-refs.js';

export type { SemanticCheck } from './semantic-at.js';

export function runSemanticChecks(
  all: readonly LoadedMigration[],
  checks: readonly SemanticCheck[] = SEMANTIC_CHECKS,
): Diagnostic[] {
  return all.flatMap((m) => checks.flatMap((check) => check(m, all)));
}


/**
 * Names key the state and the lock, and may become file names on a case-insensitive file system,
 * so `Shop` and `shop` count as the same name.
 */
export const duplicateName: SemanticCheck = (m, all) => {
  const name = m.migration.metadata.name.toLowerCase();
  const first = all.find((o) => o.migration.metadata.name.toLowerCase() === name);
  if (first === undefined || first === m) return [];
  const firstPos = first.locate(['metadata', 'name']);
  return [
    at(m, ['metadata', 'name'], {
      severity: 'error',
      code: 'duplicate-name',
      message: `migration name \`${m.migration.metadata.name}\` is already used in ${first.file}:${firstPos.line}`,
      fix: 'give every migration its own metadata.name (names are compared ignoring case)',
    }),
  ];
};

/**
 * Database and table names are compared exactly: MySQL on Linux treats `Shop` and `shop` as two
 * databases (lower_case_table_names=0), and the spec must not guess the server's setting.
 */
export const duplicateObjects: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  const databases = new Map<string, number>();
  m.migration.spec.objects.forEach((obj, i) => {
    const seen = databases.get(obj.database);
    if (seen !== undefined) {
      out.push(
        at(m, ['spec', 'objects', i, 'database'], {
          severity: 'error',
          code: 'duplicate-database',
          message: `database \`${obj.database}\` is listed twice in \`spec.objects\` (first at spec.objects[${seen}])`,
          fix: `merge the two entries into one, listing all their tables under spec.objects[${seen}]`,
        }),
      );
      return;
    }
    databases.set(obj.database, i);
    const tables = new Map<string, number>();
    (obj.tables ?? []).forEach((t, j) => {
      const first = tables.get(t.name);
      if (first === undefined) {
        tables.set(t.name, j);
        return;
      }
      out.push(
        at(m, ['spec', 'objects', i, 'tables', j, 'name'], {
          severity: 'error',
          code: 'duplicate-table',
          message: `table \`${obj.database}.${t.name}\` is listed twice (first at spec.objects[${i}].tables[${first}])`,
          fix: 'keep one entry per table and put all its settings there',
        }),
      );
    });
  });
  return out;
};

/** `types` and `operations` are sets; a repeated entry is most likely a different one mistyped. */
export const duplicateListEntries: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  const check = (values: readonly string[], path: DataPath, what: string) => {
    values.forEach((v, i) => {
      if (values.indexOf(v) === i) return;
      out.push(
        at(m, [...path, i], {
          severity: 'error',
          code: what === 'type' ? 'duplicate-type' : 'duplicate-operation',
          message: `${what} \`${v}\` appears more than once in \`${formatPath(path)}\``,
          fix: 'list each value once',
        }),
      );
    });
  };
  check(m.migration.spec.types, ['spec', 'types'], 'type');
  m.migration.spec.objects.forEach((obj, i) =>
    (obj.tables ?? []).forEach((t, j) => {
      if (t.operations) check(t.operations, ['spec', 'objects', i, 'tables', j, 'operations'], 'operation');
    }),
  );
  return out;
};

/** The topic a table's changes go to. */
export function tableTopic(dest: KafkaDestination, table: TableSpec | undefined): string {
  return table?.topic ?? dest.topic;
}

/**
 * The partition count each topic should be created with. The rule (plan and sink must use this
 * function rather than restate it):
 * - `destination.topic` always exists (it also carries DDL) and gets `destination.partitions`.
 * - A table's `partitions` applies only to the table's OWN topic (`topic` set); without it, the
 *   table shares the default topic, and one of many tables must not resize a shared topic.
 * - Tables naming the same topic with different counts: the largest wins, since Kafka can add
 *   partitions to a topic but never remove them.
 */
export function topicPartitionCounts(spec: Migration['spec']): Map<string, number> {
  const dest = spec.destination;
  if (dest.type !== 'kafka') return new Map();
  const counts = new Map<string, number>([[dest.topic, dest.partitions]]);
  for (const obj of spec.objects) {
    for (const t of obj.tables ?? []) {
      if (t.topic === undefined) continue;
      counts.set(t.topic, Math.max(counts.get(t.topic) ?? 0, t.partitions ?? dest.partitions));
    }
  }
  return counts;
}

/** Warns where the rule above overrides what a table says about partitions. */
export const partitionRules: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  const dest = m.migration.spec.destination;
  if (dest.type !== 'kafka') return [];
  const counts = topicPartitionCounts(m.migration.spec);
  const firstClaim = new Map<string, { count: number; where: string }>([
    [dest.topic, { count: dest.partitions, where: 'spec.destination.partitions' }],
  ]);

  m.migration.spec.objects.forEach((obj, i) =>
    (obj.tables ?? []).forEach((t, j) => {
      const base: DataPath = ['spec', 'objects', i, 'tables', j];
      if (t.topic === undefined) {
        if (t.partitions !== undefined && t.partitions !== dest.partitions) {
          out.push(
            at(m, [...base, 'partitions'], {
              severity: 'warning',
              code: 'partitions-ignored',
              message: `\`${formatPath([...base, 'partitions'])}\` has no effect: table \`${t.name}\` has no own \`topic\`, so it writes to \`${dest.topic}\`, which is created with spec.destination.partitions (${dest.partitions})`,
              fix: 'give the table its own `topic`, change spec.destination.partitions, or remove this line',
            }),
          );
        }
        return;
      }
      const count = t.partitions ?? dest.partitions;
      const prior = firstClaim.get(t.topic);
      if (prior === undefined) {
        firstClaim.set(t.topic, { count, where: formatPath(base) });
      } else if (prior.count !== count) {
        out.push(
          at(m, [...base, t.partitions === undefined ? 'topic' : 'partitions'], {
            severity: 'warning',
            code: 'partitions-conflict',
            message: `topic \`${t.topic}\` gets ${count} partition(s) here but ${prior.count} from ${prior.where}; it is created with the larger count, ${counts.get(t.topic)}`,
            fix: 'give every table writing to this topic the same partitions, or give them separate topics',
          }),
        );
      }
    }),
  );
  return out;
};

/**
 * Only secret fields are resolved; `host: ${env:DB_HOST}` would be used as the literal text, which
 * is surely not what the author meant.
 */
export const referenceOutsideSecret: SemanticCheck = (m) => {
  const secrets = new Set(secretPaths(MigrationDoc, m.migration).map((p) => formatPath(p)));
  const out: Diagnostic[] = [];
  const walk = (value: unknown, p: (string | number)[]) => {
    if (typeof value === 'string') {
      if (REFERENCE_IN_TEXT.test(value) && !secrets.has(formatPath(p))) {
        out.push(
          at(m, p, {
            severity: 'warning',
            code: 'reference-not-resolved',
            message: `\`${formatPath(p)}\` contains a \${…} reference, but only secret fields (like spec.source.password) are resolved; it will be used as written`,
            fix: 'write the value itself here',
          }),
        );
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...p, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...p, k]);
    }
  };
  walk(m.migration, []);
  return out;
};

/** A schema registry holds Avro schemas: it only goes with the dts-avro format. */
export const registryNeedsAvro: SemanticCheck = (m) => {
  const d = m.migration.spec.destination;
  if (d.type !== 'kafka' || !d.schemaRegistry || d.format === 'dts-avro') return [];
  return [at(m, ['spec', 'destination', 'schemaRegistry'], {
    severity: 'error',
    code: 'invalid-value',
    message: `schemaRegistry only applies to the dts-avro format, and this destination writes ${d.format}`,
    fix: 'set format: dts-avro, or remove schemaRegistry',
  })];
};

export const SEMANTIC_CHECKS: readonly SemanticCheck[] = [
  registryNeedsAvro,
  ...DESTINATION_CHECKS,
  duplicateName,
  duplicateObjects,
  duplicateListEntries,
  partitionRules,
  referenceOutsideSecret,
  secretReferenceSyntax,
  unknownReferenceOutsideSecret,
  filterSyntax,
  connectionShapes,
  retryWindowOrder,
  heartbeatTable,
  errorPolicyRules,
  ddlAgreesWithOperations,
  ddlReplicableAtDestination,
];
