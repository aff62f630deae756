// The poison-event policy's rules: a dead-letter target of the destination's kind (a topic on a
// Kafka cluster, a table elsewhere), one way of saying the policy (onError or its older alias, not
// both at odds), and a deadLetter setting that something uses.
import type { Diagnostic } from '../util/errors.js';
import type { Destination } from './schema.js';
import { aliasOnError, usesDeadLetters } from './error-policy.js';
import { at, type SemanticCheck } from './semantic-at.js';

/** Which deadLetter field each destination kind writes to. */
const DEAD_LETTER_FIELD: Record<Destination['type'], 'topic' | 'table'> = { kafka: 'topic', mysql: 'table', tablestore: 'table' };

export const errorPolicyRules: SemanticCheck = (m) => {
  const spec = m.migration.spec;
  const dest = spec.destination.type;
  const out: Diagnostic[] = [];
  const dl = spec.deadLetter;
  if (dl) {
    const wanted = DEAD_LETTER_FIELD[dest];
    for (const field of ['topic', 'table'] as const) {
      if (dl[field] === undefined || field === wanted) continue;
      out.push(at(m, ['spec', 'deadLetter', field], {
        severity: 'error',
        code: 'dead-letter-target',
        message: `deadLetter.${field} does not apply to a ${dest} destination: its dead letters go to a ${wanted}`,
        fix: `write deadLetter.${wanted} instead (or leave deadLetter out for the default)`,
      }));
    }
    if (dest === 'tablestore' && dl.table?.includes('.')) {
      out.push(at(m, ['spec', 'deadLetter', 'table'], {
        severity: 'error',
        code: 'dead-letter-target',
        message: `deadLetter.table \`${dl.table}\` names a database, which a Tablestore instance does not have`,
        fix: 'write the table name alone',
      }));
    }
    if (!usesDeadLetters(m.migration)) {
      out.push(at(m, ['spec', 'deadLetter'], {
        severity: 'warning',
        code: 'dead-letter-unused',
        message: 'spec.deadLetter is set, but neither spec.onError nor any table\'s onError is dead-letter, so nothing is written there',
        fix: 'set onError: dead-letter where refused changes should be kept, or remove spec.deadLetter',
      }));
    }
  }
  const alias = aliasOnError(spec.destination);
  if (alias && spec.onError !== undefined && spec.onError !== alias.onError) {
    out.push(at(m, ['spec', 'destination', alias.field], {
      severity: 'error',
      code: 'on-error-conflict',
      message: `destination.${alias.field}: ${alias.value} (an older name for onError: ${alias.onError}) contradicts spec.onError: ${spec.onError}`,
      fix: `remove destination.${alias.field}: spec.onError decides`,
    }));
  }
  return out;
};
