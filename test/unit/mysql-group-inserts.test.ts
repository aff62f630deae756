// The MySQL applier's statement grouping: inserts of one table gathered within a run of inserts,
// in their order; updates and deletes stay where they are and end the run.
import { describe, expect, it } from 'vitest';
import { groupInserts, type Op } from '../../src/connectors/sinks/mysql/statements.js';
import type { DestTable } from '../../src/connectors/sinks/mysql/dest-table.js';

const table = (name: string) => ({ ref: { database: 'd', table: name } }) as unknown as DestTable;
const [a, b] = [table('a'), table('b')];
const ins = (t: DestTable, what: string, columns = ['id', 'v']): Op => ({ kind: 'insert', table: t, columns, key: `${t.ref.table}\u0000${columns.join('\u0000')}`, tuple: '(1)', what });
const del = (t: DestTable, what: string): Op => ({ kind: 'delete', table: t, sql: 'DELETE', what });

describe('groupInserts', () => {
  it("gathers each table's inserts of a run, keeping their order, and never moves them past a delete", () => {
    const ops = [ins(a, 'a1'), ins(b, 'b1'), ins(a, 'a2'), ins(b, 'b2'), del(a, 'x'), ins(b, 'b3'), ins(a, 'a3'), ins(b, 'b4')];
    expect(groupInserts(ops).map((o) => o.what)).toEqual(['a1', 'a2', 'b1', 'b2', 'x', 'b3', 'b4', 'a3']);
  });

  it("keeps a table's inserts with other column lists in their order among its own", () => {
    const ops = [ins(a, 'a1'), ins(b, 'b1'), ins(a, 'a2', ['id', 'v', 'w']), ins(a, 'a3')];
    expect(groupInserts(ops).map((o) => o.what)).toEqual(['a1', 'a2', 'a3', 'b1']);
  });
});
