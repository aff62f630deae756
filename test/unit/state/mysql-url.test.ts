// The MySQL state URL: parsed into its parts, described and rejected without ever showing the password.
import { describe, expect, it } from 'vitest';
import { describeTarget, parseMysqlStateUrl } from '../../../src/state/mysql-url.js';
import { MigError } from '../../../src/util/errors.js';

const WHERE = '--state-url';

function failure(fn: () => unknown): MigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MigError);
    return err as MigError;
  }
  throw new Error('expected a MigError');
}

describe('parseMysqlStateUrl', () => {
  it('reads user, password, host, port and database, with the default table and name', () => {
    expect(parseMysqlStateUrl('mysql://mig:s3cret@db.internal:3307/ops', WHERE)).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'mig',
      password: 's3cret',
      database: 'ops',
      table: 'mig_state',
      name: 'default',
    });
  });

  it('defaults the port to 3306, accepts mariadb:// and takes no password as none', () => {
    const t = parseMysqlStateUrl('mariadb://root@127.0.0.1/mig', WHERE);
    expect(t).toMatchObject({ port: 3306, user: 'root', database: 'mig' });
    expect(t.password).toBeUndefined();
  });

  it('decodes %-escapes in user, password and database', () => {
    const t = parseMysqlStateUrl('mysql://a%40b:p%40ss%3Aw%2Ford@h:1/d%2Db', WHERE);
    expect(t).toMatchObject({ user: 'a@b', password: 'p@ss:w/ord', database: 'd-b' });
  });

  it('takes table and name from the query, and checks them against the configuration', () => {
    const t = parseMysqlStateUrl('mysql://u@h/d?table=team_state&name=shop', WHERE);
    expect(t).toMatchObject({ table: 'team_state', name: 'shop' });
    expect(parseMysqlStateUrl('mysql://u@h/d', WHERE, { table: 'x_state', name: 'n' })).toMatchObject({ table: 'x_state', name: 'n' });
    expect(parseMysqlStateUrl('mysql://u@h/d?name=n', WHERE, { name: 'n' }).name).toBe('n');
    expect(failure(() => parseMysqlStateUrl('mysql://u@h/d?name=a', WHERE, { name: 'b' })).message).toContain('name=a');
  });

  it('accepts an IPv6 host and describes it in brackets', () => {
    const t = parseMysqlStateUrl('mysql://u:pw@[::1]:3307/d', WHERE);
    expect(t.host).toBe('::1');
    expect(describeTarget(t)).toBe('mysql://u@[::1]:3307/d?table=mig_state&name=default');
  });

  it.each([
    ['not a URL', 'mysql//u:hunter2@h/d', 'does not parse'],
    ['another scheme', 'postgres://u:hunter2@h/d', 'postgres://'],
    ['no user', 'mysql://:hunter2@h/d', 'no user'],
    ['no database', 'mysql://u:hunter2@h', 'one database'],
    ['two path segments', 'mysql://u:hunter2@h/d/e', 'one database'],
    ['an unknown parameter', 'mysql://u:hunter2@h/d?ssl=1', 'ssl='],
    ['a bad table name', 'mysql://u:hunter2@h/d?table=a-b', 'table name'],
    ['a fragment', 'mysql://u:hunter2@h/d#x', 'fragment'],
    ['a broken escape', 'mysql://u:hunter%2@h/d', 'does not parse|%-escape'],
  ])('refuses %s without echoing the password', (_what, url, why) => {
    const err = failure(() => parseMysqlStateUrl(url, WHERE));
    expect(err.code).toBe('state-url-invalid');
    expect(err.message).toMatch(new RegExp(why));
    expect(err.message).toContain(WHERE);
    expect(`${err.message} ${err.hint ?? ''}`).not.toContain('hunter');
  });
});

describe('describeTarget', () => {
  it('leaves the password out', () => {
    const text = describeTarget(parseMysqlStateUrl('mysql://mig:s3cret@db:3306/ops?name=shop', WHERE));
    expect(text).toBe('mysql://mig@db:3306/ops?table=mig_state&name=shop');
    expect(text).not.toContain('s3cret');
  });
});
