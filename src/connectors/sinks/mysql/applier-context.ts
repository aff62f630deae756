// What the parts of the applier share: its options with their defaults, the one destination
// session, the destination tables as described once, and where notes for the user go.
import type { Connection } from 'mysql2/promise';
import { MigError } from '../../../util/errors.js';
import { describeDestTable, type DestTable } from './dest-table.js';
import type { TableRef, TargetNames } from './names.js';
import { DestinationSession } from './session.js';
import type { RefusalOptions } from './refusals.js';
import type { Refusal } from '../../dead-letter.js';

export interface MysqlApplierOptions {
  /** metadata.name of the migration: the checkpoint rows' key. */
  migration: string;
  names: TargetNames;
  /** spec.destination.checkpointDatabase. */
  checkpointDatabase: string;
  /** spec.destination.batchRows: rows per INSERT in writeRows. */
  batchRows: number;
  /** Opens a new destination session (connectDestination does the session settings). */
  connect: () => Promise<Connection>;
  /** Driver errors as MigErrors; default: generic. */
  describeError?: (e: unknown, doing: string) => MigError;
  /** Tries of one transaction on deadlocks, lock wait timeouts and lost connections. Default 8. */
  maxAttempts?: number;
  /** Things the user should know that do not stop the migration (skipped DDL clauses, …). */
  onNote?: (note: string) => void;
  /** Where a table's onError is not block: how refused rows are set aside (refusals.ts). */
  refusals?: RefusalOptions;
  /** Rows set aside, once the statements that skipped them are committed. */
  onRefused?: (refused: Refusal[]) => void;
}

type Optional = 'onNote' | 'refusals' | 'onRefused';
export type ResolvedApplierOptions = Required<Omit<MysqlApplierOptions, Optional>> & Pick<MysqlApplierOptions, Optional>;

export class ApplierContext {
  readonly o: ResolvedApplierOptions;
  readonly session: DestinationSession;
  readonly #tables = new Map<string, DestTable>();

  constructor(opts: MysqlApplierOptions) {
    this.o = {
      maxAttempts: 8,
      describeError: (e, doing) => (e instanceof MigError ? e : new MigError('destination-error', `${doing}: ${String((e as Error).message ?? e)}`)),
      ...opts,
    };
    this.session = new DestinationSession(this.o.connect, this.o.describeError);
  }

  /** The destination table's columns and key, described on first use. */
  async table(ref: TableRef): Promise<DestTable> {
    const id = `${ref.database}.${ref.table}`;
    const known = this.#tables.get(id);
    if (known) return known;
    const t = await describeDestTable(await this.session.get(), ref);
    if (!t) {
      throw new MigError('destination-table-missing', `the destination has no table ${id}`, 'run the schema phase (spec.types has schema) or create the table at the destination, then run again');
    }
    this.#tables.set(id, t);
    return t;
  }

  /** Forgets described tables: DDL may have changed them. */
  forgetTables(): void {
    this.#tables.clear();
  }

  note(n: string): void {
    this.o.onNote?.(n);
  }
}
