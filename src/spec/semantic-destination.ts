// Rules that depend on which source and destination a migration pairs: table settings that only
// mean something for one destination kind, and limits of Tablestore and of the TiDB feed.
import type { Diagnostic } from '../util/errors.js';
import type { DataPath } from './positions.js';
import type { Destination, Source, TableSpec } from './schema.js';
import { TIDB_DESTINATIONS, TIDB_PAIRING_REASON } from '../connectors/sources/tidb/config.js';
import { BINLOG_SOURCE_DESTINATIONS } from '../connectors/sources/mysql/config.js';
import { at, type SemanticCheck } from './semantic-at.js';

type DestinationKind = Destination['type'];

/** Table settings and the destination kinds they apply to; anywhere else they would be silently ignored. */
const TABLE_FIELDS: Partial<Record<keyof TableSpec, readonly DestinationKind[]>> = {
  topic: ['kafka'],
  partitions: ['kafka'],
  partitionKey: ['kafka'],
  target: ['tablestore', 'mysql'],
  primaryKey: ['tablestore'],
  columnTypes: ['tablestore'],
};

/** Tablestore's rule for table and column names. */
export const TABLESTORE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

export const fieldsForDestination: SemanticCheck = (m) => {
  const dest = m.migration.spec.destination.type;
  const out: Diagnostic[] = [];
  m.migration.spec.objects.forEach((obj, i) => {
    if (obj.target !== undefined && dest !== 'mysql') {
      out.push(at(m, ['spec', 'objects', i, 'target'], {
        severity: 'error',
        code: 'field-not-for-destination',
        message: `\`target\` names a destination database, which only a mysql destination has; this destination is ${dest}`,
        fix: 'remove this line',
      }));
    }
    (obj.tables ?? []).forEach((t, j) => {
      for (const [field, kinds] of Object.entries(TABLE_FIELDS) as [keyof TableSpec, readonly DestinationKind[]][]) {
        if (t[field] === undefined || kinds.includes(dest)) continue;
        out.push(at(m, ['spec', 'objects', i, 'tables', j, field], {
          severity: 'error',
          code: 'field-not-for-destination',
          message: `\`${field}\` applies to ${kinds.join(' and ')} destinations; this destination is ${dest}, so it would be ignored`,
          fix: 'remove this line',
        }));
      }
    });
  });
  return out;
};

/**
 * Which source kinds each destination is built for: a TiDB source only feeds MySQL (its changes come
 * from Drainer in Kafka); a MySQL-family source's binary log feeds every destination.
 */
export const sourceForDestination: SemanticCheck = (m) => {
  const { source, destination } = m.migration.spec;
  const { allowed, reason } = pairing(source.type);
  if ((allowed as readonly string[]).includes(destination.type)) return [];
  return [at(m, ['spec', 'source', 'type'], {
    severity: 'error',
    code: 'unsupported-pairing',
    message: `a ${source.type} source feeds ${allowed.map((d) => `a ${d}`).join(' or ')} destination; ${destination.type} is not built for it (${reason})`,
    fix: `set destination.type: ${allowed.join(' or ')}`,
  })];
};

/** The destinations each source kind's folder declares it can feed (the registry reads the same lists). */
function pairing(type: Source['type']): { allowed: readonly Destination['type'][]; reason: string } {
  return type === 'tidb' ? { allowed: TIDB_DESTINATIONS, reason: TIDB_PAIRING_REASON } : { allowed: BINLOG_SOURCE_DESTINATIONS, reason: '' };
}

export const tidbFeed: SemanticCheck = (m) => {
  const { source, types } = m.migration.spec;
  if (source.type !== 'tidb' || source.binlogKafka || !types.includes('incremental')) return [];
  return [at(m, ['spec', 'source'], {
    severity: 'error',
    code: 'missing-field',
    message: 'incremental migration from TiDB reads the changes TiDB-Binlog (Drainer) writes to Kafka, and spec.source.binlogKafka is not set',
    fix: 'add source.binlogKafka: {brokers: [host:port], topic: <Drainer topic>}, or remove incremental from spec.types',
  })];
};

export const tablestoreRules: SemanticCheck = (m) => {
  const d = m.migration.spec.destination;
  if (d.type !== 'tablestore') return [];
  const out: Diagnostic[] = [];
  if (d.buckets > d.concurrency) {
    out.push(at(m, ['spec', 'destination', 'buckets'], {
      severity: 'error',
      code: 'invalid-value',
      message: `buckets (${d.buckets}) must not exceed concurrency (${d.concurrency}): each bucket needs a request slot of its own`,
      fix: `set buckets to at most ${d.concurrency}, or raise concurrency`,
    }));
  }
  const objects = m.migration.spec.objects;
  if (objects.length > 1) {
    out.push(at(m, ['spec', 'objects', 1, 'database'], {
      severity: 'error',
      code: 'tablestore-one-database',
      message: `a Tablestore migration reads one source database; this one lists ${objects.length} (${objects.map((o) => o.database).join(', ')})`,
      fix: 'split it into one migration per database',
    }));
  }
  objects.forEach((obj, i) =>
    (obj.tables ?? []).forEach((t, j) => {
      const base: DataPath = ['spec', 'objects', i, 'tables', j];
      const name = t.target ?? t.name;
      if (!TABLESTORE_NAME.test(name)) {
        out.push(at(m, [...base, t.target ? 'target' : 'name'], {
          severity: 'error',
          code: 'tablestore-name',
          message: `\`${name}\` is not a valid Tablestore table name: 1 to 255 of letters, digits and '_', not starting with a digit`,
          fix: 'set target: to a valid name',
        }));
      }
      const renamed = Object.entries(t.rename ?? {});
      for (const [from, to] of renamed) {
        if (!TABLESTORE_NAME.test(to)) {
          out.push(at(m, [...base, 'rename', from], {
            severity: 'error',
            code: 'tablestore-name',
            message: `\`${to}\` is not a valid Tablestore column name: 1 to 255 of letters, digits and '_', not starting with a digit`,
            fix: 'rename the column to a valid name',
          }));
        }
      }
    }),
  );
  return out;
};

/** Exactly-once rests on an idempotent, transactional producer, which Kafka allows only with acks=all. */
export const kafkaDelivery: SemanticCheck = (m) => {
  const d = m.migration.spec.destination;
  if (d.type !== 'kafka') return [];
  const out: Diagnostic[] = [];
  if (d.delivery === 'exactly-once' && d.acks !== undefined && d.acks !== 'all') {
    out.push(at(m, ['spec', 'destination', 'acks'], {
      severity: 'error',
      code: 'delivery-needs-acks-all',
      message: `delivery exactly-once writes through Kafka transactions, which need acks all; this destination sets acks ${d.acks}`,
      fix: 'remove acks (all is the default), or set delivery: at-least-once',
    }));
  }
  if (d.checkpointTopic !== undefined && d.delivery !== 'exactly-once') {
    out.push(at(m, ['spec', 'destination', 'checkpointTopic'], {
      severity: 'error',
      code: 'field-not-for-destination',
      message: 'checkpointTopic is where delivery exactly-once keeps its checkpoints; this destination delivers at least once, so it would be ignored',
      fix: 'remove this line, or set delivery: exactly-once',
    }));
  }
  return out;
};

export const DESTINATION_CHECKS: readonly SemanticCheck[] = [fieldsForDestination, sourceForDestination, tidbFeed, tablestoreRules, kafkaDelivery];
