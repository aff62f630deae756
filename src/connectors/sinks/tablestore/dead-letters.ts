// Poison events at a Tablestore destination: under onError dead-letter each refused row becomes a
// row of the dead-letter table (key `id`: migration, table, key and change id, so a replay after a
// crash writes the same row again rather than a second one), written before the batch counts as
// acknowledged, so the checkpoint never passes a change that is neither written nor dead-lettered.
import type { Migration } from '../../../spec/schema.js';
import { usesDeadLetters } from '../../../spec/error-policy.js';
import { deadLetterDocument, type Refusal } from '../../dead-letter.js';
import type { TableMapping } from './mapping.js';
import type { PutOp } from './row-ops.js';
import type { SdkColumns } from './sdk.js';

/** The dead-letter table a migration writes to, when any of its tables may dead-letter. */
export function deadLetterTableOf(m: Migration): string | undefined {
  if (!usesDeadLetters(m)) return undefined;
  return m.spec.deadLetter?.table ?? 'mig_dead_letters';
}

/** The table's layout for createTable: one string key; the letter's fields are attributes. */
export function deadLetterMapping(table: string): TableMapping {
  return { source: { database: '', table: '' }, table, primaryKey: [{ name: 'id', type: 'STRING', source: null }], attributes: [], writeMode: 'overwrite' };
}

const MAX_DOCUMENT_CHARS = 500_000;

export function deadLetterOp(table: string, migration: string, r: Refusal): PutOp {
  const doc = deadLetterDocument(migration, r);
  const id = JSON.stringify([migration, r.table, r.key, doc.changeId ?? 'snapshot']);
  let document = JSON.stringify(doc);
  // Tablestore holds at most 2 MB in one attribute: a larger letter keeps the key and the error,
  // and \`mig redrive\` reads the row from the source by that key.
  if (document.length > MAX_DOCUMENT_CHARS) document = JSON.stringify({ ...doc, before: undefined, after: undefined, imagesLeftOut: true });
  const fields: [string, string][] = [['migration', migration], ['table', r.table], ['key', r.key ?? ''], ['op', doc.op], ['error', `${r.code}: ${r.message}`], ['at', doc.at], ['document', document]];
  const columns: SdkColumns = fields.map(([k, v]) => ({ [k]: v }));
  const bytes = id.length + document.length + 256;
  return { type: 'put', table, source: r.table, primaryKey: [{ id }], keyText: id, bytes, columns };
}
