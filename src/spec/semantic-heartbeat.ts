// The heartbeat table is mig's own: its rows are never migrated, so a spec that also lists it as a
// table to migrate asks for two things at once. A TiDB source has no binary log to carry the
// heartbeat; its lag comes from the feed's commit timestamps, so the setting does nothing there.
import type { Diagnostic } from '../util/errors.js';
import { heartbeatOf } from './heartbeat.js';
import { HEARTBEAT_DEFAULTS } from './schema-observe.js';
import { at, type SemanticCheck } from './semantic-at.js';

export const heartbeatTable: SemanticCheck = (m) => {
  const spec = m.migration.spec;
  if (spec.heartbeat?.enabled && spec.source.type === 'tidb') {
    return [at(m, ['spec', 'heartbeat', 'enabled'], {
      severity: 'warning',
      code: 'heartbeat-ignored',
      message: "spec.heartbeat has no effect on a tidb source: mig writes heartbeats into a MySQL-family source's binary log, and a TiDB feed's lag is read from its commit timestamps",
      fix: 'remove spec.heartbeat',
    })];
  }
  const h = heartbeatOf(m.migration);
  if (!h) return [];
  const out: Diagnostic[] = [];
  spec.objects.forEach((obj, i) => {
    if (obj.database !== h.database) return;
    (obj.tables ?? []).forEach((t, j) => {
      if (t.name !== h.table) return;
      const where = m.locate(['spec', 'heartbeat']);
      out.push(at(m, ['spec', 'objects', i, 'tables', j, 'name'], {
        severity: 'error',
        code: 'heartbeat-table-migrated',
        message: `\`${h.id}\` is the heartbeat table (spec.heartbeat, ${m.file}:${where.line}) and is listed here as a table to migrate: mig writes it and never forwards its rows`,
        fix: `remove ${h.id} from spec.objects, or give the heartbeat another table (spec.heartbeat.table, default ${HEARTBEAT_DEFAULTS.table})`,
      }));
    });
  });
  return out;
};
