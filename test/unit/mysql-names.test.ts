// TargetNames: where source databases, tables and columns land in a MySQL destination.
import { describe, expect, it } from 'vitest';
import { TargetNames, qualified, quoteIdent } from '../../src/connectors/sinks/mysql/names.js';
import { connectionOptions, sslOptions } from '../../src/connectors/sinks/mysql/connect.js';
import { MysqlDestination } from '../../src/spec/schema.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const names = new TargetNames([
  {
    database: 'shop',
    target: 'shop_dst',
    tables: [
      { name: 'orders', target: 'orders_v2', rename: { amount: 'total' }, columns: { exclude: ['secret'] } },
      { name: 'Users', columns: { include: ['id', 'Name'] }, operations: ['insert'] },
      { name: 'plain' },
    ],
  },
  { database: 'app' },
]);

describe('TargetNames', () => {
  it('maps databases with and without a target', () => {
    expect(names.database('shop')).toBe('shop_dst');
    expect(names.database('app')).toBe('app');
    expect(names.database('other')).toBeUndefined();
    expect(names.sourceDatabases()).toEqual(['shop', 'app']);
    expect(names.wholeDatabase('app')).toBe(true);
    expect(names.wholeDatabase('shop')).toBe(false);
  });

  it('maps listed tables, and every table of a whole database', () => {
    expect(names.table('shop', 'orders')!.target).toEqual({ database: 'shop_dst', table: 'orders_v2' });
    expect(names.table('shop', 'plain')!.target).toEqual({ database: 'shop_dst', table: 'plain' });
    expect(names.table('shop', 'missing')).toBeUndefined();
    expect(names.table('app', 'anything')!.target).toEqual({ database: 'app', table: 'anything' });
    expect(names.table('nowhere', 't')).toBeUndefined();
  });

  it('matches names exactly first, then ignoring case', () => {
    expect(names.table('SHOP', 'ORDERS')!.target).toEqual({ database: 'shop_dst', table: 'orders_v2' });
    expect(names.table('shop', 'users')!.source).toEqual({ database: 'shop', table: 'Users' });
  });

  it('renames and leaves out columns (case-insensitively, as MySQL column names are)', () => {
    const m = names.table('shop', 'orders')!;
    expect(m.column('amount')).toBe('total');
    expect(m.column('AMOUNT')).toBe('total');
    expect(m.column('secret')).toBeUndefined();
    expect(m.column('id')).toBe('id');
    expect(m.identityColumns).toBe(false);
    expect(m.project({ id: '1', amount: '2.50', secret: 'x', note: null })).toEqual({ id: '1', total: '2.50', note: null });
    const u = names.table('shop', 'users')!;
    expect(u.keeps('name')).toBe(true);
    expect(u.keeps('email')).toBe(false);
    expect(u.project({ id: '1', Name: 'a', email: 'e' })).toEqual({ id: '1', Name: 'a' });
    expect(names.table('shop', 'plain')!.identityColumns).toBe(true);
  });

  it('carries the operations a table replicates (all by default)', () => {
    expect([...names.table('shop', 'users')!.operations]).toEqual(['insert']);
    expect([...names.table('shop', 'plain')!.operations]).toEqual(['insert', 'update', 'delete', 'ddl']);
  });

  it('maps views only for whole databases', () => {
    expect(names.view('app', 'v')).toEqual({ database: 'app', table: 'v' });
    expect(names.view('shop', 'v')).toBeUndefined();
  });

  it('maps names outside the migration into the mapped database', () => {
    expect(names.anyTable('shop', 'new_table')).toEqual({ database: 'shop_dst', table: 'new_table' });
    expect(names.anyTable('shop', 'orders')).toEqual({ database: 'shop_dst', table: 'orders_v2' });
    expect(names.anyTable('zzz', 't')).toEqual({ database: 'zzz', table: 't' });
  });

  it('quotes identifiers', () => {
    expect(quoteIdent('a`b')).toBe('`a``b`');
    expect(qualified({ database: 'd', table: 't`x' })).toBe('`d`.`t``x`');
  });
});

describe('destination connection options', () => {
  const spec = MysqlDestination.parse({ type: 'mysql', host: 'db.internal', user: 'mig', tls: {} });

  it('text values, UTC, one statement per query, verified TLS', () => {
    const o = connectionOptions({ spec, password: 'pw', projectRoot: '/' });
    expect(o).toMatchObject({ host: 'db.internal', port: 3306, dateStrings: true, bigNumberStrings: true, multipleStatements: false, timezone: 'Z' });
    expect(o.ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: true });
    expect(o.stream).toBeUndefined();
  });

  it('checks tls.servername by connecting to the host under that name', () => {
    const s = MysqlDestination.parse({ type: 'mysql', host: '10.0.0.5', user: 'mig', tls: { servername: 'db.example' } });
    const o = connectionOptions({ spec: s, projectRoot: '/' });
    expect(o.host).toBe('db.example');
    expect(typeof o.stream).toBe('function');
  });

  it('reads tls.ca relative to the project root and says what is wrong with it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mig-ca-'));
    writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate');
    const withCa = (ca: string) => MysqlDestination.parse({ type: 'mysql', host: 'h', user: 'u', tls: { ca } });
    expect(sslOptions({ spec: withCa('ca.pem'), projectRoot: dir })!.ca).toBeInstanceOf(Buffer);
    expect(() => sslOptions({ spec: withCa('bad.pem'), projectRoot: dir })).toThrow(/holds no PEM certificate/);
    expect(() => sslOptions({ spec: withCa('missing.pem'), projectRoot: dir })).toThrow(/does not exist/);
  });
});
